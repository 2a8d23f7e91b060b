"""Background runs for an interactive UI: a job per Run press, a fair queue per process.

A `Job` runs one or more style transfers (a single run, or a sweep over β) in its own thread
and records what a UI shows — the latest picture, loss curves, snapshots for a GIF — behind a
lock; the UI only ever reads `job.view()`. `RunQueue` caps how many jobs compute at once
(2 CPU cores are not faster with two runs fighting over them), first come first served,
and tells waiting jobs their position.
"""

from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np

from nst.config import StyleConfig

MAX_FRAMES = 80  # snapshots kept per job (for the GIF and the Studio's scrub slider); older ones are thinned out
# Snapshots are kept at the GIF's size (images.encode_gif draws at most 512 px): at 2048 px, 80
# full-size frames would hold 750 MB per job; at 512 px they hold at most 47 MB.
FRAME_SIDE = 512

_ids = itertools.count(1)


class JobKind(StrEnum):
    """What a job runs; the pages pick their job by it."""

    RUN = "run"  # one style transfer: keeps snapshots for a GIF and the plan's stage marks
    SWEEP = "sweep"  # several style transfers (a style-strength sweep); each final picture collected
    RECONSTRUCT = "reconstruct"  # layer reconstructions; each final picture collected


class Task(Protocol):
    """Anything a job can run: a labelled stream of Progress events ending in a Result."""

    label: str

    @property
    def total_steps(self) -> int: ...

    def events(self, backbone, stop: threading.Event, finish: threading.Event) -> Iterator: ...


@dataclass
class RunSpec:
    """One style transfer: images and settings (a sweep is several of these)."""

    content: np.ndarray
    styles: Sequence[np.ndarray]
    config: StyleConfig
    label: str = ""

    @property
    def total_steps(self) -> int:
        return self.config.total_steps

    def events(self, backbone, stop: threading.Event, finish: threading.Event) -> Iterator:
        from nst.transfer import stylize

        return stylize(self.content, self.styles, self.config, backbone, stop, finish)


@dataclass
class JobView:
    """An immutable-enough copy of a job's state for drawing (lists are copies)."""

    id: int
    kind: JobKind
    status: str
    message: str
    position: int
    run_index: int
    n_runs: int
    step: int
    total_steps: int
    elapsed: float
    size: tuple[int, int] | None
    image: np.ndarray | None
    curves: dict[str, list[float]]
    layer_curves: dict[str, list[float]]
    steps: list[int]
    results: list[tuple[str, np.ndarray]]
    frames: int
    progress: float = 0.0  # share of the planned work done (by this machine's predicted step costs)
    marks: tuple[tuple[int, str], ...] = ()  # where a coarse-to-fine stage begins, for the charts
    frame_steps: tuple[int, ...] = ()  # the step of each kept snapshot, in order (see Job.snapshots)
    predicted_left: float | None = None  # seconds, from the cost model and the pace so far

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def rate(self) -> float:
        return self.step / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        return self.predicted_left if self.active else None


class Job:
    """One or more tasks run in order on a thread (see `JobKind`); a page reads `view()`.

    The queue that runs it says where it waits (`set_position`) and when it is over (`mark_done`).
    """

    def __init__(self, runs: Sequence[Task], backbone, kind: JobKind = JobKind.RUN):
        if not runs:
            raise ValueError("a job needs at least one run")
        self.id = next(_ids)
        self.kind = JobKind(kind)
        self.runs = list(runs)
        self.backbone = backbone
        self.stop_event = threading.Event()
        self.finish_event = threading.Event()
        self.created = time.time()
        self._lock = threading.Lock()
        self._done = threading.Event()
        self.status = "queued"
        self.message = ""
        self.position = 0
        self.run_index = 0
        self.step = 0
        self.total_steps = sum(r.total_steps for r in self.runs)
        self.marks: tuple[tuple[int, str], ...] = ()
        self._done_share = 0.0  # of the current run, from its last Progress
        self._left: float | None = None
        self._step_offset = 0
        self.elapsed = 0.0
        self.size: tuple[int, int] | None = None
        self.image: np.ndarray | None = None
        self.steps: list[int] = []
        self.curves: dict[str, list[float]] = {"total": [], "content": [], "style": [], "tv": []}
        self.layer_curves: dict[str, list[float]] = {}
        # (step, picture at that step), at most MAX_FRAMES: every other one is dropped when full
        self.frames: list[tuple[int, np.ndarray]] = []
        self.results: list[tuple[str, np.ndarray]] = []
        self.final = None  # the last run's nst.transfer.Result

    # ------------------------------------------------------------------ reading
    def view(self) -> JobView:
        with self._lock:
            return JobView(
                id=self.id,
                kind=self.kind,
                status=self.status,
                message=self.message,
                position=self.position,
                run_index=self.run_index,
                n_runs=len(self.runs),
                step=self.step,
                total_steps=self.total_steps,
                elapsed=self.elapsed,
                size=self.size,
                image=self.image,
                curves={k: list(v) for k, v in self.curves.items()},
                layer_curves={k: list(v) for k, v in self.layer_curves.items()},
                steps=list(self.steps),
                results=list(self.results),
                frames=len(self.frames),
                progress=1.0 if self.status == "finished" else (self.run_index + self._done_share) / len(self.runs),
                marks=self.marks,
                frame_steps=tuple(step for step, _ in self.frames),
                predicted_left=self._left,
            )

    def snapshots(self) -> list[tuple[int, np.ndarray]]:
        """The kept pictures with the step each shows, oldest first (steps strictly increase; the
        last is the final picture once the job is over)."""
        with self._lock:
            return list(self.frames)

    def _keep_frame(self, frame: np.ndarray) -> None:
        """Keep a snapshot of the current step (under the lock): a later picture of the same step
        (the Result after the last preview) replaces it, and when full every other one goes."""
        if self.frames and self.frames[-1][0] == self.step:
            self.frames[-1] = (self.step, frame)
            return
        self.frames.append((self.step, frame))
        if len(self.frames) > MAX_FRAMES:
            self.frames = self.frames[::2]  # MAX_FRAMES + 1 is odd: the newest is kept

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def stop(self) -> None:
        self.stop_event.set()

    def set_position(self, position: int) -> None:
        """Place in the queue's waiting line (1 = next), 0 once it computes."""
        with self._lock:
            self.position = position

    def mark_done(self) -> None:
        """Called once by whoever ran `execute` (or gave up on it): `done` and `wait` return."""
        self._done.set()

    def run_alone(self) -> Job:
        """Run on a thread of its own, outside any queue: for work that takes no compute slot (a
        replay only shows what was recorded), so it never waits behind someone else's run."""

        def work() -> None:
            try:
                self.set_position(0)
                self.execute()
            finally:
                self.mark_done()

        threading.Thread(target=work, name=f"nst-job-{self.id}", daemon=True).start()
        return self

    def finish(self) -> None:
        """End the coarse stages now and deliver a full-size picture after a few steps."""
        self.finish_event.set()

    # ------------------------------------------------------------------ running
    def _record(self, event, started: float) -> None:
        # the snapshot is made outside the lock
        frame = _frame(event.image) if event.image is not None and self.kind is JobKind.RUN else None
        with self._lock:
            self.step = self._step_offset + event.step
            if event.plan is not None:
                self.total_steps = (
                    self._step_offset
                    + event.plan.total_steps
                    + sum(r.total_steps for r in self.runs[self.run_index + 1 :])
                )
                if self.kind is JobKind.RUN:
                    self.marks = event.plan.marks()
            self._done_share = event.done
            if event.seconds_left is not None:
                later = len(self.runs) - self.run_index - 1  # a sweep's later runs take about as long
                self._left = event.seconds_left + later * event.elapsed / max(event.done, 1e-6)
            self.elapsed = time.perf_counter() - started
            self.size = event.size
            self.steps.append(self.step)
            for key, value in event.losses.items():
                self.curves[key].append(value)
            for key, value in event.style_layers.items():
                self.layer_curves.setdefault(key, []).append(value)
            if event.image is not None:
                self.image = event.image
                if frame is not None:
                    self._keep_frame(frame)

    def execute(self) -> None:
        """Run every RunSpec in order; called on the job's thread once it has a slot."""
        from nst.transfer import Result

        started = time.perf_counter()
        with self._lock:
            if self.stop_event.is_set():
                self.status, self.message = "stopped", "Stopped before it started."
                return
            self.status = "running"
        try:
            for index, spec in enumerate(self.runs):
                with self._lock:
                    self.run_index = index
                    self._step_offset = self.step
                    self._done_share = 0.0
                for event in spec.events(self.backbone, self.stop_event, self.finish_event):
                    if isinstance(event, Result):
                        frame = _frame(event.image) if self.kind is JobKind.RUN else None
                        with self._lock:
                            self.final = event
                            self.image = event.image
                            self.results.append((spec.label, event.image))
                            if frame is not None:
                                self._keep_frame(frame)
                            self.elapsed = time.perf_counter() - started
                            self.message = event.message
                            if event.status != "finished":
                                self.status = event.status
                        if event.status != "finished":
                            return
                    else:
                        self._record(event, started)
            with self._lock:
                self.status = "finished"
                if len(self.runs) > 1:
                    self.message = f"Finished {len(self.runs)} runs in {self.elapsed:.0f} s."
        except Exception as exc:  # the UI shows a sentence; the log keeps the details of the unexpected
            if not _expected(exc):
                traceback.print_exc()
            with self._lock:
                self.status = "failed"
                self.message = _plain_error(exc)


def _frame(image: np.ndarray) -> np.ndarray:
    from nst.images import resize_to_max_side

    return image if max(image.shape[:2]) <= FRAME_SIDE else resize_to_max_side(image, FRAME_SIDE)


def _expected(exc: Exception) -> bool:
    """Refusals with a sentence for the user (bad settings or images, a run too large for the memory)."""
    from nst.config import ConfigError
    from nst.images import ImageError

    return isinstance(exc, ConfigError | ImageError)


def _plain_error(exc: Exception) -> str:
    if _expected(exc):
        return str(exc)
    if isinstance(exc, MemoryError) or "OOM" in type(exc).__name__ or "ResourceExhausted" in type(exc).__name__:
        return "The run ran out of memory; try a smaller size."
    return f"The run failed unexpectedly ({type(exc).__name__}); the details are in the server log."


@dataclass
class RunQueue:
    """At most `max_concurrent` jobs compute at once; the rest wait in arrival order."""

    max_concurrent: int = 1
    _waiting: deque = field(default_factory=deque)
    _running: set = field(default_factory=set)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def submit(self, job: Job, on_done: Callable[[Job], None] | None = None) -> Job:
        with self._cond:
            self._waiting.append(job)
            self._update_positions()
        thread = threading.Thread(target=self._work, args=(job, on_done), name=f"nst-job-{job.id}", daemon=True)
        thread.start()
        return job

    def _update_positions(self) -> None:
        for i, waiting in enumerate(self._waiting, start=1):
            waiting.set_position(i)

    def _work(self, job: Job, on_done) -> None:
        try:
            with self._cond:
                while not job.stop_event.is_set() and not (
                    len(self._running) < self.max_concurrent and self._waiting and self._waiting[0] is job
                ):
                    self._cond.wait(timeout=0.25)
                self._waiting.remove(job)
                if not job.stop_event.is_set():
                    self._running.add(job)
                self._update_positions()
                self._cond.notify_all()
            job.set_position(0)
            job.execute()
        finally:
            with self._cond:
                self._running.discard(job)
                self._cond.notify_all()
            job.mark_done()
            if on_done is not None:
                on_done(job)

    @property
    def running(self) -> int:
        with self._cond:
            return len(self._running)

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._waiting)
