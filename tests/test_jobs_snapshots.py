"""A run job's snapshots carry the step each picture shows (the Studio's scrub slider, the GIF)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from nst.config import StyleConfig
from nst.jobs import MAX_FRAMES, Job, JobKind, RunQueue, RunSpec
from nst.transfer import Progress, Result


@dataclass
class Painter:
    """A task without a network: a preview every `every` steps whose pixels are its step number."""

    steps: int
    every: int = 1
    label: str = "fake"

    @property
    def total_steps(self) -> int:
        return self.steps

    def events(self, backbone, stop: threading.Event, finish: threading.Event):
        for step in range(1, self.steps + 1):
            show = step == 1 or step % self.every == 0 or step == self.steps
            yield Progress(
                step=step,
                total_steps=self.steps,
                scale_index=0,
                n_scales=1,
                size=(4, 4),
                losses={"total": 1.0 / step, "content": 0.0, "style": 0.0, "tv": 0.0},
                style_layers={},
                elapsed=0.0,
                image=picture(step) if show else None,
                done=step / self.steps,
            )
        yield Result(picture(self.steps + 1000), "finished", "done", self.steps, 0.0)


def picture(value: int) -> np.ndarray:
    return np.full((4, 4, 3), value % 256, np.uint8)


def run(task) -> Job:
    job = Job([task], backbone=None, kind=JobKind.RUN)
    job.execute()
    return job


def test_snapshots_carry_their_steps_in_order():
    job = run(Painter(steps=10, every=3))
    snapshots = job.snapshots()
    assert [step for step, _ in snapshots] == [1, 3, 6, 9, 10]
    for step, frame in snapshots[:-1]:
        assert np.array_equal(frame, picture(step))
    # the final picture replaces the last preview of the same step
    assert np.array_equal(snapshots[-1][1], job.final.image) and snapshots[-1][0] == job.view().step == 10
    assert job.view().frame_steps == (1, 3, 6, 9, 10) and job.view().frames == 5


def test_thinning_keeps_steps_with_their_frames_and_at_most_max_frames():
    for steps in (MAX_FRAMES, MAX_FRAMES + 1, 3 * MAX_FRAMES + 7, 1000):
        job = run(Painter(steps=steps))
        snapshots = job.snapshots()
        kept = [step for step, _ in snapshots]
        assert 2 <= len(snapshots) <= MAX_FRAMES, (steps, len(snapshots))
        assert kept == sorted(set(kept)) and kept[0] == 1 and kept[-1] == steps, (steps, kept)
        for step, frame in snapshots[:-1]:
            assert np.array_equal(frame, picture(step)), step
        assert np.array_equal(snapshots[-1][1], job.final.image)
        assert job.view().frame_steps == tuple(kept)


def test_a_real_run_keeps_its_previews_with_their_steps(backbone, content_image, style_image):
    cfg = StyleConfig(max_side=64, steps_per_epoch=6, scales=(1.0,), preview_every=2)
    job = RunQueue().submit(Job([RunSpec(content_image, [style_image], cfg)], backbone))
    assert job.wait(60) and job.view().status == "finished"
    snapshots = job.snapshots()
    assert [step for step, _ in snapshots] == [1, 2, 4, 6]
    assert np.array_equal(snapshots[-1][1], job.final.image)
