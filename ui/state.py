"""What one browser session holds: its pictures, its jobs, its history of runs, its messages.

Everything lives in `st.session_state`, so sessions never see each other's images; the
engine's shared caches are keyed by image content and hold only derived tensors. Each entry
that is not a widget's own value has one typed accessor here (a `Value`: its key and default
are written once); a widget's key belongs to the module that draws the widget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

import numpy as np
import streamlit as st

from nst.config import StyleConfig
from nst.images import encode_jpeg, resize_to_max_side
from nst.jobs import Job, JobKind, JobView
from nst.memo import image_digest

MAX_HISTORY = 12
# How often a page redraws a running job's picture and curves. Each redraw costs the server a rerun
# and the browser a new picture and chart, on the same cores as the run: at 0.75 s a Studio run took
# 1.6× the CLI's time on a 2-core CPU; every 2 s the picture and curves still move visibly.
LIVE_EVERY = 2.0
T = TypeVar("T")


def wait_if_ending(job: Job, view: JobView) -> None:
    """Wait here for a run predicted to end before the next redraw, so that its page says
    "Finished" when the run ends, not up to LIVE_EVERY later (on average a second of every run in
    the Studio's time against the CLI's). Bounded: a late run is left to the next redraw."""
    left = view.seconds_left
    if left is not None and left < LIVE_EVERY:
        job.wait(left + 0.5)


class Value(Generic[T]):
    """One session-state entry: its key and its default, in one place."""

    def __init__(self, key: str, default: Callable[[], T]):
        self.key, self._default = key, default

    def get(self) -> T:
        ss = st.session_state
        if self.key not in ss:
            ss[self.key] = self._default()
        return ss[self.key]

    def set(self, value: T) -> None:
        st.session_state[self.key] = value

    def take(self) -> T:
        """The value, once: it goes back to its default (a message shown on the next redraw)."""
        value = self.get()
        self.set(self._default())
        return value


def _none() -> None:
    return None


# Messages kept for the next redraw (set in a callback, shown once).
TOAST: Value[str | None] = Value("toast", _none)
SETTINGS_FILE_ERROR: Value[str | None] = Value("cfg_json_error", _none)
SETTINGS_ERROR_SEEN: Value[str | None] = Value("cfg_error_seen", _none)
WEIGHTS_DOWNLOAD_ERROR: Value[str | None] = Value("weights_download_error", _none)
# (job id, step) when the Studio's "See step" shows an earlier picture of that run: the inspection
# pages then look at that step too (None: the latest picture).
SCRUBBED: Value[tuple[int, int] | None] = Value("scrubbed_step", _none)
COMPARE_SEEN: Value[int | None] = Value("cmp_seen", _none)  # the newest run the Compare tab has put on show


CAMERA_SHOTS: Value[int] = Value("camera_shots", int)  # photos taken this session: "camera 1", "camera 2", …
# The pictures picked in the Studio, and the runs this session has finished (newest last).
CONTENT: Value[Picture | None] = Value("content", _none)
STYLES: Value[list[Picture]] = Value("styles", list)
HISTORY: Value[list[HistoryEntry]] = Value("history", list)
RUN_COUNTER: Value[int] = Value("run_counter", int)  # the number of the last history entry
ARCHIVED: Value[tuple[int | None, int | None]] = Value("archived", lambda: (None, None))  # (run, sweep) job ids


def upload_error(kind: str) -> Value[str | None]:
    """The sentence about the last refused upload of this kind ("content" or "style")."""
    return Value(f"upload_error_{kind}", _none)


def uploads(kind: str) -> Value[dict]:
    """This session's uploaded pictures of a kind, by name (oldest first)."""
    return Value(f"uploads_{kind}", dict)


def upload_ids(kind: str) -> Value[set]:
    """The upload widget's file ids already decoded (each file is read once)."""
    return Value(f"upload_ids_{kind}", set)


def upload_generation(kind: str) -> Value[int]:
    """How many times the upload box was emptied (see pickers._accepted_types)."""
    return Value(f"upload_gen_{kind}", int)


@dataclass(frozen=True)
class Picture:
    name: str
    image: np.ndarray  # uint8 (H, W, 3), at most images.DEFAULT_CAP on the long side
    origin: str  # "gallery" or "upload"

    @cached_property
    def digest(self) -> str:
        """Hashed once: the inspection pages compare pictures on every refresh of a live view."""
        return image_digest(self.image)

    @cached_property
    def thumbnail(self) -> bytes:
        """A small JPEG, encoded once: the live view redraws twice a second."""
        return encode_jpeg(resize_to_max_side(self.image, min(480, max(self.image.shape[:2]))))


@dataclass
class HistoryEntry:
    number: int
    content: Picture
    styles: list[Picture]
    config: StyleConfig
    image: np.ndarray
    status: str
    message: str
    elapsed: float
    curves: dict[str, list[float]]
    layer_curves: dict[str, list[float]]
    steps: list[int]
    finished_at: float = field(default_factory=time.time)
    note: str = ""  # what sets the run apart, e.g. a sweep's "β = 1e+04"

    @property
    def label(self) -> str:
        styles = " + ".join(s.name for s in self.styles)
        return f"#{self.number} · {self.content.name} × {styles}" + (f" · {self.note}" if self.note else "")


def content() -> Picture | None:
    return CONTENT.get()


def set_content(picture: Picture | None) -> None:
    CONTENT.set(picture)


def styles() -> list[Picture]:
    return list(STYLES.get())


def set_styles(pictures: list[Picture]) -> None:
    STYLES.set(list(pictures))


def history() -> list[HistoryEntry]:
    return list(HISTORY.get())


def _numbered(**fields: Any) -> HistoryEntry:
    """A history entry with the session's next run number."""
    RUN_COUNTER.set(RUN_COUNTER.get() + 1)
    return HistoryEntry(number=RUN_COUNTER.get(), **fields)


def _remember(entries: list[HistoryEntry]) -> None:
    HISTORY.set([*HISTORY.get(), *entries][-MAX_HISTORY:])


def archive(finished: Job) -> HistoryEntry | None:
    """Move a finished run into the history (once); returns the new entry."""
    inputs = RUN.inputs.get()
    run_id, sweep_id = ARCHIVED.get()
    if run_id == finished.id or inputs is None or finished.final is None:
        return None
    content_pic, style_pics, config = inputs
    view = finished.view()
    entry = _numbered(
        content=content_pic,
        styles=style_pics,
        config=config,
        image=finished.final.image,
        status=view.status,
        message=view.message,
        elapsed=view.elapsed,
        curves=view.curves,
        layer_curves=view.layer_curves,
        steps=view.steps,
    )  # no snapshots: twelve runs' GIF frames per session would cost hundreds of MB, and no view used them
    _remember([entry])
    ARCHIVED.set((finished.id, sweep_id))
    return entry


def _sweep_slices(sweep: Job, steps: list[int]) -> list[range]:
    """Which of the sweep's (cumulative) step numbers belong to each of its runs: they follow one
    another, each run's steps numbered on from the last (nst.jobs.Job)."""
    slices, start = [], 0
    for run in sweep.runs:
        slices.append(range(start + 1, start + run.total_steps + 1))
        start += run.total_steps
    return slices


def archive_sweep(sweep: Job, content_pic: Picture, style_pics: list[Picture]) -> list[HistoryEntry]:
    """Add each picture of a finished (or stopped) sweep to the history (once), with its own
    settings and curves, so History and Compare show it like any run. Each run's time is its share
    of the sweep's by steps (the job times the sweep as a whole)."""
    run_id, sweep_id = ARCHIVED.get()
    if sweep_id == sweep.id:
        return []
    view = sweep.view()
    entries = []
    for i, ((label, image), run, wanted) in enumerate(
        zip(view.results, sweep.runs, _sweep_slices(sweep, view.steps), strict=False)
    ):
        rows = [k for k, step in enumerate(view.steps) if step in wanted]
        last = i == len(view.results) - 1
        entries.append(
            _numbered(
                content=content_pic,
                styles=list(style_pics),
                config=run.config,
                image=image,
                status=view.status if last else "finished",
                message=view.message if last else "",
                elapsed=view.elapsed * len(rows) / max(1, len(view.steps)),
                curves={k: [v[r] for r in rows if r < len(v)] for k, v in view.curves.items()},
                layer_curves={k: [v[r] for r in rows if r < len(v)] for k, v in view.layer_curves.items()},
                steps=[view.steps[r] - wanted.start + 1 for r in rows],
                note=label,
            )
        )
    _remember(entries)
    ARCHIVED.set((run_id, sweep.id))
    return entries


def latest_result() -> tuple[str, np.ndarray, JobView | None] | None:
    """The picture the inspection pages call "result": the running job's (at the step the Studio's
    "See step" shows, when it shows an earlier one), else the last run's."""
    current = RUN.job()
    if current is not None and current.kind == JobKind.RUN:
        view = current.view()
        scrubbed = SCRUBBED.get()
        if scrubbed is not None and scrubbed[0] == current.id:
            frame = dict(current.snapshots()).get(scrubbed[1])
            if frame is not None:
                return f"Result step {scrubbed[1]}, chosen with See step", frame, None
        if view.image is not None:
            label = "Result (running…)" if view.active else "Result"
            return label, view.image, view
    past = history()
    if past:
        return f"Result {past[-1].label}", past[-1].image, None
    return None


def result_inputs() -> tuple[Picture, list[Picture]] | None:
    """The photo and paintings the result of `latest_result` was made from."""
    current = RUN.job()
    if current is not None and current.kind == JobKind.RUN and current.view().image is not None:
        inputs = RUN.inputs.get()
        return (inputs[0], list(inputs[1])) if inputs is not None else None
    past = history()
    return (past[-1].content, list(past[-1].styles)) if past else None


# ------------------------------------------------------------------ the session's jobs
@dataclass(frozen=True)
class Slot:
    """One kind of job a session may hold (the Studio's run, the sweep, the reconstructions): where
    its job, pictures, predicted times and refusal live in the session, how it starts, how its
    progress shows. A session computes one job at a time, whatever its kind (`busy`), queued
    behind other sessions' in the process-wide RunQueue."""

    name: str
    job_key: str  # kept from before the slots, so tests and bookmarks of state stay valid

    @property
    def _job(self) -> Value[Job | None]:
        return Value(self.job_key, _none)

    @property
    def inputs(self) -> Value[tuple[Picture, list[Picture], StyleConfig | None] | None]:
        """The pictures (and settings) the job was started with: its results are shown with them."""
        return Value(f"{self.name}_inputs", _none)

    @property
    def eta(self) -> Value[list[float]]:
        """Predicted seconds of each of the job's tasks, for the time left of the ones not started."""
        return Value(f"{self.name}_eta", list)

    @property
    def _refusal(self) -> Value[tuple[str, str] | None]:
        return Value(f"{self.name}_refused", _none)

    @property
    def _seen(self) -> Value[Any]:
        return Value(f"{self.name}_seen", _none)

    def job(self) -> Job | None:
        return self._job.get()

    def start(
        self,
        job: Job,
        inputs: tuple[Picture, list[Picture], StyleConfig | None] | None = None,
        eta: list[float] | None = None,
        queued: bool = True,
    ) -> bool:
        """Queue `job` for this session, or say why not (one job of a session at a time). The
        buttons are disabled while one goes, but a click can still arrive from a page that had not
        redrawn yet (or a forged message), so this checks again."""
        if busy():
            self.refuse("A run of yours is already going: stop it first, or wait for it to finish.", "warning")
            return False
        self._job.set(job)
        self.inputs.set(inputs)
        self.eta.set(list(eta or []))
        self._refusal.set(None)
        if not queued:  # a replay computes nothing: it does not wait behind other sessions' runs
            job.run_alone()
            return True
        from ui import resources  # here, not at the top: resources reads this module's values

        resources.run_queue().submit(job)
        return True

    def refuse(self, message: str, level: str = "error") -> None:
        """Shown under this slot's button on the next redraw, once."""
        self._refusal.set((level, message))

    def show_refusal(self) -> None:
        refused = self._refusal.take()
        if refused:
            level, message = refused
            (st.warning if level == "warning" else st.error)(message, icon=":material/block:")

    def first_time(self, marker: Any) -> bool:
        """True once per distinct `marker` (e.g. (job id, pictures done)): redraw or archive once."""
        if self._seen.get() == marker:
            return False
        self._seen.set(marker)
        return True

    def progress(self, stop: bool = False) -> JobView | None:
        """The job's progress bar (and a Stop button) while it is queued or runs."""
        job = self.job()
        if job is None:
            return None
        view = job.view()
        if view.active:
            st.progress(min(1.0, view.progress), text=progress_text(job, view, self.eta.get()))
            if stop:
                st.button("Stop", key=f"{self.name}_stop", on_click=job.stop, icon=":material/stop:")
        return view


RUN = Slot("run", "job")
SWEEP = Slot("sweep", "sweep")
RECONSTRUCT = Slot("recon", "recon_job")
SLOTS = (RUN, SWEEP, RECONSTRUCT)


def busy() -> bool:
    """Whether this session already has a run, sweep or reconstruction going (one at a time)."""
    return any(j is not None and not j.done for j in (slot.job() for slot in SLOTS))


def progress_text(job: Job, view: JobView, eta: list[float] | None = None) -> str:
    """One line for every kind of job: where it is, how fast, how long is left.

    'Step 12/36 · 1.4 steps/s · about 20 s left · 384×288 px · 9 s', and for a job of several
    pictures 'block4_conv2 (picture 2 of 5) · step 12/36 · about 40 s left · 9 s'."""
    if view.status == "queued":
        return f"Waiting for a free slot — position {view.position} in the queue."
    left = view.seconds_left
    if eta:  # the pictures not started yet; before its first step, the current one's prediction too
        later = sum(eta[view.run_index + 1 :])
        left = later + (left if left is not None else sum(eta[view.run_index : view.run_index + 1]))
    parts = []
    if view.n_runs > 1 or job.kind != JobKind.RUN:  # several pictures, or one named by its task
        label = job.runs[min(view.run_index, len(job.runs) - 1)].label
        parts.append(f"{label} (picture {min(view.run_index + 1, view.n_runs)} of {view.n_runs})")
        parts.append(f"step {view.step}/{view.total_steps}")
    else:
        parts.append(f"Step {view.step}/{view.total_steps}")
        parts.append(f"{view.rate:.1f} steps/s")
    if left is not None:
        from ui.resources import duration  # here, not at the top: resources reads this module's values

        parts.append(f"{duration(left)} left")
    if view.size and view.n_runs == 1:
        parts.append(f"{view.size[1]}×{view.size[0]} px")
    parts.append(f"{view.elapsed:.0f} s")
    return " · ".join(parts)
