"""Decoding, validating and resizing user images.

Everything a user can hand us (uploads, CLI paths) goes through `load_image`, which either
returns a plain RGB uint8 array or raises `ImageError` with one sentence a person can act on.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import threading
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, UnidentifiedImageError

# Formats we decode (MPO, the multi-picture JPEG of phones, comes in through the JPEG plugin).
# Everything else (EPS via Ghostscript, PSD, ICO, AVIF, ...) is refused: fewer decoders reachable
# from an upload means fewer ways in.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF")
# Refuse before decoding: a 30000x30000 PNG is a few KB on disk and 2.7 GB in memory. Pillow's own
# bomb check (error above 179 megapixels) stays on for everything else in the process.
MAX_PIXELS = 64_000_000
MAX_FILE_BYTES = 50 * 1024 * 1024
# A progressive JPEG can repeat near-empty scans, each costing a pass over every block: a few
# hundred KB that decode for minutes. Encoders write at most a dozen or so per picture.
MAX_JPEG_SCANS = 100
# Images are kept at most this large after decoding; runs never need more.
DEFAULT_CAP = 2048
MIN_SIDE = 16

_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# A file that starts like one of our formats but does not open is damaged rather than foreign.
_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
_FD2_LOCK = threading.Lock()
# Pillow logs some damaged-file details as errors; without a handler Python prints them on stderr.
logging.getLogger("PIL").addHandler(logging.NullHandler())


class ImageError(ValueError):
    """A user-supplied image that cannot be used; the message is one plain sentence."""


def _label(name: str) -> str:
    """A file name fit for a one-line message: undecodable bytes and control characters escaped, ≤ 120 chars."""
    text = "".join(
        c if c.isprintable() else f"\\x{ord(c) - 0xDC00:02x}" if "\udc80" <= c <= "\udcff" else repr(c)[1:-1]
        for c in name
    )
    return text if len(text) <= 120 else text[:60] + "…" + text[-59:]


def _read_bytes(source: bytes | str | Path | BinaryIO, name: str) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    try:
        if isinstance(source, str | os.PathLike):
            path = Path(source)
            if not path.exists():
                raise ImageError(f"{name}: no such file.")
            if not path.is_file():
                raise ImageError(f"{name}: not a file.")
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ImageError(f"{name} is {size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB.")
            with path.open("rb") as f:  # bounded read: the file may have grown since stat()
                return f.read(MAX_FILE_BYTES + 1)
        return bytes(source.read(MAX_FILE_BYTES + 1))
    except OSError as exc:
        raise ImageError(f"{name} cannot be read ({(exc.strerror or 'input/output error').lower()}).") from None


@contextlib.contextmanager
def _quiet_fd2():
    """libtiff prints complaints about damaged files straight to file descriptor 2, which would add
    lines to the CLI's one-line error; send them to /dev/null while a TIFF decodes."""
    with _FD2_LOCK:
        if sys.stderr is not None:
            sys.stderr.flush()
        saved, sink = os.dup(2), os.open(os.devnull, os.O_WRONLY)
        os.dup2(sink, 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(sink)


def _upright(im: Image.Image) -> Image.Image:
    """Apply the EXIF (or XMP) orientation; a damaged EXIF block leaves the pixels as stored."""
    try:
        orientation = im.getexif().get(0x0112)
    except Exception:
        return im
    method = _ORIENTATION.get(orientation) if isinstance(orientation, int) else None
    return im.transpose(method) if method is not None else im


def _flatten(im: Image.Image, name: str) -> Image.Image:
    """Any PIL mode → 8-bit 'RGB' or 'L', or 'RGBA' when there is transparency.

    Colour profiles (ICC) are ignored: pixels are taken as sRGB, and CMYK is converted naively.
    """
    mode = im.mode
    if mode.startswith("I") or mode == "F":
        # 16-bit and 32-bit greyscale: 16-bit ranges map 0..65535 → 0..255; float images are
        # stretched, since they have no agreed range.
        arr = np.array(im, dtype=np.float32)  # in-place from here: a 64-megapixel scan is 256 MB as float
        if mode == "F":
            arr -= arr.min()
            top = float(arr.max()) or 1.0
        else:
            top = 65535.0 if mode.startswith("I;16") or arr.max() > 255 else 255.0
        arr *= 255.0 / top
        arr += 0.5
        return Image.fromarray(np.clip(arr, 0, 255, out=arr).astype(np.uint8))
    if mode in ("P", "L", "RGB") and "transparency" in im.info:  # palette alpha or a PNG colour key
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        im = im.convert("RGBA")
        if im.getextrema()[3][1] == 0:
            raise ImageError(f"{name} is fully transparent, so there is nothing to use.")
        return im
    return im if im.mode in ("RGB", "L") else im.convert("RGB")


def _on_white(im: Image.Image) -> np.ndarray:
    """RGB uint8 array; transparency is composited on white."""
    if im.mode != "RGBA":
        return np.array(im if im.mode == "RGB" else im.convert("RGB"), dtype=np.uint8)
    rgba = np.asarray(im, dtype=np.float32)
    alpha = rgba[..., 3:4] / 255.0
    rgb = rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)
    return np.clip(rgb + 0.5, 0, 255).astype(np.uint8)


def load_image(
    source: bytes | str | Path | BinaryIO,
    *,
    name: str | None = None,
    cap: int | None = DEFAULT_CAP,
    max_pixels: int = MAX_PIXELS,
) -> np.ndarray:
    """Decode any supported image to an upright RGB uint8 array (H, W, 3).

    `source` is the file's content (bytes), a path, or a binary file object (read from its current
    position). The pixel count is checked from the header before anything is decoded, JPEGs larger
    than `cap` are decoded at reduced size, and the result is downscaled so its long side is at
    most `cap` (None keeps the full size). Animations give their first frame.
    """
    if name is None:
        name = str(source) if isinstance(source, str | os.PathLike) else "The image"
    name = _label(name)
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
        if data.startswith(_SIGNATURES):
            raise ImageError(f"{name} is damaged and cannot be opened.") from None
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
    if im.format in ("JPEG", "MPO") and (scans := data.count(b"\xff\xda")) > MAX_JPEG_SCANS:
        raise ImageError(f"{name} is a JPEG with {scans} scans, far more than normal; save it again as a JPEG or PNG.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if cap is not None and im.format in ("JPEG", "MPO"):
                h, w = fitted_size(height, width, min(cap, max(height, width)))
                im.draft("RGB", (w, h))  # libjpeg scales by 1/2, 1/4 or 1/8 while staying ≥ (w, h)
            with _quiet_fd2() if im.format == "TIFF" else contextlib.nullcontext():
                im.load()
            stored = im.size
            im = _flatten(_upright(im), name)
            if cap is not None and max(width, height) > cap:
                # the size follows from the file's dimensions, not the draft's rounded ones
                h, w = fitted_size(height, width, cap)
                im = im.resize((w, h) if im.size == stored else (h, w), Image.Resampling.LANCZOS, reducing_gap=3.0)
            return _on_white(im)
    except ImageError:
        raise
    except MemoryError:
        raise ImageError(f"{name} needs more memory to decode than is free; try a smaller image.") from None
    except Exception:
        raise ImageError(f"{name} is truncated or corrupt and cannot be decoded.") from None


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


def encode_jpeg(image: np.ndarray, quality: int = 88) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(to_uint8(image) if image.dtype != np.uint8 else image).save(buf, format="JPEG", quality=quality)
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
