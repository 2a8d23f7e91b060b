"""What one browser session holds: its pictures, its current job, its history of runs.

Everything lives in `st.session_state`, so sessions never see each other's images; the
engine's shared caches are keyed by image content and hold only derived tensors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import streamlit as st

from nst.config import StyleConfig
from nst.images import encode_jpeg, resize_to_max_side
from nst.jobs import Job, JobView
from nst.memo import image_digest

MAX_HISTORY = 12


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


def _state() -> st.runtime.state.SessionStateProxy:
    ss = st.session_state
    ss.setdefault("content", None)
    ss.setdefault("styles", [])
    ss.setdefault("job", None)
    ss.setdefault("job_inputs", None)
    ss.setdefault("history", [])
    ss.setdefault("run_counter", 0)
    ss.setdefault("sweep", None)
    return ss


def content() -> Picture | None:
    return _state()["content"]


def set_content(picture: Picture | None) -> None:
    _state()["content"] = picture


def styles() -> list[Picture]:
    return list(_state()["styles"])


def set_styles(pictures: list[Picture]) -> None:
    _state()["styles"] = list(pictures)


def job() -> Job | None:
    return _state()["job"]


def job_inputs() -> tuple[Picture, list[Picture], StyleConfig] | None:
    return _state()["job_inputs"]


def busy() -> bool:
    """Whether this session already has a run, sweep or reconstruction going (one at a time)."""
    jobs = (_state()["job"], _state()["sweep"], st.session_state.get("recon_job"))
    return any(j is not None and not j.done for j in jobs)


def start_job(new_job: Job, content_pic: Picture, style_pics: list[Picture], config: StyleConfig) -> None:
    ss = _state()
    ss["job"] = new_job
    ss["job_inputs"] = (content_pic, list(style_pics), config)


def history() -> list[HistoryEntry]:
    return list(_state()["history"])


def archive(finished: Job) -> HistoryEntry | None:
    """Move a finished run into the history (once); returns the new entry."""
    ss = _state()
    if ss.get("archived_job") == finished.id or ss["job_inputs"] is None or finished.final is None:
        return None
    content_pic, style_pics, config = ss["job_inputs"]
    view = finished.view()
    ss["run_counter"] += 1
    entry = HistoryEntry(
        number=ss["run_counter"],
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
    ss["history"] = [*ss["history"], entry][-MAX_HISTORY:]
    ss["archived_job"] = finished.id
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
    ss = _state()
    if ss.get("archived_sweep") == sweep.id:
        return []
    view = sweep.view()
    entries = []
    for i, ((label, image), run, wanted) in enumerate(
        zip(view.results, sweep.runs, _sweep_slices(sweep, view.steps), strict=False)
    ):
        rows = [k for k, step in enumerate(view.steps) if step in wanted]
        ss["run_counter"] += 1
        last = i == len(view.results) - 1
        entries.append(
            HistoryEntry(
                number=ss["run_counter"],
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
    ss["history"] = [*ss["history"], *entries][-MAX_HISTORY:]
    ss["archived_sweep"] = sweep.id
    return entries


def latest_result() -> tuple[str, np.ndarray, JobView | None] | None:
    """The picture the inspection pages call "result": the running job's, else the last run's."""
    current = job()
    if current is not None and current.kind == "run":
        view = current.view()
        if view.image is not None:
            label = "Result (running…)" if view.active else "Result"
            return label, view.image, view
    past = history()
    if past:
        return f"Result {past[-1].label}", past[-1].image, None
    return None


def result_inputs() -> tuple[Picture, list[Picture]] | None:
    """The photo and paintings the result of `latest_result` was made from."""
    current = job()
    if current is not None and current.kind == "run" and current.view().image is not None:
        inputs = job_inputs()
        return (inputs[0], list(inputs[1])) if inputs is not None else None
    past = history()
    return (past[-1].content, list(past[-1].styles)) if past else None


def inspection_images() -> dict[str, np.ndarray]:
    """Content, styles and result by label, for the pages that look inside the network."""
    out: dict[str, np.ndarray] = {}
    c = content()
    if c is not None:
        out[f"Content · {c.name}"] = c.image
    for s in styles():
        out[f"Style · {s.name}"] = s.image
    result = latest_result()
    if result is not None:
        out[result[0]] = result[1]
    return out
