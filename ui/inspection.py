"""Shared parts of the "Inside the network" pages: which images, which backbone, live refresh."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

from nst.backbones import Backbone, get_spec
from ui import gallery, pickers, resources, settings, state
from ui.state import Picture


@dataclass(frozen=True)
class Subject:
    role: str  # "Content", "Style", "Result"
    name: str
    image: np.ndarray

    @property
    def label(self) -> str:
        return f"{self.role} · {self.name}"


RUN_PICTURES = "the last run's pictures"
PICKED_PICTURES = "the pictures now picked"
PICTURES_KEY = "insp_pictures"


def _picked() -> tuple[Picture | None, list[Picture]]:
    """The Studio's current picks; a session that has not been to the Studio yet gets its
    defaults (the first gallery pictures)."""
    c, styles = state.content(), state.styles()
    if c is None and not styles and not pickers.picked_yet():
        c = _default("content")
        styles = [s for s in [_default("style")] if s is not None]
    return c, styles


def _differ(a: tuple[Picture | None, list[Picture]], b: tuple[Picture | None, list[Picture]]) -> bool:
    digests = lambda pair: (pair[0].digest if pair[0] else None, [s.digest for s in pair[1]])  # noqa: E731
    return digests(a) != digests(b)


def pictures_choice() -> None:
    """When the pictures picked in the Studio are not those the last result was made from, let the
    visitor choose which to look at (drawn once per page, outside its live fragment)."""
    made_from = state.result_inputs()
    if made_from is None or not _differ(made_from, _picked()):
        st.session_state.pop(PICTURES_KEY, None)
        return
    if st.session_state.get(PICTURES_KEY) is None:  # new, or a click deselected the chosen one
        st.session_state[PICTURES_KEY] = RUN_PICTURES
    st.segmented_control(
        "Pictures",
        [RUN_PICTURES, PICKED_PICTURES],
        key=PICTURES_KEY,
        help="The result is always shown with the photo and painting(s) it was made from; the pictures "
        "picked in the Studio since then can be looked at on their own.",
    )


def subjects() -> dict[str, Subject]:
    """Content, style(s) and the current or last result, by role. A result always comes with the
    pictures it was made from; the Studio's current picks come without it (see `pictures_choice`)."""
    made_from = state.result_inputs()
    picked = _picked()
    use_run = made_from is not None and st.session_state.get(PICTURES_KEY, RUN_PICTURES) == RUN_PICTURES
    c, styles = made_from if use_run else picked
    out: dict[str, Subject] = {}
    if c is not None:
        out["Content"] = Subject("Content", c.name, c.image)
    for i, s in enumerate(styles):
        key = "Style" if i == 0 else f"Style {i + 1}"
        out[key] = Subject(key, s.name, s.image)
    result = state.latest_result()
    if result is not None and (use_run or not _differ(made_from, picked)):
        label, image, view = result
        out["Result"] = Subject("Result", result_name(label, view), image)
    return out


def result_name(label: str, view) -> str:
    """What to call the result after "Result · ": 'step 48, still running' while the Studio run goes
    on, else the past run's label ('#3 · Lake house × Swirls'), without brackets to nest in."""
    if view is None:
        return label.removeprefix("Result ").strip()
    return f"step {view.step}" + (", still running" if view.active else "")


def made_from_caption() -> None:
    """Under the pictures: what the result on show was made from."""
    made_from = state.result_inputs()
    if made_from is not None and st.session_state.get(PICTURES_KEY, RUN_PICTURES) == RUN_PICTURES:
        names = " + ".join(s.name for s in made_from[1])
        st.caption(f"The result was made from {made_from[0].name} × {names}.")


def _default(kind: str):
    items = gallery.of_kind(kind)
    return gallery.picture(items[0].title) if items else None


def backbone() -> Backbone:
    """The backbone the Studio's settings name, or VGG19 when that one's weights are missing."""
    name = settings.chosen_backbone()
    if name != "vgg19" and resources.weights_problem(name):
        st.caption(f"{get_spec(name).label} weights are not on this server, so these views use VGG19.")
        name = "vgg19"
    return resources.require_backbone(name)


def need_pictures(found: dict[str, Subject]) -> None:
    if not found:
        st.info(
            "Pick a content photo and a style painting in the Studio first (the gallery is enough); run it "
            "to see the result here too.",
            icon=":material/arrow_back:",
        )
        st.page_link("pages/studio.py", label="Go to the Studio", icon=":material/brush:")
        st.stop()


def running() -> bool:
    job = state.RUN.job()
    return job is not None and not job.done


def live(body: Callable[[], None], result_shown: bool) -> None:
    """Run `body` in a fragment that refreshes while a Studio run is going and the result is on
    show, so the picture here follows the run; otherwise it runs once."""
    st.fragment(run_every=state.LIVE_EVERY if running() and result_shown else None)(body)()


def role_picker(found: dict[str, Subject], key: str, label: str = "Image", default: str | None = None) -> Subject:
    options = list(found)
    if st.session_state.get(key) not in options:
        st.session_state[key] = default if default in options else options[0]
    choice = st.segmented_control(label, options, key=key)  # roles only: labels change while a run goes on
    return found[choice or options[0]]


def page_start() -> tuple[dict[str, Subject], Backbone]:
    """How every picture-inspecting page begins: the pictures switch and what the result was made
    from, then the pictures by role (or a pointer to the Studio, and the page stops), then the
    backbone to look with."""
    pictures_choice()
    made_from_caption()
    found = subjects()
    need_pictures(found)
    return found, backbone()
