"""NST Explorer: neural style transfer you can watch, and look inside.

Run with `make run` (or `streamlit run app.py -- --weights PATH --max-runs N`).
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="NST Explorer", page_icon=":material/palette:", layout="wide")

from ui import resources, sidebar  # noqa: E402  (after set_page_config)

resources.keep_keras_state()

pages = {
    "Create": [
        st.Page("pages/studio.py", title="Studio", icon=":material/brush:", default=True),
    ],
    "Inside the network": [
        st.Page("pages/feature_maps.py", title="Feature maps", icon=":material/grid_on:"),
        st.Page("pages/gram_matrices.py", title="Gram matrices", icon=":material/blur_on:"),
        st.Page("pages/reconstructions.py", title="What each layer captures", icon=":material/layers:"),
        st.Page("pages/theory.py", title="Theory", icon=":material/functions:"),
    ],
}
page = st.navigation(pages)
sidebar.render()
page.run()
