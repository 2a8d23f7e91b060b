"""Sequential colour scales as lookup tables: values in [0, 1] → uint8 RGB.

numpy only (no plotting library, no TensorFlow), so anything may colour a map with them.
"""

from __future__ import annotations

from functools import cache

import numpy as np

COLORMAPS = ("viridis", "magma", "inferno", "gray")

# Anchor colours of the sequential scales, as in plotly.colors.sequential (which took them from
# matplotlib); hard-coded so the engine imports no plotting library. A test checks they match.
_COLORMAP_ANCHORS: dict[str, str] = {
    "viridis": "#440154 #482878 #3e4989 #31688e #26828e #1f9e89 #35b779 #6ece58 #b5de2b #fde725",
    "magma": "#000004 #180f3d #440f76 #721f81 #9e2f7f #cd4071 #f1605d #fd9668 #feca8d #fcfdbf",
    "inferno": "#000004 #1b0c41 #4a0c6b #781c6d #a52c60 #cf4446 #ed6925 #fb9b06 #f7d13d #fcffa4",
    "gray": "#000000 #ffffff",
}


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
