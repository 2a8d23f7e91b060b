"""Layer reconstructions (Gatys et al. 2015, figure 1): what one layer alone keeps of a picture.

`content_reconstruction` / `style_reconstruction` start from white noise and run the engine's
own loop (`nst.transfer.stylize`) with only one loss switched on, planned from this machine's
measured costs to fit a few seconds a picture; finished pictures are memoised per backbone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from nst.backbones import Backbone, BackboneSpec
from nst.config import StyleConfig
from nst.cost import CostModel, cost_model
from nst.explain import activations
from nst.memo import image_digest
from nst.plan import Plan, make_plan
from nst.transfer import Progress, Result, stylize

RECONSTRUCTION_CACHE_SIZE = 48  # 224-px uint8 images, ~0.1 MB each

# Reconstruction defaults. Each picture is a ½-size stage then a full-size one, RECONSTRUCTION_STEPS
# L-BFGS steps each: the cheap half-size steps settle the layout from white noise, the full-size ones
# put the detail back. On a slow machine (or a deep layer) both stages shrink in proportion until
# the plan, predicted from this machine's measured costs, fits RECONSTRUCTION_SECONDS, so one layer
# takes well under 20 s on two float32 cores (a lecture can wait for that). `bench/reconstructions.py`
# measured it: at 224 px, half-size-first with 20 + 20 steps looks like 60 full-size steps at a third
# of the time; shallow layers, which are cheap, keep every step.
RECONSTRUCTION_SIDE = 224
RECONSTRUCTION_STEPS = 60  # per stage, before the budget
RECONSTRUCTION_SECONDS = 12.0  # predicted, per picture; None in a task = every step
MIN_RECONSTRUCTION_STEPS = 8  # per stage: fewer leaves the noise visible
COARSE_SCALES = (0.5, 1.0)
# TV weights are relative to the loss of a black image (see `_content_setup`), so one number
# means the same smoothing at every layer although raw losses differ by 10³. Deep layers ignore
# pixel noise, so they get more: `content_tv` rises from 1e-3 at the input to 2e-2 at the top.
# Style reconstructions get none: TV visibly flattens the brush texture they are meant to show.
STYLE_TV = 0.0


def content_reconstruction_layers(spec: BackboneSpec) -> tuple[str, ...]:
    """Layers for content reconstructions: VGG's conv2 of each block (Gatys fig. 1: conv1_2 …
    conv5_2); for other backbones five layers spread evenly over the catalogue."""
    blocks: dict[str, list[str]] = {}
    for name in spec.layers:
        blocks.setdefault(spec.block_of(name), []).append(name)
    if all(block.startswith("block") for block in blocks):
        return tuple(names[1] if len(names) > 1 else names[0] for names in blocks.values())
    picks = np.linspace(0, len(spec.layers) - 1, min(5, len(spec.layers))).round().astype(int)
    return tuple(dict.fromkeys(spec.layers[i] for i in picks))


def style_reconstruction_subsets(spec: BackboneSpec) -> tuple[tuple[str, ...], ...]:
    """Growing subsets of the style layers (conv1_1; conv1_1 + conv2_1; …), as in Gatys fig. 1."""
    return tuple(spec.style_layers[: k + 1] for k in range(len(spec.style_layers)))


def content_tv(spec: BackboneSpec, layer: str) -> float:
    """Default relative TV weight of a content reconstruction: 1e-3 · 20^depth, depth ∈ [0, 1]
    the layer's place in the catalogue (VGG19: conv1_2 1.2e-3 … conv5_2 1.3e-2). Without it
    the deep layers leave the start's white noise untouched; with this much everywhere the
    shallow ones would blur."""
    depth = spec.layers.index(layer) / max(1, len(spec.layers) - 1)
    return 1e-3 * 20.0**depth


def _base_config(backbone: Backbone, max_side: int, steps: int, seed: int, scales: tuple[float, ...]) -> dict:
    return dict(
        backbone=backbone.spec.name,
        max_side=max_side,
        optimizer="lbfgs",
        learning_rate=1.0,
        epochs=1,
        steps_per_epoch=steps * len(scales),
        scales=scales,
        init="noise",
        seed=seed,
        preview_every=max(1, steps // 6),
        preserve_colours=False,
        fine_stage=False,  # one layer's own picture: its weight is the same at every size
    )


def _content_setup(
    backbone: Backbone, layer: str, max_side: int, steps: int, seed: int, tv: float, scales: tuple[float, ...] = (1.0,)
) -> StyleConfig:
    """Config for a content-only run at `layer`.

    StyleConfig insists on a style layer with weight > 0 and stylize on a style image even when
    β = 0, so the content layer doubles as the (unweighted) style layer — the extractor then
    stops at that layer — and the image is its own style image. The engine divides the content
    term by its value for a black image, so `tv` is relative to that: the TV weight is given on
    pixels in [0, 1], hence × 255 for the config's grey-level convention.
    """
    return StyleConfig(
        **_base_config(backbone, max_side, steps, seed, scales),
        content_layer=layer,
        style_layers={layer: 1.0},
        content_weight=1.0,
        style_weight=0.0,
        tv_weight=float(tv) * 255.0,
    )


def _style_setup(
    backbone: Backbone,
    layers: tuple[str, ...],
    max_side: int,
    steps: int,
    seed: int,
    tv: float,
    scales: tuple[float, ...] = (1.0,),
) -> StyleConfig:
    """Config for a style-only run over `layers`.

    Gatys used a VGG rescaled so every filter's mean activation is 1, so equal layer weights
    meant equal say. The engine gets the same effect by dividing each E_l by its value for a black
    image, so equal weights here start every layer at the same loss. α = 0 still needs a content
    layer: the deepest style layer, so the extractor goes no deeper than the style needs.
    """
    deepest = max(layers, key=backbone.spec.layers.index)
    return StyleConfig(
        **_base_config(backbone, max_side, steps, seed, scales),
        content_layer=deepest,
        style_layers={name: 1.0 for name in layers},
        content_weight=0.0,
        style_weight=1.0,
        tv_weight=float(tv) * 255.0,
    )


@dataclass(frozen=True)
class Reconstruction:
    """One layer reconstruction, runnable directly or as a task of a background job.

    `events` yields the engine's own Progress/Result stream (an immediate Result when the
    picture is memoised) and memoises the picture when the run finishes. `steps` is per stage;
    `seconds` is the budget the plan is shrunk to on this machine (None: every step).
    """

    kind: str  # "content" or "style"
    image: np.ndarray = field(repr=False)
    layers: tuple[str, ...]
    max_side: int = RECONSTRUCTION_SIDE
    steps: int = RECONSTRUCTION_STEPS
    seed: int = 0
    tv: float = 0.0
    label: str = ""
    scales: tuple[float, ...] = COARSE_SCALES
    seconds: float | None = RECONSTRUCTION_SECONDS

    @property
    def total_steps(self) -> int:
        """Before the budget; a job reads the plan's own count from the first Progress."""
        return self.steps * len(self.scales)

    def config(self, backbone: Backbone) -> StyleConfig:
        if self.kind == "content":
            return _content_setup(backbone, self.layers[0], self.max_side, self.steps, self.seed, self.tv, self.scales)
        return _style_setup(backbone, self.layers, self.max_side, self.steps, self.seed, self.tv, self.scales)

    def plan(self, backbone: Backbone, cost: CostModel | None = None) -> Plan:
        """Every stage in proportion, shrunk until the predicted time fits `seconds` (never below
        MIN_RECONSTRUCTION_STEPS a stage: past that the picture is not worth showing)."""
        activations.check_layers(backbone.spec, self.layers)
        plan = make_plan(self.config(backbone), self.image.shape, backbone.spec.min_side)
        # `steps` a stage, also when a stage too small for the network was dropped
        plan = plan.with_steps([self.steps] * len(plan.stages))
        if self.seconds is None:
            return plan
        return shrink_to_budget(plan, cost or cost_model(backbone), self.seconds)

    def seconds_here(self, backbone: Backbone, cost: CostModel | None = None) -> float:
        """Predicted wall time on this machine (0 when memoised)."""
        if self.cached(backbone) is not None:
            return 0.0
        return self.plan(backbone, cost).seconds(cost or cost_model(backbone))

    @cached_property
    def digest(self) -> str:
        """Hashed once a task: a page asks a task for its memo key several times a rerun."""
        return image_digest(self.image)

    def key(self, backbone: Backbone) -> tuple:
        """What was asked for, not the steps planned for it: the plan follows this machine's cost
        model, which a run may recalibrate (nst.cost.recalibrate), and a picture already made must
        not vanish from the page when it does."""
        size = activations.analysis_size(backbone.spec, self.image, self.max_side)
        return (self.digest, self.kind, self.layers, size, self.steps, self.seconds, self.scales, self.seed, self.tv)

    def cached(self, backbone: Backbone) -> np.ndarray | None:
        return activations.memo(backbone, "reconstructions", RECONSTRUCTION_CACHE_SIZE).get(self.key(backbone))

    def events(
        self, backbone: Backbone, stop: threading.Event | None = None, finish: threading.Event | None = None
    ) -> Iterator[Progress | Result]:
        key = self.key(backbone)
        memo = activations.memo(backbone, "reconstructions", RECONSTRUCTION_CACHE_SIZE)
        cached = memo.get(key)
        if cached is not None:
            yield Result(cached, "finished", "From the cache.", 0, 0.0)
            return
        plan = self.plan(backbone)
        for event in stylize(self.image, [self.image], self.config(backbone), backbone, stop, plan=plan):
            if isinstance(event, Result) and event.status == "finished":  # a stopped run is not the picture
                memo.put(key, activations.readonly(event.image))
            yield event

    def run(
        self,
        backbone: Backbone,
        stop: threading.Event | None = None,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> np.ndarray:
        """The picture (uint8, read-only), here and now: memoised when it runs to the end, the
        current image when `stop` ends it early."""
        for event in self.events(backbone, stop):
            if isinstance(event, Result):
                return activations.readonly(event.image)
            if on_progress is not None:
                on_progress(event)
        raise RuntimeError("reconstruction ended without a result")  # pragma: no cover


def shrink_to_budget(plan: Plan, cost: CostModel, seconds: float) -> Plan:
    """`plan` with every stage's steps cut by the same share until it is predicted to take at most
    `seconds` (at least MIN_RECONSTRUCTION_STEPS a stage, even when that is still over)."""

    def scaled(share: float) -> Plan:
        return plan.with_steps(
            [min(s.steps, max(MIN_RECONSTRUCTION_STEPS, round(s.steps * share))) for s in plan.stages]
        )

    if plan.seconds(cost) <= seconds:
        return plan
    lo, hi = 0.0, 1.0
    for _ in range(20):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if scaled(mid).seconds(cost) <= seconds else (lo, mid)
    return scaled(lo)


def content_reconstruction(
    image: np.ndarray,
    layer: str,
    spec: BackboneSpec,
    *,
    max_side: int = RECONSTRUCTION_SIDE,
    steps: int = RECONSTRUCTION_STEPS,
    seed: int = 0,
    tv_weight: float | None = None,
    scales: tuple[float, ...] = COARSE_SCALES,
    seconds: float | None = RECONSTRUCTION_SECONDS,
) -> Reconstruction:
    """The image whose features at `layer` match the photo's, found from white noise.

    Only the content loss at that one layer is optimised (the engine's loop, L-BFGS), so what
    survives is what the layer keeps: shallow layers give the photo back, deep ones keep the
    layout and lose the pixel detail. `tv_weight` is relative (see `content_tv`, the default).
    """
    layer = activations.check_layers(spec, (layer,))[0]
    tv = content_tv(spec, layer) if tv_weight is None else float(tv_weight)
    return Reconstruction("content", image, (layer,), max_side, steps, seed, tv, layer, tuple(scales), seconds)


def style_reconstruction(
    image: np.ndarray,
    layers: Sequence[str],
    spec: BackboneSpec,
    *,
    max_side: int = RECONSTRUCTION_SIDE,
    steps: int = RECONSTRUCTION_STEPS,
    seed: int = 0,
    tv_weight: float = STYLE_TV,
    scales: tuple[float, ...] = COARSE_SCALES,
    seconds: float | None = RECONSTRUCTION_SECONDS,
) -> Reconstruction:
    """The texture whose Gram matrices at `layers` match the painting's, found from white noise.

    Only the style loss is optimised; with more (deeper) layers the matched statistics span
    larger receptive fields, so the texture grows from fine grain to the painting's strokes.
    Layers are balanced to start with equal losses (see `_style_setup`).
    """
    if not layers:
        raise ValueError("a style reconstruction needs at least one layer.")
    layers = activations.check_layers(spec, tuple(dict.fromkeys(layers)))
    label = layers[0] if len(layers) == 1 else f"{layers[0]} … {layers[-1]}"
    return Reconstruction(
        "style", image, layers, max_side, steps, seed, float(tv_weight), label, tuple(scales), seconds
    )
