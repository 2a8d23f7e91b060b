"""Measurements that need a fresh process: cold model load, peak memory of one size.

`python -m bench.probe load` → JSON {import_s, load_s, warm_up_s, warm_s}
`python -m bench.probe memory SIZE [PRECISION]` → JSON {size, peak_rss_gb, step_s}
"""

from __future__ import annotations

import json
import sys
import time


def probe_load() -> dict:
    t0 = time.perf_counter()
    import nst.tf_runtime  # noqa: F401  (TensorFlow itself)
    from nst.backbones import load_backbone

    t1 = time.perf_counter()
    backbone = load_backbone()
    t2 = time.perf_counter()
    from nst.transfer import warm_up

    warm_up(backbone)
    t3 = time.perf_counter()
    load_backbone()  # what every later session gets: the cached object
    t4 = time.perf_counter()
    return {"import_s": t1 - t0, "load_s": t2 - t1, "warm_up_s": t3 - t2, "warm_s": t4 - t3}


def _gb(n: int | None) -> float | None:
    return n / 2**30 if n else None


def probe_memory(size: int, precision: str) -> dict:
    import numpy as np

    from nst.backbones import load_backbone
    from nst.config import StyleConfig
    from nst.memory import reset_peak, status_bytes
    from nst.transfer import run

    backbone = load_backbone(precision=precision)
    load_peak, loaded = status_bytes("VmHWM"), status_bytes("VmRSS")
    reset = reset_peak()  # loading the model peaks above what it then holds; count only the run
    rng = np.random.default_rng(0)
    content = rng.integers(0, 255, (size * 3 // 4, size, 3), dtype=np.uint8)
    style = rng.integers(0, 255, (size, size, 3), dtype=np.uint8)
    cfg = StyleConfig(max_side=size, steps_per_epoch=3, scales=(1.0,), precision=precision)
    t0 = time.perf_counter()
    result = run(content, [style], cfg, backbone)
    elapsed = time.perf_counter() - t0
    run_peak = status_bytes("VmHWM") if reset else None
    return {
        "size": size,
        "precision": backbone.precision,
        # VmHWM, not ru_maxrss: a child started by the bench would report the parent's peak
        "peak_rss_gb": _gb(max(load_peak or 0, run_peak or 0)),  # the whole process, model loading included
        "loaded_gb": _gb(loaded),
        "run_peak_gb": _gb(run_peak),  # during the run
        "seconds_for_3_steps": elapsed,
        "ok": result.status == "finished",
    }


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "load":
        out = probe_load()
    else:
        out = probe_memory(int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "auto")
    print(json.dumps(out))
