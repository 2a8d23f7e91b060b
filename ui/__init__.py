"""Streamlit building blocks shared by the pages: session state, widgets, charts, resources.

The pages in `pages/` compose these and call the engine in `nst/`; no math lives here.
"""
