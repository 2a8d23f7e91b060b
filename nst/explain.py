"""What each layer of the network sees: the computation behind the "Inside the network" pages.

Feature maps, Gram matrices and layer reconstructions (Gatys et al. 2015, figure 1) of the
user's own images. The pages only call these functions and draw, so everything here is
memoised where it costs a forward pass and cheap (numpy on cached arrays) where it does not:

* `activations` runs the network at most once per image and size: all requested layers come
  from one forward pass, kept per backbone in a small thread-safe LRU. Everything a widget
  changes afterwards (channel, sort order, colormap, Gram ordering) works on those arrays.
* `gram_matrices` are computed from the cached activations with the engine's own
  `nst.losses.gram_matrix`, so what the page shows is exactly what the style loss compares.
* `content_reconstruction` / `style_reconstruction` start from white noise and run the engine's
  own loop (`nst.transfer.stylize`) with only one loss switched on, planned from this machine's
  measured costs to fit a few seconds a picture; results are memoised.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np
from PIL import Image

from nst.backbones import Backbone, BackboneSpec, get_spec
from nst.config import StyleConfig
from nst.cost import CostModel, cost_model
from nst.images import fitted_size, resize
from nst.losses import content_loss, gram_matrix, style_layer_loss
from nst.objective import LRU, image_digest
from nst.plan import Plan, make_plan
from nst.tf_runtime import tf
from nst.transfer import Progress, Result, stylize

# Memo sizes. An activation entry holds every layer computed for one image at one size: up to
# ~130 MB for the whole VGG19 catalogue at 384 px (block1 alone is 2 × 28 MB), so only a few
# are kept — enough for content, style and the current result of one or two sessions.
ACTIVATION_CACHE_SIZE = 4
GRAM_CACHE_SIZE = 8  # ≤ ~7 MB each (all 16 VGG19 layers)
RECONSTRUCTION_CACHE_SIZE = 48  # 224-px uint8 images, ~0.1 MB each

COLORMAPS = ("viridis", "magma", "inferno", "gray")
CHANNEL_ORDERS = ("mean", "variance", "difference")
GRAM_ORDERS = ("index", "diagonal", "cluster")

# Anchor colours of the sequential scales, as in plotly.colors.sequential (which took them from
# matplotlib); hard-coded so the engine imports no plotting library. A test checks they match.
_COLORMAP_ANCHORS: dict[str, str] = {
    "viridis": "#440154 #482878 #3e4989 #31688e #26828e #1f9e89 #35b779 #6ece58 #b5de2b #fde725",
    "magma": "#000004 #180f3d #440f76 #721f81 #9e2f7f #cd4071 #f1605d #fd9668 #feca8d #fcfdbf",
    "inferno": "#000004 #1b0c41 #4a0c6b #781c6d #a52c60 #cf4446 #ed6925 #fb9b06 #f7d13d #fcffa4",
    "gray": "#000000 #ffffff",
}

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


# ------------------------------------------------------------------------------------ memos
def _memo(backbone: Backbone, name: str, capacity: int) -> LRU:
    """The per-backbone LRU called `name`, created on first use (under the backbone's lock)."""
    key = ("explain", name)
    with backbone._lock:
        memo = backbone.cache.get(key)
        if memo is None:
            memo = backbone.cache[key] = LRU(capacity)
        return memo


def _merge(backbone: Backbone, memo: LRU, key, new: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Add layers to a memo entry without mutating the dict other threads may be reading."""
    with backbone._lock:
        merged = {**(memo.get(key) or {}), **new}
        memo.put(key, merged)
        return merged


def _readonly(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)  # shared between sessions: a page must not draw into it
    return array


def _check_layers(spec: BackboneSpec, layers: Iterable[str] | None) -> tuple[str, ...]:
    if layers is None:
        return spec.layers
    if isinstance(layers, str):
        layers = (layers,)
    layers = tuple(dict.fromkeys(layers))
    unknown = [name for name in layers if name not in spec.layers]
    if unknown:
        raise ValueError(f"{spec.label} has no layer {unknown[0]!r}; choose from {', '.join(spec.layers)}.")
    if not layers:
        raise ValueError("no layers asked for.")
    return layers


def _fit(spec: BackboneSpec, image: np.ndarray, max_side: int) -> tuple[int, int]:
    size = fitted_size(image.shape[0], image.shape[1], max_side)
    if min(size) < spec.min_side:
        raise ValueError(
            f"at {max_side} px the image would be {size[1]}×{size[0]}; {spec.label} needs a short side "
            f"of at least {spec.min_side} px."
        )
    return size


# ------------------------------------------------------------------------------ activations
def _forward(backbone: Backbone, image: np.ndarray, layers: tuple[str, ...]) -> dict[str, np.ndarray]:
    """One forward pass; float32 (h, w, c) maps of `layers`."""
    outputs = backbone.feature_function(layers)(tf.constant(image[None], tf.float32))
    return {name: _readonly(o[0].numpy()) for name, o in zip(layers, outputs, strict=True)}


def _activation_entry(
    backbone: Backbone, image: np.ndarray, layers: tuple[str, ...], max_side: int
) -> tuple[tuple, dict[str, np.ndarray]]:
    spec = backbone.spec
    size = _fit(spec, image, max_side)
    key = (image_digest(image), size)
    memo = _memo(backbone, "activations", ACTIVATION_CACHE_SIZE)
    entry = memo.get(key) or {}
    missing = [name for name in layers if name not in entry]
    if missing:
        # One pass over the whole catalogue: a forward pass costs less than tracing another
        # layer selection, and every later layer choice for this image is then free.
        pixels = resize(image, size).astype(np.float32)
        entry = _merge(backbone, memo, key, _forward(backbone, pixels, spec.layers))
    return key, entry


def activations(
    backbone: Backbone, image_uint8: np.ndarray, layers: Iterable[str] | None = None, max_side: int = 384
) -> dict[str, np.ndarray]:
    """Feature maps (h, w, c) float32 of `layers` (default: the whole catalogue), shallow → deep.

    The image is resized so its long side is `max_side`. All layers come from one forward pass
    and are memoised per (image content, size), so asking again — for these or shallower
    layers — returns the same (read-only) arrays without touching the network.
    """
    layers = _check_layers(backbone.spec, layers)
    _, entry = _activation_entry(backbone, image_uint8, layers, max_side)
    return {name: entry[name] for name in layers}


def feature_shape(backbone: Backbone, image: np.ndarray, layer: str, max_side: int = 384) -> tuple[int, int, int]:
    """(h, w, c) of a layer's maps for this image, without running the network."""
    h, w = _fit(backbone.spec, image, max_side)
    info = {i.name: i for i in backbone.layer_catalogue(h, w)}
    return info[_check_layers(backbone.spec, (layer,))[0]].shape


# ----------------------------------------------------------------------- channels and colour
def normalise_channels(maps: np.ndarray) -> np.ndarray:
    """Each channel (last axis) min-max scaled to [0, 1]; constant channels become 0.

    Activations differ by orders of magnitude between channels, so each is stretched on its own
    to make its spatial pattern visible whatever its scale.
    """
    maps = np.asarray(maps, dtype=np.float32)
    axes = tuple(range(maps.ndim - 1))
    lo = maps.min(axis=axes, keepdims=True)
    span = maps.max(axis=axes, keepdims=True) - lo
    safe = np.where(span > 0, span, 1.0)
    return np.where(span > 0, (maps - lo) / safe, 0.0).astype(np.float32)


def _resize_maps(maps: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if maps.shape[:2] == tuple(size):
        return maps
    out = tf.image.resize(tf.constant(maps[None], tf.float32), size, method="bilinear", antialias=True)
    return out[0].numpy()


def channel_scores(maps: np.ndarray, by: str = "mean", other: np.ndarray | None = None) -> np.ndarray:
    """Per-channel score behind `channel_order` (useful as a label: "mean 12.3")."""
    maps = np.asarray(maps, dtype=np.float32)
    if by == "mean":
        return maps.mean(axis=(0, 1))
    if by == "variance":
        return maps.var(axis=(0, 1))
    if by == "difference":
        if other is None:
            raise ValueError("ordering by difference needs the other image's maps.")
        other = np.asarray(other, dtype=np.float32)
        if other.shape[-1] != maps.shape[-1]:
            raise ValueError(f"the maps have {maps.shape[-1]} and {other.shape[-1]} channels; they must match.")
        return np.abs(maps - _resize_maps(other, maps.shape[:2])).mean(axis=(0, 1))
    raise ValueError(f"order must be one of {', '.join(CHANNEL_ORDERS)} (got {by!r}).")


def channel_order(maps: np.ndarray, by: str = "mean", other: np.ndarray | None = None) -> np.ndarray:
    """Channel indices, highest score first: mean activation, spatial variance, or mean |a − b|.

    "difference" compares with `other` (e.g. the content's maps against the result's, resized
    to the same h×w) to find what the style changed. Ties keep the lower index first.
    """
    scores = channel_scores(maps, by, other)
    return np.argsort(-scores, kind="stable")


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


@cache
def colormap_lut(name: str = "viridis") -> np.ndarray:
    """(256, 3) uint8 lookup table, interpolated linearly between the scale's anchors."""
    if name not in _COLORMAP_ANCHORS:
        raise ValueError(f"colormap must be one of {', '.join(COLORMAPS)} (got {name!r}).")
    anchors = np.array([_hex(c) for c in _COLORMAP_ANCHORS[name].split()], dtype=np.float64)
    at = np.linspace(0.0, 1.0, len(anchors))
    x = np.linspace(0.0, 1.0, 256)
    lut = np.stack([np.interp(x, at, anchors[:, k]) for k in range(3)], axis=1)
    lut = np.round(lut).astype(np.uint8)
    lut.setflags(write=False)
    return lut


def apply_colormap(values01: np.ndarray, name: str = "viridis") -> np.ndarray:
    """Values in [0, 1] (any shape) → uint8 RGB (…, 3); out-of-range values clip, NaN → 0."""
    v = np.nan_to_num(np.asarray(values01, dtype=np.float32), nan=0.0)
    index = np.clip(np.rint(v * 255.0), 0, 255).astype(np.uint8)
    return colormap_lut(name)[index]


def _resize_rgb(rgb: np.ndarray, size: tuple[int, int], smooth: bool) -> np.ndarray:
    """Resize a small coloured map; nearest when enlarging (unless `smooth`) so a deep layer's
    coarse grid stays visible as it is, Lanczos when shrinking."""
    h, w = size
    if rgb.shape[:2] == (h, w):
        return rgb
    enlarging = h * w > rgb.shape[0] * rgb.shape[1]
    method = (
        (Image.Resampling.BILINEAR if smooth else Image.Resampling.NEAREST) if enlarging else Image.Resampling.LANCZOS
    )
    return np.asarray(Image.fromarray(rgb).resize((w, h), method))


def _channel_rgb(maps: np.ndarray, channel: int, colormap: str) -> np.ndarray:
    return apply_colormap(normalise_channels(maps[..., channel : channel + 1])[..., 0], colormap)


def grid_geometry(map_shape: Sequence[int], n: int, columns: int, cell: int = 96, gap: int = 2) -> dict[str, int]:
    """Layout of `channel_grid`: cell size, rows, columns and the mosaic's height and width.

    Cell (i) sits at y = row·(cell_h + gap), x = col·(cell_w + gap) with row, col = divmod(i, columns).
    """
    if n < 1 or columns < 1:
        raise ValueError("a grid needs at least one channel and one column.")
    cell_h, cell_w = fitted_size(int(map_shape[0]), int(map_shape[1]), cell)
    columns = min(columns, n)
    rows = math.ceil(n / columns)
    return dict(
        cell_h=cell_h,
        cell_w=cell_w,
        rows=rows,
        columns=columns,
        height=rows * cell_h + (rows - 1) * gap,
        width=columns * cell_w + (columns - 1) * gap,
    )


def channel_grid(
    maps: np.ndarray,
    channels: Sequence[int],
    columns: int = 8,
    *,
    cell: int = 96,
    colormap: str = "viridis",
    gap: int = 2,
    background: int = 255,
    smooth: bool = False,
) -> np.ndarray:
    """One uint8 RGB mosaic of the chosen channels, each normalised on its own.

    Cells keep the maps' aspect ratio with long side `cell`; channels fill rows left to right.
    Drawing one image instead of dozens of widgets keeps the page fast.
    """
    channels = [int(c) for c in channels]
    g = grid_geometry(maps.shape, len(channels), columns, cell, gap)
    cell_size = (g["cell_h"], g["cell_w"])
    chosen = np.asarray(maps, np.float32)[..., channels]
    if cell_size[0] * cell_size[1] < chosen.shape[0] * chosen.shape[1]:
        # Shrinking (shallow layers): average down all channels at once, then colour the small
        # maps — 10× cheaper than colouring 64 full-size maps and shrinking each.
        chosen = _resize_maps(chosen, cell_size)
    tiles = apply_colormap(normalise_channels(chosen), colormap)  # (h, w, n, 3)
    out = np.full((g["height"], g["width"], 3), background, dtype=np.uint8)
    for i in range(len(channels)):
        row, col = divmod(i, g["columns"])
        y, x = row * (g["cell_h"] + gap), col * (g["cell_w"] + gap)
        out[y : y + g["cell_h"], x : x + g["cell_w"]] = _resize_rgb(
            np.ascontiguousarray(tiles[:, :, i]), cell_size, smooth
        )
    return out


def channel_image(
    maps: np.ndarray, channel: int, size: int = 384, *, colormap: str = "viridis", smooth: bool = False
) -> np.ndarray:
    """One channel, normalised and coloured, long side `size` (nearest-neighbour unless `smooth`)."""
    return _resize_rgb(_channel_rgb(maps, int(channel), colormap), fitted_size(*maps.shape[:2], size), smooth)


def overlay(
    image_uint8: np.ndarray, map2d: np.ndarray, alpha: float = 0.5, colormap: str = "magma", weighted: bool = False
) -> np.ndarray:
    """The map (min-max normalised) upsampled to the image and blended over it.

    out = (1 − a)·image + a·colour, with a = alpha, or, when `weighted`, a = alpha·√value over a
    photo dimmed by alpha/2: the channel glows where it fires and the photo shows, darker, where
    it is silent. (Most channels fire strongly in a few places only; the square root and the
    dimming keep such sparse maps visible.)
    """
    image = np.asarray(image_uint8)[..., :3].astype(np.float32)
    values = normalise_channels(np.asarray(map2d, np.float32)[..., None])
    values = np.clip(_resize_maps(values, image.shape[:2])[..., 0], 0.0, 1.0)
    colour = apply_colormap(values, colormap).astype(np.float32)
    a = float(np.clip(alpha, 0.0, 1.0))
    if weighted:
        image = image * (1.0 - a / 2)
        a = a * np.sqrt(values)[..., None]
    blended = (1.0 - a) * image + a * colour
    return np.clip(blended + 0.5, 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class TopChannel:
    layer: str
    channel: int
    mean: float
    image: np.ndarray  # uint8 RGB


def top_channel_strip(
    backbone: Backbone,
    image: np.ndarray,
    layers: Iterable[str] | None = None,
    *,
    max_side: int = 384,
    size: int = 128,
    colormap: str = "viridis",
    smooth: bool = True,
) -> list[TopChannel]:
    """Each layer's strongest channel (by mean activation), shallow → deep, from one forward pass:
    a row that shows the progression from edges and colours to parts of objects."""
    acts = activations(backbone, image, layers, max_side)
    strip = []
    for layer, maps in acts.items():
        means = maps.mean(axis=(0, 1))
        channel = int(np.argsort(-means, kind="stable")[0])
        picture = channel_image(maps, channel, size, colormap=colormap, smooth=smooth)
        strip.append(TopChannel(layer, channel, float(means[channel]), picture))
    return strip


# ------------------------------------------------------------------------------------ Grams
def gram_matrices(
    backbone: Backbone, image: np.ndarray, layers: Iterable[str] | None = None, max_side: int = 384
) -> dict[str, np.ndarray]:
    """M-normalised Grams G = FᵀF / M (C × C) per layer, exactly what the style loss compares.

    Computed from the memoised activations (no extra forward pass) and memoised themselves.
    """
    layers = _check_layers(backbone.spec, layers)
    key, entry = _activation_entry(backbone, image, layers, max_side)
    memo = _memo(backbone, "grams", GRAM_CACHE_SIZE)
    grams = memo.get(key) or {}
    missing = [name for name in layers if name not in grams]
    if missing:
        new = {name: _readonly(gram_matrix(entry[name], normalise=True).numpy()) for name in missing}
        grams = _merge(backbone, memo, key, new)
    return {name: grams[name] for name in layers}


def gram_correlation(gram: np.ndarray) -> np.ndarray:
    """G_ij / √(G_ii G_jj): how alike two channels' maps are, whatever their strength (0 for silent
    channels). Features are ReLU outputs, so for VGG this lies in [0, 1]."""
    g = np.asarray(gram, dtype=np.float64)
    d = np.sqrt(np.clip(np.diag(g), 0.0, None))
    safe = np.where(d > 0, d, 1.0)
    corr = g / safe[:, None] / safe[None, :]
    corr[(d == 0)[:, None] | (d == 0)[None, :]] = 0.0
    return corr


def _chain_order(similarity: np.ndarray) -> np.ndarray:
    """Greedy nearest-neighbour chain: start at the channel least like the others (an end of
    the chain), then repeatedly step to the most similar channel not yet placed.

    Tried against spectral seriation (Fiedler vector) on VGG19 Grams of starry_night: the chain
    puts clearly more similar channels side by side (mean 1 − similarity of neighbours 0.16 vs
    0.48 at block1_conv1, 0.54 vs 0.82 at block5_conv1) and shows the groups as blocks on the
    diagonal. O(C²), ~2 ms for 512 channels.
    """
    n = len(similarity)
    if n == 0:
        return np.arange(0)
    s = np.array(similarity, dtype=np.float64)
    np.fill_diagonal(s, -np.inf)
    order = np.empty(n, dtype=np.intp)
    placed = np.zeros(n, dtype=bool)
    current = int(np.argmin(np.where(np.isfinite(s), s, 0.0).sum(axis=1)))
    for i in range(n):
        order[i] = current
        placed[current] = True
        if i + 1 < n:
            row = np.where(placed, -np.inf, s[current])
            current = int(np.argmax(row))  # first index wins ties: deterministic
    return order


def gram_order(gram: np.ndarray, by: str = "index") -> np.ndarray:
    """A channel permutation to display a Gram matrix with.

    "index": as the network numbers them; "diagonal": by diagonal energy G_ii (how strongly
    each channel fires), strongest first; "cluster": channels that co-activate next to each
    other (a nearest-neighbour chain through the correlation matrix), so correlated groups show
    as blocks.
    Silent channels (G_ii = 0) go last. Use as G[np.ix_(p, p)].
    """
    g = np.asarray(gram, dtype=np.float64)
    n = g.shape[0]
    if g.ndim != 2 or g.shape[1] != n:
        raise ValueError(f"a Gram matrix is square (got shape {g.shape}).")
    if by == "index":
        return np.arange(n)
    diag = np.diag(g)
    if by == "diagonal":
        return np.argsort(-diag, kind="stable")
    if by == "cluster":
        alive = np.flatnonzero(diag > 0)
        dead = np.flatnonzero(diag <= 0)
        corr = gram_correlation(g)[np.ix_(alive, alive)]
        return np.concatenate([alive[_chain_order(corr)], dead]).astype(np.intp)
    raise ValueError(f"order must be one of {', '.join(GRAM_ORDERS)} (got {by!r}).")


def style_layer_losses(
    result_grams: Mapping[str, np.ndarray],
    style_grams: Mapping[str, np.ndarray],
    weights: Mapping[str, float] | None = None,
    relative: bool = False,
) -> dict[str, float]:
    """w_l·E_l per layer with E_l = Σ(G − A)² / (4N²) for M-normalised Grams (the engine's
    `style_layer_loss` with positions = 1). With `relative`, E_l / E_l(0) = Σ(G − A)²/ΣA² — the
    relative squared error the optimiser actually weighs, comparable between layers. Layers:
    those in `weights` (default: every layer both have, weight 1)."""
    if weights is None:
        weights = {name: 1.0 for name in result_grams if name in style_grams}
    out = {}
    for name, weight in weights.items():
        if name not in result_grams or name not in style_grams:
            raise KeyError(f"no Gram matrix of {name} for {'the result' if name not in result_grams else 'the style'}.")
        g, a = result_grams[name], style_grams[name]
        if np.shape(g) != np.shape(a):
            raise ValueError(f"{name}: Gram shapes {np.shape(g)} and {np.shape(a)} differ.")
        value = float(style_layer_loss(g, a, np.shape(g)[0], 1))
        if relative:
            reference = float(style_layer_loss(np.zeros_like(a), a, np.shape(a)[0], 1))
            value = value / reference if reference > 0 else 0.0
        out[name] = float(weight) * value
    return out


def shares(losses: Mapping[str, float]) -> dict[str, float]:
    """Each layer's fraction of the total (sums to 1); all 0 when the total is 0."""
    total = float(sum(losses.values()))
    if total <= 0 or not math.isfinite(total):
        return {name: 0.0 for name in losses}
    return {name: float(value) / total for name, value in losses.items()}


# --------------------------------------------------------------------------- reconstructions
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


CONTENT_RECONSTRUCTION_LAYERS = content_reconstruction_layers(get_spec("vgg19"))
STYLE_RECONSTRUCTION_SUBSETS = style_reconstruction_subsets(get_spec("vgg19"))


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
        _check_layers(backbone.spec, self.layers)
        plan = make_plan(self.config(backbone), self.image.shape, backbone.spec.min_side)
        # `steps` a stage, also when a stage too small for the network was dropped
        plan = replace(plan, stages=tuple(replace(s, steps=min(s.steps, self.steps)) for s in plan.stages))
        if self.seconds is None:
            return plan
        return shrink_to_budget(plan, cost or cost_model(backbone), self.seconds)

    def seconds_here(self, backbone: Backbone, cost: CostModel | None = None) -> float:
        """Predicted wall time on this machine (0 when memoised)."""
        if self.cached(backbone) is not None:
            return 0.0
        return self.plan(backbone, cost).seconds(cost or cost_model(backbone))

    def key(self, backbone: Backbone) -> tuple:
        steps = tuple(s.steps for s in self.plan(backbone).stages)
        size = _fit(backbone.spec, self.image, self.max_side)
        return (image_digest(self.image), self.kind, self.layers, size, steps, self.seed, self.tv)

    def cached(self, backbone: Backbone) -> np.ndarray | None:
        return _memo(backbone, "reconstructions", RECONSTRUCTION_CACHE_SIZE).get(self.key(backbone))

    def events(
        self, backbone: Backbone, stop: threading.Event | None = None, finish: threading.Event | None = None
    ) -> Iterator[Progress | Result]:
        key = self.key(backbone)
        memo = _memo(backbone, "reconstructions", RECONSTRUCTION_CACHE_SIZE)
        cached = memo.get(key)
        if cached is not None:
            yield Result(cached, "finished", "From the cache.", 0, 0.0)
            return
        plan = self.plan(backbone)
        for event in stylize(self.image, [self.image], self.config(backbone), backbone, stop, plan=plan):
            if isinstance(event, Result) and event.status == "finished":  # a stopped run is not the picture
                memo.put(key, _readonly(event.image))
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
                return _readonly(event.image)
            if on_progress is not None:
                on_progress(event)
        raise RuntimeError("reconstruction ended without a result")  # pragma: no cover


def shrink_to_budget(plan: Plan, cost: CostModel, seconds: float) -> Plan:
    """`plan` with every stage's steps cut by the same share until it is predicted to take at most
    `seconds` (at least MIN_RECONSTRUCTION_STEPS a stage, even when that is still over)."""

    def scaled(share: float) -> Plan:
        stages = tuple(
            replace(s, steps=min(s.steps, max(MIN_RECONSTRUCTION_STEPS, round(s.steps * share)))) for s in plan.stages
        )
        return replace(plan, stages=stages)

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
    layer = _check_layers(spec, (layer,))[0]
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
    layers = _check_layers(spec, tuple(dict.fromkeys(layers)))
    label = layers[0] if len(layers) == 1 else f"{layers[0]} … {layers[-1]}"
    return Reconstruction(
        "style", image, layers, max_side, steps, seed, float(tv_weight), label, tuple(scales), seconds
    )


# ------------------------------------------------------------------------- theory examples
@dataclass(frozen=True)
class WorkedContent:
    F: np.ndarray  # features of the result
    P: np.ndarray  # features of the content image
    diff: np.ndarray  # F − P
    squared: np.ndarray  # (F − P)²
    loss: float  # ½ Σ (F − P)²


@dataclass(frozen=True)
class WorkedGram:
    maps: np.ndarray  # (H, W, C) feature maps
    F: np.ndarray  # (M, C): one row per position, one column per channel
    G: np.ndarray  # FᵀF (C × C)
    G_normalised: np.ndarray  # FᵀF / M, what the engine uses
    M: int
    N: int


def worked_content_example() -> WorkedContent:
    """The course's example: F = [[1, 2], [3, 4]], P = all 2s → ½ Σ (F − P)² = ½ (1 + 0 + 1 + 4) = 3,
    computed by the engine's `content_loss`."""
    f = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    p = np.full((2, 2), 2.0, dtype=np.float32)
    return WorkedContent(f, p, f - p, (f - p) ** 2, float(content_loss(f, p)))


def worked_gram_example() -> WorkedGram:
    """A 2×2×3 feature map, its flattened F (M = 4 positions × N = 3 channels) and G = FᵀF, by the
    engine's `gram_matrix`. Channels 0 and 2 fire together, channel 1 elsewhere: G shows it."""
    maps = np.array(
        [
            [[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]],
            [[2.0, 1.0, 3.0], [0.0, 2.0, 1.0]],
        ],
        dtype=np.float32,
    )
    flat = maps.reshape(-1, maps.shape[-1])
    return WorkedGram(
        maps=maps,
        F=flat,
        G=gram_matrix(maps).numpy(),
        G_normalised=gram_matrix(maps, normalise=True).numpy(),
        M=flat.shape[0],
        N=flat.shape[1],
    )


def shuffle_tiles(image: np.ndarray, tiles: int = 4, seed: int = 0) -> np.ndarray:
    """The picture cut into tiles × tiles pieces and put back in random order: the layout is
    destroyed, the local textures are not — so its Gram matrices stay close to the original's."""
    h, w = (image.shape[0] // tiles) * tiles, (image.shape[1] // tiles) * tiles
    th, tw = h // tiles, w // tiles
    pieces = [image[r * th : (r + 1) * th, c * tw : (c + 1) * tw] for r in range(tiles) for c in range(tiles)]
    order = np.random.default_rng(seed).permutation(len(pieces))
    rows = [np.concatenate([pieces[order[r * tiles + c]] for c in range(tiles)], axis=1) for r in range(tiles)]
    return np.concatenate(rows, axis=0)
