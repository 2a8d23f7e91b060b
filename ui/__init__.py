"""Streamlit building blocks shared by the pages: session state, widgets, charts, resources.

The pages in `pages/` compose these and call the engine in `nst/`; no math lives here.
"""

from __future__ import annotations

import streamlit as st


def through_app() -> None:
    """Make sure this page runs inside app.py (its navigation, sidebar, page config and Keras guard).

    Until some session has called st.navigation, Streamlit routes a deep link (/theory) on a fresh
    server by the pages/ folder and runs the page script alone. The first page to see that turns
    the routing off for the whole process (the flag st.navigation itself clears) and runs again,
    this time through app.py, which lands on the same page by its URL.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
