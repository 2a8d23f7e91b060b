"""The stage plan of a run: which sizes, how many steps each, which painting size and layers.

A run optimises coarse to fine: a few cheap stages at a fraction of the size, then the full size.
`Plan` is that schedule as data (pystiche calls a stage a pyramid level). It is built once per run
from the config, the content's shape and, when there is a time budget, this machine's measured
costs (`nst.cost.CostModel`); the run loop, progress and time left, the memory guard and the
Studio's summary all read the same plan.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from nst.config import ConfigError, StyleConfig
from nst.images import fitted_size

if TYPE_CHECKING:
    from nst.cost import CostModel

# With a time budget the full-size stage gets at least this many steps (fewer barely changes the
# upsampled coarse picture), and each coarse stage at least this many (fewer is not worth its
# targets' forward pass).
MIN_FINAL_STEPS = 8
MIN_COARSE_STEPS = 4
# "Finish now": the steps the full-size stage gets when a user ends the coarse stages early.
FINISH_STEPS = 8
# The full size's share of a run's steps (split_steps).
FINAL_SHARE = 0.4
# Style-layer factors by VGG block in the full-size stage after coarse ones (StyleConfig.fine_stage):
# the coarse stages matched the deep layers' large structures; at full size the shallow layers'
# brushwork is what is still missing. Measured (bench `judged`, Tübingen × Starry Night, 384 px,
# float32, 30 + 20 steps): judged style and content errors 0.197 and 0.693, against 0.209 and 0.722
# with equal weights, and the sky keeps the swirls the coarse stage made.
FINE_STAGE_FACTORS = {1: 4.0, 2: 4.0, 3: 2.0, 4: 0.7, 5: 0.7}


@dataclass(frozen=True)
class Stage:
    """One level of the pyramid: the result at `size` for `steps` steps, the painting at `style_side`."""

    size: tuple[int, int]  # (h, w) of the result
    steps: int
    style_side: int  # the painting's long side before min-side enlargement (the side × style_scale)

    @property
    def side(self) -> int:
        return max(self.size)

    @property
    def pixels(self) -> int:
        return self.size[0] * self.size[1]

    @property
    def style_pixels(self) -> int:
        """Pixels of a painting at this stage, taken as square (its shape is not known to the plan)."""
        return self.style_side * self.style_side


@dataclass(frozen=True)
class Plan:
    stages: tuple[Stage, ...]
    content_layer: str
    style_layers: tuple[str, ...]
    state_bytes_per_pixel: int = 0  # what the optimiser keeps between steps (nst.optimizers)

    @property
    def total_steps(self) -> int:
        return sum(s.steps for s in self.stages)

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def stage_starts(self) -> list[int]:
        """The 1-based step at which each stage begins."""
        starts, step = [], 1
        for stage in self.stages:
            starts.append(step)
            step += stage.steps
        return starts

    def marks(self) -> tuple[tuple[int, str], ...]:
        """(step, label) where a finer stage begins, for the loss charts."""
        return tuple(
            (start, f"upsampled to {stage.side} px")
            for start, stage in list(zip(self.stage_starts(), self.stages, strict=True))[1:]
        )

    def with_steps(self, steps: Sequence[int]) -> Plan:
        """The same stages with these step counts; a stage given 0 steps is dropped."""
        stages = tuple(replace(s, steps=n) for s, n in zip(self.stages, steps, strict=True) if n > 0)
        return replace(self, stages=stages)

    def cut_short(self, stage_index: int, steps_done: int, final_steps: int | None = None) -> Plan:
        """The plan once the coarse stage `stage_index` ends after `steps_done` steps: what ran is
        kept, later coarse stages are dropped, and the full size runs `final_steps` (default: its
        own). "Finish now" and a near time limit both end here."""
        if stage_index >= len(self.stages) - 1:
            return self
        ran = (*self.stages[:stage_index], replace(self.stages[stage_index], steps=max(1, steps_done)))
        final = self.final
        return replace(self, stages=(*ran, replace(final, steps=min(final.steps, final_steps or final.steps))))

    def seconds(self, cost: CostModel, n_styles: int = 1) -> float:
        """Predicted wall time on the machine `cost` was measured on."""
        return sum(self.step_seconds(cost)) + self.setup_seconds(cost, n_styles)

    def step_cost(self, cost: CostModel, stage: Stage) -> float:
        """Predicted seconds of one step of `stage`."""
        return cost.step_seconds(stage.pixels, self.content_layer, self.style_layers)

    def step_seconds(self, cost: CostModel) -> list[float]:
        """Predicted seconds of every step, in order (for progress and time left)."""
        return [self.step_cost(cost, stage) for stage in self.stages for _ in range(stage.steps)]

    def setup_seconds(self, cost: CostModel, n_styles: int = 1) -> float:
        """Forward passes for the targets at each stage (the content and each painting), and what a
        first step at the stage's size adds."""
        return sum(
            cost.forward_seconds(stage.pixels) + n_styles * cost.forward_seconds(stage.style_pixels)
            for stage in self.stages
        ) + cost.stage_seconds * len(self.stages)

    def describe(self) -> str:
        """'96 → 192 → 384 px · 60 + 20 + 12 steps'."""
        sides = " → ".join(str(s.side) for s in self.stages)
        steps = " + ".join(str(s.steps) for s in self.stages)
        return f"{sides} px · {steps} steps"


def style_size(shape: Sequence[int], long_side: int, min_side: int) -> tuple[int, int]:
    """The painting's (h, w) for a long side, enlarged if its short side would be too small for the
    network (a 16×3000 strip still has a texture to match)."""
    size = fitted_size(shape[0], shape[1], long_side)
    if min(size) < min_side:
        size = fitted_size(shape[0], shape[1], math.ceil(min_side * max(shape[:2]) / min(shape[:2])))
    return size


def stage_sizes(config: StyleConfig, content_shape: Sequence[int], min_side: int) -> list[tuple[int, int]]:
    """(h, w) per scale; scales whose short side would fall below `min_side` are dropped, and
    ConfigError says so if none is left."""
    h, w = content_shape[:2]
    sizes: list[tuple[int, int]] = []
    for s in config.scales:
        size = fitted_size(h, w, max(1, round(config.max_side * s)))
        if min(size) >= min_side and size not in sizes:
            sizes.append(size)
    if not sizes:
        final = fitted_size(h, w, config.max_side)
        raise ConfigError(
            f"at {config.max_side} px the image would be {final[1]}×{final[0]}; its short side needs "
            f"at least {min_side} px (use a larger size or a less elongated image).",
            field="max_side",
        )
    return sizes


def split_steps(total: int, n_stages: int) -> list[int]:
    """3/5 of the steps shared by the coarse stages, 2/5 at the full size.

    A coarse step at half size costs a quarter of a full-size one; the coarse stages are where the
    painting's large shapes form (the swirls of a sky), the full size is where its brushwork is
    made. Measured on a float32 CPU (bench `judged`, see the README): 30 + 20 steps reach the
    earlier 80 + 40 recipe's judged quality in 40 s instead of 97 s, where 18 + 18 fell short."""
    if n_stages <= 1:
        return [total]
    final = max(1, round(total * FINAL_SHARE))
    base = max(1, (total - final) // (n_stages - 1))
    steps = [base] * (n_stages - 1)
    return [*steps, max(1, total - sum(steps))]


def fine_stage_factor(layer: str) -> float:
    """The factor on a style layer's weight in the full-size stage of a coarse-to-fine run (1 for a
    layer outside VGG's blockN naming)."""
    match = re.match(r"block(\d+)_", layer)
    return FINE_STAGE_FACTORS.get(int(match.group(1)), 1.0) if match else 1.0


def state_bytes_per_pixel(config: StyleConfig) -> int:
    """Bytes per result pixel the optimiser (nst.optimizers) keeps between steps, on top of the
    image and its gradient (float32 RGB: 12 bytes a tensor): L-BFGS keeps up to `history` pairs
    (s, y) — one fewer than the steps run — plus the last image and gradient, and stacks the
    pairs once more for each direction; Adam keeps m and v."""
    tensor = 12
    if config.optimizer == "lbfgs":
        pairs = max(0, min(config.lbfgs_history, config.total_steps - 1))
        return tensor * (2 * pairs * 2 + 2 + 2)
    if config.optimizer == "adam":
        return tensor * (2 + 2)
    return tensor * 2


def make_plan(
    config: StyleConfig,
    content_shape: Sequence[int],
    min_side: int,
    cost: CostModel | None = None,
    n_styles: int = 1,
) -> Plan:
    """The plan for this config and content. With a time limit and a cost model, steps are cut so
    the predicted time fits the budget: coarse stages give way first, the full size always runs
    (ConfigError, with the largest size that fits, when even its minimum does not)."""
    sizes = stage_sizes(config, content_shape, min_side)
    steps = split_steps(config.total_steps, len(sizes))
    stages = tuple(
        Stage(size=size, steps=n, style_side=max(1, round(max(size) * config.style_scale)))
        for size, n in zip(sizes, steps, strict=True)
    )
    plan = Plan(stages, config.content_layer, tuple(config.style_layers), state_bytes_per_pixel(config))
    if config.time_limit is None or cost is None:
        return plan
    return fit_budget(plan, cost, config.time_limit, n_styles, config, content_shape, min_side)


def fit_budget(
    plan: Plan,
    cost: CostModel,
    budget: float,
    n_styles: int,
    config: StyleConfig,
    content_shape: Sequence[int],
    min_side: int,
) -> Plan:
    """Shrink `plan` until its predicted time is within `budget` seconds: the coarse stages give
    way first (all in the same proportion, a stage under MIN_COARSE_STEPS is dropped), then the
    full size, down to MIN_FINAL_STEPS."""

    def fits(candidate: Plan) -> bool:
        return candidate.seconds(cost, n_styles) <= budget

    if fits(plan):
        return plan
    final = plan.final

    def coarse_share(share: float) -> Plan:
        steps = [_coarse(s.steps, share) for s in plan.stages[:-1]]
        return plan.with_steps([*steps, final.steps])

    if fits(coarse_share(0.0)):
        lo, hi = 0.0, 1.0
        for _ in range(20):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if fits(coarse_share(mid)) else (lo, mid)
        return coarse_share(lo)
    alone = replace(plan, stages=(final,))
    per_step = plan.step_cost(cost, final)
    n = int((budget - alone.setup_seconds(cost, n_styles)) / per_step) if per_step > 0 else final.steps
    if n >= MIN_FINAL_STEPS:
        return replace(plan, stages=(replace(final, steps=min(final.steps, n)),))
    raise ConfigError(budget_message(config, content_shape, min_side, cost, budget, n_styles), field="time_limit")


def _coarse(steps: int, share: float) -> int:
    n = round(steps * share)
    return n if n >= MIN_COARSE_STEPS else 0


def minimum_seconds(
    config: StyleConfig, content_shape: Sequence[int], min_side: int, cost: CostModel, n_styles: int = 1
) -> float:
    """The shortest useful run at this size: MIN_FINAL_STEPS at full size and nothing else."""
    plan = make_plan(config.replace(time_limit=None), content_shape, min_side)
    return replace(plan, stages=(replace(plan.final, steps=MIN_FINAL_STEPS),)).seconds(cost, n_styles)


def largest_side_within(
    config: StyleConfig, content_shape: Sequence[int], min_side: int, cost: CostModel, budget: float, n_styles: int = 1
) -> int | None:
    """The largest size (a multiple of 16 px) whose shortest useful run fits in `budget` seconds."""
    for side in range(config.max_side - config.max_side % 16, 15, -16):
        try:
            if minimum_seconds(config.replace(max_side=side), content_shape, min_side, cost, n_styles) <= budget:
                return side
        except ConfigError:  # too small for the network
            return None
    return None


def budget_message(
    config: StyleConfig, content_shape: Sequence[int], min_side: int, cost: CostModel, budget: float, n_styles: int
) -> str:
    need = minimum_seconds(config, content_shape, min_side, cost, n_styles)
    side = largest_side_within(config, content_shape, min_side, cost, budget, n_styles)
    fits = f"the largest size that fits is {side} px" if side else "no size fits"
    return (
        f"{budget:g} s is too short for {config.max_side} px on this machine: even a short run needs about "
        f"{need:.0f} s; {fits}, or allow more time."
    )
