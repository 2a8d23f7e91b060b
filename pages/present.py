"""Presentation view: one 16:9 screen for a talk — photo and painting, the picture painting itself,
a big step counter, the time left and the loss curves, with a small control strip and no settings.

Bookmarkable: `/?present=1&content=lighthouse&style=waves&preset=quick` (gallery file names, a
preset name). Keys: G runs, S stops (Streamlit reserves R and C).
"""

from __future__ import annotations

import streamlit as st

import ui
from nst.config import PRESETS, preset
from ui import gallery, live_chart, pickers, runs, settings, state
from ui.state import Picture

ui.through_app()  # a deep link on a fresh server runs this file alone: go through app.py

# Fit one screen without scrolling: little padding above, the picture at most ~60 % of the
# viewport's height, bigger numbers. Only on this page (a style element takes no space).
st.html(
    """<style>
[data-testid="stMainBlockContainer"] { padding-top: 1.2rem; padding-bottom: 0.5rem; max-width: 100%; }
.st-key-present_result [data-testid="stImage"] img { max-height: 68vh; object-fit: contain; }
.st-key-present_inputs [data-testid="stImage"] img { max-height: 24vh; object-fit: contain; }
.st-key-present_numbers [data-testid="stMetricValue"] { font-size: 2.6rem; }
</style>"""
)

PICKS = {"content": "present_content", "style": "present_style"}


def _from_url(kind: str, options: list[str]) -> str | None:
    """A gallery picture named in the URL (`content=lighthouse`)."""
    wanted = st.query_params.get(kind)
    title = gallery.from_url_name(kind, wanted) if wanted else None
    return title if title in options else None


def _first_choice(kind: str, options: list[str]) -> None:
    """Before the widget: the URL's picture (the URL follows every choice, so a bookmark or a
    reload shows the same pair), else what the Studio has picked, else the first."""
    key = PICKS[kind]
    from_url = _from_url(kind, options)
    if from_url is not None:
        st.session_state[key] = from_url
        return
    if st.session_state.get(key) in options:
        return
    current = state.content() if kind == "content" else next(iter(state.styles()), None)
    st.session_state[key] = current.name if current and current.name in options else options[0]


def _to_url(kind: str) -> None:
    """A new choice goes into the URL (a gallery picture by its file name; an upload has none)."""
    name = gallery.url_name(kind, st.session_state.get(PICKS[kind]) or "")
    if name is not None:
        st.query_params[kind] = name
    elif kind in st.query_params:
        del st.query_params[kind]


def _preset_choice() -> None:
    name = st.query_params.get("preset", "")
    if name in PRESETS:
        st.session_state["present_preset"] = PRESETS[name]
    elif st.session_state.get("present_preset") not in PRESETS.values():
        st.session_state["present_preset"] = PRESETS["quick"]


def _preset_to_url() -> None:
    label = st.session_state.get("present_preset")
    if label in settings.PRESET_BY_LABEL:
        st.query_params["preset"] = settings.PRESET_BY_LABEL[label]


def chosen() -> tuple[Picture | None, Picture | None, str]:
    content = pickers.resolve("content", st.session_state.get(PICKS["content"]) or "")
    style = pickers.resolve("style", st.session_state.get(PICKS["style"]) or "")
    label = st.session_state.get("present_preset") or PRESETS["quick"]
    return content, style, settings.PRESET_BY_LABEL[label]


def start() -> None:
    """Run: the Studio's own starter, with the preset as it ships; the Studio and the inspection
    pages show this pair too."""
    content, style, name = chosen()
    styles = [style] if style is not None else []
    if runs.start_run(content, styles, preset(name)):
        pickers.select(content, styles)
        state.set_content(content)
        state.set_styles(styles)


# ------------------------------------------------------------------ the control strip
for kind in PICKS:
    _first_choice(kind, pickers.options(kind))
_preset_choice()
job = state.RUN.job()
running = job is not None and not job.done
c1, c2, c3, c4, c5, c6 = st.columns([2, 2, 3.2, 1.1, 1.1, 1.2], vertical_alignment="bottom")
c1.selectbox(
    "Photo", pickers.options("content"), key=PICKS["content"], disabled=running, on_change=_to_url, args=("content",)
)
c2.selectbox(
    "Painting", pickers.options("style"), key=PICKS["style"], disabled=running, on_change=_to_url, args=("style",)
)
c3.segmented_control("Preset", list(PRESETS.values()), key="present_preset", disabled=running, on_change=_preset_to_url)
c4.button(
    "Run",
    type="primary",
    icon=":material/play_arrow:",
    on_click=start,
    disabled=state.busy(),
    key="present_run",
    shortcut="G",
    width="stretch",
    help="Keyboard: G",
)
c5.button(
    "Stop",
    icon=":material/stop:",
    on_click=lambda: job and job.stop(),
    disabled=not running,
    key="present_stop",
    shortcut="S",
    width="stretch",
    help="Keyboard: S",
)
c6.page_link("pages/studio.py", label="Studio", icon=":material/close_fullscreen:")
state.RUN.show_refusal()

content, style, _ = chosen()


# ------------------------------------------------------------------ the stage
@st.fragment(run_every=state.LIVE_EVERY if running else None)
def stage() -> None:
    current = state.RUN.job()
    inputs = state.RUN.inputs.get() if current is not None else None
    photo, paintings = (inputs[0], inputs[1]) if inputs else (content, [style] if style else [])
    view = current.view() if current is not None else None
    left, middle, right = st.columns([1, 2.6, 1.8], gap="medium")
    with left.container(key="present_inputs"):
        if photo is not None:
            st.image(photo.thumbnail, caption=f"Photo · {photo.name}", width="stretch")
        for p in paintings:
            st.image(p.thumbnail, caption=f"Painting · {gallery.wrappable(p.name)}", width="stretch")
    with middle.container(key="present_result"):
        if view is not None and view.image is not None:
            caption = f"Step {view.step}" + (", still running" if view.active else "")
            st.image(view.image, caption=caption, width="stretch")
        elif photo is not None:
            st.image(
                photo.thumbnail,
                caption="Press Run (or G): the photo will take on the painting's style.",
                width="stretch",
            )
    with right.container(key="present_numbers"):
        n1, n2 = st.columns(2)
        if view is not None and view.status != "queued":
            n1.metric("Step", f"{view.step} / {view.total_steps}")
            left_s = view.seconds_left
            n2.metric("Time left", f"{left_s:.0f} s" if left_s is not None and view.active else "—")
        else:
            n1.metric("Step", "—")
            n2.metric("Time left", "—")
        if view is not None and view.status == "queued":
            st.caption(state.progress_text(current, view))
        elif view is not None and not view.active:
            st.caption(view.message)
        if view is not None and view.steps:
            # A chart that updates in place while the curves grow (ui.live_chart says why); nothing
            # here is clicked, so it stays when the run is done.
            rows, spec = live_chart.loss_chart(
                view.steps,
                view.curves,
                log=True,
                marks=view.marks,
                height=360,
                legend_columns=2,
                total_steps=view.total_steps,
            )
            st.vega_lite_chart(rows, spec, width="stretch")
    if current is not None and view is not None:
        state.wait_if_ending(current, view)
    if current is not None and current.done and state.archive(current) is not None:
        st.rerun()  # the whole page: the buttons follow the finished run


stage()
