"""Pictures of feature maps: channels normalised, ranked, coloured and laid out.

Drawing one image (a mosaic, an overlay) instead of dozens of widgets keeps the pages fast; all
of it is numpy on the memoised activations, so changing a widget never runs the network.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from nst.backbones import Backbone
from nst.explain import activations, colormaps
from nst.images import fitted_size
from nst.tf_runtime import tf

CHANNEL_ORDERS = ("mean", "variance", "difference")


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
    return colormaps.apply_colormap(normalise_channels(maps[..., channel : channel + 1])[..., 0], colormap)


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
    tiles = colormaps.apply_colormap(normalise_channels(chosen), colormap)  # (h, w, n, 3)
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
    colour = colormaps.apply_colormap(values, colormap).astype(np.float32)
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
    acts = activations.activations(backbone, image, layers, max_side)
    strip = []
    for layer, maps in acts.items():
        means = maps.mean(axis=(0, 1))
        channel = int(np.argsort(-means, kind="stable")[0])
        picture = channel_image(maps, channel, size, colormap=colormap, smooth=smooth)
        strip.append(TopChannel(layer, channel, float(means[channel]), picture))
    return strip
