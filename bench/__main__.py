"""`make bench` / `python -m bench`: speed, time-to-quality, memory and app latency.

Everything is measured side by side in one run on the shared sample images (Tübingen ×
The Starry Night), so ratios are meaningful on a noisy machine: medians of several steps,
each configuration interleaved with the others. Prints a table, writes JSON and images to
bench/results/. `--quick` runs every section at tiny sizes (what the tests check).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SHARED = Path(os.environ.get("NST_SHARED_DATA", ROOT.parent / "shared" / "data"))


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def machine() -> dict:
    from nst.device import detect_device, resolve_precision
    from nst.tf_runtime import tf

    dev = detect_device()
    return {
        "date": dt.date.today().isoformat(),
        "cpu": dev.name,
        "cores": dev.cores,
        "device": dev.kind,
        "bf16_native": dev.bf16_native,
        "auto_precision": resolve_precision("auto", dev),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "tensorflow": tf.__version__,
        "python": platform.python_version(),
    }


def load_pair(content_name: str, style_name: str):
    from nst.images import load_image

    return load_image(SHARED / "content" / content_name), load_image(SHARED / "styles" / style_name)


# ----------------------------------------------------------------------------- 1. per step
def step_times(content, style, sizes: list[int], steps: int, weights: str) -> list[dict]:
    """Median seconds per step, engine vs tutorial, fp32 vs bf16, interleaved per size."""
    from bench.tutorial import StyleContentModel, TutorialRun, load_img
    from nst.backbones import load_backbone
    from nst.config import StyleConfig
    from nst.transfer import Progress, stylize

    rows = []
    precisions = ["float32", "bfloat16"]
    engines = {p: load_backbone(precision=p) for p in precisions}
    tutorials = {p: StyleContentModel(weights, "float32" if p == "float32" else "mixed_bfloat16") for p in precisions}
    for size in sizes:
        for precision in precisions:
            cfg = StyleConfig(
                max_side=size, steps_per_epoch=steps + 2, scales=(1.0,), precision=precision, preview_every=10_000
            )
            stamps = [e.elapsed for e in stylize(content, [style], cfg, engines[precision]) if isinstance(e, Progress)]
            ours = statistics.median(np.diff(stamps[1:]))  # drop the first (target computation)
            run = TutorialRun(tutorials[precision], load_img(content, size), load_img(style, size))
            run.step()  # trace
            times = []
            for _ in range(steps):
                t0 = time.perf_counter()
                run.step()
                times.append(time.perf_counter() - t0)
            theirs = statistics.median(times)
            rows.append({"size": size, "precision": precision, "engine_s": ours, "tutorial_s": theirs})
            log(f"  step {size}px {precision}: engine {ours:.3f}s  tutorial {theirs:.3f}s")
    return rows


def xla_step(content, style, size: int, repeats: int) -> list[dict]:
    """The traced loss-and-gradient with and without XLA (jit_compile), same inputs, interleaved."""
    from nst.backbones import load_backbone
    from nst.images import fitted_size, resize
    from nst.objective import get_objective
    from nst.tf_runtime import tf

    rows = []
    for precision in ("float32", "bfloat16"):
        backbone = load_backbone(precision=precision)
        objective = get_objective(backbone, backbone.spec.content_layer, backbone.spec.style_layers)
        pixels = resize(content, fitted_size(content.shape[0], content.shape[1], size)).astype(np.float32)
        one = tf.constant(1.0)
        args = (
            tf.constant(pixels[None]),
            objective.content_target(pixels),
            objective.style_targets([style], [1.0], size),
            tf.ones([len(objective.style_layers)]),
            one,
            one,
            one,
        )
        jitted = tf.function(objective._loss_and_grad, jit_compile=True)
        try:
            jitted(*args)[0].numpy()
        except Exception as exc:  # XLA may not support an op on this build
            rows.append({"size": size, "precision": precision, "error": f"{type(exc).__name__}"})
            continue
        times = {"graph": [], "xla": []}
        for _ in range(repeats):
            for name, fn in (("graph", objective.loss_and_grad), ("xla", jitted)):
                t0 = time.perf_counter()
                fn(*args)[0].numpy()
                times[name].append(time.perf_counter() - t0)
        rows.append(
            {
                "size": size,
                "precision": precision,
                "graph_s": statistics.median(times["graph"]),
                "xla_s": statistics.median(times["xla"]),
            }
        )
        log(f"  xla {size}px {precision}: graph {rows[-1]['graph_s']:.3f}s  xla {rows[-1]['xla_s']:.3f}s")
    return rows


# ----------------------------------------------------------------------------- 2. time to quality
def tutorial_trace(
    content, style, size: int, seconds: float, weights: str, every: float, steps: int | None = None
) -> list[tuple[float, int, np.ndarray]]:
    """Snapshots (elapsed, step, image) of the tutorial's loop for `seconds` (or `steps`), fp32."""
    from bench.tutorial import StyleContentModel, TutorialRun, load_img

    run = TutorialRun(StyleContentModel(weights), load_img(content, size), load_img(style, size))
    run.step()  # trace; not counted, as for our engine (warmed up when the app loads)
    run = TutorialRun(run.extractor, load_img(content, size), load_img(style, size))
    snaps, elapsed, next_snap, step = [], 0.0, 0.0, 0
    while (elapsed < seconds) if steps is None else (step < steps):
        t0 = time.perf_counter()
        run.step()
        elapsed += time.perf_counter() - t0
        step += 1
        if elapsed >= next_snap:
            snaps.append((elapsed, step, run.pixels()))
            next_snap += every
    snaps.append((elapsed, step, run.pixels()))
    return snaps


def engine_trace(content, style, cfg, backbone) -> tuple[list[tuple[float, np.ndarray]], float]:
    """Snapshots (elapsed, image) at every preview of one of our runs, and its total time."""
    from nst.transfer import Result, stylize

    snaps, total = [], 0.0
    for event in stylize(content, [style], cfg, backbone):
        if isinstance(event, Result):
            total = event.elapsed
            snaps.append((event.elapsed, event.image))
        elif event.image is not None:
            snaps.append((event.elapsed, event.image))
    return snaps, total


def first_reaching(scored: list[tuple[float, float, float]], target: tuple[float, float]) -> int | None:
    """Index of the first snapshot at or below both the style and the content error of `target`."""
    for i, (_, s, c) in enumerate(scored):
        if s <= target[0] and c <= target[1]:
            return i
    return None


def warm_up(cfg) -> None:
    """Trace the objective for this layer choice, as the app does when it loads the model."""
    from nst.backbones import load_backbone
    from nst.transfer import run

    tiny = np.full((48, 64, 3), 128, np.uint8)
    run(
        tiny,
        [tiny],
        cfg.replace(max_side=64, steps_per_epoch=2, epochs=1, time_limit=None),
        load_backbone(precision=cfg.precision),
    )


def time_to_quality(
    content, style, size: int, tutorial_seconds: float, presets: dict, weights: str, tag: str, full_recipe: bool = False
) -> dict:
    """Our runs against the tutorial's loop, judged on one grid (see bench/judge.py).

    Checkpoints: the tutorial after `tutorial_seconds`, and with `full_recipe` after its own
    1000 steps. For each run: when it first reaches each checkpoint's quality (both errors at or
    below), and where it ends.
    """
    from bench.judge import Judge
    from nst.backbones import load_backbone
    from nst.images import encode_png, fitted_size, resize

    judge = Judge(load_backbone(precision="float32"), content, style, size)
    grid = fitted_size(content.shape[0], content.shape[1], size)
    log(f"  tutorial loop at {size}px for {'1000 steps' if full_recipe else f'{tutorial_seconds:.0f}s'} …")
    tut = tutorial_trace(
        content,
        style,
        size,
        tutorial_seconds,
        weights,
        every=max(1.0, tutorial_seconds / 30),
        steps=1000 if full_recipe else None,
    )
    tut_scored = [(t, *judge(img)) for t, _, img in tut]
    at_budget = max((i for i, (t, _, _) in enumerate(tut) if t <= tutorial_seconds * 1.02), default=len(tut) - 1)
    checkpoints = {f"tutorial {tut[at_budget][0]:.0f} s ({tut[at_budget][1]} steps)": at_budget}
    if full_recipe:
        checkpoints[f"tutorial 1000 steps ({tut[-1][0]:.0f} s)"] = len(tut) - 1
    out = {
        "size": size,
        "calibration": {"photo": judge(content), "painting": judge(resize(style, grid))},
        "checkpoints": {
            name: {
                "seconds": tut[i][0],
                "steps": tut[i][1],
                "style_error": tut_scored[i][1],
                "content_error": tut_scored[i][2],
            }
            for name, i in checkpoints.items()
        },
        "runs": {},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    images = {name: tut[i][2] for name, i in checkpoints.items()}
    for name, i in checkpoints.items():
        (RESULTS / f"{tag}_{name.split(' (')[0].replace(' ', '_')}.png").write_bytes(encode_png(tut[i][2]))
    for name, cfg in presets.items():
        warm_up(cfg)
        snaps, total = engine_trace(content, style, cfg, load_backbone(precision=cfg.precision))
        scored = [(t, *judge(img)) for t, img in snaps]
        final = scored[-1]
        row = {
            "max_side": cfg.max_side,
            "precision": load_backbone(precision=cfg.precision).precision,
            "scales": list(cfg.scales),
            "optimizer": cfg.optimizer,
            "total_s": total,
            "final_style_error": final[1],
            "final_content_error": final[2],
            "reach": {},
        }
        for cp_name, cp in out["checkpoints"].items():
            hit = first_reaching(scored, (cp["style_error"], cp["content_error"]))
            row["reach"][cp_name] = (
                None
                if hit is None
                else {"seconds": scored[hit][0], "speedup": cp["seconds"] / scored[hit][0] if scored[hit][0] else None}
            )
            if hit is not None and cp_name == next(iter(out["checkpoints"])) and name == "balanced":
                images[f"balanced when it reached ({scored[hit][0]:.1f} s)"] = snaps[hit][1]
        out["runs"][name] = row
        images[f"{name} final ({total:.0f} s)"] = snaps[-1][1]
        (RESULTS / f"{tag}_{name}.png").write_bytes(encode_png(snaps[-1][1]))
        reached = ", ".join(
            f"{k}: " + ("never" if v is None else f"{v['seconds']:.1f}s") for k, v in row["reach"].items()
        )
        log(f"  {name}: total {total:.1f}s, final S {final[1]:.3f} C {final[2]:.3f}; reach {reached}")
    out["tutorial_curve"] = [{"t": t, "style_error": s, "content_error": c} for t, s, c in tut_scored]
    _contact_sheet(images, RESULTS / f"{tag}_sheet.jpg")
    return out


def scales_at_equal_time(content, style, size: int, steps: list[tuple[str, int, tuple]]) -> list[dict]:
    """Coarse-to-fine against one scale at about the same wall time: final S and C on one grid."""
    from bench.judge import Judge
    from nst.backbones import load_backbone
    from nst.config import preset
    from nst.transfer import run

    judge = Judge(load_backbone(precision="float32"), content, style, size)
    backbone = load_backbone()
    base = preset("balanced", max_side=size)
    run(content, [style], base.replace(steps_per_epoch=4), backbone)  # traces and style targets
    rows = []
    for label, n, scales in steps:
        t0 = time.perf_counter()
        result = run(content, [style], base.replace(steps_per_epoch=n, scales=scales), backbone)
        seconds = time.perf_counter() - t0
        s_err, c_err = judge(result.image)
        rows.append({"run": label, "steps": n, "scales": list(scales), "seconds": seconds, "S": s_err, "C": c_err})
        log(f"  {label}: {seconds:.1f}s S {s_err:.3f} C {c_err:.3f}")
    return rows


def _contact_sheet(images: dict[str, np.ndarray], path: Path) -> None:
    from PIL import Image, ImageDraw

    from nst.images import fitted_size, resize

    tiles = [(name, resize(img, fitted_size(img.shape[0], img.shape[1], 384))) for name, img in images.items()]
    h = max(t.shape[0] for _, t in tiles)
    w = sum(t.shape[1] for _, t in tiles) + 8 * (len(tiles) - 1)
    sheet = Image.new("RGB", (w, h + 24), "white")
    x = 0
    draw = ImageDraw.Draw(sheet)
    for name, tile in tiles:
        sheet.paste(Image.fromarray(tile), (x, 24))
        draw.text((x + 4, 4), name, fill="black")
        x += tile.shape[1] + 8
    sheet.save(path, quality=88)


# ----------------------------------------------------------------------------- 3. memory
def memory(sizes: list[int]) -> list[dict]:
    rows = []
    for size in sizes:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.probe", "memory", str(size)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if proc.returncode != 0:
            rows.append({"size": size, "ok": False, "error": proc.stderr.strip().splitlines()[-1:]})
        else:
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        log(f"  memory {size}px: {rows[-1]}")
    return rows


def memory_growth(runs: int, sizes: list[int]) -> dict:
    """RSS after each of `runs` consecutive runs of different sizes in this process."""
    from nst.backbones import load_backbone
    from nst.config import StyleConfig
    from nst.memory import process_rss
    from nst.transfer import run

    def rss_mb() -> float:
        rss = process_rss()
        return rss / 2**20 if rss is not None else float("nan")

    backbone = load_backbone()
    content, style = load_pair("golden_gate.jpg", "great_wave.jpg")
    series = []
    for i in range(runs):
        size = sizes[i % len(sizes)]
        run(content, [style], StyleConfig(max_side=size, steps_per_epoch=4, scales=(0.5, 1.0)), backbone)
        series.append(rss_mb())
    third = max(1, runs // 3)
    return {"runs": runs, "sizes": sizes, "rss_mb": series, "growth_last_two_thirds_mb": series[-1] - series[third - 1]}


# ----------------------------------------------------------------------------- 4. app latency
def app_latency(content, style) -> dict:
    from nst.backbones import load_backbone
    from nst.config import preset
    from nst.jobs import Job, RunQueue, RunSpec

    proc = subprocess.run(
        [sys.executable, "-m", "bench.probe", "load"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    cold = json.loads(proc.stdout.strip().splitlines()[-1])
    backbone = load_backbone()
    cfg = preset("balanced", preview_every=5)
    job = Job([RunSpec(content, [style], cfg)], backbone)
    t0 = time.perf_counter()
    RunQueue().submit(job)
    first_image = first_changed = None
    while not job.done:
        view = job.view()
        now = time.perf_counter() - t0
        if view.image is not None and first_image is None:
            first_image = now
        if view.image is not None and view.step >= 5 and first_changed is None:
            first_changed = now
            job.stop()
        time.sleep(0.01)
    return {
        "model_load_cold_s": cold["import_s"] + cold["load_s"] + cold["warm_up_s"],
        **cold,
        "first_preview_s": first_image,
        "first_painted_preview_s": first_changed,
    }


# ----------------------------------------------------------------------------- report
def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    line = lambda r: "| " + " | ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def report(res: dict) -> str:
    out = [
        f"Machine: {res['machine']['cpu']}, {res['machine']['cores']} cores, {res['machine']['memory_gb']} GB, "
        f"TF {res['machine']['tensorflow']}, auto precision {res['machine']['auto_precision']}; "
        f"{res['machine']['date']}",
        "",
    ]
    if "steps" in res:
        rows = [
            [
                f"{r['size']} px",
                r["precision"],
                f"{r['engine_s']:.3f}",
                f"{r['tutorial_s']:.3f}",
            ]
            for r in res["steps"]
        ]
        fp32 = {r["size"]: r["tutorial_s"] for r in res["steps"] if r["precision"] == "float32"}
        for row, r in zip(rows, res["steps"], strict=True):
            row.append(f"{fp32[r['size']] / r['engine_s']:.2f}×")
        out += [
            "Seconds per step (median)",
            table(rows, ["size", "precision", "engine", "tutorial", "tutorial fp32 / engine"]),
            "",
        ]
    if res.get("xla"):
        rows = [
            [
                f"{r['size']} px",
                r["precision"],
                *(
                    (f"{r['graph_s']:.3f}", f"{r['xla_s']:.3f}", f"{r['graph_s'] / r['xla_s']:.2f}×")
                    if "graph_s" in r
                    else (r["error"], "", "")
                ),
            ]
            for r in res["xla"]
        ]
        out += [
            "Loss and gradient with XLA (jit_compile) — kept only if it pays",
            table(rows, ["size", "precision", "graph s", "XLA s", "graph / XLA"]),
            "",
        ]
    for q in res.get("quality", []):
        cal = q["calibration"]
        cps = list(q["checkpoints"])
        rows = [
            ["the photo itself", "", "", "", f"{cal['photo'][0]:.3f}", f"{cal['photo'][1]:.3f}"],
            ["the painting itself", "", "", "", f"{cal['painting'][0]:.3f}", f"{cal['painting'][1]:.3f}"],
        ]
        for name, cp in q["checkpoints"].items():
            rows.append(
                [
                    name + " (fp32)",
                    f"{q['size']}",
                    f"{cp['seconds']:.0f}",
                    "",
                    f"{cp['style_error']:.3f}",
                    f"{cp['content_error']:.3f}",
                ]
            )
        for name, r in q["runs"].items():
            reach = "; ".join(
                "never" if v is None else f"{v['seconds']:.1f} s ({v['speedup']:.0f}×)" for v in r["reach"].values()
            )
            label = f"{name} ({r['precision']}, {r['optimizer']}, scales {r['scales']})"
            finals = [f"{r['final_style_error']:.3f}", f"{r['final_content_error']:.3f}"]
            rows.append([label, str(r["max_side"]), f"{r['total_s']:.1f}", reach, *finals])
        out += [
            f"Quality on the {q['size']}-px grid (S = style error, C = content error; lower is better); "
            f"'reaches' = first time both are at or below: {' / '.join(cps)}",
            table(rows, ["run", "px", "total s", "reaches", "final S", "final C"]),
            "",
        ]
    if "scales" in res:
        rows = [[r["run"], f"{r['seconds']:.1f}", f"{r['S']:.3f}", f"{r['C']:.3f}"] for r in res["scales"]]
        out += [
            "Coarse-to-fine against one scale at about equal time (Balanced otherwise)",
            table(rows, ["run", "s", "S", "C"]),
            "",
        ]
    if "memory" in res:

        def gb(r: dict, key: str) -> str:
            return f"{r[key]:.2f}" if r.get("ok") and r.get(key) is not None else "–"

        rows = [
            [
                f"{r['size']} px",
                gb(r, "peak_rss_gb"),
                gb(r, "loaded_gb"),
                gb(r, "run_peak_gb"),
                f"{r.get('seconds_for_3_steps', float('nan')):.1f}" if r.get("ok") else "failed",
            ]
            for r in res["memory"]
        ]
        out += [
            "Peak memory (RSS; one fresh process per size, 3 L-BFGS steps at one scale)",
            table(rows, ["size", "process peak GB", "after model load GB", "peak during run GB", "s for 3 steps"]),
            "",
        ]
    if "growth" in res:
        g = res["growth"]
        out += [
            f"Memory over {g['runs']} consecutive runs of sizes {g['sizes']}: RSS {g['rss_mb'][0]:.0f} MB after "
            f"the first, {g['rss_mb'][-1]:.0f} MB after the last; growth over the last two thirds "
            f"{g['growth_last_two_thirds_mb']:+.0f} MB",
            "",
        ]
    if "latency" in res:
        la = res["latency"]
        out += [
            f"App latency: model load cold {la['model_load_cold_s']:.1f} s (import {la['import_s']:.1f}, "
            f"weights {la['load_s']:.1f}, warm-up trace {la['warm_up_s']:.1f}); warm {la['warm_s'] * 1000:.2f} ms; "
            f"first preview {la['first_preview_s']:.2f} s after Run, first painted preview (step 5) "
            f"{la['first_painted_preview_s']:.2f} s",
            "",
        ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    global RESULTS
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and budgets (a smoke test)")
    parser.add_argument(
        "--sections",
        default="probe,allocator,gradients,eta,judged,guard,threads,steps,quality,scales,memory,growth,latency,reconstructions",
    )
    parser.add_argument("--tutorial-seconds", type=float, default=150.0)
    parser.add_argument(
        "--full-recipe", action="store_true", help="also run the tutorial's own 1000 steps at 384 px (≈ 15 min more)"
    )
    parser.add_argument("--out", default=str(RESULTS / "latest.json"))
    parser.add_argument("--guard", help="memory guard rows as SIZE:PRECISION,… (default: 384–1536 fp32, 384/768 bf16)")
    parser.add_argument("--guard-probes", type=int, default=1, help="fresh probes the guard rows are measured after")
    args = parser.parse_args(argv)
    RESULTS = Path(args.out).resolve().parent  # images go beside the JSON
    from nst.config import preset
    from nst.weights import ENV_WEIGHTS

    weights = os.environ.get(ENV_WEIGHTS) or str(
        SHARED / "weights" / "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
    )
    os.environ[ENV_WEIGHTS] = weights
    sections = set(args.sections.split(","))
    content, style = load_pair("tubingen.jpg", "starry_night.jpg")
    res: dict = {"machine": machine(), "quick": args.quick}
    log(f"bench on {res['machine']['cpu']} ({res['machine']['cores']} cores)")
    if "steps" in sections:
        res["xla"] = xla_step(content, style, 96 if args.quick else 384, 2 if args.quick else 5)
        res["steps"] = step_times(
            content, style, [64, 96] if args.quick else [256, 384, 512], 2 if args.quick else 6, weights
        )
    if "quality" in sections:
        if args.quick:
            runs = {"balanced": preset("balanced", max_side=64, steps_per_epoch=6)}
            res["quality"] = [time_to_quality(content, style, 64, 3.0, runs, weights, "quick")]
        else:
            balanced = preset("balanced")
            runs_384 = {
                "quick": preset("quick"),
                "balanced": balanced,
                "balanced, float32": balanced.replace(precision="float32"),
                "balanced, one scale": balanced.replace(scales=(1.0,)),
                "balanced, Adam": balanced.replace(optimizer="adam", learning_rate=5.0),
            }
            res["quality"] = [
                time_to_quality(
                    content, style, 384, args.tutorial_seconds, runs_384, weights, "q384", full_recipe=args.full_recipe
                ),
                time_to_quality(content, style, 512, args.tutorial_seconds, {"high": preset("high")}, weights, "q512"),
            ]
    if "scales" in sections:
        plan = (
            [("½ → 1", 6, (0.5, 1.0)), ("one scale", 3, (1.0,))]
            if args.quick
            else [
                ("½ → 1, 120 steps", 120, (0.5, 1.0)),
                ("one scale, 60 steps", 60, (1.0,)),
                ("½ → 1, 90 steps", 90, (0.5, 1.0)),
                ("one scale, 40 steps", 40, (1.0,)),
            ]
        )
        res["scales"] = scales_at_equal_time(content, style, 64 if args.quick else 384, plan)
    from bench import planning

    precisions = ["float32", "bfloat16"]
    if "probe" in sections:
        res["probe"] = planning.probe_cost(["float32"] if args.quick else precisions)
    if "eta" in sections:
        if args.quick:
            runs = {"quick": preset("quick", max_side=64, steps_per_epoch=6)}
        else:
            runs = {name: preset(name) for name in ("quick", "balanced", "high")}
            runs["balanced within 30 s"] = preset("balanced", time_limit=30.0)
            runs["high within 30 s"] = preset("high", time_limit=30.0)
            runs.update(planning.budget_runs(content, style))
        res["eta"] = planning.eta(content, style, runs)
    if "guard" in sections and args.guard:
        cases = [(int(a), b) for a, b in (c.split(":") for c in args.guard.split(","))]
        res["guard"] = planning.guard(cases, args.guard_probes)
    elif "guard" in sections:
        cases = (
            [(128, "float32")]
            if args.quick
            else [(s, "float32") for s in (384, 768, 1024, 1536)] + [(s, "bfloat16") for s in (384, 768)]
        )
        res["guard"] = planning.guard(cases, args.guard_probes)
    if "judged" in sections and not args.quick:
        res["judged"] = planning.judged(content, style, RESULTS)
    if "threads" in sections:
        res["threads"] = planning.threads(96 if args.quick else 384, [1, 2])
    if "allocator" in sections:
        cases = (
            [(96, "flipped", "float32")]
            if args.quick
            else [(384, w, "float32") for w in ("flipped", "autodiff")] + [(768, "flipped", "float32")]
        )
        res["allocators"] = planning.allocators(cases, 1 if args.quick else 3)
    if "gradients" in sections:
        cases = (
            [(96, "float32")] if args.quick else [(s, "float32") for s in (192, 384, 512, 768)] + [(384, "bfloat16")]
        )
        res["input_gradients"] = planning.input_gradients(cases)
    if "memory" in sections:
        res["memory"] = memory([64] if args.quick else [256, 512, 1024, 1536, 2048])
    if "growth" in sections:
        res["growth"] = memory_growth(4 if args.quick else 30, [48, 64] if args.quick else [96, 128, 192, 256, 320])
    if "latency" in sections:
        res["latency"] = app_latency(content, style)
    from bench import reconstructions

    if "reconstructions" in sections:
        res["reconstructions"] = reconstructions.reconstructions(content, style, RESULTS, quick=args.quick)
    text = "\n".join(
        [report(res), *planning.report(res, table), *reconstructions.report(res.get("reconstructions", []))]
    )
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**res, "report": text}, indent=2, default=float))
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
