"""A catalogue of bad and unusual image files, generated at test time (no binary files in the repo).

Each case is a small generator returning (file name, bytes) — a `bytes` name is written to disk
as is, for names that are not valid UTF-8 — plus what `nst.images.load_image` must do with it:
"ok" with a check of the decoded array, or "error" with a phrase its one-sentence message must
contain. Generators are cached, so a case costs its construction once per session.
"""

from __future__ import annotations

import functools
import io
import itertools
import os
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

RED, GREEN, BLUE, WHITE = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)
NOT_AN_IMAGE = "not an image we can read"


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[], tuple[str | bytes, bytes]]
    expect: str  # "ok" or "error"
    phrase: str = ""  # error: the message must contain this
    check: Callable[[np.ndarray], None] | None = None  # ok: asserts about the decoded array
    seconds: float | None = None  # bound on load_image's time, only where the risk is a hang
    disk_size: int = 0  # on disk, extend the file (sparsely) to this many bytes
    cli_phrase: str = ""  # loads, but the CLI must refuse it (exit 2) with this phrase

    @property
    def name(self) -> str:
        """The file name as Python shows it (undecodable bytes as surrogates, like sys.argv)."""
        name = self.make()[0]
        return os.fsdecode(name) if isinstance(name, bytes) else name

    def write(self, directory: Path) -> Path:
        name, data = self.make()
        path = os.path.join(os.fsencode(directory), name if isinstance(name, bytes) else os.fsencode(name))
        with open(path, "wb") as f:
            f.write(data)
            if self.disk_size:
                f.truncate(self.disk_size)
        return Path(os.fsdecode(path))


CASES: list[Case] = []


def case(expect: str, phrase: str = "", **options):
    def register(make: Callable[[], tuple[str | bytes, bytes]]):
        CASES.append(Case(make.__name__, functools.cache(make), expect, phrase, **options))
        return make

    return register


# ----------------------------------------------------------------------------- building blocks
def encode(im: Image.Image, fmt: str, **params) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **params)
    return buf.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, rows: Iterable[bytes], *, bit_depth: int = 8, colour_type: int = 2) -> bytes:
    """A PNG written by hand: rows (without filter byte) are streamed through zlib, so a huge image
    costs no memory, and bit depths Pillow cannot write (16-bit RGB) are possible."""
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(b"\0" + row) for row in rows) + z.flush()
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def photo(width: int = 96, height: int = 64, seed: int = 0) -> Image.Image:
    """Gradients plus noise: JPEG-like content that compresses realistically."""
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 // max(1, width - 1), y * 255 // max(1, height - 1), (x + y) % 256], axis=2)
    noise = np.random.default_rng(seed).integers(-20, 21, base.shape)
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8))


def flat(colour, size=(40, 30), mode="RGB") -> Image.Image:
    return Image.new(mode, size, colour)


def marked(width: int, height: int) -> Image.Image:
    """White with a red block in the top-left: shows which way up an image is."""
    im = Image.new("RGB", (width, height), WHITE)
    im.paste(RED, (0, 0, width // 3, height // 4))
    return im


# EXIF orientation → the transpose that stores an upright picture so a viewer shows it upright
# (the inverse of what the viewer applies).
_STORE = {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}


def jpeg_with_orientation(upright: Image.Image, orientation: int, **params) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(upright.transpose(_STORE[orientation]), "JPEG", exif=exif.tobytes(), quality=92, **params)


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def insert_after_soi(jpeg: bytes, *segments: bytes) -> bytes:
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


# ----------------------------------------------------------------------------- checks
def near(actual, expected, tol: int = 12) -> bool:
    return bool(np.all(np.abs(np.asarray(actual, int) - np.asarray(expected, int)) <= tol))


def colour(expected, tol: int = 12):
    def check(a: np.ndarray) -> None:
        assert near(a.reshape(-1, 3).mean(axis=0), expected, tol), a.reshape(-1, 3).mean(axis=0)

    return check


def upright(shape: tuple[int, int]):
    """Shape (h, w), red in the top-left block (where a viewer shows it), white in the other corners."""

    def check(a: np.ndarray) -> None:
        h, w = a.shape[:2]
        assert (h, w) == shape, (h, w)
        assert near(a[h // 8, w // 6], RED, 40), a[h // 8, w // 6]
        for y, x in ((h // 8, w - 1 - w // 6), (h - 1 - h // 8, w // 6), (h - 1 - h // 8, w - 1 - w // 6)):
            assert near(a[y, x], WHITE, 40), (y, x, a[y, x])

    return check


def grey(a: np.ndarray) -> None:
    assert (a[..., 0] == a[..., 1]).all() and (a[..., 1] == a[..., 2]).all()


def shape(expected: tuple[int, int]):
    def check(a: np.ndarray) -> None:
        assert a.shape == (*expected, 3), a.shape

    return check


def all_of(*checks):
    def check(a: np.ndarray) -> None:
        for c in checks:
            c(a)

    return check


# ============================================================================= errors
@case("error", "is empty")
def empty_file():
    return "empty.jpg", b""


@case("error", NOT_AN_IMAGE)
def text_named_jpg():
    return "notes.jpg", b"shopping list: eggs, milk\n" * 20


@case("error", "truncated or corrupt")
def truncated_jpeg():
    data = encode(photo(), "JPEG", quality=90)
    return "cut.jpg", data[: len(data) * 6 // 10]


@case("error", "truncated or corrupt")
def truncated_png():
    data = encode(photo(), "PNG")
    return "cut.png", data[: len(data) * 6 // 10]


@case("error", "damaged")
def jpeg_magic_then_garbage():
    return "garbage.jpg", b"\xff\xd8\xff\xe0" + np.random.default_rng(1).bytes(4000)


@case("error", "damaged")
def png_magic_then_garbage():
    return "garbage.png", b"\x89PNG\r\n\x1a\n" + np.random.default_rng(2).bytes(4000)


@case("error", NOT_AN_IMAGE)
def html_named_png():
    return "page.png", b"<!DOCTYPE html>\n<html><head><title>x</title></head><body><img src=a.png></body></html>\n"


@case("error", NOT_AN_IMAGE)
def svg_named_jpg():
    return "drawing.jpg", (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">'
        b'<rect width="400" height="300" fill="red"/></svg>\n'
    )


@case("error", "each side needs at least 16")
def one_pixel():
    return "dot.png", encode(flat(RED, (1, 1)), "PNG")


@case("error", "each side needs at least 16")
def strip_2x2000():
    return "strip.png", encode(flat(RED, (2, 2000)), "PNG")


@case("error", "64 megapixels", seconds=1.0)
def png_bomb_30000():
    """30000×30000: 109 KB on disk, 2.7 GB as RGB (Pillow's own bomb error fires first). One bit per
    pixel keeps generating it fast."""
    return "bomb.png", png(30000, 30000, itertools.repeat(bytes(3750), 30000), bit_depth=1, colour_type=0)


@case("error", "is 9000×9000 pixels; the limit is 64 megapixels", seconds=1.0)
def png_81_megapixels():
    """Above our limit but below Pillow's own bomb error (179 MP): our header check refuses it."""
    return "large.png", png(9000, 9000, itertools.repeat(bytes(1125), 9000), bit_depth=1, colour_type=0)


@case("error", "64 megapixels", seconds=1.0)
def gif_bomb_65535():
    """A tiny GIF whose logical screen claims 65535×65535 (Pillow's own bomb check fires first)."""
    data = bytearray(encode(flat(RED, (32, 32)), "GIF"))
    data[6:10] = struct.pack("<HH", 65535, 65535)
    return "screen.gif", bytes(data)


@case("error", "scans", seconds=1.0)
def jpeg_scan_bomb():
    """A progressive JPEG followed by 2000 near-empty scans (one EOB-run code each): 40 KB that
    make libjpeg sweep every block 2000 times."""
    base = encode(Image.new("L", (3000, 2000), 128), "JPEG", progressive=True, quality=50)
    blocks = (3000 // 8) * (2000 // 8)
    # AC table 3 with one symbol, 0xE0 (EOB run of 2^14 + 14 extra bits), as code '0'
    table = jpeg_segment(0xC4, bytes([0x13, 1] + [0] * 15 + [0xE0]))
    bits = ("0" + "1" * 14) * -(-blocks // 32767)
    bits += "1" * (-len(bits) % 8)
    data = bytes(int(bits[i : i + 8], 2) for i in range(0, len(bits), 8)).replace(b"\xff", b"\xff\x00")  # stuffing
    scan = jpeg_segment(0xDA, bytes([1, 1, 0x03, 1, 63, 0])) + data
    return "scans.jpg", base[:-2] + table + scan * 2000 + b"\xff\xd9"


@case("error", "fully transparent")
def all_transparent_rgba():
    return "ghost.png", encode(flat((255, 0, 0, 0), mode="RGBA"), "PNG")


@case("error", NOT_AN_IMAGE)
def psd_file():
    """Photoshop: 8BPS header, 3 channels of 64×64, raw data (Pillow can read but not write it)."""
    header = b"8BPS" + struct.pack(">H6sHIIHH", 1, bytes(6), 3, 64, 64, 8, 3)
    return "layers.psd", header + struct.pack(">III", 0, 0, 0) + struct.pack(">H", 0) + bytes(64 * 64 * 3)


@case("error", NOT_AN_IMAGE)
def ico_file():
    return "favicon.ico", encode(flat(RED, (32, 32)), "ICO")


@case("error", NOT_AN_IMAGE)
def eps_file():
    """PostScript: Pillow would hand it to Ghostscript. Pillow writes EPS without Ghostscript."""
    return "figure.eps", encode(flat(RED, (32, 32)), "EPS")


@case("error", NOT_AN_IMAGE)
def heic_from_phone():
    """An iPhone HEIC (just the ISO-BMFF 'ftyp' box; Pillow has no HEIF decoder)."""
    ftyp = struct.pack(">I", 24) + b"ftypheic" + struct.pack(">I", 0) + b"mif1heic"
    return "IMG_0001.HEIC", ftyp + struct.pack(">I", 8) + b"meta" + bytes(2000)


@case("error", "50 MB", seconds=1.0, disk_size=51 * 2**20)
def file_over_50mb():
    """A valid JPEG followed by padding to 51 MB (sparse on disk)."""
    return "huge.jpg", encode(photo(), "JPEG")


@case("error", "truncated or corrupt")
def corrupt_lzw_tiff():
    """Garbage LZW strip data: libtiff prints complaints on file descriptor 2 while failing."""
    data = encode(photo(64, 48), "TIFF", compression="tiff_lzw")
    tags = Image.open(io.BytesIO(data)).tag_v2
    start, length = tags[273][0], tags[279][0]
    return "broken.tif", data[: start + 10] + b"\xff" * (length - 10) + data[start + length :]


@case("error", "damaged")
def tiff_absurd_samples_per_pixel():
    """SamplesPerPixel = 40000: Pillow refuses it and logs an error (printed unless handled)."""
    data = bytearray(encode(photo(64, 48), "TIFF"))
    entry = data.index(struct.pack("<HHI", 277, 3, 1))  # tag, SHORT, count 1, value
    data[entry + 8 : entry + 10] = struct.pack("<H", 40000)
    return "samples.tif", bytes(data)


@case("error", NOT_AN_IMAGE)
def non_utf8_name_text():
    return b"caf\xe9 menu.jpg", b"not an image\n"


@case("error", NOT_AN_IMAGE)
def newline_in_name():
    return "two\nlines.png", b"not an image either\n"


# ============================================================================= accepted
@case("ok", check=colour(RED))
def png_named_jpg():
    return "actually-a-png.jpg", encode(flat(RED), "PNG")


@case("ok", check=upright((2048, 1365)), seconds=3.0)
def huge_photo_rotated():
    """6000×4000 JPEG (24 MP) with orientation 6: JPEG draft decoding, EXIF rotation and the cap together."""
    return "DSC_6000x4000.jpg", jpeg_with_orientation(marked(4000, 6000), 6)


@case("ok", check=colour(RED))
def cmyk_jpeg():
    """Stored inverted with an Adobe APP14 marker, as Photoshop writes CMYK JPEGs."""
    data = encode(flat((0, 255, 255, 0), mode="CMYK"), "JPEG", quality=95)
    assert b"Adobe" in data[:200]
    return "print.jpg", data


def _check_grey16(a: np.ndarray) -> None:
    grey(a)
    assert (a[:, 0, 0] == 255).all() and near(a[:, 1, 0], 128, 1) and (a[:, 2, 0] == 0).all(), a[0, :4, 0]


@case("ok", check=_check_grey16)
def grey16_png():
    row = struct.pack(">3H", 65535, 32896, 0) + struct.pack(">H", 1000) * 37
    return "scan16.png", png(40, 30, itertools.repeat(row, 30), bit_depth=16, colour_type=0)


def _check_rgb16(a: np.ndarray) -> None:
    assert near(a[:, :20].reshape(-1, 3), (255, 0, 128), 1), a[0, 0]
    assert near(a[:, 20:].reshape(-1, 3), (0, 128, 255), 1), a[0, 39]


@case("ok", check=_check_rgb16)
def rgb16_png():
    """Pillow cannot write 16-bit RGB, so the PNG is written by hand; Pillow reads it as 8-bit RGB."""
    row = struct.pack(">3H", 65535, 0, 32896) * 20 + struct.pack(">3H", 0, 32896, 65535) * 20
    return "render16.png", png(40, 30, itertools.repeat(row, 30), bit_depth=16, colour_type=2)


def _check_left_white_right_green(a: np.ndarray) -> None:
    assert near(a[:, :20].reshape(-1, 3), WHITE, 0) and near(a[:, 20:].reshape(-1, 3), GREEN, 0), (a[0, 0], a[0, 39])


@case("ok", check=_check_left_white_right_green)
def palette_transparency():
    im = Image.new("P", (40, 30), 0)
    im.putpalette([*RED, *GREEN])
    im.paste(1, (20, 0, 40, 30))
    return "sticker.png", encode(im, "PNG", transparency=0)


@case("ok", check=_check_left_white_right_green)
def rgb_colour_key():
    """An RGB PNG whose tRNS chunk makes one colour (red) transparent."""
    im = flat(RED)
    im.paste(GREEN, (20, 0, 40, 30))
    return "keyed.png", encode(im, "PNG", transparency=RED)


def _check_la(a: np.ndarray) -> None:
    grey(a)
    assert near(a[:, :20, 0], 50, 0) and near(a[:, 20:, 0], 127, 1), (a[0, 0], a[0, 39])


@case("ok", check=_check_la)
def la_png():
    """Greyscale + alpha: opaque grey 50 on the left, half-transparent black on the right."""
    im = Image.new("LA", (40, 30), (50, 255))
    im.paste((0, 128), (20, 0, 40, 30))
    return "grey-alpha.png", encode(im, "PNG")


@case("ok", check=all_of(grey, colour((90, 90, 90), 2)))
def grey_jpeg():
    return "bw.jpg", encode(flat(90, mode="L"), "JPEG")


@case("ok", check=all_of(grey, colour(WHITE, 0)))
def one_bit_bmp():
    return "fax.bmp", encode(flat(1, mode="1"), "BMP")


@case("ok", check=colour(RED))
def animated_gif():
    frames = [flat(RED), flat(BLUE)]
    return "blink.gif", encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


@case("ok", check=colour(RED))
def animated_webp():
    frames = [flat(RED), flat(BLUE)]
    return "blink.webp", encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)


@case("ok", check=colour(RED))
def animated_png():
    frames = [flat(RED), flat(BLUE)]
    return "blink.png", encode(frames[0], "PNG", save_all=True, append_images=frames[1:])


@case("ok", check=colour(RED), seconds=1.0)
def gif_20000_frames():
    """Frame 0 red, then 20000 one-pixel frames: only the first frame may be looked at."""
    base = encode(flat(RED, (32, 32)), "GIF", save_all=True, append_images=[flat(BLUE, (32, 32))])
    control = b"\x21\xf9\x04\x00\x0a\x00\x00\x00"
    tiny = b"\x2c" + struct.pack("<4H", 0, 0, 1, 1) + b"\x00" + b"\x02\x02\x44\x01\x00"  # LZW: clear, 0, end
    return "many-frames.gif", base[:-1] + (control + tiny) * 20000 + b";"


@case("ok", check=upright((30, 40)))
def exif_orientation_3():
    return "upside-down.jpg", jpeg_with_orientation(marked(40, 30), 3)


@case("ok", check=upright((60, 40)))
def exif_orientation_6():
    return "portrait-6.jpg", jpeg_with_orientation(marked(40, 60), 6)


@case("ok", check=upright((60, 40)))
def exif_orientation_8():
    return "portrait-8.jpg", jpeg_with_orientation(marked(40, 60), 8)


@case("ok", check=upright((60, 40)))
def corrupt_exif_tag():
    """Orientation 6 plus a tag whose type contradicts Pillow's table (GrayResponseUnit stored as
    text), which made ImageOps.exif_transpose fail while rewriting the EXIF block."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x0110] = "EOS"  # Model, ASCII
    raw = exif.tobytes()
    order = "<" if raw[:2] == b"II" else ">"
    raw = raw.replace(struct.pack(order + "HH", 0x0110, 2), struct.pack(order + "HH", 0x0122, 2))
    upright_im = marked(40, 60)
    return "odd-exif.jpg", encode(upright_im.transpose(_STORE[6]), "JPEG", exif=raw, quality=92)


@case("ok", check=shape((30, 40)))
def garbage_exif_block():
    app1 = jpeg_segment(0xE1, b"Exif\0\0" + np.random.default_rng(3).bytes(600))
    return "junk-exif.jpg", insert_after_soi(encode(flat(RED), "JPEG"), app1)


@case("ok", check=shape((30, 40)), seconds=2.0)
def exif_5000_entries():
    """A maximal (64 KB) EXIF block: one IFD with 5000 unknown tags pointing at shared data."""
    n = 5000
    entries = b"".join(struct.pack("<HHII", 0xC000 + i, 4, 1, i) for i in range(n))
    tiff = b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", n) + entries + struct.pack("<I", 0)
    return "long-exif.jpg", insert_after_soi(encode(flat(RED), "JPEG"), jpeg_segment(0xE1, b"Exif\0\0" + tiff))


@case("ok", check=colour(RED))
def garbage_icc_profile():
    """Colour profiles are ignored (pixels are taken as sRGB), even a garbage one."""
    return "profiled.jpg", encode(flat(RED), "JPEG", quality=95, icc_profile=b"not really an ICC profile" * 10)


@case("ok", check=shape((64, 96)), seconds=2.0)
def jpeg_comment_flood():
    """50000 empty COM segments before the image (200 KB): parsing cost stays linear."""
    return "chatty.jpg", insert_after_soi(encode(photo(), "JPEG"), b"\xff\xfe\x00\x02" * 50000)


@case("ok", check=colour(RED))
def mpo_from_phone():
    """Multi-picture JPEG (MPO, e.g. 3D/depth photos): the first picture is used."""
    return "IMG_3D.jpg", encode(flat(RED), "MPO", save_all=True, append_images=[flat(BLUE)], quality=95)


@case("ok", check=colour(RED))
def lzw_tiff():
    return "scan.tif", encode(flat(RED), "TIFF", compression="tiff_lzw")


@case("ok", check=_check_grey16)
def grey16_tiff():
    a = np.full((30, 40), 1000, np.uint16)
    a[:, 0], a[:, 1], a[:, 2] = 65535, 32896, 0
    return "scan16.tif", encode(Image.fromarray(a), "TIFF")


@case("ok", check=_check_grey16)
def grey16_tiff_big_endian():
    a = np.full((30, 40), 1000, ">u2")
    a[:, 0], a[:, 1], a[:, 2] = 65535, 32896, 0
    im = Image.fromarray(a)
    assert im.mode == "I;16B"
    return "scan16be.tif", encode(im, "TIFF")


@case("ok", check=colour(RED, 0))
def bmp_file():
    return "paint.bmp", encode(flat(RED), "BMP")


@case("ok", check=colour(RED, 0))
def trailing_garbage():
    """A PNG with a ZIP-like tail appended (polyglot files): the tail is ignored."""
    return "tail.png", encode(flat(RED), "PNG") + b"PK\x03\x04" + bytes(100_000)


@case("ok", check=colour(RED, 0))
def unicode_name():
    return "Tübingen 🎨.png", encode(flat(RED), "PNG")


@case("ok", check=colour(RED, 0))
def name_with_spaces():
    return "my holiday  photo (1).png", encode(flat(RED), "PNG")


@case("ok", check=upright((60, 40)))
def non_utf8_name():
    return b"caf\xe9.jpg", jpeg_with_orientation(marked(40, 60), 6)


@case("ok", check=colour(RED, 0))
def very_long_name():
    return "long-" + "x" * 235 + ".png", encode(flat(RED), "PNG")  # 244 bytes; most file systems allow 255


@case("ok", check=shape((2048, 11)), cli_phrase="short side needs at least")
def thin_16x3000():
    """Passes MIN_SIDE, but at any run size its short side is below what the network needs."""
    return "thin.png", encode(flat(RED, (16, 3000)), "PNG")


CASES_BY_ID = {c.id: c for c in CASES}
assert len(CASES_BY_ID) == len(CASES)
