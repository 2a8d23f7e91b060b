"""Colour preservation (Gatys et al. 2016, "Preserving color in neural artistic style transfer").

The result keeps its own luminance — where the style's texture lives — and takes its chroma
from the content image, so a photo keeps its colours while taking on the painting's strokes.
"""

from __future__ import annotations

import numpy as np

from nst.images import resize

# ITU-R BT.601 full-range RGB ↔ YCbCr.
_RGB_TO_YCBCR = np.array(
    [[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]],
    dtype=np.float64,
)
_YCBCR_TO_RGB = np.linalg.inv(_RGB_TO_YCBCR)


def rgb_to_ycbcr(rgb: np.ndarray) -> np.ndarray:
    """RGB in [0, 255] → (Y, Cb, Cr) with Cb, Cr centred on 0."""
    return np.asarray(rgb, dtype=np.float64) @ _RGB_TO_YCBCR.T


def ycbcr_to_rgb(ycc: np.ndarray) -> np.ndarray:
    return ycc @ _YCBCR_TO_RGB.T


def preserve_colours(result: np.ndarray, content: np.ndarray) -> np.ndarray:
    """Luminance of `result` with the chroma of `content` (resized to match); uint8 out."""
    content = resize(content, result.shape[:2]) if content.shape[:2] != result.shape[:2] else content
    ycc = rgb_to_ycbcr(result)
    ycc[..., 1:] = rgb_to_ycbcr(content)[..., 1:]
    return np.clip(ycbcr_to_rgb(ycc) + 0.5, 0, 255).astype(np.uint8)
