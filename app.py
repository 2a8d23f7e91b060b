"""NST Explorer: neural style transfer you can watch, and look inside.

Run with `make run` (or `streamlit run app.py -- --weights PATH --max-runs N`).
"""

from __future__ import annotations

import streamlit as st

# `/?present=1` opens the presentation view (bookmarkable, see pages/present.py): no sidebar there.
PRESENTING = st.query_params.get("present") == "1"
st.set_page_config(
    page_title="NST Explorer",
    page_icon=":material/palette:",
    layout="wide",
    initial_sidebar_state="collapsed" if PRESENTING else "auto",
)

from ui import resources, sidebar  # noqa: E402  (after set_page_config)

resources.keep_keras_state()

studio = st.Page("pages/studio.py", title="Studio", icon=":material/brush:", default=not PRESENTING)
present = st.Page(
    "pages/present.py", title="Presentation view", icon=":material/co_present:", url_path="present", default=PRESENTING
)
pages = {
    "Create": [studio, present],
    "Inside the network": [
        st.Page("pages/feature_maps.py", title="Feature maps", icon=":material/grid_on:"),
        st.Page("pages/gram_matrices.py", title="Gram matrices", icon=":material/blur_on:"),
        st.Page("pages/reconstructions.py", title="What each layer captures", icon=":material/layers:"),
        st.Page("pages/theory.py", title="Theory", icon=":material/functions:"),
    ],
}
page = st.navigation(pages, position="hidden" if PRESENTING else "sidebar")
if not PRESENTING:
    sidebar.render(page_shows_run=page in (studio, present))  # the two pages that draw the run themselves
page.run()
