"""Decoding, validating and resizing user images.

Everything a user can hand us (uploads, CLI paths) goes through `load_image`, which either
returns a plain RGB uint8 array or raises `ImageError` with one sentence a person can act on.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# Formats we decode. Everything else (EPS via Ghostscript, PSD, ICO, ...) is refused: fewer
# decoders reachable from an upload means fewer ways in.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF")
# Refuse before decoding: a 30000x30000 PNG is a few KB on disk and 2.7 GB in memory.
MAX_PIXELS = 64_000_000
MAX_FILE_BYTES = 50 * 1024 * 1024
# Images are kept at most this large after decoding; runs never need more.
DEFAULT_CAP = 2048
MIN_SIDE = 16

Image.MAX_IMAGE_PIXELS = None  # our own limit (MAX_PIXELS) replaces PIL's warning/error pair


class ImageError(ValueError):
    """A user-supplied image that cannot be used; the message is one plain sentence."""


def _read_bytes(source: bytes | str | Path | BinaryIO, name: str) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            raise ImageError(f"{name}: no such file.")
        if not path.is_file():
            raise ImageError(f"{name}: not a file.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImageError(f"{name} is {size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB.")
        return path.read_bytes()
    data = source.read(MAX_FILE_BYTES + 1)
    return bytes(data)


def _to_rgb(im: Image.Image, name: str) -> np.ndarray:
    """Flatten any PIL mode to RGB uint8; transparency is composited on white."""
    mode = im.mode
    if mode.startswith("I") or mode == "F":
        # 16-bit and 32-bit greyscale: 16-bit ranges map 0..65535 → 0..255; float images are
        # stretched, since they have no agreed range.
        arr = np.asarray(im, dtype=np.float64)
        if mode == "F":
            arr = arr - arr.min()
            top = arr.max() or 1.0
        else:
            top = 65535.0 if mode.startswith("I;16") or arr.max() > 255 else 255.0
        grey = np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(grey[..., None], 3, axis=2)
    if mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    elif mode == "P":
        im = im.convert("RGB")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        im = im.convert("RGBA")
        rgba = np.asarray(im, dtype=np.float32)
        alpha = rgba[..., 3:4] / 255.0
        if float(alpha.max()) == 0.0:
            raise ImageError(f"{name} is fully transparent, so there is nothing to use.")
        rgb = rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)
        return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)
    if im.mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(im, dtype=np.uint8).copy()


def load_image(
    source: bytes | str | Path | BinaryIO,
    *,
    name: str | None = None,
    cap: int | None = DEFAULT_CAP,
    max_pixels: int = MAX_PIXELS,
) -> np.ndarray:
    """Decode any supported image to an upright RGB uint8 array (H, W, 3).

    The pixel count is checked from the header before anything is decoded, JPEGs larger than
    `cap` are decoded at reduced size, and the result is downscaled so its long side is at
    most `cap` (None keeps the full size).
    """
    if name is None:
        name = str(source) if isinstance(source, str | Path) else "The image"
    data = _read_bytes(source, name)
    if not data:
        raise ImageError(f"{name} is empty (0 bytes).")
    if len(data) > MAX_FILE_BYTES:
        raise ImageError(f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except UnidentifiedImageError:
        raise ImageError(f"{name} is not an image we can read (use JPEG, PNG, WebP, BMP, TIFF or GIF).") from None
    except Image.DecompressionBombError:
        raise ImageError(f"{name} has too many pixels (limit {max_pixels // 10**6} megapixels).") from None
    except Exception:
        raise ImageError(f"{name} is damaged and cannot be opened.") from None
    width, height = im.size
    if width * height > max_pixels:
        raise ImageError(f"{name} is {width}×{height} pixels; the limit is {max_pixels // 10**6} megapixels.")
    if min(width, height) < MIN_SIDE:
        raise ImageError(f"{name} is only {width}×{height} pixels; each side needs at least {MIN_SIDE}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if getattr(im, "n_frames", 1) > 1:
                im.seek(0)
            if cap is not None and im.format in ("JPEG", "MPO") and max(width, height) > 2 * cap:
                im.draft("RGB", (width * 2 * cap // max(width, height), height * 2 * cap // max(width, height)))
            im.load()
            im = ImageOps.exif_transpose(im) or im
            rgb = _to_rgb(im, name)
    except ImageError:
        raise
    except Exception:
        raise ImageError(f"{name} is truncated or corrupt and cannot be decoded.") from None
    if cap is not None and max(rgb.shape[:2]) > cap:
        rgb = resize_to_max_side(rgb, cap)
    return rgb


def fitted_size(height: int, width: int, max_side: int) -> tuple[int, int]:
    """(h, w) scaled so the long side is `max_side`, keeping the aspect ratio."""
    scale = max_side / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize an RGB uint8 or float image to (h, w); Lanczos down, bicubic up."""
    h, w = size
    if image.shape[:2] == (h, w):
        return image
    shrinking = h * w < image.shape[0] * image.shape[1]
    method = Image.Resampling.LANCZOS if shrinking else Image.Resampling.BICUBIC
    if image.dtype == np.uint8:
        return np.asarray(Image.fromarray(image).resize((w, h), method))
    channels = [
        np.asarray(Image.fromarray(image[..., c].astype(np.float32), mode="F").resize((w, h), method))
        for c in range(image.shape[2])
    ]
    return np.stack(channels, axis=2)


def resize_to_max_side(image: np.ndarray, max_side: int) -> np.ndarray:
    return resize(image, fitted_size(image.shape[0], image.shape[1], max_side))


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Float pixels in [0, 255] → uint8, rounding rather than truncating."""
    return np.clip(np.asarray(image, dtype=np.float32) + 0.5, 0, 255).astype(np.uint8)


def encode_png(image: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(to_uint8(image) if image.dtype != np.uint8 else image).save(buf, format="PNG")
    return buf.getvalue()


def encode_gif(frames: list[np.ndarray], *, duration_ms: int = 120, max_side: int = 512) -> bytes:
    """Animated GIF of run snapshots (for slides); the last frame is held longer."""
    if not frames:
        raise ValueError("no frames")
    target = fitted_size(frames[-1].shape[0], frames[-1].shape[1], min(max_side, max(frames[-1].shape[:2])))
    pil = [Image.fromarray(resize(to_uint8(f), target)) for f in frames]
    durations = [duration_ms] * (len(pil) - 1) + [max(1500, duration_ms)]
    buf = io.BytesIO()
    pil[0].save(buf, format="GIF", save_all=True, append_images=pil[1:], duration=durations, loop=0, optimize=False)
    return buf.getvalue()
