"""nst.memory: the estimate of a run's peak memory, the free memory, and refusing runs that cannot fit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nst import memory
from nst.config import ConfigError, StyleConfig
from nst.images import fitted_size
from nst.jobs import Job, RunQueue, RunSpec
from nst.plan import Plan, make_plan
from nst.transfer import stylize
from tests.conftest import ROOT, sample
from tests.test_plan import toy_cost

HAS_PROC = Path("/proc/self/status").exists()
REFUSED = re.compile(
    r"^At \d+ px this run needs about \d+\.\d GB but only \d+\.\d GB are free; choose a smaller size\.$"
)


def plan_of(cfg: StyleConfig, content=(600, 800, 3)) -> Plan:
    return make_plan(cfg, content, 32)


def test_estimate_follows_the_plan_and_the_painting():
    cost = toy_cost(fixed_bytes=10.0, painting_reused=True)
    style = (1000, 1000, 3)
    base = StyleConfig(max_side=512, scales=(0.5, 1.0))
    m = memory.run_memory(plan_of(base), [style], 32, cost)
    h, w = fitted_size(600, 800, 512)
    # the largest stage as the probe read stages (the content's forward pass, then a step): 10 B and
    # 1000 B per pixel (toy model) and the optimiser's state; the 512² painting's forward pass adds
    # 250 B for each pixel it has beyond the result's, where the step reuses what that pass freed
    state = 12 * (2 * 10 * 2 + 2 + 2)  # L-BFGS: 10 pairs, stacked once more, the last image and gradient
    stage = 10 + (1000 + state) * h * w
    assert (m.side, m.bytes, m.painting_dominates) == (512, int(stage + 250 * (512 * 512 - h * w)), False)
    bigger = memory.run_memory(plan_of(base.replace(max_side=1024)), [style], 32, cost)
    assert bigger.bytes > 3.9 * m.bytes
    # style_scale 4: the painting is 2048 px, and its forward pass is the larger part
    brush = memory.run_memory(plan_of(base.replace(style_scale=4.0)), [style], 32, cost)
    assert brush.bytes == int(stage + 250 * (2048 * 2048 - h * w)) and brush.painting_dominates
    # a thin painting is enlarged so its short side reaches the network's minimum, as the run does
    thin_plan = plan_of(base.replace(max_side=64, scales=(1.0,)))
    thin = memory.run_memory(thin_plan, [(20, 2000, 3)], 32, cost)
    pixels = thin_plan.final.pixels
    small = 10 + (1000 + thin_plan.state_bytes_per_pixel) * pixels
    assert thin.painting_dominates and thin.bytes == int(small + 250 * (32 * 3200 - pixels))
    # a painting with fewer pixels than the result adds nothing: its pass needs less than the stage's own
    tiny = memory.run_memory(plan_of(base), [(100, 400, 3)], 32, cost)  # 128 × 512 at this stage
    assert tiny.bytes == int(stage) and not tiny.painting_dominates
    # where the step does not reuse the painting's pass's memory (TensorFlow's own ops), all of it
    whole = memory.run_memory(plan_of(base), [style], 32, toy_cost(fixed_bytes=10.0))
    assert whole.bytes == int(stage + 250 * 512 * 512)


def test_check_refuses_with_one_sentence_and_shares_between_slots():
    cost = toy_cost()
    plan = plan_of(StyleConfig(max_side=2048), (1536, 2048, 3))
    need = memory.run_memory(plan, [(2048, 2048, 3)], 32, cost)
    plenty = int(need.bytes * memory.MARGIN * 2.2)
    memory.check_run(plan, [(2048, 2048, 3)], 32, cost, free=plenty)
    with pytest.raises(ConfigError) as err:  # three runs may compute at once: each gets a third
        memory.check_run(plan, [(2048, 2048, 3)], 32, cost, slots=3, free=plenty)
    message = str(err.value)
    assert REFUSED.match(message), message
    assert message.startswith("At 2048 px this run needs about ") and err.value.field == "max_side"
    shown = re.findall(r"(\d+\.\d) GB", message)
    assert float(shown[0]) == pytest.approx(need.bytes * memory.MARGIN / memory.GB, abs=0.05)
    assert float(shown[1]) == pytest.approx(plenty / 3 / memory.GB, abs=0.05)
    brush = plan_of(StyleConfig(max_side=512, style_scale=4.0), (384, 512, 3))
    with pytest.raises(ConfigError, match=r"choose a smaller size or style scale\.$"):
        memory.check_run(brush, [(512, 512, 3)], 32, cost, free=memory.GB // 2)


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
def test_free_memory_sources(monkeypatch):
    free = memory.free_bytes()
    meminfo = int(re.search(r"MemAvailable:\s+(\d+)", Path("/proc/meminfo").read_text())[1]) * 1024
    assert free is not None and 0 < free <= meminfo + (memory.process_rss() or 0)
    monkeypatch.setenv(memory.ENV_LIMIT, "1.5")
    assert memory.free_bytes() == int(1.5 * memory.GB)
    monkeypatch.setenv(memory.ENV_LIMIT, "not a number")
    assert memory.free_bytes() is not None
    monkeypatch.delenv(memory.ENV_LIMIT)
    # a cgroup limit caps it
    monkeypatch.setattr(memory, "_cgroup_room", lambda: 123 * 2**20)
    assert memory.free_bytes() <= 123 * 2**20 + max(0, (memory.process_rss() or 0) - (memory._baseline or 0))
    # nothing known: no refusal
    monkeypatch.setattr(memory, "_meminfo_available", lambda: None)
    monkeypatch.setattr(memory, "_cgroup_room", lambda: None)
    assert memory.free_bytes() is None
    memory.check_run(plan_of(StyleConfig(max_side=2048), (1536, 2048, 3)), [(2048, 2048, 3)], 32, toy_cost())


def test_engine_refuses_up_front(backbone, content_image, style_image, monkeypatch):
    from nst.cost import cost_model

    cost_model(backbone)  # this machine's probe (once per test session) is not what is timed below
    monkeypatch.setattr(memory, "free_bytes", lambda: 200 * 2**20)
    events = stylize(content_image, [style_image], StyleConfig(max_side=512, steps_per_epoch=2), backbone)
    start = time.perf_counter()
    with pytest.raises(ConfigError) as err:
        next(events)
    assert time.perf_counter() - start < 1.0  # before any tensor is made
    assert REFUSED.match(str(err.value)) and "At 512 px" in str(err.value)
    # through a Job, the refusal is the job's one sentence
    job = RunQueue().submit(Job([RunSpec(content_image, [style_image], StyleConfig(max_side=512))], backbone))
    assert job.wait(30) and job.view().status == "failed" and REFUSED.match(job.view().message)


def test_cli_refuses_with_exit_2(vgg_weights, tmp_path):
    out = tmp_path / "out.png"
    env = {**os.environ, "NST_OFFLINE": "1", memory.ENV_LIMIT: "0.05"}
    content, style = sample("content", "tubingen.jpg"), sample("styles", "starry_night.jpg")
    cmd = [sys.executable, "-m", "nst", "stylize", str(content), str(style), "-o", str(out), "--size", "384", "-q"]
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: At 384 px this run needs about"), r.stderr
    assert REFUSED.match(lines[0].removeprefix("error: ")), lines[0]
    assert not out.exists()


@pytest.mark.skipif(not HAS_PROC, reason="peak memory is read from /proc")
def test_estimate_is_close_to_a_measured_peak(vgg_weights, tmp_path):
    """One real step at 768 px in float32 (every CPU has it) in a fresh process, as the bench's guard
    section measures it, against the estimate from this machine's probe. The bench reports the
    issue's −10 % … +40 % band (README); this test allows for the noise of one measurement and one
    probe (with TensorFlow's pooling allocator, nst.tf_runtime, one bench run read 1.01–1.08 for
    384–1536 px), and still fails for an estimate made on another CPU kind (the earlier fixed fit was
    1.8× too optimistic on AVX2: 0.56) or for one that ignores what a step keeps."""
    from bench.planning import peak_row

    out = peak_row(768, "float32", env={"NST_OFFLINE": "1", "NST_COST_CACHE": str(tmp_path / "c.json")})
    assert out["ok"], out
    ratio = out["estimate"] / out["measured"]
    print(f"768 px float32: measured {out['measured'] / 2**30:.2f} GB, estimate {out['estimate'] / 2**30:.2f} GB")
    assert 0.85 <= ratio <= 1.6, out


_INTER_OP_POOL = """
from collections import Counter
from pathlib import Path
from nst.tf_runtime import tf
tf.function(lambda x: tf.reduce_sum(tf.matmul(x, x)))(tf.ones([32, 32])).numpy()
print(Counter(p.read_text().strip() for p in Path("/proc/self/task").glob("*/comm"))["tf_Compute"])
"""


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="threads are read from /proc")
@pytest.mark.parametrize(("setting", "threads"), [(None, 1), ("2", 2)])
def test_one_inter_op_thread_unless_set(setting, threads):
    """The engine's memory is only predictable with one inter-op thread (nst.tf_runtime: with two,
    one run's peak moved by up to 1.4 times); an operator's own setting still wins. TensorFlow names
    its inter-op pool's threads tf_Compute."""
    env = {k: v for k, v in os.environ.items() if k != "TF_NUM_INTEROP_THREADS"}
    if setting is not None:
        env["TF_NUM_INTEROP_THREADS"] = setting
    r = subprocess.run(
        [sys.executable, "-c", _INTER_OP_POOL], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip().splitlines()[-1]) == threads


def _rss() -> int:
    return memory.process_rss() or 0


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc/self/status")
def test_many_runs_do_not_grow_memory(backbone, content_image, style_image):
    """Ten tiny runs of different sizes through Job and RunQueue, after a warm-up round at the same
    sizes: an unbounded cache or a leak (targets, traces, frames, finished jobs) would show as
    growing RSS. The first run at a new size grows RSS by a few MB (oneDNN and TensorFlow keep
    per-shape kernels; measured +58 MB for the first round here, +1 MB for each later one)."""
    queue = RunQueue(max_concurrent=1)
    sides = list(range(64, 224, 16))

    def one(side: int) -> Job:
        cfg = StyleConfig(max_side=side, steps_per_epoch=2, scales=(1.0,), preview_every=1)
        job = queue.submit(Job([RunSpec(content_image, [style_image], cfg)], backbone))
        assert job.wait(60) and job.view().status == "finished"
        return job

    for side in sides:  # warm-up
        one(side)
    start = _rss()
    jobs = [one(side) for side in reversed(sides)]
    grown = _rss() - start
    print(f"RSS after 10 more runs: {grown / 2**20:+.0f} MB")
    assert len({j.final.image.shape for j in jobs}) == 10
    assert queue.running == 0 and queue.waiting == 0
    assert grown < 40 * 2**20, f"RSS grew by {grown / 2**20:.0f} MB over 10 runs"


def test_gif_snapshots_are_kept_at_the_gifs_size():
    """A job keeps up to 80 snapshots: at the GIF's 512 px, not at the run's 2048 px (750 MB per job)."""
    from nst.jobs import FRAME_SIDE, MAX_FRAMES, _frame

    big = np.zeros((1536, 2048, 3), np.uint8)
    assert _frame(big).shape == (384, 512, 3) and FRAME_SIDE == 512
    small = np.zeros((300, 200, 3), np.uint8)
    assert _frame(small) is small
    assert MAX_FRAMES * 512 * 384 * 3 < 50 * 2**20
