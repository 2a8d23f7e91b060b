"""Recorded runs: everything a run showed, in one file, played back without computing.

A `Recorder` listens to a run's events (`nst.transfer.stylize`) and keeps what the screen showed:
the settings, the plan, every step's losses and time, the previews (as JPEG) and the final picture,
with the photo and the painting(s) it was made from. `Recording.to_bytes` writes it as one zip file
(`.nstrun`: `run.json` and the pictures); `Recording.from_bytes` reads one back, treating it as
untrusted (an upload): sizes are capped, every picture goes through `nst.images.load_image`, and
anything wrong is one `ReplayError` sentence.

`Replay` is a task like a run: its `events` yield the same Progress/Result stream, paced by the
recorded times (1×, 2×, 4×, or as fast as possible), so a job, the live view and the charts show it
exactly as they showed the run, and no network step runs.
"""

from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nst.config import ConfigError, StyleConfig
from nst.images import ImageError, encode_jpeg, encode_png, load_image, resize_to_max_side
from nst.plan import Plan, Stage
from nst.transfer import Progress, Result

FORMAT = "nst-explorer recording"
VERSION = 1
SUFFIX = ".nstrun"
FRAME_SIDE = 512  # previews are kept at most this large (what the live view shows on a projector)
MAX_FRAMES = 120  # when more come, every other one goes (the last is always kept)
INPUT_SIDE = 640  # the photo and paintings are kept this large: the inspection pages look at them
# An uploaded recording is untrusted: these bound what reading one can cost.
MAX_FILE_BYTES = 20 * 2**20
MAX_ENTRIES = MAX_FRAMES + 16
MAX_UNPACKED_BYTES = 80 * 2**20
MAX_STEPS = 20_000
SPEEDS = {"1×": 1.0, "2×": 2.0, "4×": 4.0, "as fast as possible": 0.0}


class ReplayError(ValueError):
    """A recording that cannot be played; the message says why in one sentence."""


@dataclass
class Recording:
    config: StyleConfig
    plan: Plan
    content: np.ndarray  # uint8 (H, W, 3)
    styles: list[np.ndarray]
    content_name: str
    style_names: list[str]
    steps: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # seconds since the start, after each step
    sizes: list[tuple[int, int]] = field(default_factory=list)
    losses: dict[str, list[float]] = field(default_factory=dict)
    layers: dict[str, list[float]] = field(default_factory=dict)
    frames: list[tuple[int, bytes]] = field(default_factory=list)  # (step, JPEG)
    result: np.ndarray | None = None
    status: str = "finished"
    message: str = ""
    elapsed: float = 0.0

    # ------------------------------------------------------------------ writing
    def to_bytes(self) -> bytes:
        if self.result is None:
            raise ReplayError("the run has no picture yet.")
        meta = {
            "format": FORMAT,
            "version": VERSION,
            "config": self.config.to_dict(),
            "plan": {
                "stages": [[*s.size, s.steps, s.style_side] for s in self.plan.stages],
                "content_layer": self.plan.content_layer,
                "style_layers": list(self.plan.style_layers),
            },
            "content_name": self.content_name,
            "style_names": self.style_names,
            "steps": self.steps,
            "times": [round(t, 4) for t in self.times],
            "sizes": [list(s) for s in self.sizes],
            "losses": self.losses,
            "layers": self.layers,
            "frames": [step for step, _ in self.frames],
            "status": self.status,
            "message": self.message,
            "elapsed": self.elapsed,
        }
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:  # the pictures are compressed already
            z.writestr("run.json", json.dumps(meta))
            z.writestr("content.jpg", encode_jpeg(self.content, 90))
            for i, style in enumerate(self.styles):
                z.writestr(f"style-{i + 1}.jpg", encode_jpeg(style, 90))
            z.writestr("result.png", encode_png(self.result))
            for i, (_, jpeg) in enumerate(self.frames):
                z.writestr(f"frames/{i:04d}.jpg", jpeg)
        return buf.getvalue()

    @property
    def label(self) -> str:
        return f"{self.content_name} × {' + '.join(self.style_names)}"

    @property
    def title(self) -> str:
        """'Lighthouse × Waves · 30 steps': how a list of recordings names this one."""
        return f"{self.label} · {len(self.steps)} steps"

    # ------------------------------------------------------------------ reading
    @classmethod
    def from_bytes(cls, data: bytes, name: str = "the recording") -> Recording:
        """Read a recording (an upload: untrusted). ReplayError with one sentence when it cannot be."""
        if len(data) > MAX_FILE_BYTES:
            raise ReplayError(f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB.")
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                infos = z.infolist()
                if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                    raise ReplayError(f"{name} holds more than a recording can.")
                files = {i.filename: i for i in infos}

                def read(member: str) -> bytes:
                    if member not in files:
                        raise ReplayError(f"{name} has no {member}: it is not a whole recording.")
                    return z.read(files[member])

                meta = json.loads(read("run.json"))
                return cls._from_parts(meta, read, name)
        except ReplayError:
            raise
        except (zipfile.BadZipFile, EOFError):
            raise ReplayError(f"{name} is not a recording (an .nstrun file saved by NST Explorer).") from None
        except (ValueError, KeyError, TypeError, IndexError, RecursionError, ImageError, ConfigError) as exc:
            reason = str(exc).rstrip(".") or type(exc).__name__
            raise ReplayError(f"{name} cannot be played: {reason}.") from None

    @classmethod
    def _from_parts(cls, meta: Any, read, name: str) -> Recording:
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ReplayError(f"{name} is not a recording (an .nstrun file saved by NST Explorer).")
        if meta.get("version") != VERSION:
            raise ReplayError(f"{name} is a recording of version {meta.get('version')!r}; this app plays {VERSION}.")
        config = StyleConfig.from_dict(meta["config"])
        plan_meta = meta["plan"]
        stages = tuple(Stage((int(h), int(w)), int(n), int(side)) for h, w, n, side in plan_meta["stages"])
        if not stages:
            raise ValueError("it has no stages")
        plan = Plan(stages, str(plan_meta["content_layer"]), tuple(map(str, plan_meta["style_layers"])))
        steps = [int(s) for s in meta["steps"]]
        n = len(steps)
        if n > MAX_STEPS or steps != sorted(steps):
            raise ValueError("its steps are out of order")
        times = [float(t) for t in meta["times"]]
        sizes = [(int(h), int(w)) for h, w in meta["sizes"]]
        losses = {str(k): [float(v) for v in vs] for k, vs in meta["losses"].items()}
        layers = {str(k): [float(v) for v in vs] for k, vs in meta["layers"].items()}
        if len(times) != n or len(sizes) != n or any(len(v) != n for v in (*losses.values(), *layers.values())):
            raise ValueError("its curves do not have one value per step")
        style_names = [str(s)[:80] for s in meta["style_names"]]
        styles = [load_image(read(f"style-{i + 1}.jpg"), name=f"painting {i + 1}") for i in range(len(style_names))]
        if not styles:
            raise ValueError("it has no painting")
        frame_steps = [int(s) for s in meta["frames"]]
        if len(frame_steps) > MAX_FRAMES:
            raise ValueError("it has too many frames")
        frames = []
        for i, step in enumerate(frame_steps):
            jpeg = read(f"frames/{i:04d}.jpg")
            load_image(jpeg, name=f"frame {i + 1}")  # checked now, decoded again when shown
            frames.append((step, jpeg))
        return cls(
            config=config,
            plan=plan,
            content=load_image(read("content.jpg"), name="the photo"),
            styles=styles,
            content_name=str(meta["content_name"])[:80],
            style_names=style_names,
            steps=steps,
            times=times,
            sizes=sizes,
            losses=losses,
            layers=layers,
            frames=frames,
            result=load_image(read("result.png"), name="the result"),
            status=str(meta.get("status", "finished")),
            message=str(meta.get("message", ""))[:300],
            elapsed=float(meta.get("elapsed", times[-1] if times else 0.0)),
        )


class Recorder:
    """Listens to one run's events and keeps what a replay needs (thread-safe: a job's thread adds,
    a page takes the recording)."""

    def __init__(
        self,
        config: StyleConfig,
        content: np.ndarray,
        styles: Sequence[np.ndarray],
        content_name: str,
        style_names: Sequence[str],
    ):
        self._lock = threading.Lock()
        self._config = config
        self._inputs = (
            resize_to_max_side(content, INPUT_SIDE),
            [resize_to_max_side(s, INPUT_SIDE) for s in styles],
            content_name,
            list(style_names),
        )
        self._plan: Plan | None = None
        self._steps: list[int] = []
        self._times: list[float] = []
        self._sizes: list[tuple[int, int]] = []
        self._losses: dict[str, list[float]] = {}
        self._layers: dict[str, list[float]] = {}
        self._frames: list[tuple[int, bytes]] = []
        self._result: Result | None = None

    def add(self, event: Progress | Result) -> None:
        if isinstance(event, Result):
            with self._lock:
                self._result = event
                if event.plan is not None:
                    self._plan = event.plan
            return
        jpeg = encode_jpeg(resize_to_max_side(event.image, FRAME_SIDE), 85) if event.image is not None else None
        with self._lock:
            if event.plan is not None:
                self._plan = event.plan
            self._steps.append(event.step)
            self._times.append(event.elapsed)
            self._sizes.append(tuple(event.size))
            for key, value in event.losses.items():
                self._losses.setdefault(key, []).append(float(value))
            for key, value in event.style_layers.items():
                self._layers.setdefault(key, []).append(float(value))
            if jpeg is not None:
                self._frames.append((event.step, jpeg))
                if len(self._frames) > MAX_FRAMES:
                    self._frames = self._frames[::2]

    def recording(self) -> Recording | None:
        """What was recorded, once the run has its final picture (else None)."""
        with self._lock:
            if self._result is None or self._plan is None:
                return None
            content, styles, content_name, style_names = self._inputs
            n = len(self._steps)
            return Recording(
                config=self._config,
                plan=self._plan,
                content=content,
                styles=styles,
                content_name=content_name,
                style_names=style_names,
                steps=list(self._steps),
                times=list(self._times),
                sizes=list(self._sizes),
                losses={k: list(v[:n]) for k, v in self._losses.items()},
                layers={k: list(v[:n]) for k, v in self._layers.items()},
                frames=list(self._frames),
                result=self._result.image,
                status=self._result.status,
                message=self._result.message,
                elapsed=self._result.elapsed,
            )


@dataclass
class Replay:
    """A recorded run as a job's task: the same events as the run, paced by its recorded times
    divided by `speed` (0: as fast as possible). Needs no network (the backbone is ignored)."""

    recording: Recording
    speed: float = 1.0
    label: str = "replay"

    @property
    def total_steps(self) -> int:
        return len(self.recording.steps)

    def events(self, backbone=None, stop: threading.Event | None = None, finish=None) -> Iterator[Progress | Result]:
        rec = self.recording
        frames = dict(rec.frames)
        starts = rec.plan.stage_starts()
        start = time.perf_counter()
        total = rec.times[-1] if rec.times else 0.0
        stop = stop or threading.Event()
        for i, step in enumerate(rec.steps):
            due = rec.times[i] / self.speed if self.speed > 0 else 0.0
            while (wait := due - (time.perf_counter() - start)) > 0 and not stop.wait(min(wait, 0.1)):
                pass  # until the recorded time of this step, or a stop
            if stop.is_set():
                picture = self._latest(frames, step)
                yield Result(picture, "stopped", f"Replay stopped at step {step}.", step, time.perf_counter() - start)
                return
            stage = sum(1 for s in starts if s <= step) - 1
            left = (total - rec.times[i]) / self.speed if self.speed > 0 else 0.0
            yield Progress(
                step=step,
                total_steps=rec.plan.total_steps,
                scale_index=stage,
                n_scales=len(rec.plan.stages),
                size=rec.sizes[i],
                losses={k: v[i] for k, v in rec.losses.items()},
                style_layers={k: v[i] for k, v in rec.layers.items()},
                elapsed=time.perf_counter() - start,
                image=load_image(frames[step], name="a recorded frame") if step in frames else None,
                seconds_left=left,
                done=(i + 1) / len(rec.steps),
                plan=rec.plan,
            )
        message = f"Replayed: {rec.message}" if rec.message else "Replayed."
        last = rec.steps[-1] if rec.steps else 0
        yield Result(rec.result, rec.status, message, last, time.perf_counter() - start, plan=rec.plan)

    def _latest(self, frames: dict[int, bytes], step: int) -> np.ndarray:
        earlier = [s for s in frames if s <= step]
        if not earlier:
            return self.recording.content
        return load_image(frames[max(earlier)], name="a recorded frame")


@dataclass
class Recorded:
    """A task (a run) whose events are also recorded, as they pass, into `recorder`."""

    task: Any
    recorder: Recorder

    @property
    def label(self) -> str:
        return self.task.label

    @property
    def total_steps(self) -> int:
        return self.task.total_steps

    def events(self, backbone, stop=None, finish=None) -> Iterator[Progress | Result]:
        for event in self.task.events(backbone, stop, finish):
            self.recorder.add(event)
            yield event


def record_run(
    content: np.ndarray,
    styles: Sequence[np.ndarray],
    config: StyleConfig,
    backbone,
    content_name: str,
    style_names: Sequence[str],
) -> Recording:
    """Run style transfer now and record it (the demo pack is made this way)."""
    from nst.transfer import stylize

    recorder = Recorder(config, content, styles, content_name, style_names)
    for event in stylize(content, styles, config, backbone):
        recorder.add(event)
    recording = recorder.recording()
    if recording is None:  # pragma: no cover (stylize always ends with a Result)
        raise ReplayError("the run ended without a picture.")
    return recording
