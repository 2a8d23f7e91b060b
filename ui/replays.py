"""Recorded runs in the app: record the Studio's runs, download them, load one (or the demo pack)
and replay it live in the Studio without computing (`nst.replay`)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from nst.config import StyleConfig
from nst.jobs import Job, RunSpec
from nst.replay import SPEEDS, SUFFIX, Recorded, Recorder, Recording, Replay, ReplayError
from ui import state
from ui.state import Picture, Value

DEMO = Path(__file__).resolve().parents[1] / "assets" / "demo"
LOADED: Value[Recording | None] = Value("replay_loaded", lambda: None)
LOAD_ERROR: Value[str | None] = Value("replay_error", lambda: None)


def recorded_run(content: Picture, styles: list[Picture], config: StyleConfig) -> Recorded:
    """The Studio's run, recorded as it goes (so it can be downloaded and replayed)."""
    recorder = Recorder(config, content.image, [s.image for s in styles], content.name, [s.name for s in styles])
    return Recorded(RunSpec(content.image, [s.image for s in styles], config), recorder)


def recording_of(job: Job | None) -> Recording | None:
    """The recording of a finished Studio run, if it was recorded."""
    if job is None or not job.runs or not isinstance(job.runs[0], Recorded):
        return None
    return job.runs[0].recorder.recording()


def download_button(container, job: Job | None) -> None:
    recording = recording_of(job)
    container.download_button(
        "Recording",
        (lambda: recording.to_bytes()) if recording is not None else b"",
        file_name=f"nst-run{SUFFIX}",
        mime="application/zip",
        icon=":material/replay:",
        width="stretch",
        disabled=recording is None,
        help="The whole run in one file (settings, curves, pictures): load it in Replay to play it again "
        "without computing.",
    )


@st.cache_resource(show_spinner=False)
def demo_pack() -> dict[str, Path]:
    """The shipped recordings by label, e.g. 'Lighthouse × Waves · 30 steps' (read once per process)."""
    out = {}
    for path in sorted(DEMO.glob(f"*{SUFFIX}")):
        try:
            out[Recording.from_bytes(path.read_bytes(), name=path.name).title] = path
        except ReplayError:  # a broken file in the pack is left out, not shown as a choice that fails
            continue
    return out


def _load(data: bytes, name: str) -> None:
    try:
        LOADED.set(Recording.from_bytes(data, name=name))
        LOAD_ERROR.set(None)
    except ReplayError as exc:
        LOAD_ERROR.set(str(exc))


def _on_upload() -> None:
    upload = st.session_state.get("replay_upload")
    if hasattr(upload, "getvalue"):
        _load(upload.getvalue(), upload.name)


def _on_demo() -> None:
    label = st.session_state.get("replay_demo")
    path = demo_pack().get(label or "")
    if path is not None:
        _load(path.read_bytes(), path.name)


def _start(speed: float) -> None:
    rec = LOADED.get()
    if rec is None:
        return
    content = Picture(rec.content_name, rec.content, "replay")
    styles = [Picture(n, img, "replay") for n, img in zip(rec.style_names, rec.styles, strict=True)]
    job = Job([Replay(rec, speed)], backbone=None)
    state.RUN.start(job, inputs=(content, styles, rec.config), queued=False)


def replay_tab() -> None:
    st.caption(
        "Play a recorded run again, live, without computing: the picture, the progress and the curves move "
        "exactly as they did. Record your own with the Recording button after a run, or use the demo pack "
        "(made from the gallery)."
    )
    c1, c2 = st.columns(2)
    with c1:
        st.pills("Demo pack", list(demo_pack()), key="replay_demo", on_change=_on_demo, wrap=True)
    with c2:
        st.file_uploader(
            "…or load a recording",
            type=["nstrun", "zip"],
            key="replay_upload",
            on_change=_on_upload,
            help="An .nstrun file saved by NST Explorer (the Recording button after a run).",
        )
    error = LOAD_ERROR.get()
    if error:
        st.error(error, icon=":material/broken_image:")
    rec = LOADED.get()
    if rec is None:
        return
    cols = st.columns([3, 2, 1], vertical_alignment="bottom")
    cols[0].markdown(
        f"**{rec.label}** · {len(rec.steps)} steps in {rec.elapsed:.0f} s when recorded · {rec.plan.describe()}",
    )
    speed = cols[1].segmented_control("Speed", list(SPEEDS), default="1×", key="replay_speed") or "1×"
    cols[2].button(
        "Replay",
        icon=":material/replay:",
        type="primary",
        key="replay_run",
        disabled=state.busy(),
        on_click=_start,
        args=(SPEEDS[speed],),
        width="stretch",
        help="Plays in the Studio's live view above, like a run; Stop ends it.",
    )
