"""Bench section: layer reconstructions, the old recipe against the budgeted one, side by side.

The old recipe ran RECONSTRUCTION_STEPS L-BFGS steps at full size from white noise; the page now
runs half size first, then full size, both stages shrunk in proportion to fit
RECONSTRUCTION_SECONDS as predicted from this machine's measured costs. For every layer (content)
and every growing set of layers (style), each is timed once, interleaved, from a fresh seed (so no
memo helps), with its predicted time and the loss it ends at (at full size, comparable between
the two). Pictures go to bench/results/ as one contact sheet per kind (old row above new).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def _timed(task, backbone) -> tuple[float, float, np.ndarray]:
    """(seconds, final loss, picture) of one reconstruction run now."""
    from nst.transfer import Progress

    last: list = []
    t0 = time.perf_counter()
    picture = task.run(backbone, on_progress=lambda e: last.append(e) if isinstance(e, Progress) else None)
    seconds = time.perf_counter() - t0
    return seconds, float(sum(last[-1].losses.values())), picture


def reconstructions(content: np.ndarray, style: np.ndarray, results: Path | None, quick: bool = False) -> list[dict]:
    from nst.backbones import load_backbone
    from nst.cost import cost_model
    from nst.explain import reconstructions

    backbone = load_backbone(precision="auto")
    cost = cost_model(backbone)
    spec = backbone.spec
    side = 64 if quick else reconstructions.RECONSTRUCTION_SIDE
    jobs = [("content", (layer,), content) for layer in reconstructions.content_reconstruction_layers(spec)]
    jobs += [("style", subset, style) for subset in reconstructions.style_reconstruction_subsets(spec)]
    if quick:
        jobs = [jobs[0], jobs[-1]]
    rows, sheets = [], {"content": ([], []), "style": ([], [])}
    for seed, (kind, layers, image) in enumerate(jobs, start=1):
        make = reconstructions.content_reconstruction if kind == "content" else reconstructions.style_reconstruction
        target = layers[0] if kind == "content" else layers
        old = make(image, target, spec, max_side=side, seed=seed, scales=(1.0,), seconds=None)
        new = make(image, target, spec, max_side=side, seed=seed + 1000)  # never the old one's memo
        plan = new.plan(backbone, cost)
        old_s, old_loss, old_pic = _timed(old, backbone)
        new_s, new_loss, new_pic = _timed(new, backbone)
        row = {
            "kind": kind,
            "layers": "+".join(layers),
            "old_s": old_s,
            "old_steps": old.total_steps,
            "new_s": new_s,
            "new_plan": plan.describe(),
            "predicted_s": plan.seconds(cost),
            "speedup": old_s / new_s,
            "loss_ratio": new_loss / old_loss if old_loss > 0 else float("nan"),
        }
        rows.append(row)
        sheets[kind][0].append(old_pic)
        sheets[kind][1].append(new_pic)
        log(
            f"  {kind} {layers[-1]}: old {old_s:.1f} s · new {new_s:.1f} s (predicted {row['predicted_s']:.1f} s, "
            f"{row['new_plan']}) · loss new/old {row['loss_ratio']:.2f}"
        )
    if results is not None and not quick:
        from PIL import Image

        results.mkdir(parents=True, exist_ok=True)
        for kind, (top, bottom) in sheets.items():
            if top:
                h = max(p.shape[0] for p in top + bottom)
                strip = [
                    np.concatenate([np.pad(p, ((0, h - p.shape[0]), (0, 0), (0, 0))) for p in r], 1)
                    for r in (top, bottom)
                ]
                Image.fromarray(np.concatenate(strip, 0)).save(results / f"reconstructions-{kind}.jpg", quality=88)
    return rows


def report(rows: list[dict]) -> list[str]:
    if not rows:
        return []
    lines = [
        "",
        "Layer reconstructions: old recipe (every step at full size) against the budgeted plan",
        f"{'kind':8s} {'layers':48s} {'old s':>7s} {'new s':>7s} {'pred s':>7s} {'×':>5s} {'loss':>5s}  plan",
    ]
    for r in rows:
        lines.append(
            f"{r['kind']:8s} {r['layers'][:48]:48s} {r['old_s']:7.1f} {r['new_s']:7.1f} {r['predicted_s']:7.1f} "
            f"{r['speedup']:5.2f} {r['loss_ratio']:5.2f}  {r['new_plan']}"
        )
    old = [r["old_s"] for r in rows]
    new = [r["new_s"] for r in rows]
    lines.append(
        f"median old {np.median(old):.1f} s · new {np.median(new):.1f} s · slowest new {max(new):.1f} s · "
        f"median speed-up {np.median([r['speedup'] for r in rows]):.2f}×"
    )
    return lines
