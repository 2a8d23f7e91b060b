"""Background jobs and the per-process run queue."""

from __future__ import annotations

import time

import numpy as np
import pytest

from nst.config import StyleConfig
from nst.cost import cost_model
from nst.jobs import Job, JobKind, RunQueue, RunSpec


def spec(content, style, steps=6, **changes) -> RunSpec:
    cfg = StyleConfig(max_side=64, steps_per_epoch=steps, scales=(1.0,), preview_every=2, **changes)
    return RunSpec(content, [style], cfg)


def test_job_records_curves_frames_and_result(backbone, content_image, style_image):
    job = RunQueue().submit(Job([spec(content_image, style_image)], backbone))
    assert job.wait(60)
    view = job.view()
    assert view.status == "finished" and view.step == 6 == view.total_steps
    assert view.steps == [1, 2, 3, 4, 5, 6] and len(view.curves["total"]) == 6
    assert set(view.layer_curves) == set(StyleConfig().style_layers)
    assert view.image is not None and job.final.image.shape[2] == 3
    assert view.frames >= 3 and not view.active


def test_queue_runs_one_at_a_time_in_order(backbone, content_image, style_image):
    queue = RunQueue(max_concurrent=1)
    jobs = [Job([spec(content_image, style_image, steps=30)], backbone) for _ in range(3)]
    for j in jobs:
        queue.submit(j)
    deadline = time.time() + 10
    while jobs[0].view().status != "running" and time.time() < deadline:
        time.sleep(0.02)
    assert jobs[0].view().status == "running"
    assert [j.view().status for j in jobs[1:]] == ["queued", "queued"]
    assert [j.view().position for j in jobs[1:]] == [1, 2]
    assert queue.running == 1 and queue.waiting == 2
    jobs[2].stop()  # leaving the queue frees its place without running
    assert jobs[2].wait(10) and jobs[2].view().status == "stopped"
    for j in jobs[:2]:
        assert j.wait(120)
    assert [j.view().status for j in jobs] == ["finished", "finished", "stopped"]
    assert jobs[2].view().step == 0


def test_stop_mid_run_keeps_last_image(backbone, content_image, style_image):
    job = RunQueue().submit(Job([spec(content_image, style_image, steps=5000)], backbone))
    deadline = time.time() + 30
    while job.view().step < 3 and time.time() < deadline:
        time.sleep(0.02)
    job.stop()
    assert job.wait(30)
    view = job.view()
    assert view.status == "stopped" and 3 <= view.step < 5000
    assert job.final.image is not None and len(view.curves["total"]) == view.step


def test_sweep_runs_each_spec_and_collects_results(backbone, content_image, style_image):
    runs = [spec(content_image, style_image, steps=3, style_weight=w) for w in (0.1, 10.0)]
    for r, w in zip(runs, (0.1, 10.0), strict=True):
        r.label = f"β={w}"
    job = RunQueue().submit(Job(runs, backbone, kind=JobKind.SWEEP))
    assert job.wait(60)
    view = job.view()
    assert view.status == "finished" and [label for label, _ in view.results] == ["β=0.1", "β=10.0"]
    assert not np.array_equal(view.results[0][1], view.results[1][1])
    assert view.total_steps == 6 and view.step == 6


def test_failure_becomes_a_sentence(backbone, content_image, style_image):
    bad = spec(content_image, style_image)
    bad.config = bad.config.replace(style_blend=(1.0, 1.0))  # two weights for one style
    job = RunQueue().submit(Job([bad], backbone))
    assert job.wait(30)
    view = job.view()
    assert view.status == "failed" and "style_blend has 2 weights for 1 style images" in view.message


def test_progress_and_time_left_come_from_the_plan(backbone, content_image, style_image):
    """½ then full size: the job's progress is the share of this machine's predicted work done (not
    of steps), its marks are the plan's, and it predicts the time left."""
    cfg = StyleConfig(max_side=96, steps_per_epoch=9, scales=(0.5, 1.0), preview_every=1)
    job = Job([RunSpec(content_image, [style_image], cfg)], backbone)
    seen, plans = [], []
    original = job._record

    def spy(event, started):
        original(event, started)
        seen.append((event.step, job.view()))
        plans.append(event.plan)

    job._record = spy
    RunQueue().submit(job)
    assert job.wait(120) and job.view().status == "finished"
    views = dict(seen)
    assert job.view().marks == ((6, "upsampled to 96 px"),)  # 5 + 4 steps (nst.plan.split_steps)
    plan, cost = plans[0], cost_model(backbone)
    coarse, full = plan.stages
    assert plan.step_cost(cost, full) > plan.step_cost(cost, coarse)  # on any CPU: 4x the pixels
    steps = plan.step_seconds(cost)
    setup = plan.setup_seconds(cost)
    share = (sum(steps[:5]) + setup / 2) / (sum(steps) + setup)  # targets are made once per stage
    assert views[5].progress == pytest.approx(share) and share < 5 / 9  # less than the share of steps
    assert all(v.seconds_left is not None and v.seconds_left >= 0 for v in views.values())
    assert [v.progress for v in views.values()] == sorted(v.progress for v in views.values())


def test_job_kind_is_an_enum_that_reads_as_its_name():
    task = RunSpec(np.zeros((8, 8, 3), np.uint8), [np.zeros((8, 8, 3), np.uint8)], StyleConfig())
    assert Job([task], backbone=None).kind is JobKind.RUN
    assert Job([task], backbone=None, kind=JobKind.RECONSTRUCT).view().kind is JobKind.RECONSTRUCT
    assert JobKind.SWEEP == "sweep"  # session code may still compare with the plain word
    with pytest.raises(ValueError):
        Job([task], backbone=None, kind="sweeps")


def test_position_and_done_are_set_through_the_job():
    task = RunSpec(np.zeros((8, 8, 3), np.uint8), [np.zeros((8, 8, 3), np.uint8)], StyleConfig())
    job = Job([task], backbone=None)
    job.set_position(3)
    assert job.view().position == 3 and not job.done and not job.wait(0)
    job.mark_done()
    assert job.done and job.wait(0)
