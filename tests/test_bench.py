"""The benchmark runs end to end at tiny sizes (performance itself is measured by `make bench`)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_bench_quick_runs_every_section(vgg_weights, tmp_path):
    out = tmp_path / "bench.json"
    r = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    res = json.loads(out.read_text())
    assert {"machine", "steps", "xla", "quality", "scales", "memory", "growth", "latency", "report"} <= set(res)
    assert all(row["engine_s"] > 0 and row["tutorial_s"] > 0 for row in res["steps"])
    quality = res["quality"][0]
    assert quality["calibration"]["photo"][1] == 0.0  # the photo has no content error against itself
    assert all(run["total_s"] > 0 for run in quality["runs"].values())
    assert all(row["ok"] for row in res["memory"])
    assert len(res["growth"]["rss_mb"]) == 4
    assert res["latency"]["first_preview_s"] > 0
    assert "Seconds per step" in r.stdout and "Quality on the" in r.stdout
    # the cost model's sections: the probe, the ETA against the run, the memory guard, threads
    assert {"probe", "eta", "guard", "threads", "input_gradients"} <= set(res)
    assert res["probe"][0]["ok"] and res["probe"][0]["step_per_pixel"] > 0
    assert all(row["real_s"] > 0 and row["predicted_s"] > 0 for row in res["eta"])
    assert all(row["ok"] and row["measured"] > 0 and row["estimate"] > 0 for row in res["guard"])
    assert [(row["threads"], row["way"]) for row in res["threads"]] == [
        (1, "autodiff"),
        (1, "flipped"),
        (2, "autodiff"),
        (2, "flipped"),
    ]
    assert all(row["ok"] for row in res["threads"])
    assert [row["way"] for row in res["input_gradients"]] == ["autodiff", "flipped"]
    assert all(row["ok"] and row["step_s"] > 0 and row["first_step_peak"] > 0 for row in res["input_gradients"])
    assert "A step: TensorFlow's input gradient against the flipped kernels" in r.stdout
    # the CPU allocator, malloc against TensorFlow's pool
    assert [row["allocator"] for row in res["allocators"]] == ["malloc", "pool"]
    assert all(row["ok"] and row["step_s"] > 0 for row in res["allocators"])
    assert "TensorFlow's CPU allocator on malloc and on its pool" in r.stdout
    assert "Time before Run (predicted) against the run" in r.stdout and "Memory guard" in r.stdout
    # layer reconstructions, old recipe against the budgeted plan
    assert [row["kind"] for row in res["reconstructions"]] == ["content", "style"]
    assert all(row["old_s"] > 0 and row["new_s"] > 0 and row["predicted_s"] > 0 for row in res["reconstructions"])
    assert "Layer reconstructions" in r.stdout
