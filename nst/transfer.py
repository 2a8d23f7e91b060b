"""The style-transfer run loop: optimise the pixels stage by stage, and report as it goes.

`stylize` is a generator of `Progress` events ending with one `Result`, so a UI can show the
picture and the curves live and a CLI can draw a progress bar, from the same code. It follows a
`Plan` (nst.plan) and can be cut short three ways, between any two steps:

* stop — end now and keep the last picture (at a coarse size if the run was still there);
* finish — end the coarse stages now and run a few steps at full size ("Finish now");
* a time limit — the same as finish when the time left only covers the full-size stage, and
  an end at the limit inside it: the picture always has the size asked for.

A loss that stops being finite ends the run with the last finite picture.
"""

from __future__ import annotations

import itertools
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from nst.backbones import Backbone
from nst.colour import preserve_colours
from nst.config import DEFAULT_LEARNING_RATES, ConfigError, StyleConfig
from nst.cost import CostModel, cost_model, recalibrate
from nst.images import resize, to_uint8
from nst.losses import content_loss, style_layer_loss
from nst.memory import check_run
from nst.objective import get_objective
from nst.optimizers import make_optimizer
from nst.plan import FINISH_STEPS, Plan, fine_stage_factor, make_plan
from nst.tf_runtime import tf

TERMS = ("total", "content", "style", "tv")


@dataclass
class Progress:
    """One optimisation step. Loss values are contributions to the total (α·L_c, β·L_s, …)."""

    step: int  # 1-based, over all stages
    total_steps: int  # of the plan as it stands (a finish or time limit may shorten it)
    scale_index: int
    n_scales: int
    size: tuple[int, int]
    losses: dict[str, float]
    style_layers: dict[str, float]
    elapsed: float
    image: np.ndarray | None = None  # uint8 (H, W, 3), every `preview_every` steps
    seconds_left: float | None = None  # predicted from this machine's costs, corrected by the pace so far
    done: float = 0.0  # share of the predicted work done
    plan: Plan | None = None


@dataclass
class Result:
    image: np.ndarray  # uint8 (H, W, 3)
    status: str  # "finished", "stopped", "time_limit", "diverged"
    message: str
    steps: int
    elapsed: float
    history: list[dict[str, float]] = field(default_factory=list)
    plan: Plan | None = None
    warning: str | None = None  # the picture is clearly broken although the run ended normally

    @property
    def ok(self) -> bool:
        return self.status != "diverged"


# A run whose final loss is this many times its first has gone the wrong way, whatever it looks like.
WORSE_THAN_START = 2.0


def broken_result(history: Sequence[dict[str, float]], config: StyleConfig) -> str | None:
    """One sentence when a run ended far above where it started: the optimiser overshot (SGD or Adam
    at a large learning rate inside the allowed range paint magenta/green noise), with what to change."""
    if len(history) < 2 or not history[0]["total"] > 0:
        return None
    ratio = history[-1]["total"] / history[0]["total"]
    if ratio < WORSE_THAN_START:
        return None
    fix = (
        f"lower the Learning rate (the default for this optimiser is {DEFAULT_LEARNING_RATES[config.optimizer]:g}) "
        "or use L-BFGS"
        if config.optimizer != "lbfgs"
        else "lower the Learning rate or the weights, or start from the content"
    )
    return (
        f"The picture is likely broken: the loss ended {ratio:.0f}× higher than it started, so the steps "
        f"overshot instead of improving it. To fix it, {fix}."
    )


def relative_weights(
    config: StyleConfig, content_target, style_targets, fine: bool = False
) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    """α, w_l and tv as the objective uses them, each term divided by its value for a black image;
    `fine`: the full-size stage after coarse ones, whose w_l carry nst.plan.fine_stage_factor.

    α·L_c/L_c(0) = α·Σ(F − P)²/ΣP² and w_l·E_l/E_l(0) = w_l·Σ(G − A)²/ΣA² are relative squared
    errors, so the same α and β give the same balance for every photo, painting and size (a
    high-contrast painting's raw E_l is orders of magnitude larger than a soft one's, and deep
    layers' than shallow ones'). TV is taken on pixels in [0, 1].
    """
    zero_c = tf.zeros_like(content_target)
    content_ref = float(content_loss(zero_c, content_target, normalise=True))
    alpha = config.content_weight / content_ref if content_ref > 0 else config.content_weight
    weights = []
    for (name, w), target in zip(config.style_layers.items(), style_targets, strict=True):
        w = float(w) * (fine_stage_factor(name) if fine else 1.0)
        ref = float(style_layer_loss(tf.zeros_like(target), target, target.shape[0], 1))
        weights.append(w / ref if ref > 0 else w)
    return (
        tf.constant(alpha, tf.float32),
        tf.constant(weights, tf.float32),
        tf.constant(config.tv_weight / 255.0, tf.float32),
    )


def initial_image(content: np.ndarray, config: StyleConfig) -> np.ndarray:
    """Start from the content, white noise, or a mix; noise is drawn from `config.seed`."""
    if config.init == "content":
        return content.astype(np.float32)
    rng = np.random.default_rng(config.seed)
    noise = rng.uniform(0.0, 255.0, size=content.shape).astype(np.float32)
    if config.init == "noise":
        return noise
    r = config.noise_ratio
    return ((1 - r) * content + r * noise).astype(np.float32)


def plan_run(
    config: StyleConfig,
    content_shape: Sequence[int],
    style_shapes: Sequence[Sequence[int]],
    backbone: Backbone,
    cost: CostModel | None = None,
    slots: int = 1,
) -> Plan:
    """The plan `stylize` will follow (ConfigError when it cannot run: too thin, too slow for the
    time limit, too large for its share of the free memory when `slots` runs compute at once)."""
    cost = cost or cost_model(backbone)
    plan = make_plan(config, content_shape, backbone.spec.min_side, cost, n_styles=len(style_shapes))
    if backbone.device.kind == "CPU":  # refused before it allocates anything; GPU memory is not RSS
        check_run(plan, style_shapes, backbone.spec.min_side, cost, slots)
    return plan


def run_objective(config: StyleConfig, backbone: Backbone, cost: CostModel):
    """The objective a run of `config` optimises, with the way of computing ∂L/∂x that the cost
    model found faster on this machine (nst.conv_net)."""
    return get_objective(backbone, config.content_layer, tuple(config.style_layers), cost.input_gradient)


class _Clock:
    """Time left from the plan's predicted step costs, scaled by how the run keeps pace with them."""

    def __init__(self, plan: Plan, cost: CostModel, n_styles: int):
        self.cost, self.n_styles = cost, n_styles
        self.replan(plan)

    def replan(self, plan: Plan) -> None:
        self.after = list(itertools.accumulate(plan.step_seconds(self.cost)))  # predicted time after each step
        self.setup = plan.setup_seconds(self.cost, self.n_styles) / len(plan.stages)  # targets, per stage
        self.total = (self.after[-1] if self.after else 0.0) + self.setup * len(plan.stages)

    def predicted(self, step: int, stage_index: int) -> float:
        """Predicted seconds from the start to the end of the 1-based `step` (targets included)."""
        return self.after[min(step, len(self.after)) - 1] + self.setup * (stage_index + 1) if step else 0.0

    def left(self, step: int, stage_index: int, elapsed: float) -> tuple[float, float]:
        """(seconds left, share done) after the 1-based `step`."""
        done = self.predicted(step, stage_index)
        pace = min(3.0, max(1 / 3, elapsed / done)) if done > 0 and step >= 2 else 1.0
        remaining = (self.total - done) * pace
        return max(0.0, remaining), min(1.0, done / self.total) if self.total > 0 else 0.0


def stylize(
    content: np.ndarray,
    styles: Sequence[np.ndarray],
    config: StyleConfig,
    backbone: Backbone,
    stop: threading.Event | None = None,
    finish: threading.Event | None = None,
    cost: CostModel | None = None,
    plan: Plan | None = None,
) -> Iterator[Progress | Result]:
    """Run style transfer; yields Progress per step and finally a Result. `plan` replaces the one the
    config would make (the bench runs earlier recipes this way)."""
    config.validate(n_styles=len(styles))
    if config.backbone != backbone.spec.name:
        raise ConfigError(f"the config asks for {config.backbone} but {backbone.spec.name} is loaded.")
    start = time.perf_counter()
    cost = cost or cost_model(backbone)
    plan = plan or plan_run(config, content.shape, [s.shape for s in styles], backbone, cost)
    objective = run_objective(config, backbone, cost)
    blend = config.style_blend or (1.0,) * len(styles)
    beta = tf.constant(float(config.style_weight), tf.float32)
    layer_names = list(config.style_layers)
    clock = _Clock(plan, cost, len(styles))
    limit = config.time_limit

    history: list[dict[str, float]] = []
    step = 0
    x = None
    last_good = None
    best = (np.inf, None)
    target_content = content

    def finish_image(pixels, target: np.ndarray) -> np.ndarray:
        """uint8 picture from a (1, H, W, 3) tensor or an (H, W, 3) array, colours kept if asked."""
        out = to_uint8(pixels[0].numpy() if tf.is_tensor(pixels) else pixels)
        return preserve_colours(out, target) if config.preserve_colours else out

    def result(status: str, message: str, pixels, target: np.ndarray) -> Result:
        elapsed = time.perf_counter() - start
        if status in ("finished", "time_limit"):  # a whole run's pace: the cost model learns from it
            recalibrate(cost, clock.predicted(step, len(plan.stages) - 1), elapsed)
        return Result(
            finish_image(pixels, target),
            status,
            message,
            step,
            elapsed,
            history,
            plan,
            broken_result(history, config) if status != "diverged" else None,
        )

    def final_stage_seconds() -> float:
        return plan.final.steps * plan.step_cost(cost, plan.final)

    stage_index = 0
    while stage_index < len(plan.stages):
        stage = plan.stages[stage_index]
        is_final = stage_index == len(plan.stages) - 1
        size = stage.size
        target_content = resize(content, size).astype(np.float32)
        content_target = objective.content_target(target_content)
        style_targets = objective.style_targets(styles, blend, stage.style_side)
        fine = config.fine_stage and is_final and len(plan.stages) > 1
        alpha, layer_weights, tvw = relative_weights(config, content_target, style_targets, fine)
        if x is None:
            x = tf.constant(initial_image(target_content, config)[None])
        else:
            x = tf.clip_by_value(tf.image.resize(x, size, method="bicubic"), 0.0, 255.0)
        optimizer = make_optimizer(config)
        best = (np.inf, None)
        i = 0
        while i < stage.steps:
            if stop is not None and stop.is_set():
                coarse = "" if is_final else f" (the picture is at the coarse size, {size[1]}×{size[0]})"
                yield result(
                    "stopped",
                    f"Stopped after {step} steps{coarse}.",
                    last_good if last_good is not None else x,
                    target_content,
                )
                return
            if not is_final:
                asked = finish is not None and finish.is_set()
                late = limit is not None and time.perf_counter() - start + final_stage_seconds() >= limit
                if (asked or late) and i > 0:
                    plan = plan.cut_short(stage_index, i, FINISH_STEPS if asked else None)
                    clock.replan(plan)
                    break
            step_started = time.perf_counter()
            terms, per_layer, grad = objective.loss_and_grad(
                x, content_target, style_targets, layer_weights, alpha, beta, tvw
            )
            terms = terms.numpy()
            step += 1
            i += 1
            if not np.all(np.isfinite(terms)):
                message = (
                    f"The loss became {'NaN' if np.isnan(terms).any() else 'infinite'} at step {step} (the weights "
                    "or the learning rate are too large), so the last finite image is kept."
                )
                fallback = last_good if last_good is not None else target_content
                yield result("diverged", message, fallback, target_content)
                return
            last_good = x  # tensors are immutable: keeping a reference costs no copy
            losses = dict(zip(TERMS, map(float, terms), strict=True))
            if losses["total"] < best[0]:
                best = (losses["total"], x)
            history.append(losses)
            elapsed = time.perf_counter() - start
            last_of_stage = i == stage.steps
            show = step == 1 or step % config.preview_every == 0 or last_of_stage
            seconds_left, done = clock.left(step, stage_index, elapsed)
            yield Progress(
                step=step,
                total_steps=plan.total_steps,
                scale_index=stage_index,
                n_scales=len(plan.stages),
                size=size,
                losses=losses,
                style_layers=dict(zip(layer_names, map(float, per_layer.numpy()), strict=True)),
                elapsed=elapsed,
                image=finish_image(x, target_content) if show else None,
                seconds_left=seconds_left,
                done=done,
                plan=plan,
            )
            step_took = time.perf_counter() - step_started
            if is_final and limit is not None and time.perf_counter() - start + step_took > limit:
                # the next step would end past the limit: stop here, at the full size
                yield result(
                    "time_limit",
                    f"Time limit of {limit:g} s reached after {step} steps.",
                    best[1],
                    target_content,
                )
                return
            x = tf.clip_by_value(optimizer.step(x, losses["total"], grad), 0.0, 255.0)
        stage_index += 1
    # The last evaluated image is returned, not the one after a final update nobody scored.
    within = f" in {time.perf_counter() - start:.0f} s, within the {limit:g} s limit" if limit is not None else ""
    yield result("finished", f"Finished {step} steps{within}.", last_good, target_content)


def run(
    content: np.ndarray,
    styles: Sequence[np.ndarray],
    config: StyleConfig,
    backbone: Backbone,
    stop: threading.Event | None = None,
    on_progress=None,
    cost: CostModel | None = None,
    plan: Plan | None = None,
) -> Result:
    """Run to the end and return the Result (for scripts, the CLI and tests)."""
    for event in stylize(content, styles, config, backbone, stop, cost=cost, plan=plan):
        if isinstance(event, Result):
            return event
        if on_progress is not None:
            on_progress(event)
    raise RuntimeError("stylize ended without a result")  # pragma: no cover


_warmed: weakref.WeakSet = weakref.WeakSet()  # backbones whose traces exist in this process
_warm_lock = threading.Lock()


def warm_up(backbone: Backbone) -> None:
    """Trace the default objective (with the input gradient this machine's cost model chose) and
    the L-BFGS update once per backbone, on a tiny image (every size shares these traces). The app
    does it at model load and the CLI before it shows its estimate: the first trace took 1.4 s, which
    no plan counts (a Quick run took 1.8× its estimate with native bf16). Later calls return at once."""
    with _warm_lock:
        if backbone in _warmed:
            return
        _warm(backbone, cost_model(backbone))  # measured already where the app and the CLI call this
        _warmed.add(backbone)


def _warm(backbone: Backbone, cost: CostModel) -> None:
    # Until 2026-11-25 this traced TensorFlow's input gradient (the static bound's) where runs use the
    # flipped kernels, and on a grey image, whose L-BFGS steps made no curvature pair, so the two-loop
    # recursion was never traced: the Studio's first Quick run then traced both (0.6 s of samples in
    # py-spy) and took 4.6 s against 2.7 s for the next. Noise makes curvature pairs.
    side = max(32, backbone.spec.min_side)
    rng = np.random.default_rng(0)
    content, style = (rng.integers(0, 256, (side, side, 3), dtype=np.uint8) for _ in range(2))
    spec = backbone.spec
    cfg = StyleConfig(
        backbone=spec.name,
        max_side=side,
        steps_per_epoch=3,
        scales=(1.0,),
        content_layer=spec.content_layer,
        style_layers=dict.fromkeys(spec.style_layers, 1.0),
    )
    run(content, [style], cfg, backbone, cost=cost)
