#!/usr/bin/env python3
"""Generate the app's bundled sample gallery (content scenes and style images).

Every picture in ``assets/`` is drawn here, procedurally, by this project's own code:
no image is copied, traced or downloaded, so the whole gallery can be dedicated to the
public domain (CC0 1.0). The script only needs numpy and Pillow, uses fixed seeds (one
generator per picture, so the pictures do not depend on each other or on their order)
and rewrites ``assets/content/*.jpg``, ``assets/styles/*.jpg``, ``assets/gallery.json``
and ``assets/README.md``.

    .venv/bin/python assets/make_assets.py            # all pictures
    .venv/bin/python assets/make_assets.py swirls     # only the named ones (gallery files are not rewritten)
"""

from __future__ import annotations

import itertools
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ASSETS = Path(__file__).resolve().parent
JPEG_QUALITY = 88
SS = 3  # supersampling factor for antialiased shape masks

# --------------------------------------------------------------------------------------
# Small toolkit: colours, noise, blur, masks and a float canvas
# --------------------------------------------------------------------------------------


def col(c) -> np.ndarray:
    """'#rrggbb' or an RGB triple in [0, 1] -> float32 array."""
    if isinstance(c, str):
        c = c.lstrip("#")
        return np.array([int(c[i : i + 2], 16) for i in (0, 2, 4)], np.float32) / 255.0
    return np.asarray(c, np.float32)


def rgba(c, alpha: float = 1.0) -> tuple[int, int, int, int]:
    r, g, b = (np.clip(col(c), 0, 1) * 255 + 0.5).astype(int)
    return int(r), int(g), int(b), int(np.clip(alpha, 0, 1) * 255 + 0.5)


def lerp(c1, c2, t) -> np.ndarray:
    """Blend two colours by t (scalar or array) -> (..., 3)."""
    t = np.asarray(t, np.float32)[..., None]
    a, b = col(c1), col(c2)
    return a + (b - a) * t


def stops(t, points) -> np.ndarray:
    """Piecewise-linear colour ramp: points = [(position, colour), ...]."""
    t = np.asarray(t, np.float32)
    pos = [p for p, _ in points]
    cs = np.stack([col(c) for _, c in points])
    return np.stack([np.interp(t, pos, cs[:, k]) for k in range(3)], -1).astype(np.float32)


def _box1d(a: np.ndarray, r: int, axis: int) -> np.ndarray:
    a = np.moveaxis(a, axis, 0)
    p = np.concatenate([np.repeat(a[:1], r + 1, 0), a, np.repeat(a[-1:], r, 0)], 0)
    c = np.cumsum(p, axis=0, dtype=np.float32)
    return np.moveaxis((c[2 * r + 1 :] - c[: -(2 * r + 1)]) / (2 * r + 1), 0, axis)


def _tap3(a: np.ndarray, k: float, axis: int) -> np.ndarray:
    a = np.moveaxis(a, axis, 0)
    p = np.concatenate([a[:1], a, a[-1:]], 0)
    return np.moveaxis(p[1:-1] * (1 - 2 * k) + (p[:-2] + p[2:]) * k, 0, axis)


def gblur(a: np.ndarray, sigma: float, axes=(0, 1)) -> np.ndarray:
    """Gaussian-like blur of a float array: a 3-tap kernel for small sigma, else three box passes per axis."""
    if sigma <= 0:
        return a
    out = a.astype(np.float32)
    if sigma < 0.8:
        for axis in axes:
            out = _tap3(out, sigma * sigma / 2, axis)
        return out
    r = max(1, round((math.sqrt(4 * sigma * sigma + 1) - 1) / 2))
    for axis in axes:
        for _ in range(3):
            out = _box1d(out, r, axis)
    return out


def noise2d(h: int, w: int, scale, rng: np.random.Generator) -> np.ndarray:
    """Smooth value noise in [0, 1] with feature size `scale` px (or (sx, sy))."""
    sx, sy = (scale, scale) if np.isscalar(scale) else scale
    sx, sy = max(float(sx), 1.0), max(float(sy), 1.0)
    gw, gh = math.ceil(w / sx) + 3, math.ceil(h / sy) + 3
    g = rng.random((gh, gw)).astype(np.float32)
    big = np.asarray(Image.fromarray(g).resize((int(gw * sx), int(gh * sy)), Image.BICUBIC))
    oy, ox = int(sy), int(sx)
    return big[oy : oy + h, ox : ox + w]


def fbm(h: int, w: int, scale, rng, octaves: int = 5, gain: float = 0.5) -> np.ndarray:
    """Fractal noise normalised to [0, 1]."""
    sx, sy = (scale, scale) if np.isscalar(scale) else scale
    out = np.zeros((h, w), np.float32)
    amp = 1.0
    for _ in range(octaves):
        out += amp * noise2d(h, w, (sx, sy), rng)
        amp *= gain
        sx, sy = sx / 2, sy / 2
    return (out - out.min()) / (out.max() - out.min() + 1e-9)


def noise1d(n: int, scale: float, rng, octaves: int = 4, gain: float = 0.5) -> np.ndarray:
    """1-D fractal value noise in [0, 1] (cosine interpolated)."""
    out = np.zeros(n)
    amp, tot, s = 1.0, 0.0, float(scale)
    x = np.arange(n, dtype=np.float64)
    for _ in range(octaves):
        s = max(s, 1.0)
        pts = rng.random(int(n / s) + 3)
        u = x / s
        i = u.astype(int)
        f = (1 - np.cos((u - i) * np.pi)) / 2
        out += amp * (pts[i] * (1 - f) + pts[i + 1] * f)
        tot += amp
        amp *= gain
        s /= 2
    return out / tot


def normalize(v) -> np.ndarray:
    v = np.asarray(v, np.float32)
    return v / np.linalg.norm(v)


class Mask:
    """Antialiased coverage mask: draw shapes in canvas pixels, get a float array in [0, 1]."""

    def __init__(self, w: int, h: int, ss: int = SS):
        self.w, self.h, self.s = w, h, ss
        self.im = Image.new("L", (w * ss, h * ss), 0)
        self.d = ImageDraw.Draw(self.im)

    def _p(self, pts):
        s = self.s
        return [(float(x) * s, float(y) * s) for x, y in pts]

    def poly(self, pts, fill: int = 255):
        self.d.polygon(self._p(pts), fill=fill)
        return self

    def rect(self, box, fill: int = 255):
        x0, y0, x1, y1 = (float(v) * self.s for v in box)
        self.d.rectangle([min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)], fill=fill)
        return self

    def ellipse(self, box, fill: int = 255):
        x0, y0, x1, y1 = (float(v) * self.s for v in box)
        self.d.ellipse([min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)], fill=fill)
        return self

    def circle(self, cx, cy, r, fill: int = 255):
        return self.ellipse((cx - r, cy - r, cx + r, cy + r), fill)

    def line(self, pts, width, fill: int = 255):
        self.d.line(self._p(pts), fill=fill, width=max(1, round(width * self.s)), joint="curve")
        return self

    def get(self, blur: float = 0.0) -> np.ndarray:
        a = np.asarray(self.im.reduce(self.s), np.float32) / 255.0
        return gblur(a, blur) if blur else a


class Canvas:
    """Float RGB picture; paint() blends a colour (or a colour field) through a mask."""

    def __init__(self, w: int, h: int, bg="#000000"):
        self.w, self.h = w, h
        self.img = np.empty((h, w, 3), np.float32)
        self.img[:] = col(bg)
        self.yy, self.xx = np.mgrid[0:h, 0:w].astype(np.float32) + 0.5

    def mask(self, ss: int = SS) -> Mask:
        return Mask(self.w, self.h, ss)

    def paint(self, m, color, alpha: float = 1.0):
        a = np.clip(np.asarray(m, np.float32) * alpha, 0, 1)[..., None]
        c = col(color) if isinstance(color, str) else np.asarray(color, np.float32)
        self.img += (c - self.img) * a

    def multiply(self, m, color, alpha: float = 1.0):
        """Ink-like multiply blend (colours darken what is underneath)."""
        a = np.clip(np.asarray(m, np.float32) * alpha, 0, 1)[..., None]
        c = col(color) if isinstance(color, str) else np.asarray(color, np.float32)
        self.img *= 1 - a * (1 - c)

    def glow(self, cx, cy, radius, color, alpha):
        d2 = (self.xx - cx) ** 2 + (self.yy - cy) ** 2
        self.paint(np.exp(-d2 / (radius * radius)), color, alpha)

    def grain(self, rng, amount: float = 0.015, scale: float = 1.0):
        n = noise2d(self.h, self.w, scale, rng) - 0.5 if scale > 1 else rng.random((self.h, self.w)) - 0.5
        self.img += (amount * 2 * n)[..., None].astype(np.float32)

    def vignette(self, strength: float = 0.18):
        nx = (self.xx / self.w - 0.5) * 2
        ny = (self.yy / self.h - 0.5) * 2
        self.img *= (1 - strength * np.clip(nx * nx * 0.6 + ny * ny * 0.6, 0, 1) ** 1.5)[..., None]

    def image(self) -> Image.Image:
        return Image.fromarray((np.clip(self.img, 0, 1) * 255 + 0.5).astype(np.uint8))


class Layer(Canvas):
    """Transparent canvas (premultiplied colour + alpha) that is composited later."""

    def __init__(self, w: int, h: int):
        super().__init__(w, h)
        self.alpha = np.zeros((h, w), np.float32)

    def paint(self, m, color, alpha: float = 1.0):
        a = np.clip(np.asarray(m, np.float32) * alpha, 0, 1)
        c = col(color) if isinstance(color, str) else np.asarray(color, np.float32)
        self.img = self.img * (1 - a[..., None]) + c * a[..., None]
        self.alpha = self.alpha * (1 - a) + a

    def composite(self, cv: Canvas, alpha: float = 1.0):
        cv.img = cv.img * (1 - self.alpha[..., None] * alpha) + self.img * alpha


class Brush:
    """A supersampled PIL surface over a canvas for drawing many individually coloured strokes."""

    def __init__(self, cv: Canvas, ss: int = 2):
        self.cv, self.s = cv, ss
        self.im = cv.image().resize((cv.w * ss, cv.h * ss), Image.BICUBIC)
        self.d = ImageDraw.Draw(self.im, "RGBA")

    def _p(self, pts):
        s = self.s
        return [(float(x) * s, float(y) * s) for x, y in pts]

    def line(self, pts, color, width, alpha: float = 1.0, round_caps: bool = True):
        pts = self._p(pts)
        wpx = max(1.0, width * self.s)
        fill = rgba(color, alpha)
        self.d.line(pts, fill=fill, width=round(wpx), joint="curve" if len(pts) > 2 else None)
        if round_caps and wpx >= 3 and alpha >= 0.999:
            r = wpx / 2 - 0.5
            for x, y in (pts[0], pts[-1]):
                self.d.ellipse([x - r, y - r, x + r, y + r], fill=fill)

    def poly(self, pts, color, alpha: float = 1.0):
        self.d.polygon(self._p(pts), fill=rgba(color, alpha))

    def ellipse(self, cx, cy, rx, ry, color, alpha: float = 1.0):
        s = self.s
        self.d.ellipse([(cx - rx) * s, (cy - ry) * s, (cx + rx) * s, (cy + ry) * s], fill=rgba(color, alpha))

    def done(self):
        self.cv.img = np.asarray(self.im.reduce(self.s), np.float32) / 255.0


def shade(
    mask: np.ndarray,
    base,
    sigma: float,
    light=(-0.55, -0.65, 0.55),
    ambient: float = 0.4,
    spec: float = 0.0,
    shininess: float = 25.0,
    relief: float = 2.2,
) -> np.ndarray:
    """Pillow-shade an arbitrary silhouette: normals from its blurred mask, Lambert + Blinn light."""
    hgt = gblur(mask, sigma)
    gy, gx = np.gradient(hgt)
    k = relief * sigma
    nx, ny = -gx * k, -gy * k
    n = np.sqrt(nx * nx + ny * ny + 1)
    nx, ny, nz = nx / n, ny / n, 1 / n
    lx, ly, lz = normalize(light)
    lam = np.clip(nx * lx + ny * ly + nz * lz, 0, 1)
    c = col(base) * (ambient + (1 - ambient) * lam)[..., None]
    if spec:
        hx, hy, hz = normalize((lx, ly, lz + 1))
        c = c + spec * (np.clip(nx * hx + ny * hy + nz * hz, 0, 1) ** shininess)[..., None]
    return c


def sphere(
    cv: Canvas,
    cx,
    cy,
    r,
    base,
    light=(-0.55, -0.6, 0.6),
    ambient=0.25,
    spec=0.45,
    shininess=30,
    texture=None,
    bounce=None,
    edge_soft=0.6,
):
    """Draw a lit ball (fruit, lantern...) with optional surface texture and bounced light."""
    nx, ny = (cv.xx - cx) / r, (cv.yy - cy) / r
    nz = np.sqrt(np.clip(1 - nx * nx - ny * ny, 0, 1))
    lx, ly, lz = normalize(light)
    lam = np.clip(nx * lx + ny * ly + nz * lz, 0, 1)
    base = col(base) if isinstance(base, str) else np.asarray(base, np.float32)
    c = base * (ambient + (1 - ambient) * lam)[..., None]
    if texture is not None:
        c = c * texture[..., None] if texture.ndim == 2 else c * texture
    if bounce is not None:
        c = c + col(bounce) * (np.clip(ny, 0, 1) ** 3 * (1 - nz) * 0.6)[..., None]
    hx, hy, hz = normalize((lx, ly, lz + 1))
    c = c + spec * (np.clip(nx * hx + ny * hy + nz * hz, 0, 1) ** shininess)[..., None]
    m = cv.mask().circle(cx, cy, r).get(edge_soft)
    cv.paint(m, c)
    return m


def cast_shadow(cv: Canvas, cx, cy, rx, ry, blur, alpha, color="#1a1208"):
    cv.multiply(cv.mask().ellipse((cx - rx, cy - ry, cx + rx, cy + ry)).get(blur), color, alpha)


def reflect(
    cv: Canvas,
    y0: int,
    rng,
    tint,
    tint_alpha=0.3,
    fade=0.3,
    amp=2.5,
    freq=0.8,
    darken=0.85,
    vblur=0.0,
    y1: int | None = None,
):
    """Mirror everything above the water line y0 into rows y0..y1 with rippled rows and a water tint."""
    y1 = cv.h if y1 is None else y1
    ys = np.arange(y0, y1)
    depth = (ys - y0).astype(np.float32)
    src_y = np.clip(2 * y0 - ys - 1, 0, cv.h - 1)
    grow = 0.35 + depth / max(1, y1 - y0)
    shift = amp * grow * np.sin(depth * freq + rng.random() * 6.28 + rng.normal(0, 0.6, len(ys)))
    xs = np.arange(cv.w)
    src_x = np.clip(np.round(xs[None, :] + shift[:, None]).astype(int), 0, cv.w - 1)
    refl = cv.img[src_y[:, None], src_x] * darken
    if vblur:
        refl = gblur(refl, vblur, axes=(0,))
    t = np.clip(tint_alpha + fade * depth / max(1, y1 - y0), 0, 1)[:, None, None]
    cv.img[y0:y1] = refl + (col(tint) - refl) * t


def ridge_poly(ridge: np.ndarray, bottom: float, step: int = 2):
    n = len(ridge)
    pts = [(float(x), float(ridge[x])) for x in range(0, n, step)]
    pts += [(float(n - 1), float(ridge[-1])), (float(n - 1), bottom), (0.0, bottom)]
    return pts


# --------------------------------------------------------------------------------------
# Reusable scenery pieces
# --------------------------------------------------------------------------------------


def cloud(cv: Canvas, cx, cy, s, rng, light="#ffffff", shadow="#c3c4d6", alpha=0.92, n=9):
    m = cv.mask()
    for _ in range(n):
        k = rng.uniform(-1, 1)
        rr = (30 - abs(k) * 17) * s * rng.uniform(0.85, 1.15)
        m.circle(cx + k * 62 * s, cy - rr * 0.5 + rng.normal(0, 2) * s, rr)
    m.rect((cx - 400 * s, cy + 9 * s, cx + 400 * s, cy + 200 * s), fill=0)
    m.ellipse((cx - 62 * s, cy - 6 * s, cx + 62 * s, cy + 9 * s))
    a = m.get(blur=1.0 * s + 0.6)
    t = np.clip((cv.yy - (cy - 38 * s)) / (46 * s), 0, 1) ** 1.3
    cv.paint(a, lerp(light, shadow, t), alpha)


def round_tree(cv: Canvas, x, base, h, r, rng, leaf="#4f8a3a", trunk="#5b4331"):
    m = cv.mask().poly(
        [(x - r * 0.1, base), (x + r * 0.1, base), (x + r * 0.05, base - h + r), (x - r * 0.05, base - h + r)]
    )
    cv.paint(m.get(0.4), trunk)
    cy = base - h + r
    m = cv.mask()
    for _ in range(11):
        a = rng.uniform(0, 2 * np.pi)
        d = rng.uniform(0, 0.5) * r
        m.circle(x + d * math.cos(a), cy + d * math.sin(a) * 0.85, r * rng.uniform(0.42, 0.62))
    mk = m.get(0.5)
    c = shade(mk, leaf, sigma=r * 0.45, ambient=0.35)
    clumps = noise2d(cv.h, cv.w, max(2.0, r * 0.22), rng)
    c *= (0.78 + 0.4 * clumps)[..., None]
    cv.paint(mk, c)


def conifer(cv: Canvas, x, base, h, w, rng, dark="#24493a", light="#4d7d52", tiers=5):
    m = cv.mask()
    m.rect((x - w * 0.05, base - h * 0.2, x + w * 0.05, base))
    for i in range(tiers):
        top = base - h + h * 0.75 * i / tiers
        bot = top + h * 0.38
        hw = w * (0.3 + 0.7 * (i + 1) / tiers) / 2 * rng.uniform(0.9, 1.1)
        m.poly(
            [(x, top), (x + hw, bot), (x + hw * 0.15, bot - h * 0.04), (x - hw * 0.15, bot - h * 0.04), (x - hw, bot)]
        )
    mk = m.get(0.4)
    t = np.clip((cv.xx - (x - w / 2)) / w, 0, 1)
    c = lerp(light, dark, t**0.8) * (0.85 + 0.3 * noise2d(cv.h, cv.w, max(2.0, w * 0.12), rng))[..., None]
    cv.paint(mk, c)


# --------------------------------------------------------------------------------------
# Content scenes
# --------------------------------------------------------------------------------------


def lake_house() -> Image.Image:
    rng = np.random.default_rng(1101)
    W, H, HZ = 640, 480, 318  # HZ: the lake's far shore / water line
    cv = Canvas(W, H)
    ys = np.arange(H) + 0.5
    cv.img[:] = stops(ys / HZ, [(0, "#2c5c9c"), (0.45, "#6f9fd3"), (0.78, "#dcd6cc"), (1.0, "#f5c994")])[:, None]

    sx, sy = 468, 148
    cv.glow(sx, sy, 150, "#ffdca8", 0.45)
    cv.glow(sx, sy, 45, "#fff0c8", 0.8)
    cv.paint(cv.mask().circle(sx, sy, 22).get(0.6), "#fffdf2")
    for cx, cy, s in [(120, 80, 1.0), (318, 116, 0.62), (585, 66, 0.8), (30, 176, 0.45)]:
        cloud(cv, cx, cy, s, rng)

    # three ranges of hills, paler and bluer with distance
    ranges = [
        (HZ - 80, 95, 150, "#7486b4", "#aab6cf", 0.0),
        (HZ - 52, 40, 110, "#5d8778", "#8aa89b", 0.5),
        (HZ - 26, 22, 70, "#4c8246", "#6c9c57", 1.0),
    ]
    for base, amp, scale, top_c, bot_c, tex in ranges:
        r = base - amp * noise1d(W + 1, scale, rng, octaves=5) ** (1.6 if tex == 0 else 1.0)
        mk = cv.mask().poly(ridge_poly(r, HZ + 2)).get(0.5)
        t = np.clip((cv.yy - base + amp) / (HZ - base + amp), 0, 1)
        c = lerp(top_c, bot_c, t)
        if tex:
            c *= (0.82 + 0.32 * fbm(H, W, 14, rng, octaves=4))[..., None] ** tex
        else:  # faint gullies on the far mountains
            c *= (0.92 + 0.1 * fbm(H, W, (14, 26), rng, octaves=4))[..., None]
        cv.paint(mk, c)
        if tex > 0.9:  # dotted woodland along the near range
            m = cv.mask()
            for _ in range(260):
                x = rng.uniform(0, W)
                y = r[int(x)] + rng.uniform(2, 30)
                m.circle(x, y, rng.uniform(2.5, 6))
            mk2 = m.get(0.3) * mk
            cv.paint(mk2, shade(mk2, "#3d6c37", 2.0, ambient=0.45))

    # meadow on the right bank
    mr = 292 - 6 * noise1d(W + 1, 60, rng)
    mr[:300] = HZ + 4
    ramp = np.clip((np.arange(W + 1) - 300) / 70.0, 0, 1)
    mr = HZ + 2 - (HZ + 2 - mr) * ramp**0.7
    mk = cv.mask().poly(ridge_poly(mr, HZ + 2)).get(0.5)
    c = lerp("#9cc865", "#6f9f48", np.clip((cv.yy - 288) / 30, 0, 1)) * (0.9 + 0.2 * fbm(H, W, 10, rng, 3))[..., None]
    cv.paint(mk, c)

    # trees behind the house
    for x, h, w in [(418, 66, 26), (436, 84, 30), (604, 72, 28), (624, 58, 24)]:
        conifer(cv, x, 306, h, w, rng)
    round_tree(cv, 585, 304, 62, 24, rng, leaf="#5b9a40")

    # the house: gable end facing us, long side wall to the right
    bx, by = 468, 306  # left corner, ground level
    gw, sw, wh = 44, 56, 36  # gable width, side wall length, wall height
    peak = (bx + gw / 2, by - wh - 26)
    cv.paint(cv.mask().rect((bx - 4, by - 3, bx + gw + sw + 6, by + 2)).get(1.5), "#3f5a2c", 0.6)
    cv.paint(
        cv.mask().rect((bx, by - wh, bx + gw, by)).poly([(bx, by - wh), peak, (bx + gw, by - wh)]).get(0.4), "#f2e6c9"
    )
    cv.paint(
        cv.mask()
        .poly([(bx + gw, by - wh), (bx + gw + sw, by - wh - 3), (bx + gw + sw, by - 1), (bx + gw, by)])
        .get(0.4),
        lerp("#d9c39c", "#c4ab82", np.clip((cv.xx - bx - gw) / sw, 0, 1)),
    )
    roof = [peak, (peak[0] + sw, peak[1] - 3), (bx + gw + sw + 5, by - wh - 5), (bx + gw + 4, by - wh + 2)]
    rm = cv.mask().poly(roof).get(0.4)
    shingles = 0.88 + 0.12 * (np.sin((cv.yy - cv.xx * 0.06) * 1.6) > 0.2)
    cv.paint(rm, lerp("#b14a33", "#8e3624", np.clip((cv.yy - peak[1]) / 30, 0, 1)) * shingles[..., None])
    cv.paint(cv.mask().line([(bx - 4, by - wh + 3), peak, (bx + gw + 4, by - wh + 3)], 3.2).get(0.3), "#6d2a1d")
    cv.paint(cv.mask().rect((bx + gw + 34, peak[1] - 8, bx + gw + 41, peak[1] + 10)).get(0.3), "#7a3b2c")
    for box, frame in [
        ((bx + 13, by - wh + 8, bx + 31, by - wh + 22), True),
        ((bx + 18, by - wh - 14, bx + 26, by - wh - 4), False),
        ((bx + gw + 8, by - wh + 8, bx + gw + 22, by - wh + 20), True),
        ((bx + gw + 34, by - 24, bx + gw + 45, by - 1), False),
    ]:
        x0, y0, x1, y1 = box
        cv.paint(cv.mask().rect((x0 - 1.5, y0 - 1.5, x1 + 1.5, y1 + 1.5)).get(0.3), "#fbf6ea")
        cv.paint(cv.mask().rect(box).get(0.3), lerp("#3f6181", "#7fa4c0", np.clip((cv.yy - y0) / (y1 - y0 + 1), 0, 1)))
        if frame:
            cv.paint(
                cv.mask()
                .line([((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1)], 1.3)
                .line([(x0, (y0 + y1) / 2), (x1, (y0 + y1) / 2)], 1.3)
                .get(),
                "#fbf6ea",
            )
    cv.paint(cv.mask().rect((bx + gw + 34, by - 24, bx + gw + 45, by - 1)).get(0.3), "#6a4630")  # door

    # trees in front of / beside the house and on the left shore
    round_tree(cv, 450, 314, 48, 17, rng, leaf="#4d8a36")
    round_tree(cv, 560, 316, 40, 15, rng, leaf="#6aa544")
    for x, h, w in [(22, 70, 26), (44, 88, 30), (70, 62, 24), (150, 50, 20)]:
        conifer(cv, x, HZ + 1, h, w, rng)
    round_tree(cv, 110, HZ + 1, 52, 20, rng, leaf="#4f8a3a")

    # shoreline, then the lake mirrors everything above it
    cv.paint(cv.mask().rect((0, HZ - 1.5, W, HZ + 0.5)).get(0.8), "#44552f", 0.7)
    reflect(cv, HZ, rng, "#2f6690", tint_alpha=0.22, fade=0.35, amp=2.2, freq=0.9, darken=0.88, vblur=0.8)
    # ripples and sun glitter
    br = Brush(cv)
    for _ in range(700):
        y = rng.uniform(HZ + 2, H)
        p = (y - HZ) / (H - HZ)
        ln = rng.uniform(4, 14) * (0.5 + 2 * p)
        x = rng.normal(sx, 20 + 50 * p) if rng.random() < 0.35 else rng.uniform(0, W)
        near_sun = math.exp(-(((x - sx) / (40 + 80 * p)) ** 2))
        c = "#fff3d2" if near_sun > 0.3 else ("#b6cde0" if rng.random() < 0.6 else "#1f4d70")
        br.line([(x - ln / 2, y), (x + ln / 2, y)], c, 0.7 + 1.2 * p, alpha=0.25 + 0.5 * near_sun)
    br.done()

    # a little rowing boat and its reflection
    bx0, by0 = 262, 372
    hull = [(bx0, by0 - 8), (bx0 + 58, by0 - 8), (bx0 + 50, by0), (bx0 + 8, by0)]
    mirror = [(x, 2 * by0 - y) for x, y in hull]
    rip = (np.sin(cv.yy * 1.7) > -0.4).astype(np.float32)
    cv.paint(cv.mask().poly(mirror).get(0.8) * rip, "#5a2a22", 0.35)
    cv.paint(cv.mask().poly(hull).get(0.4), lerp("#b5432f", "#6e2219", np.clip((cv.yy - by0 + 8) / 8, 0, 1)))
    cv.paint(cv.mask().line([(bx0 - 1, by0 - 8), (bx0 + 59, by0 - 8)], 1.6).get(), "#efe2c4")
    cv.paint(
        cv.mask()
        .line([(bx0 + 20, by0 - 9), (bx0 + 2, by0 - 16)], 1.4)
        .line([(bx0 + 36, by0 - 9), (bx0 + 56, by0 - 15)], 1.4)
        .get(),
        "#6b4a2e",
    )
    cv.paint(cv.mask().ellipse((bx0 - 8, by0 - 1, bx0 + 66, by0 + 3)).get(1.2), "#cfe0ec", 0.25)

    # grassy bank in the foreground with reeds and flowers
    fr = 430 - 22 * noise1d(W + 1, 120, rng) + 14 * (np.arange(W + 1) / W - 0.5) ** 2 * 4
    fmk = cv.mask().poly(ridge_poly(fr, H + 2)).get(0.6)
    fc = lerp("#5d8f3c", "#2e5524", np.clip((cv.yy - 410) / 70, 0, 1)) * (0.85 + 0.3 * fbm(H, W, 8, rng, 4))[..., None]
    cv.paint(fmk, fc)
    br = Brush(cv)
    greens = ["#3c6e2c", "#5f9a3d", "#7fb552", "#2c5322", "#a3c86a"]
    for _ in range(2600):
        x = rng.uniform(-5, W + 5)
        y = fr[int(np.clip(x, 0, W))] + rng.uniform(-2, H)
        if y > H + 4:
            continue
        ln = rng.uniform(5, 16)
        a = rng.normal(0, 0.35)
        br.line(
            [(x, y), (x + ln * math.sin(a), y - ln * math.cos(a))],
            greens[rng.integers(len(greens))],
            rng.uniform(0.8, 1.8),
        )
    for _ in range(26):  # reeds with cattails on the left
        x = rng.uniform(10, 170)
        y = fr[int(x)] + rng.uniform(0, 12)
        ln = rng.uniform(35, 70)
        a = rng.normal(0.05, 0.08)
        tip = (x + ln * math.sin(a), y - ln * math.cos(a))
        br.line([(x, y), tip], "#4c6a2e", 1.6)
        if rng.random() < 0.55:
            br.line([(tip[0] - 0.1, tip[1] + 4), (tip[0] + 0.6, tip[1] + 15)], "#5a3a22", 4.0)
    for _ in range(70):
        x = rng.uniform(180, W)
        y = fr[int(x)] + rng.uniform(8, H - fr[int(x)])
        c = ["#f4f1e6", "#f6d34a", "#e0604f", "#c9a0e0"][rng.integers(4)]
        br.ellipse(x, y, 2.2, 1.8, c)
        br.ellipse(x, y, 0.8, 0.8, "#f2b233")
    br.done()

    cv.grain(rng, 0.012)
    cv.grain(rng, 0.008, scale=3)
    cv.vignette(0.15)
    return cv.image()


def _building_mask(cv: Canvas, x0, x1, top, base, kind, rng) -> Mask:
    m = cv.mask().rect((x0, top, x1, base))
    w, cx = x1 - x0, (x0 + x1) / 2
    if kind == "stepped":
        m.rect((x0 + w * 0.15, top - 14, x1 - w * 0.15, top + 1)).rect(
            (x0 + w * 0.32, top - 24, x1 - w * 0.32, top - 13)
        )
        m.line([(cx, top - 24), (cx, top - 48)], 1.5)
    elif kind == "spire":
        m.poly([(x0 + w * 0.2, top + 1), (cx, top - w * 1.3), (x1 - w * 0.2, top + 1)])
    elif kind == "dome":
        m.ellipse((x0 + w * 0.12, top - w * 0.4, x1 - w * 0.12, top + w * 0.4)).line(
            [(cx, top - w * 0.38), (cx, top - w * 0.6)], 1.5
        )
    elif kind == "antenna":
        m.rect((x0 + w * 0.6, top - 8, x0 + w * 0.8, top + 1)).line(
            [(x0 + w * 0.7, top - 8), (x0 + w * 0.7, top - 40)], 1.2
        )
    elif kind == "gable":
        m.poly([(x0 - 2, top + 1), (cx, top - w * 0.45), (x1 + 2, top + 1)])
    return m


def _windows(cv: Canvas, x0, x1, top, base, rng, cell, size, p_lit, margin, into):
    """Draw a facade's grid of windows into (lit masks by colour, unlit mask)."""
    lit, dark = into
    cw, ch = cell
    ww, wh = size
    ncol = max(1, int((x1 - x0 - 2 * margin + (cw - ww)) // cw))
    off = (x1 - x0 - (ncol * cw - (cw - ww))) / 2
    row_lit = rng.random() < 0.15
    y = top + margin + 4
    while y + wh < base - 6:
        for i in range(ncol):
            x = x0 + off + i * cw
            if rng.random() < (p_lit + (0.35 if row_lit else 0)):
                k = rng.choice(4, p=[0.5, 0.25, 0.2, 0.05])
                list(lit.values())[k].rect((x, y, x + ww, y + wh))
            else:
                dark.rect((x, y, x + ww, y + wh))
        y += ch
        row_lit = rng.random() < 0.12


def city_dusk() -> Image.Image:
    rng = np.random.default_rng(2202)
    W, H, Q = 640, 480, 352  # Q: the quay, where the river starts
    cv = Canvas(W, H)
    ys = np.arange(H) + 0.5
    cv.img[:] = stops(
        ys / Q,
        [(0, "#10163a"), (0.22, "#262a62"), (0.42, "#5c3f80"), (0.6, "#c0607e"), (0.74, "#f08a62"), (1.0, "#fbb869")],
    )[:, None]
    m = cv.mask()  # stars, fading towards the glow of the horizon
    for _ in range(170):
        x, y = rng.uniform(0, W), rng.uniform(0, Q * 0.55) ** 1.0
        m.circle(x, y, rng.uniform(0.4, 1.3), fill=int(255 * rng.uniform(0.3, 1.0) * (1 - y / (Q * 0.6))))
    cv.paint(m.get(), "#fff6dc")
    mx, my = 96, 74  # crescent moon
    cv.glow(mx, my, 60, "#d9d2ff", 0.25)
    cv.paint(cv.mask().circle(mx, my, 21).circle(mx + 9, my - 6, 19, fill=0).get(0.5), "#fff4cf")
    for cx, cy, s in [(180, 210, 1.3), (470, 180, 1.0), (620, 240, 1.1), (330, 250, 0.8)]:  # thin sunset clouds
        mk = (
            cv.mask()
            .ellipse((cx - 120 * s, cy - 5 * s, cx + 120 * s, cy + 5 * s))
            .ellipse((cx - 60 * s, cy - 10 * s, cx + 70 * s, cy + 3 * s))
        )
        cv.paint(mk.get(3), lerp("#7a4f8e", "#f59a7a", np.clip((cv.yy - cy + 8 * s) / (16 * s), 0, 1)), 0.6)

    # three rows of buildings, the far ones hazy; windows are collected per row (buildings in a row do not overlap)
    rows = [
        (Q - 8, (16, 36), (70, 175), "#5a4583", "#8a5d90", 0.18, (6, 7), (2, 3), 0.45),
        (Q - 4, (26, 50), (55, 140), "#2f2b58", "#4a3866", 0.35, (8, 10), (4, 5), 0.8),
        (Q, (34, 66), (40, 105), "#1b1a36", "#2b2445", 0.5, (10, 12), (5, 7), 1.0),
    ]
    kinds = ["flat", "flat", "stepped", "spire", "dome", "antenna", "gable", "flat"]
    for base, (wmin, wmax), (hmin, hmax), c_top, c_bot, p_lit, cell, size, glow in rows:
        lit_all = {c: cv.mask() for c in ("#ffd98a", "#ffc064", "#fff1c2", "#9fd0ff")}
        dark_all = cv.mask()
        x = rng.uniform(-30, 0)
        while x < W:
            bw = rng.uniform(wmin, wmax)
            bh = rng.uniform(hmin, hmax) * (1.6 if rng.random() < 0.12 else 1.0)
            top = base - bh
            kind = kinds[rng.integers(len(kinds))]
            mk = _building_mask(cv, x, x + bw, top, base, kind, rng).get(0.4)
            facade = lerp(c_top, c_bot, np.clip((cv.yy - top) / max(bh, 1), 0, 1)) * (0.9 + 0.2 * rng.random())
            if glow > 0.5:
                facade *= (1 - 0.25 * (cv.xx > x + bw * 0.78))[..., None]
            cv.paint(mk, facade)
            cv.paint(
                cv.mask().line([(x + 1, top), (x + 1, base)], 1.2).get(0.5) * mk, "#f3a07a", 0.35 * glow
            )  # rim light
            _windows(
                cv,
                x,
                x + bw * (0.78 if glow > 0.5 else 1.0),
                top,
                base,
                rng,
                cell,
                size,
                p_lit,
                margin=5 if glow > 0.5 else 3,
                into=(lit_all, dark_all),
            )
            x += bw + rng.uniform(0, 4)
        cv.paint(dark_all.get(), "#0f0e22", 0.5 * glow)
        for c, lm in lit_all.items():
            a = lm.get()
            cv.paint(gblur(a, 3.0), c, 0.35 * glow)
            cv.paint(a, c, glow)

    reflect(cv, Q, rng, "#1a2050", tint_alpha=0.25, fade=0.35, amp=3.5, freq=1.1, darken=0.8, vblur=2.5)

    # a stone arch bridge across the river, on its own layer so that it can be mirrored too
    BW = 420  # water level at the piers
    deck_top, deck_bot = 338, 352
    br = Layer(W, H)
    m = cv.mask().rect((-2, deck_top, W + 2, BW))
    piers = [-40, 130, 320, 510, 700]
    for a, b in itertools.pairwise(piers):
        cxa, rx, ry = (a + b) / 2, (b - a) / 2 - 14, BW - deck_bot - 8
        m.ellipse((cxa - rx, BW - ry, cxa + rx, BW + ry), fill=0)
    mk = m.get(0.4)
    stone = lerp("#4a3a4e", "#2a2134", np.clip((cv.yy - deck_top) / (BW - deck_top), 0, 1))
    stone *= (0.85 + 0.3 * fbm(H, W, 6, rng, 3))[..., None]
    courses = 0.92 + 0.08 * (np.sin(cv.yy * 1.1) > 0.7)
    br.paint(mk, stone * courses[..., None])
    ring = cv.mask()
    for a, b in itertools.pairwise(piers):
        cxa, rx, ry = (a + b) / 2, (b - a) / 2 - 14, BW - deck_bot - 8
        ring.ellipse((cxa - rx - 5, BW - ry - 5, cxa + rx + 5, BW + ry + 5))
        ring.ellipse((cxa - rx, BW - ry, cxa + rx, BW + ry), fill=0)
    br.paint(ring.get(0.4) * mk, "#7a5f78", 0.6)
    br.paint(cv.mask().rect((-2, deck_top - 3, W + 2, deck_top + 2)).get(0.3), "#8a6a80")  # cornice lit by the sky
    rail = cv.mask().rect((-2, deck_top - 16, W + 2, deck_top - 13))
    for x in np.arange(0, W, 7):
        rail.rect((x, deck_top - 14, x + 2.5, deck_top - 3))
    br.paint(rail.get(), "#251d2e")
    for x in piers[1:-1]:
        br.paint(cv.mask().line([(x, deck_top - 3), (x, deck_top - 42)], 2).get(), "#1a1522")
        br.paint(cv.mask().rect((x - 4, deck_top - 52, x + 4, deck_top - 42)).get(0.3), "#ffe3a0")
    br.composite(cv)
    # mirror the bridge into the water below its piers
    ys2 = np.arange(BW, H)
    src = np.clip(2 * BW - ys2 - 1, 0, H - 1)
    shift = (3.0 * np.sin((ys2 - BW) * 1.3 + rng.normal(0, 0.5, len(ys2)))).round().astype(int)
    sx = np.clip(np.arange(W)[None, :] + shift[:, None], 0, W - 1)
    a = br.alpha[src[:, None], sx] * 0.8
    cv.img[BW:] = cv.img[BW:] * (1 - a[..., None]) + br.img[src[:, None], sx] * 0.55
    for x in piers[1:-1]:
        cv.glow(x, deck_top - 47, 22, "#ffcf7a", 0.55)
        cv.glow(x, 2 * BW - deck_top + 47, 12, "#ffcf7a", 0.25)
        cv.paint(cv.mask().circle(x, deck_top - 47, 3).get(0.3), "#fffbe8")

    # ripple highlights and a boat's wake
    bru = Brush(cv)
    for _ in range(500):
        y = rng.uniform(Q + 1, H)
        p = (y - Q) / (H - Q)
        ln = rng.uniform(3, 12) * (0.6 + 2 * p)
        x = rng.uniform(0, W)
        bru.line([(x, y), (x + ln, y)], "#f6b27c" if rng.random() < 0.5 else "#8a7cc0", 0.6 + p, alpha=0.3)
    bru.done()
    cv.grain(rng, 0.012)
    cv.vignette(0.2)
    return cv.image()


def _revolve(
    cv: Canvas,
    cx,
    y_top,
    y_bot,
    radius: Callable[[np.ndarray], np.ndarray],
    base,
    light=(-0.7, -0.3, 0.6),
    ambient=0.3,
    spec=0.5,
    shininess=40,
    pattern=None,
):
    """Shade a body of revolution (vase, bowl) given its radius as a function of y."""
    yy = np.clip(cv.yy, y_top, y_bot)
    r = np.maximum(radius(yy), 0.5)
    nx = np.clip((cv.xx - cx) / r, -1, 1)
    nz = np.sqrt(1 - nx * nx)
    lx, ly, lz = normalize(light)
    lam = np.clip(nx * lx + nz * lz + 0.15 * ly, 0, 1)
    c = (col(base) if isinstance(base, str) else base) * (ambient + (1 - ambient) * lam)[..., None]
    if pattern is not None:
        c = c * pattern[..., None] if pattern.ndim == 2 else c * pattern
    hx, _hy, hz = normalize((lx, ly, lz + 1))
    c = c + spec * (np.clip(nx * hx + nz * hz, 0, 1) ** shininess)[..., None]
    ys = np.linspace(y_top, y_bot, 80)
    rs = radius(ys)
    pts = [(cx - r_, y) for y, r_ in zip(ys, rs, strict=True)] + [
        (cx + r_, y) for y, r_ in zip(ys[::-1], rs[::-1], strict=True)
    ]
    return c, pts


def still_life() -> Image.Image:
    rng = np.random.default_rng(3303)
    W, H = 640, 480
    cv = Canvas(W, H)
    TB, TF = 318, 430  # table: back edge, front edge
    # wall, lit from the window on the left
    wall = lerp("#d8b98a", "#8e6a47", np.clip((cv.xx / W) ** 1.2 * 0.9 + (cv.yy / TB) * 0.25, 0, 1))
    wall *= (0.93 + 0.1 * fbm(H, W, 40, rng, 5))[..., None]
    cv.img[:] = wall
    cv.paint(cv.mask().poly([(250, 40), (420, 40), (520, TB), (300, TB)]).get(25), "#f4dcae", 0.25)  # light falling in

    # window with a view
    wx0, wy0, wx1, wy1 = 46, 44, 236, 262
    cv.paint(cv.mask().rect((wx0 + 10, wy1 + 2, wx1 + 18, wy1 + 16)).get(6), "#3a2614", 0.35)
    view = stops(np.clip((cv.yy - wy0) / (wy1 - wy0), 0, 1), [(0, "#7fb2e0"), (0.7, "#cfe3ef"), (1, "#e7efe6")])
    glass = cv.mask().rect((wx0, wy0, wx1, wy1)).get()
    cv.paint(glass, view)
    hill = 205 - 25 * noise1d(W + 1, 60, rng)
    cv.paint(
        cv.mask().poly(ridge_poly(hill, wy1)).get(0.5) * glass,
        lerp("#7fa870", "#5a8a55", np.clip((cv.yy - 180) / 80, 0, 1)),
    )
    cloud(cv, 110, 96, 0.55, rng)
    round_tree(cv, 190, 215, 70, 26, rng, leaf="#5e9148")
    frame = cv.mask().rect((wx0 - 10, wy0 - 10, wx1 + 10, wy1 + 6))
    frame.rect((wx0, wy0, wx1, wy1), fill=0)
    frame.rect(((wx0 + wx1) / 2 - 4, wy0, (wx0 + wx1) / 2 + 4, wy1)).rect((wx0, 132, wx1, 139))
    fm = frame.get(0.4)
    cv.paint(fm, shade(fm, "#efe6d4", 3, light=(0.5, -0.6, 0.6), ambient=0.6))
    cv.paint(
        cv.mask().rect((wx0 - 18, wy1 + 4, wx1 + 18, wy1 + 14)).get(0.4),
        lerp("#f6efe2", "#c8bba4", np.clip((cv.yy - wy1 - 4) / 10, 0, 1)),
    )
    # curtain with folds on the left
    fold = 0.72 + 0.28 * np.sin((cv.xx - 6) * 0.33 + 2 * np.sin(cv.yy * 0.012)) ** 2
    cm = cv.mask().poly([(0, 24), (34, 24), (44, 160), (30, 300), (36, TB + 6), (0, TB + 6)]).get(0.6)
    cv.paint(cm, col("#a8433a") * fold[..., None] * (0.9 + 0.15 * (cv.yy < 300))[..., None])
    cv.paint(cv.mask().rect((0, 20, 260, 26)).get(0.4), "#4b3322")

    # table top with grain, front edge and the shadow beneath
    grain = fbm(H, W, (160, 3), rng, 5)
    top = lerp("#b07a4a", "#6e4427", np.clip((cv.yy - TB) / (TF - TB) * 0.8 + cv.xx / W * 0.5, 0, 1))
    top *= (0.82 + 0.3 * grain)[..., None]
    cv.paint(cv.mask().rect((0, TB, W, TF)).get(), top)
    cv.paint(
        cv.mask().poly([(0, TB), (260, TB), (480, TF), (0, TF)]).get(30), "#f6d7a2", 0.25
    )  # window light on the table
    cv.paint(
        cv.mask().rect((0, TF, W, TF + 16)).get(0.4),
        lerp("#5e3a22", "#3e2616", np.clip((cv.yy - TF) / 16, 0, 1)) * (0.85 + 0.3 * grain)[..., None],
    )
    cv.paint(cv.mask().rect((0, TF - 1, W, TF + 1)).get(0.5), "#d9a774", 0.6)
    cv.paint(cv.mask().rect((0, TF + 16, W, H)).get(0.5), lerp("#2c1d14", "#1a120c", np.clip((cv.yy - TF) / 60, 0, 1)))
    cv.multiply(cv.mask().rect((0, TB, W, TB + 10)).get(5), "#3a2414", 0.35)  # contact shadow along the wall

    # vase with flowers (right)
    vx, vt, vb = 510, 214, 398
    prof_y = np.array([0, 0.05, 0.12, 0.3, 0.5, 0.7, 0.86, 0.96, 1.0]) * (vb - vt) + vt
    prof_r = np.array([21, 17, 13, 15, 34, 50, 46, 36, 33])
    dense_y = np.linspace(vt, vb, 200)
    dense_r = np.convolve(np.pad(np.interp(dense_y, prof_y, prof_r), 10, mode="edge"), np.ones(21) / 21, mode="valid")

    def vrad(y):
        return np.interp(y, dense_y, dense_r)

    cast_shadow(cv, vx + 60, vb - 4, 80, 13, 9, 0.5)
    # flowers first (behind the vase rim)
    bru = Brush(cv)
    heads = []
    for i in range(7):
        a = -0.9 + 1.8 * i / 6 + rng.normal(0, 0.12)
        ln = rng.uniform(110, 170)
        tip = (vx + ln * math.sin(a), vt + 4 - ln * math.cos(a))
        mid = (vx + ln * 0.5 * math.sin(a * 0.6), vt - ln * 0.5 * math.cos(a * 0.6))
        bru.line([(vx + rng.normal(0, 4), vt + 6), mid, tip], "#4d6e33", 2.2)
        for t in (0.35, 0.6):  # leaves
            lx, ly = vx + (tip[0] - vx) * t, vt + (tip[1] - vt) * t
            s = 1 if rng.random() < 0.5 else -1
            bru.poly([(lx, ly), (lx + s * 16, ly - 10), (lx + s * 28, ly - 4), (lx + s * 12, ly + 2)], "#5f8a3c")
        heads.append(tip)
    bru.done()
    for i, (hx, hy) in enumerate(heads):
        petal = ["#f5f1e8", "#e0503c", "#f2c94c", "#f5f1e8", "#c65b8f", "#e0503c", "#f5f1e8"][i]
        pr = rng.uniform(13, 18)
        m = cv.mask()
        for k in range(9):
            ang = 2 * np.pi * k / 9 + rng.normal(0, 0.1)
            m.circle(hx + 0.75 * pr * math.cos(ang), hy + 0.6 * pr * math.sin(ang), pr * 0.42)
        pm = m.get(0.4)
        cv.paint(pm, shade(pm, petal, 4, ambient=0.55, light=(-0.7, -0.4, 0.6)))
        sphere(cv, hx, hy, pr * 0.32, "#7a4a16" if petal != "#f2c94c" else "#5a3512", spec=0.2, ambient=0.4)
    vtex = 1 - 0.35 * ((np.abs(cv.yy - (vt + 0.62 * (vb - vt))) < 4) | (np.abs(cv.yy - (vt + 0.68 * (vb - vt))) < 2))
    vtex = vtex * (0.93 + 0.1 * fbm(H, W, 5, rng, 3))
    c, pts = _revolve(cv, vx, vt, vb, vrad, "#c0653d", pattern=vtex, spec=0.35)
    cv.paint(cv.mask().poly(pts).get(0.5), c)
    cv.paint(cv.mask().ellipse((vx - 21, vt - 4, vx + 21, vt + 4)).get(0.4), "#5a2a18")
    cv.paint(
        cv.mask()
        .ellipse((vx - 21, vt - 4, vx + 21, vt + 4))
        .ellipse((vx - 17, vt - 3, vx + 17, vt + 3), fill=0)
        .get(0.3),
        "#e7a27c",
    )

    # bowl of fruit (centre)
    bx, rim, rx, ry, foot = 292, 338, 112, 20, 398

    def brad(y):
        return rx * np.sqrt(np.clip(1 - 0.86 * ((y - rim) / (foot - 8 - rim)) ** 2, 0, 1))

    cast_shadow(cv, bx + 48, foot - 2, 150, 16, 10, 0.55)
    cv.paint(
        cv.mask().ellipse((bx - rx, rim - ry, bx + rx, rim + ry)).get(0.4),
        lerp("#23406a", "#7fa6cf", np.clip((cv.xx - bx + rx) / (2 * rx), 0, 1)),
    )  # inside of the bowl
    fruit = [  # x, y, r, colour, kind
        (238, 318, 33, "#f08a24", "orange"),
        (300, 300, 36, "#c0281f", "apple"),
        (352, 320, 31, "#f08a24", "orange"),
        (268, 334, 28, "#9dbb2e", "apple"),
        (330, 338, 27, "#d33a25", "apple"),
    ]
    for fx, fy, fr_, fc, kind in fruit:
        if kind == "orange":
            tex = 0.9 + 0.14 * noise2d(H, W, 1.6, rng)
            sphere(cv, fx, fy, fr_, fc, texture=tex, spec=0.3, shininess=18, bounce="#6d8fbf")
        else:
            streak = 0.85 + 0.25 * noise2d(H, W, (2, 9), rng)
            blush = lerp("#ffffff", "#f2e04a", 0.5 * np.clip((cv.yy - fy) / fr_ + 0.3, 0, 1))
            tex = blush * streak[..., None]
            sphere(cv, fx, fy, fr_, fc, texture=tex, spec=0.55, shininess=40)
            cv.paint(cv.mask().line([(fx, fy - fr_ * 0.78), (fx + 3, fy - fr_ * 1.15)], 2.2).get(), "#4a3020")
    # grapes spilling over the right rim
    for gx, gy in [(392, 330), (404, 342), (390, 348), (402, 358), (396, 370), (380, 338), (409, 329)]:
        sphere(cv, gx, gy, 9, "#5b2a6e", spec=0.6, shininess=50, ambient=0.3)
    # bowl body in front of the fruit
    c, pts = _revolve(
        cv,
        bx,
        rim,
        foot - 8,
        brad,
        "#2f5f99",
        light=(-0.7, -0.3, 0.6),
        spec=0.55,
        pattern=1 + 0.9 * ((cv.yy > rim + 24) & (cv.yy < rim + 31)),
    )
    bm = cv.mask().poly(pts)
    bm.ellipse((bx - rx, rim - ry, bx + rx, rim + ry), fill=0)
    bm.ellipse((bx - rx, rim - ry, bx + rx, rim + ry)).ellipse(
        (bx - rx + 4, rim - ry + 3, bx + rx - 4, rim + ry - 3), fill=0
    )
    bm.rect((bx - 44, foot - 10, bx + 44, foot))
    cv.paint(bm.get(0.4), c)
    cv.paint(
        cv.mask()
        .ellipse((bx - rx, rim - ry, bx + rx, rim + ry))
        .ellipse((bx - rx + 3, rim - ry + 2, bx + rx - 3, rim + ry - 2), fill=0)
        .get(0.3),
        "#e6eef8",
        0.8,
    )

    # a pear and an apple on the table
    cast_shadow(cv, 450, 414, 42, 8, 6, 0.55)
    m = cv.mask().circle(430, 392, 24).circle(426, 366, 14).poly([(412, 380), (418, 360), (434, 360), (448, 385)])
    pm = m.get(0.5)
    pear = shade(pm, "#c9c24a", 9, light=(-0.7, -0.5, 0.5), ambient=0.3, spec=0.25, shininess=20)
    pear *= lerp("#ffffff", "#f08a4a", 0.35 * np.clip((cv.xx - 420) / 30, 0, 1) * (cv.yy > 372))
    pear *= (0.9 + 0.15 * noise2d(H, W, 1.8, rng))[..., None]
    cv.paint(pm, pear)
    cv.paint(cv.mask().line([(425, 353), (428, 340), (433, 336)], 2.2).get(), "#4a3020")
    cast_shadow(cv, 168, 420, 44, 9, 6, 0.55)
    sphere(cv, 150, 398, 26, "#c0281f", spec=0.5, texture=0.85 + 0.25 * noise2d(H, W, (2, 9), rng))
    cv.paint(cv.mask().line([(150, 373), (153, 364)], 2.2).get(), "#4a3020")

    cv.grain(rng, 0.012)
    cv.vignette(0.22)
    return cv.image()


def _voronoi(xx, yy, seeds):
    """Nearest and second-nearest seed distances and the nearest seed's index, per pixel."""
    d1 = np.full(xx.shape, np.inf, np.float32)
    d2 = np.full(xx.shape, np.inf, np.float32)
    idx = np.zeros(xx.shape, np.int32)
    for i, (sx, sy) in enumerate(seeds):
        d = np.hypot(xx - sx, yy - sy)
        closer = d < d1
        d2 = np.where(closer, d1, np.minimum(d2, d))
        idx = np.where(closer, i, idx)
        d1 = np.where(closer, d, d1)
    return d1, d2, idx


def lighthouse() -> Image.Image:
    rng = np.random.default_rng(4404)
    W, H, HZ = 640, 480, 282
    cv = Canvas(W, H)
    ys = np.arange(H) + 0.5
    cv.img[:] = stops(ys / HZ, [(0, "#3d71b5"), (0.55, "#8fbbe0"), (0.88, "#f1dcc0"), (1, "#f7cf9c")])[:, None]
    sunx, suny = 150, 205
    cv.glow(sunx, suny, 140, "#ffe2b0", 0.5)
    cv.paint(cv.mask().circle(sunx, suny, 20).get(0.6), "#fff8e4")
    for cx, cy, s in [(90, 90, 1.2), (330, 60, 0.9), (270, 170, 0.55), (600, 130, 0.7)]:
        cloud(cv, cx, cy, s, rng, shadow="#c9bfcf")
    # distant headland
    hr = HZ - 4 - 14 * noise1d(W + 1, 40, rng) * np.clip(1 - np.arange(W + 1) / 220, 0, 1)
    cv.paint(cv.mask().poly(ridge_poly(hr, HZ + 1)).get(0.5), "#8096ad")

    # sea with perspective wave strokes and the sun's glitter path
    sea = stops(np.clip((ys - HZ) / (H - HZ), 0, 1), [(0, "#5b8fb3"), (0.3, "#2f6d95"), (1, "#18496a")])
    cv.img[HZ:] = sea[HZ:, None]
    path = np.exp(-(((cv.xx[HZ:] - sunx) / (25 + (cv.yy[HZ:] - HZ) * 0.45)) ** 2))
    cv.img[HZ:] += col("#ffe2b0") * 0.3 * path[..., None]
    bru = Brush(cv)
    for _ in range(2400):
        y = HZ + (H - HZ) * rng.random() ** 1.25
        p = (y - HZ) / (H - HZ)
        x = rng.uniform(-20, W + 20)
        ln = (3 + 26 * p) * rng.uniform(0.6, 1.4)
        sag = (1 + 3 * p) * rng.uniform(0.5, 1.2)
        glitter = math.exp(-(((x - sunx) / (25 + 100 * p)) ** 2))
        r_ = rng.random()
        c = "#fff1cf" if r_ < glitter * 0.8 else ("#8fc0da" if r_ < 0.55 else "#14405e")
        bru.line(
            [(x - ln / 2, y + sag * 0.3), (x, y - sag * 0.4), (x + ln / 2, y + sag * 0.3)],
            c,
            0.6 + 1.6 * p,
            alpha=0.35 + 0.4 * p,
        )
    bru.done()

    # sailing boat and its broken reflection
    bx, by = 214, 338
    rip = (np.sin(cv.yy * 1.5) > -0.3).astype(np.float32)
    for flip, alpha in ((True, 0.35), (False, 1.0)):
        f = (lambda p: (p[0], 2 * by - p[1])) if flip else (lambda p: p)
        mm = (lambda m: m.get(0.8) * rip) if flip else (lambda m: m.get(0.4))
        cv.paint(mm(cv.mask().poly([f(p) for p in [(bx, by - 40), (bx, by - 4), (bx + 44, by - 4)]])), "#f7f1e3", alpha)
        cv.paint(
            mm(cv.mask().poly([f(p) for p in [(bx - 3, by - 34), (bx - 3, by - 5), (bx - 30, by - 5)]])),
            "#e7ddca",
            alpha,
        )
        cv.paint(mm(cv.mask().line([f((bx - 1.5, by - 4)), f((bx - 1.5, by - 46))], 1.6)), "#4a3426", alpha)
        hull = [(bx - 34, by - 4), (bx + 50, by - 4), (bx + 40, by + 6), (bx - 26, by + 6)]
        cv.paint(mm(cv.mask().poly([f(p) for p in hull])), "#7a2e22" if not flip else "#3a2020", alpha)
    cv.paint(
        cv.mask().poly([(bx, by - 40), (bx, by - 4), (bx + 44, by - 4)]).get(0.4),
        lerp("#ffffff", "#cbb9a2", np.clip((cv.xx - bx) / 44, 0, 1)),
        0.6,
    )
    cv.paint(cv.mask().line([(bx - 40, by + 7), (bx + 56, by + 7)], 1.5).get(1), "#e8f2f6", 0.6)
    cv.paint(cv.mask().poly([(72, HZ - 1), (72, HZ - 14), (81, HZ - 1)]).get(0.3), "#f2ece0")  # distant sail

    # the rocky headland: faceted Voronoi stones, each facet tilted to the light
    edge = np.interp(np.arange(W + 1), [330, 360, 395, 430, 470, 560, 640], [H, 410, 345, 310, 296, 292, 298])
    edge += 14 * (noise1d(W + 1, 10, rng) - 0.5) * np.clip((H - edge) / 60, 0, 1)
    rock_m = cv.mask().poly(ridge_poly(edge, H + 2)).get(0.5)
    seeds = [(rng.uniform(320, W + 20), rng.uniform(280, H + 10)) for _ in range(150)]
    d1, d2, idx = _voronoi(cv.xx * 0.4, cv.yy, [(x * 0.4, y) for x, y in seeds])  # wide, layered blocks
    normals = rng.normal(0, 1, (len(seeds), 3)) * [0.7, 0.6, 0] + [-0.15, -0.35, 1]
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    lam = np.clip(normals[idx] @ normalize((-0.7, -0.5, 0.55)), 0, 1)
    tone = rng.uniform(0.85, 1.12, len(seeds))[idx]
    rock = lerp("#3b342f", "#b3a08a", lam) * tone[..., None] * (0.82 + 0.3 * fbm(H, W, 5, rng, 4))[..., None]
    rock *= (0.7 + 0.3 * np.clip((d2 - d1) / 1.5, 0, 1))[..., None]  # cracks between blocks
    rock *= (0.85 + 0.3 * fbm(H, W, (30, 6), rng, 4))[..., None]  # strata
    rock *= (1 - 0.45 * np.clip((cv.yy - 380) / 100, 0, 1))[..., None]  # darker, wet base
    cv.paint(rock_m, rock)
    grass_top = edge[np.clip(cv.xx.astype(int), 0, W)]
    gm = rock_m * np.clip((grass_top + 9 + 5 * noise2d(H, W, 6, rng) - cv.yy) / 2, 0, 1) * (cv.xx > 405)
    cv.paint(
        gm,
        lerp("#8db552", "#4f7f36", np.clip((cv.yy - grass_top) / 12, 0, 1))
        * (0.85 + 0.3 * fbm(H, W, 3, rng, 3))[..., None],
    )
    # surf where the rock meets the sea
    bru = Brush(cv)
    for _ in range(650):
        y = rng.uniform(336, H)
        x = np.interp(y, edge[330:][::-1], np.arange(330, W + 1)[::-1]) - rng.exponential(9) + 4
        r_ = rng.uniform(0.8, 4.5) * (0.6 + (y - 330) / 150)
        bru.ellipse(x, y, r_ * 1.7, r_, "#f4f8fa" if rng.random() < 0.8 else "#b9d4e2", alpha=rng.uniform(0.35, 0.95))
    for i in range(9):  # swash lines curling round the rock foot
        y = 350 + i * 14 + rng.uniform(-3, 3)
        x = np.interp(y, edge[330:][::-1], np.arange(330, W + 1)[::-1])
        ln = 25 + 5 * i
        bru.line([(x - ln, y + 4), (x - ln * 0.5, y - 1), (x - 4, y)], "#e9f3f7", 1.2 + 0.15 * i, alpha=0.7)
    for x0, y0, r0 in [(300, 455, 16), (262, 470, 10)]:  # small rocks in the surf
        bru.ellipse(x0, y0 + 2, r0 * 1.8, r0 * 0.6, "#f4f8fa", alpha=0.8)
        bru.poly(
            [(x0 - r0, y0 + 2), (x0 - r0 * 0.4, y0 - r0), (x0 + r0 * 0.6, y0 - r0 * 0.8), (x0 + r0, y0 + 2)], "#4a433c"
        )
        bru.poly(
            [(x0 - r0 * 0.4, y0 - r0), (x0 + r0 * 0.1, y0 - r0 * 0.9), (x0 - r0 * 0.3, y0 + 1), (x0 - r0, y0 + 2)],
            "#7d7166",
        )
    bru.done()

    # keeper's cottage
    kx, ky = 572, 296
    cv.paint(
        cv.mask().rect((kx, ky - 24, kx + 52, ky)).get(0.4),
        lerp("#f4efe4", "#cfc6b6", np.clip((cv.xx - kx) / 52, 0, 1)),
    )
    cv.paint(
        cv.mask().poly([(kx - 4, ky - 23), (kx + 10, ky - 40), (kx + 46, ky - 40), (kx + 57, ky - 23)]).get(0.4),
        "#a83a2c",
    )
    cv.paint(cv.mask().rect((kx + 38, ky - 48, kx + 44, ky - 36)).get(0.3), "#6a3b2e")
    for wx in (kx + 8, kx + 32):
        cv.paint(cv.mask().rect((wx, ky - 17, wx + 9, ky - 8)).get(0.3), "#3d5a72")
    cv.paint(cv.mask().rect((kx + 20, ky - 16, kx + 27, ky)).get(0.3), "#5a3a28")

    # lighthouse tower: tapered, striped, lit from the left
    tx, tb, tt = 500, 300, 128

    def hw(y):
        return 15 + 12 * (y - tt) / (tb - tt)

    band = ((cv.yy - tt) // 29).astype(int) % 2
    stripes = np.where(band[..., None] == 0, col("#c8372d"), col("#f4f1ea"))
    c, pts = _revolve(cv, tx, tt, tb, hw, stripes, light=(-0.8, -0.3, 0.5), ambient=0.35, spec=0.25, shininess=12)
    cv.paint(cv.mask().poly(pts).get(0.4), c)
    cv.paint(
        cv.mask().ellipse((tx - 10, tb - 20, tx - 2, tb - 4)).rect((tx - 10, tb - 16, tx - 2, tb)).get(0.3), "#3a2a22"
    )
    for wy in (180, 236):
        cv.paint(cv.mask().rect((tx - 4, wy, tx + 2, wy + 9)).get(0.3), "#2d3440")
    cv.paint(cv.mask().rect((tx - 24, tt - 5, tx + 24, tt + 1)).get(0.3), "#2b2b31")  # gallery
    rail = cv.mask().rect((tx - 23, tt - 17, tx + 23, tt - 15.5))
    for x in np.arange(tx - 22, tx + 23, 5):
        rail.rect((x, tt - 16, x + 1.2, tt - 5))
    cv.paint(
        cv.mask().rect((tx - 12, tt - 34, tx + 12, tt - 5)).get(0.3),
        lerp("#fff7c8", "#f0c860", np.clip((cv.xx - tx + 12) / 24, 0, 1)),
    )
    cv.paint(
        cv.mask().rect((tx - 4, tt - 34, tx - 2.5, tt - 5)).rect((tx + 4, tt - 34, tx + 5.5, tt - 5)).get(), "#3a3a40"
    )
    cv.paint(rail.get(), "#222226")
    dome = cv.mask().ellipse((tx - 15, tt - 48, tx + 15, tt - 22)).rect((tx - 16, tt - 36, tx + 16, tt - 32))
    dome.rect((tx - 20, tt - 22, tx + 20, tt), fill=0)
    dm = dome.get(0.4)
    cv.paint(dm, shade(dm, "#9e2a23", 4, light=(-0.8, -0.5, 0.5), spec=0.3))
    cv.paint(cv.mask().line([(tx, tt - 48), (tx, tt - 58)], 1.5).circle(tx, tt - 50, 2.5).get(), "#2b2b31")
    # lamp glow and faint beams
    ly = tt - 20
    for side in (-1, 1):
        m = cv.mask().poly([(tx, ly - 3), (tx + side * 700, ly - 70), (tx + side * 700, ly + 40), (tx, ly + 3)]).get(6)
        fade = np.exp(-np.abs(cv.xx - tx) / 260)
        cv.paint(m * fade, "#fff3c4", 0.35)
    cv.glow(tx, ly, 22, "#fff6d6", 0.45)

    bru = Brush(cv)  # gulls
    for gx, gy, s in [(330, 120, 1.0), (360, 140, 0.8), (396, 112, 0.7), (560, 200, 0.9), (250, 230, 0.6)]:
        bru.line([(gx - 9 * s, gy - 2 * s), (gx - 4 * s, gy - 5 * s), (gx, gy)], "#3a3f48", 1.4 * s + 0.3)
        bru.line([(gx, gy), (gx + 4 * s, gy - 5 * s), (gx + 9 * s, gy - 2 * s)], "#3a3f48", 1.4 * s + 0.3)
    bru.done()
    cv.grain(rng, 0.012)
    cv.vignette(0.18)
    return cv.image()


# --------------------------------------------------------------------------------------
# Style images
# --------------------------------------------------------------------------------------


def _pick(palette: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Colours along a palette ramp for t in [0, 1] (vectorised)."""
    t = np.clip(t, 0, 1) * (len(palette) - 1)
    i = np.minimum(t.astype(int), len(palette) - 2)
    f = (t - i)[..., None]
    return palette[i] * (1 - f) + palette[i + 1] * f


def swirls() -> Image.Image:
    """Thousands of short curved strokes following a swirling flow: night-sky blues and yellows."""
    rng = np.random.default_rng(5505)
    W, H = 640, 480
    cv = Canvas(W, H)
    yy, xx = cv.yy, cv.xx
    vortices = [
        (150, 120, 85, 1.0),
        (400, 150, 110, -1.0),
        (560, 70, 60, 1.0),
        (270, 260, 70, -1.0),
        (600, 260, 70, 1.0),
    ]
    stars = [(520, 70, 26), (90, 70, 14), (330, 60, 12), (220, 160, 10), (460, 250, 11), (40, 220, 9)]
    hill = 330 + 40 * noise1d(W + 1, 160, rng, 3) - 0.08 * np.arange(W + 1)
    # flow field: a rolling horizontal current, vortices, and contour-following strokes on the hills
    vx = np.ones_like(xx)
    vy = 0.35 * np.sin(xx / 70 + yy / 90)
    tone = 0.12 + 0.3 * fbm(H, W, 90, rng, 3)  # 0 = deep blue ... 1 = pale yellow
    for cx, cy, r, s in vortices:
        dx, dy = xx - cx, yy - cy
        d = np.hypot(dx, dy) + 1e-3
        w = np.exp(-((d / r) ** 2)) * 3.0
        vx += w * s * (-dy / d)
        vy += w * s * (dx / d)
        tone += np.exp(-((d / r) ** 2)) * (0.22 + 0.36 * np.cos(d / r * 2 * np.pi * 1.25))
    for cx, cy, r in stars:
        d = np.hypot(xx - cx, yy - cy) + 1e-3
        w = np.exp(-((d / (r * 2.2)) ** 2)) * 4
        vx += w * (-(yy - cy) / d)
        vy += w * ((xx - cx) / d)
        tone += 1.2 * np.exp(-((d / (r * 1.6)) ** 2))
    hill_y = hill[np.clip(xx.astype(int), 0, W)]
    ground = yy > hill_y
    slope = np.gradient(hill)[np.clip(xx.astype(int), 0, W)]
    vx = np.where(ground, 1.0, vx)
    vy = np.where(ground, slope * np.clip(1 - (yy - hill_y) / 200, 0, 1) + 0.25 * np.sin(xx / 45 + yy / 30), vy)
    ang = np.arctan2(vy, vx)
    sky_pal = np.stack(
        [col(c) for c in ["#0a1a4a", "#143a8a", "#2b62b8", "#4f8fd0", "#9cc3de", "#f3e38f", "#f7d13c", "#fff6cf"]]
    )
    ground_pal = np.stack(
        [col(c) for c in ["#0b1630", "#14305a", "#1f4d78", "#2c6a6c", "#4a7d4c", "#9aa23e", "#d8c05a"]]
    )
    furrows = np.sin((yy - hill_y) / 14 + 3 * fbm(H, W, 120, rng, 2))
    gtone = 0.1 + 0.45 * fbm(H, W, 50, rng, 4) + 0.22 * furrows + 0.25 * np.clip(1 - (yy - hill_y) / 40, 0, 1)
    base = np.where(ground[..., None], _pick(ground_pal, gtone), _pick(sky_pal, np.clip(tone, 0, 1) * 0.9))
    cv.img[:] = gblur(base, 3) * 0.75  # dark underpainting shows between strokes

    def strokes(n, length, width, jitter, alpha, passes_seed):
        r = np.random.default_rng(passes_seed)
        px = r.uniform(-10, W + 10, n)
        py = r.uniform(-10, H + 10, n)
        steps = 6
        lens = r.uniform(*length, n) / steps
        pts = [np.stack([px, py], 1)]
        for _ in range(steps):
            ix = np.clip(pts[-1][:, 0].astype(int), 0, W - 1)
            iy = np.clip(pts[-1][:, 1].astype(int), 0, H - 1)
            a = ang[iy, ix]
            pts.append(pts[-1] + np.stack([np.cos(a), np.sin(a)], 1) * lens[:, None])
        pts = np.stack(pts, 1)
        ix = np.clip(px.astype(int), 0, W - 1)
        iy = np.clip(py.astype(int), 0, H - 1)
        t = np.where(
            ground[iy, ix],
            gtone[iy, ix] + r.normal(0, jitter, n),
            np.clip(tone[iy, ix], 0, 1) * 0.9 + r.normal(0, jitter, n),
        )
        cols = np.where(ground[iy, ix][:, None], _pick(ground_pal, t), _pick(sky_pal, t))
        cols *= r.uniform(0.85, 1.15, (n, 1))
        widths = r.uniform(*width, n)
        bru = Brush(cv)
        for k in range(n):
            p = pts[k]
            bru.line(p, cols[k], widths[k], alpha)
            if widths[k] > 3.5:  # bristle streaks inside a broad stroke
                off = np.array([-np.sin(ang[iy[k], ix[k]]), np.cos(ang[iy[k], ix[k]])]) * widths[k] * 0.22
                bru.line(p + off, np.clip(cols[k] * 1.25 + 0.05, 0, 1), 0.8, 0.5, round_caps=False)
        bru.done()

    strokes(5200, (16, 30), (4.0, 6.5), 0.08, 1.0, 1)
    strokes(6500, (10, 20), (2.5, 4.0), 0.1, 1.0, 2)
    strokes(4000, (6, 12), (1.2, 2.2), 0.14, 0.9, 3)
    # bright star cores with concentric dabs
    bru = Brush(cv)
    for cx, cy, r in stars:
        bru.ellipse(cx, cy, r * 0.55, r * 0.55, "#fffbe6")
        for ring in np.arange(r * 0.6, r * 2.0, 3.2):
            n = int(2 * np.pi * ring / 7)
            for k in range(n):
                a0 = 2 * np.pi * k / n + rng.normal(0, 0.1)
                a1 = a0 + 5.0 / ring
                c = "#f7d13c" if ring < r * 1.2 else ("#fff1a8" if rng.random() < 0.5 else "#9cc3de")
                bru.line(
                    [
                        (cx + ring * math.cos(a0), cy + ring * math.sin(a0)),
                        (cx + ring * math.cos(a1), cy + ring * math.sin(a1)),
                    ],
                    c,
                    2.4,
                    1.0,
                )
    bru.done()
    cv.grain(rng, 0.02)
    return cv.image()


def stained_glass() -> Image.Image:
    """A rose window of Voronoi glass cells in jewel colours, dark leading, diamond quarries around it."""
    rng = np.random.default_rng(6606)
    S = 576
    cv = Canvas(S, S)
    cx = cy = S / 2
    R = 262
    seeds, colours = [], []
    ring_pal = [
        ["#f2b632"],
        ["#c8102e", "#1f3fae"],
        ["#1e8a4c", "#f2b632", "#1e8a4c", "#7b2d8e"],
        ["#1f3fae", "#2c7fd0"],
        ["#c8102e", "#e0662a", "#c8102e", "#f2b632"],
        ["#1f3fae", "#7b2d8e", "#1e8a4c"],
        ["#0f2a80", "#c8102e"],
    ]
    rings = [(0, 1), (36, 8), (76, 16), (118, 16), (160, 32), (204, 32), (244, 48)]
    for i, (r, n) in enumerate(rings):
        off = rng.uniform(0, 2 * np.pi) if i == 0 else (i % 2) * np.pi / n
        for k in range(n):
            a = off + 2 * np.pi * k / n + rng.normal(0, 0.02)
            rr = r * rng.normal(1, 0.015)
            seeds.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
            pal = ring_pal[i]
            colours.append(pal[k % len(pal)])
    n_inner = len(seeds)
    step = 34  # diamond quarries outside the rose: a 45-degree lattice
    for i in range(-20, 21):
        for j in range(-20, 21):
            x = cx + (i - j) * step / 2 + rng.normal(0, 1.2)
            y = cy + (i + j) * step / 2 + rng.normal(0, 1.2)
            if math.hypot(x - cx, y - cy) > R + 8 and -step < x < S + step and -step < y < S + step:
                seeds.append((x, y))
                colours.append(
                    ["#d9c98a", "#a9c7b4", "#c9b5d8", "#e6b76a"][(i * 3 + j) % 4]
                    if rng.random() > 0.12
                    else ["#c8102e", "#1f3fae", "#1e8a4c"][rng.integers(3)]
                )
    rad = np.hypot(cv.xx - cx, cv.yy - cy)
    a1, a2, ai = _voronoi(cv.xx, cv.yy, seeds[:n_inner])  # the rose and the quarries are leaded separately
    b1, b2, bi = _voronoi(cv.xx, cv.yy, seeds[n_inner:])
    inner = rad < R + 4
    d1, d2, idx = np.where(inner, a1, b1), np.where(inner, a2, b2), np.where(inner, ai, bi + n_inner)
    pal = np.stack([col(c) for c in colours]) * rng.uniform(0.85, 1.12, (len(seeds), 1))
    glass = pal[idx]
    inside_cell = np.clip((d2 - d1) / 14, 0, 1) ** 0.6  # thicker, darker glass near the lead
    glass *= (0.55 + 0.55 * inside_cell)[..., None]
    glass *= (0.75 + 0.45 * fbm(S, S, 26, rng, 5))[..., None]  # mottled cathedral glass
    glass *= (0.92 + 0.14 * fbm(S, S, (3, 40), rng, 3))[..., None]  # streaks
    glow = np.clip(1.25 - rad / (R * 1.3), 0.7, 1.25)
    glass *= np.where(idx[..., None] < n_inner, glow[..., None], 0.85)
    cv.img[:] = glass
    cv.img += (0.35 * np.exp(-((rad / 60) ** 2)))[..., None] * col("#fff8e0")  # backlit centre
    # painted details: a few small dots (bubbles) and fine painted lines on the large cells
    m = cv.mask()
    for _ in range(240):
        m.circle(rng.uniform(0, S), rng.uniform(0, S), rng.uniform(0.6, 1.8))
    cv.paint(m.get(), "#ffffff", 0.35)
    # lead cames: Voronoi borders, the rose's rim, and bold rings
    lead = np.clip((4.2 - (d2 - d1)) / 1.6, 0, 1)
    for rr, w in [(R + 4, 9.0), (R * 0.5 + 6, 3.0), (56, 3.0)]:
        lead = np.maximum(lead, np.clip((w / 2 + 0.8 - np.abs(rad - rr)) / 1.2, 0, 1))
    gy, gx = np.gradient(gblur(lead, 1.2))
    hl = np.clip(-(gx + gy) * 2.5, -1, 1)
    cv.paint(lead, lerp("#2a2624", "#6a6560", np.clip(hl, 0, 1)) * (0.85 + 0.3 * noise2d(S, S, 3, rng))[..., None])
    cv.grain(rng, 0.015)
    return cv.image()


def _rot_rect(cx, cy, length, width, angle):
    ca, sa = math.cos(angle), math.sin(angle)
    hl, hw = length / 2, width / 2
    return [(cx + ca * dx - sa * dy, cy + sa * dx + ca * dy) for dx, dy in [(-hl, -hw), (hl, -hw), (hl, hw), (-hl, hw)]]


def bauhaus() -> Image.Image:
    """Screen-printed geometric composition: circles, bars and triangles in primaries on cream paper."""
    rng = np.random.default_rng(7707)
    S = 576
    cv = Canvas(S, S, "#efe5cf")
    cv.img *= (0.94 + 0.08 * fbm(S, S, 30, rng, 6))[..., None]  # paper
    speck = fbm(S, S, 1.5, rng, 2)
    RED, BLUE, YEL, BLK, CREAM = "#d5332a", "#1f4f9e", "#f1bf2c", "#1c1b1d", "#efe5cf"

    def ink(m, c, alpha=0.96):
        """Multiply-printed ink: overlaps mix, a little paper shows through."""
        cov = m * np.clip(1.15 - 0.35 * speck - 0.1 * rng.random(m.shape), 0, 1)
        cv.multiply(cov, c, alpha)

    def solid(m, c):
        cv.paint(m, c)

    mk = cv.mask
    ink(mk().circle(208, 250, 150).get(0.5), RED)
    ink(mk().poly([(250, 566), (566, 250), (566, 566)]).get(0.5), YEL)
    ink(mk().rect((372, 36, 446, 430)).get(0.5), BLUE)
    m = mk().circle(112, 470, 66)
    for k, r in enumerate([52, 38, 24, 10]):
        m.circle(112, 470, r, fill=0 if k % 2 == 0 else 255)
    ink(m.get(0.4), BLK)
    ink(mk().poly(_rot_rect(300, 300, 640, 22, -0.72)).get(0.4), BLK)
    ink(mk().circle(482, 120, 44).get(0.4), BLK)
    ink(mk().ellipse((20, 30, 180, 190)).rect((20, 110, 180, 200), fill=0).get(0.4), BLUE)  # half disc
    m = mk()  # hatched block
    for y in range(28, 122, 9):
        m.rect((222, y, 346, y + 4))
    ink(m.get(0.3), BLK)
    m = mk()  # halftone dots fading across
    for i in range(14):
        for j in range(10):
            r = 1 + 4.2 * (i / 13)
            m.circle(392 + j * 17 + (i % 2) * 8, 300 + i * 17, r)
    ink(m.get(0.3) * (cv.xx > 300), RED, 0.9)
    ink(mk().poly(_rot_rect(500, 300, 56, 56, math.pi / 4)).get(0.4), RED)
    ink(mk().poly([(30, 240), (30, 360), (120, 300)]).get(0.4), YEL)
    m = mk()  # checker strip along the bottom
    for i in range(0, S, 16):
        m.rect((i, S - 16 if (i // 16) % 2 == 0 else S - 32, i + 16, S - 16 if (i // 16) % 2 else S))
    ink(m.get(0.3) * (cv.xx < 250), BLK)
    ink(
        mk()
        .line([(12, 206), (560, 206)], 2.2)
        .line([(540, 12), (540, 560)], 2.2)
        .line([(12, 12), (300, 12)], 1.2)
        .get(),
        BLK,
    )
    m = mk()
    for r in (96, 104, 112):
        m.ellipse((482 - r, 120 - r, 482 + r, 120 + r)).ellipse(
            (482 - r + 2, 120 - r + 2, 482 + r - 2, 120 + r - 2), fill=0
        )
    ink(m.get(0.3) * (cv.xx > 400) * (cv.yy < 230), RED)
    solid(mk().circle(208, 250, 34).get(0.4), CREAM)
    ink(mk().circle(208, 250, 14).get(0.4), BLK)
    solid(mk().rect((372, 150, 446, 162)).rect((372, 176, 446, 180)).get(0.3), CREAM)
    ink(mk().circle(290, 470, 18).circle(336, 470, 18).circle(382, 470, 18).get(0.4), BLUE)
    cv.img *= (0.93 + 0.1 * fbm(S, S, (1.5, 12), rng, 3))[..., None]  # print streaks
    cv.grain(rng, 0.02)
    return cv.image()


def waves() -> Image.Image:
    """Layered stylised ocean waves with foam curls: Prussian blue and white, woodblock-print feel."""
    rng = np.random.default_rng(8808)
    W, H = 640, 480
    cv = Canvas(W, H)
    cv.img[:] = stops(cv.yy[:, :1] / H, [(0, "#3f6a93"), (0.05, "#6f8fa8"), (0.2, "#e2d3b2"), (1, "#efe2c4")]).reshape(
        H, 1, 3
    )
    cv.img *= (0.93 + 0.09 * fbm(H, W, 40, rng, 5))[..., None]
    # a red sun and banded, outlined clouds
    cv.paint(cv.mask().circle(468, 112, 50).get(0.6), lerp("#d2482f", "#b73a28", np.clip((cv.yy - 62) / 100, 0, 1)))
    for cx, cy, ln, th in [(170, 92, 300, 18), (540, 160, 240, 16), (330, 150, 200, 14), (40, 175, 160, 12)]:
        parts = [
            (cx - ln / 2, cy - th / 2, cx + ln / 2, cy + th / 2),
            (cx - ln / 4, cy - th * 1.1, cx + ln / 3, cy + th / 3),
            (cx - ln / 8, cy - th * 1.7, cx + ln / 8, cy),
        ]
        outer, inner = cv.mask(), cv.mask()
        for x0, y0, x1, y1 in parts:
            outer.ellipse((x0 - 1.5, y0 - 1.5, x1 + 1.5, y1 + 1.5))
            inner.ellipse((x0, y0, x1, y1))
        om, im_ = outer.get(0.3), inner.get(0.3)
        cv.paint(im_, "#f5ecd8", 0.9)
        cv.paint(np.clip(om - im_, 0, 1), "#6b5a4c", 0.85)
    PB = ["#0f2c52", "#1b4a7a", "#2e6a9a", "#7fa9c8", "#dfe9ee"]
    xs = np.arange(-40, W + 41, 2, dtype=np.float64)
    layers = 5
    for k in range(layers):
        p = k / (layers - 1)
        base = 200 + 277 * p**1.1
        amp = 12 + 78 * p
        lam = 100 + 190 * p
        phase = rng.uniform(0, lam)
        u = ((xs - phase) % lam) / lam  # 0..1 inside each wave
        # waves run to the left: steep front face left of each crest, long gentle back to the right
        prof = np.where(u < 0.28, (u / 0.28) ** 0.7, ((1 - u) / 0.72) ** 1.8)
        crest = base - amp * prof * (0.75 + 0.5 * noise1d(len(xs), 40, rng, 2))
        lw = 0.8 + 2.2 * p
        poly = [(float(x), float(y)) for x, y in zip(xs, crest, strict=True)] + [(W + 40, H + 5), (-40, H + 5)]
        fill = cv.mask().poly(poly).get(0.4)
        cr = np.interp(cv.xx, xs, crest)
        depth = (cv.yy - cr) / (40 + 60 * p)
        water = stops(np.clip(depth, 0, 1.6), [(0, "#8db3cf"), (0.18, "#3f78a8"), (0.6, "#1d4c7e"), (1.6, "#0f2c52")])
        water *= (0.9 + 0.14 * fbm(H, W, (60, 4), rng, 3))[..., None]  # wood grain of the block
        cv.paint(fill, water)
        bru = Brush(cv)
        # lines following the crest inside the water
        for j, off in enumerate([6, 14, 24, 37, 52, 70]):
            off = off * (0.5 + 0.8 * p)
            yl = crest + off + 2 * np.sin(xs / (12 + 6 * j) + j)
            pts = list(zip(xs, yl, strict=True))
            c = PB[3] if j < 3 else PB[2]
            bru.line(pts, c, max(0.8, lw * (0.9 - 0.1 * j)), alpha=0.9, round_caps=False)
        # outlined white foam along the crest
        pts = list(zip(xs, crest, strict=True))
        bru.line(pts, PB[0], lw * 2.6 + 1.5, round_caps=False)
        bru.line(pts, "#f4efe2", lw * 1.6 + 0.6, round_caps=False)
        # curls and claws at some of the peaks
        peaks = [x for x in np.arange(phase - lam * 2, W + lam, lam) + 0.28 * lam if -30 < x < W + 30]
        for px in peaks:
            py = float(np.interp(px, xs, crest))
            h = base - py  # this wave's height
            if p < 0.15 or h < amp * 0.55 or rng.random() < 0.25:
                continue
            R = h * 0.42 + 3
            c0 = (px - R * 0.7, py + R * 0.95)  # the lip hangs forward (left) of the crest
            t = np.linspace(0, 1, 36)
            ang = -np.pi / 2 + 0.35 - t * 1.75 * np.pi
            rad = R * (1 - 0.6 * t)
            wid = R * 0.7 * (1 - t) ** 0.8 + 1.2
            ox = c0[0] + (rad + wid / 2) * np.cos(ang)
            oy = c0[1] + (rad + wid / 2) * np.sin(ang)
            ix_ = c0[0] + (rad - wid / 2) * np.cos(ang)
            iy_ = c0[1] + (rad - wid / 2) * np.sin(ang)
            face_x = ix_[0]
            face_y = float(np.interp(face_x, xs, crest)) + 2
            lip = list(zip(ox, oy, strict=True)) + list(zip(ix_[::-1], iy_[::-1], strict=True))
            root = [(px + 2, py + 1), (ox[0], oy[0]), (ix_[0], iy_[0]), (face_x, face_y), (px + 2, face_y)]
            bru.poly(root, PB[2])
            outline = list(zip(ox, oy, strict=True)) + list(zip(ix_[::-1], iy_[::-1], strict=True))[:-1]
            bru.line(outline, PB[0], lw * 1.4 + 1.0, round_caps=False)
            bru.poly(lip, PB[2])
            inner = list(
                zip(c0[0] + (rad - wid * 0.1) * np.cos(ang), c0[1] + (rad - wid * 0.1) * np.sin(ang), strict=True)
            )
            bru.line(inner[: int(len(t) * 0.7)], PB[3], lw * 0.9 + 0.4, round_caps=False)
            bru.line(list(zip(ox, oy, strict=True)), "#f4efe2", lw * 1.5 + 1.0)
            for f in np.linspace(0.0, 0.5, int(5 + 4 * p)):  # foam beads and little fingers along the lip
                i = int(f * (len(t) - 1))
                a0 = ang[i]
                rr = (lw * 1.3 + 1.4) * (1.2 - f)
                bx_ = ox[i] + math.cos(a0) * rr * 0.8
                by_ = oy[i] + math.sin(a0) * rr * 0.8
                bru.ellipse(bx_, by_, rr + 1, rr + 1, PB[0])
                bru.ellipse(bx_, by_, rr, rr, "#f4efe2")
            for _ in range(int(4 + 10 * p)):  # spray
                sx_ = px + rng.normal(-R * 1.3, R * 0.8)
                sy_ = py - abs(rng.normal(0, R * 0.6)) - 2
                r_ = rng.uniform(0.8, 1.4 + 1.6 * p)
                bru.ellipse(sx_, sy_, r_ + 0.8, r_ + 0.8, PB[0])
                bru.ellipse(sx_, sy_, r_, r_, "#f4efe2")
        bru.done()
    cv.img *= (0.94 + 0.08 * fbm(H, W, (40, 2), rng, 3))[..., None]  # wood grain of the printing block
    cv.grain(rng, 0.015)
    return cv.image()


def pointillism() -> Image.Image:
    """A riverside at sunset built only from dense dots of pure, often complementary, colours."""
    rng = np.random.default_rng(9909)
    W, H, HZ = 640, 480, 250
    ref = Canvas(W, H)  # the soft underlying scene the dots are sampled from
    ys = np.arange(H) + 0.5
    ref.img[:] = stops(ys / HZ, [(0, "#4f86c9"), (0.5, "#9fb8d8"), (0.85, "#f2c98a"), (1, "#f6a25a")])[:, None]
    ref.glow(420, 175, 90, "#fff0a0", 0.8)
    ref.paint(ref.mask().circle(420, 175, 30).get(1), "#fff6c0")
    water = stops(np.clip((ys - HZ) / (H - HZ), 0, 1), [(0, "#f0a860"), (0.15, "#6d8fc0"), (1, "#2f5596")])
    ref.img[HZ:] = water[HZ:, None]
    ref.paint(np.exp(-(((ref.xx - 420) / (18 + (ref.yy - HZ) * 0.5)) ** 2)) * (ref.yy > HZ), "#ffd070", 0.85)
    shore = HZ - 8 - 22 * noise1d(W + 1, 70, rng, 3)
    ref.paint(ref.mask().poly(ridge_poly(shore, HZ + 3)).get(1), "#3f6a3a")
    ref.paint(ref.mask().poly(ridge_poly(2 * HZ - shore + 3, HZ - 1)).get(2) * (ref.yy > HZ), "#34567a", 0.7)
    bank = 392 + 50 * (noise1d(W + 1, 160, rng, 3) - 0.5) - 0.16 * np.arange(W + 1)
    ref.paint(
        ref.mask().poly(ridge_poly(bank, H + 2)).get(1), lerp("#7fae3c", "#2e6a32", np.clip((ref.yy - 330) / 150, 0, 1))
    )
    ref.paint(ref.mask().poly([(0, 300), (90, 290), (150, 340), (140, 480), (0, 480)]).get(8), "#1f4a2e", 0.6)
    ref.paint(ref.mask().rect((92, 150, 106, 420)).get(1), "#4a3424")
    crown = ref.mask()
    for cx, cy, r in [(100, 120, 70), (60, 170, 55), (150, 170, 60), (100, 210, 50), (30, 100, 50)]:
        crown.circle(cx, cy, r)
    cm = crown.get(2)
    ref.paint(cm, shade(cm, "#3f8a3a", 30, light=(0.6, -0.5, 0.6), ambient=0.35))
    for x0 in (250, 520):  # two sailing boats
        ref.paint(ref.mask().poly([(x0, HZ + 14), (x0, HZ - 40), (x0 + 26, HZ + 14)]).get(1), "#fbf1dc")
        ref.paint(ref.mask().rect((x0 - 12, HZ + 14, x0 + 34, HZ + 20)).get(1), "#8a3a2a")
    ref.img = gblur(ref.img, 2.0)

    palette = np.stack(
        [
            col(c)
            for c in [
                "#12317e",
                "#2f62c8",
                "#76a9e6",
                "#bcd6f2",
                "#1e6b3a",
                "#5fa83a",
                "#b6d45a",
                "#f6e04a",
                "#f7a83a",
                "#e8582e",
                "#d94b7c",
                "#8a56c0",
                "#fdf6dc",
                "#f8c8a0",
                "#3b2a6b",
                "#0e3b24",
            ]
        ]
    )
    cv = Canvas(W, H)
    cv.img[:] = ref.img * 0.6 + col("#f3ead6") * 0.4  # toned ground showing between dots
    bru = Brush(cv, ss=2)

    def lum(c):
        return (c * [0.3, 0.59, 0.11]).sum(-1, keepdims=True)

    for n, rmin, rmax, sig in [(14000, 2.7, 3.7, 0.09), (16000, 2.0, 2.8, 0.11), (9000, 1.4, 2.0, 0.13)]:
        px = rng.uniform(0, W, n)
        py = rng.uniform(0, H, n)
        base = ref.img[py.astype(int), px.astype(int)]
        want = base + rng.normal(0, sig, (n, 3))
        comp = rng.random(n) < 0.07  # complementary accents of about the same value
        inv = 1 - base[comp]
        want[comp] = inv - lum(inv) + lum(base[comp]) + rng.normal(0, 0.05, (comp.sum(), 3))
        near = np.argmin(((want[:, None, :] - palette[None]) ** 2).sum(-1), axis=1)
        r = rng.uniform(rmin, rmax, n)
        e = rng.uniform(0.75, 1.0, n)
        for k in range(n):
            bru.ellipse(px[k], py[k], r[k], r[k] * e[k], palette[near[k]])
    bru.done()
    cv.grain(rng, 0.01)
    return cv.image()


def ink_wash() -> Image.Image:
    """Misty ink-wash mountains, bamboo and dry-brush strokes on textured paper, with a red seal."""
    rng = np.random.default_rng(1010)
    W, H = 640, 480
    cv = Canvas(W, H, "#f1e9d6")
    cv.img *= (0.92 + 0.1 * fbm(H, W, 60, rng, 6))[..., None]
    bru = Brush(cv)  # paper fibres
    for _ in range(1600):
        x, y = rng.uniform(0, W), rng.uniform(0, H)
        a, ln = rng.uniform(0, np.pi), rng.uniform(4, 16)
        bru.line(
            [(x, y), (x + ln * math.cos(a), y + ln * math.sin(a) * 0.7)],
            "#b9ab8e" if rng.random() < 0.6 else "#fffaf0",
            0.6,
            alpha=rng.uniform(0.1, 0.3),
        )
    bru.done()
    INK = "#1b1a1e"

    def wash(alpha_map, tone=1.0):
        cv.multiply(np.clip(alpha_map, 0, 1), INK, tone)

    wash(0.16 * np.clip(1 - cv.yy / 170, 0, 1) * fbm(H, W, (160, 50), rng, 4))  # a pale wash of sky

    # three ranges of mountains fading into mist
    xs = np.arange(W + 1)
    for base, amp, scale, a_top, fade, xshape in [
        (190, 120, 120, 0.28, 70, lambda x: 1.0),
        (262, 110, 90, 0.5, 60, lambda x: np.clip((x - 200) / 200, 0.15, 1)),
        (330, 95, 70, 0.78, 45, lambda x: np.clip(1 - (x - 120) / 260, 0, 1) ** 0.7),
    ]:
        n = noise1d(W + 1, scale, rng, 5)
        ridge = base - amp * (n**1.7) * xshape(xs)
        r = ridge[np.clip(cv.xx.astype(int), 0, W)]
        below = cv.yy - r
        body = np.clip(below / 1.5, 0, 1) * np.exp(-np.clip(below, 0, None) / fade)
        mist = 0.6 + 0.5 * fbm(H, W, (90, 25), rng, 4)
        texture = 0.75 + 0.5 * fbm(H, W, (3, 14), rng, 3)  # vertical "hemp-fibre" texture strokes
        edge = np.clip(1 - np.abs(below - 1.5) / 2.5, 0, 1) * (0.5 + 0.6 * noise2d(H, W, (6, 2), rng))
        height = np.clip((base - r) / 30, 0, 1)  # no ink where the range sinks into the mist
        wash((a_top * body * mist * texture + 0.55 * a_top * edge) * height)
        m = cv.mask()  # a few texture strokes running down the slopes
        for _ in range(int(60 * a_top)):
            x = rng.uniform(0, W)
            y0 = ridge[int(x)] + rng.uniform(2, 12)
            if ridge[int(x)] > base - 8:
                continue
            pts = [(x + k * rng.normal(0, 0.8), y0 + k * rng.uniform(5, 9)) for k in range(5)]
            m.line(pts, rng.uniform(0.8, 1.6))
        wash(m.get(1.0) * 0.4 * a_top)
    bru = Brush(cv)
    # a boat with a fisherman on the still water
    bru.line([(392, 402), (404, 407), (440, 407), (452, 400)], INK, 3.0, alpha=0.9)
    bru.line([(420, 405), (421, 390)], INK, 2.6, alpha=0.9)
    bru.ellipse(421, 387, 6, 2.5, INK, 0.9)
    bru.line([(424, 396), (470, 372)], INK, 0.9, alpha=0.8)
    for k in range(5):  # water lines
        y = 414 + k * 7 + rng.uniform(-2, 2)
        x = 360 + rng.uniform(-40, 40)
        bru.line([(x, y), (x + rng.uniform(40, 120), y + rng.uniform(-1, 1))], INK, 0.8, alpha=0.35)
    for gx, gy in [(300, 120), (318, 112), (338, 126)]:  # birds
        bru.line([(gx - 6, gy - 2), (gx, gy + 1), (gx + 6, gy - 3)], INK, 1.2, alpha=0.8)
    bru.done()

    # bamboo in the foreground: segmented stalks, node marks, tapered leaves
    bru = Brush(cv)
    for sx0, lean, wdt in [(52, 0.05, 11), (92, -0.04, 9), (128, 0.09, 7)]:
        y = H + 10
        x = sx0
        while y > -20:
            seg = rng.uniform(45, 68)
            x2 = x + lean * seg
            tone = rng.uniform(0.55, 0.8)
            for b in range(4):  # dry-brush bristles along the segment
                off = (b - 1.5) * wdt / 4
                bru.line(
                    [(x + off, y - 2), (x2 + off, y - seg + 2)],
                    INK,
                    wdt / 3.2,
                    alpha=tone * rng.uniform(0.75, 1.0),
                    round_caps=False,
                )
            bru.line([(x2 - wdt * 0.7, y - seg + 1), (x2 + wdt * 0.7, y - seg - 1)], INK, 2.4, alpha=0.95)
            y -= seg
            x = x2
    leaves = [(60, 120, 5), (100, 60, 4), (135, 180, 6), (55, 300, 3), (128, 320, 3), (96, 230, 4)]
    for lx, ly, n in leaves:
        for _ in range(n):
            a = rng.uniform(0.2, 2.9)
            ln = rng.uniform(40, 75)
            wd = rng.uniform(7, 11)
            dx, dy = math.cos(a), math.sin(a) * 0.6 + 0.35
            nx, ny = -dy, dx
            pts = [
                (lx, ly),
                (lx + dx * ln * 0.3 + nx * wd / 2, ly + dy * ln * 0.3 + ny * wd / 2),
                (lx + dx * ln, ly + dy * ln),
                (lx + dx * ln * 0.3 - nx * wd / 2, ly + dy * ln * 0.3 - ny * wd / 2),
            ]
            bru.poly(pts, INK, alpha=rng.uniform(0.55, 0.95))
    for _ in range(40):  # ink splatters
        x, y = rng.normal(110, 70), rng.normal(330, 90)
        r = rng.exponential(1.2) + 0.4
        bru.ellipse(x, y, r, r, INK, rng.uniform(0.5, 0.95))
    bru.done()

    # a rocky bank at the lower right, washed and dry-brushed, with a pine leaning over the water
    rx = np.linspace(430, 640, 60)
    ry = np.interp(rx, [430, 452, 488, 520, 560, 600, 640], [H + 2, 430, 392, 372, 360, 352, 340]) + 8 * (
        noise1d(60, 4, rng, 3) - 0.5
    )
    top = list(zip(rx, ry, strict=True))
    rock = cv.mask().poly([*top, (640, H + 2)]).get(1.0)
    inner = gblur(rock, 10)
    wash(rock * (0.18 + 0.3 * fbm(H, W, (10, 26), rng, 4)) + np.clip(rock - inner, 0, 1) * 1.2)
    bru = Brush(cv)
    for b in range(7):  # dry, heavy contour along the top of the rock
        off = b * 1.3
        pts = [(x - off * 0.3, y + off) for x, y in top]
        keep = noise1d(len(pts), 6, rng, 2) > 0.25 + 0.06 * b
        run = []
        for p_, k in zip(pts, keep, strict=True):
            if k:
                run.append(p_)
                continue
            if len(run) > 1:
                bru.line(run, INK, 2.0, alpha=0.85, round_caps=False)
            run = []
        if len(run) > 1:
            bru.line(run, INK, 2.0, alpha=0.85, round_caps=False)
    for _ in range(70):  # texture strokes on the rock
        x, y = rng.uniform(460, 640), rng.uniform(360, 480)
        if rock[min(int(y), H - 1), min(int(x), W - 1)] < 0.95:
            continue
        bru.line(
            [
                (x, y),
                (x - rng.uniform(3, 10), y + rng.uniform(6, 18)),
                (x - rng.uniform(4, 14), y + rng.uniform(18, 26)),
            ],
            INK,
            rng.uniform(1, 2.4),
            alpha=rng.uniform(0.4, 0.8),
        )
    trunk = [(586, 356), (572, 320), (540, 290), (508, 280), (470, 286)]
    for b in range(7):
        off = (b - 3) * 1.5
        bru.line(
            [(x + off * 0.4, y + off * (1 + (x - 470) / 120)) for x, y in trunk],
            INK,
            2.2,
            alpha=rng.uniform(0.55, 0.95),
            round_caps=False,
        )
    for cx, cy, r in [(466, 272, 36), (514, 262, 30), (552, 280, 24), (432, 290, 22), (494, 292, 20)]:
        for _ in range(60):  # needle clumps: fans of short strokes
            a = rng.uniform(np.pi * 1.05, np.pi * 1.95)
            ln = r * rng.uniform(0.4, 1.0)
            x0, y0 = cx + rng.normal(0, r * 0.3), cy + rng.normal(0, r * 0.12)
            bru.line([(x0, y0 + 4), (x0 + ln * math.cos(a), y0 + 4 + ln * math.sin(a) * 0.45)], INK, 1.0, alpha=0.8)
        bru.ellipse(cx, cy + 4, r * 0.9, r * 0.22, INK, 0.35)
    # a dry-brush sweep for the near bank, drying out as it goes
    for b in range(16):
        off = b * 1.0
        pts = [(150 + off * 0.3, 458 + off), (260, 448 + off * 0.8), (360, 452 + off * 0.6), (460, 440 + off * 0.4)]
        dense = np.array(
            [np.interp(np.linspace(0, 1, 60), np.linspace(0, 1, 4), np.array(pts)[:, k]) for k in range(2)]
        ).T
        keep = noise1d(60, 10, rng, 2) > np.linspace(0.05, 0.75, 60) ** 1.5 * rng.uniform(0.8, 1.3)
        run = []
        for p_, k in zip(dense, keep, strict=True):
            if k:
                run.append(tuple(p_))
                continue
            if len(run) > 1:
                bru.line(run, INK, 2.0, alpha=0.8, round_caps=False)
            run = []
        if len(run) > 1:
            bru.line(run, INK, 2.0, alpha=0.8, round_caps=False)
    bru.done()
    cv.img = gblur(cv.img, 0.5) * 0.5 + cv.img * 0.5  # a touch of bleed into the paper

    # red seal carved with an abstract square-spiral (meander) pattern: decorative, not text
    sx0, sy0, sz = 566, 40, 40
    seal = cv.mask().rect((sx0, sy0, sx0 + sz, sy0 + sz)).get(0.4)
    spiral = [(6, 34), (6, 6), (34, 6), (34, 34), (13, 34), (13, 13), (27, 13), (27, 27), (20, 27), (20, 20)]
    cut = cv.mask().line([(sx0 + x, sy0 + y) for x, y in spiral], 3.0)
    ink_cov = np.clip(1.1 - 0.5 * noise2d(H, W, 2, rng), 0, 1)
    cv.multiply(np.clip(seal - cut.get(0.3), 0, 1) * ink_cov, "#b3261e", 0.92)
    cv.grain(rng, 0.012)
    return cv.image()


# --------------------------------------------------------------------------------------
# The gallery: files, titles, captions (display order) and the README table
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    file: str  # relative to assets/
    kind: str  # "content" or "style"
    title: str
    caption: str  # one short line for the gallery
    shows: str  # a fuller description for the README
    make: Callable[[], Image.Image]


GALLERY = [
    Entry(
        "content/lake_house.jpg",
        "content",
        "Lake house",
        "A cottage by a mountain lake on a sunny afternoon.",
        "Sky with clouds and sun, three ranges of hills, a red-roofed house among trees, its reflection in the lake, "
        "a rowing boat and a grassy bank with reeds and flowers.",
        lake_house,
    ),
    Entry(
        "content/city_dusk.jpg",
        "content",
        "City at dusk",
        "A skyline with lit windows and an arched bridge over the river.",
        "Dusk sky with stars and a crescent moon, three rows of buildings with lit windows, "
        "a stone arch bridge with lamps, "
        "reflections in the river.",
        city_dusk,
    ),
    Entry(
        "content/still_life.jpg",
        "content",
        "Still life",
        "A bowl of fruit, a vase of flowers and a window.",
        "A table by a window: a blue bowl of oranges, apples and grapes, a pear and an apple with cast shadows, "
        "a terracotta vase of flowers, a curtain.",
        still_life,
    ),
    Entry(
        "content/lighthouse.jpg",
        "content",
        "Lighthouse",
        "A striped lighthouse on a rocky headland, with a sailing boat.",
        "A red-and-white lighthouse and a keeper's cottage on rocks, surf, a sailing boat on a glittering sea, "
        "clouds, gulls and a low sun.",
        lighthouse,
    ),
    Entry(
        "styles/swirls.jpg",
        "style",
        "Swirls",
        "Swirling brush strokes in deep blues and yellows.",
        "Thousands of short curved brush strokes following a swirling flow: a night sky of vortices and haloed stars "
        "over rolling hills (Van-Gogh-like, not a copy of any painting).",
        swirls,
    ),
    Entry(
        "styles/stained_glass.jpg",
        "style",
        "Stained glass",
        "A rose window of jewel-coloured glass and dark lead.",
        "Voronoi cells arranged as a rose window in ruby, sapphire, emerald and amber, "
        "with mottled glass, dark leading "
        "and a border of diamond quarries.",
        stained_glass,
    ),
    Entry(
        "styles/bauhaus.jpg",
        "style",
        "Bauhaus",
        "Bold circles, bars and triangles in primary colours on cream.",
        "A screen-print-like geometric composition: circles, bars, triangles, rings, hatching, halftone dots and "
        "a checker strip in red, blue, yellow and black, overprinted on cream paper.",
        bauhaus,
    ),
    Entry(
        "styles/waves.jpg",
        "style",
        "Waves",
        "Rows of curling waves in Prussian blue and white, like a woodblock print.",
        "Layered stylised waves with foam curls, spray and crest lines in Prussian blue and white, a red sun and "
        "outlined clouds on paper with wood-grain texture.",
        waves,
    ),
    Entry(
        "styles/pointillism.jpg",
        "style",
        "Pointillism",
        "A riverside sunset painted in dense dots of pure colour.",
        "About 39,000 dots of pure, partly complementary, colours building up a tree, a river with sailing boats "
        "and a setting sun.",
        pointillism,
    ),
    Entry(
        "styles/ink_wash.jpg",
        "style",
        "Ink wash",
        "Misty mountains, bamboo and a pine in black ink on paper.",
        "Ink-wash mountains fading into mist, bamboo, a pine on a rock, a fisherman's boat, dry-brush strokes, "
        "splatters and a red seal (an abstract pattern, not text) on fibrous paper.",
        ink_wash,
    ),
]

LICENCE = "CC0 1.0 — dedicated to the public domain by the project"
SOURCE = "generated by `assets/make_assets.py`, this project"


def write_gallery_json(entries) -> None:
    data = [{"file": e.file, "kind": e.kind, "title": e.title, "caption": e.caption} for e in entries]
    (ASSETS / "gallery.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_readme(entries) -> None:
    rows = "\n".join(f"| `{e.file}` | {e.kind} | {e.title} | {e.shows} | {SOURCE} | {LICENCE} |" for e in entries)
    text = f"""# Sample gallery

Sample pictures bundled with NST Explorer, so that style transfer can be demonstrated without bringing any files:
{sum(e.kind == "content" for e in entries)} content scenes (`content/`) and {sum(e.kind == "style" for e in entries)} \
style images (`styles/`). The app builds its gallery from `gallery.json` (display order, titles and captions).

**Every picture here was drawn procedurally by this project's own code** (`make_assets.py`, numpy + Pillow only).
Nothing was copied, traced or downloaded, and no other image was used as input. The pictures are dedicated to the
public domain under [CC0 1.0](https://creativecommons.org/publicdomain/zero/1.0/). Do not add images to this
folder that the project did not make itself (in particular, images used by the tests must not be copied here).

| File | Kind | Title | What it shows | Source | Licence |
|---|---|---|---|---|---|
{rows}

## Regenerating

```sh
.venv/bin/python assets/make_assets.py            # rewrites every picture, gallery.json and this README
.venv/bin/python assets/make_assets.py swirls     # only the named pictures (gallery.json and README untouched)
```

The script is deterministic: each picture has its own fixed random seed, so a run reproduces the same pictures
(byte-identical with the same numpy and Pillow versions; other versions may differ in the last bits of a few pixels).
It takes well under a minute on a 2-core CPU. To change the gallery, edit `make_assets.py` (the `GALLERY` list
holds the file names, titles, captions and descriptions) rather than this file, which it overwrites.

## Screenshots

`docs/*.png` are screenshots of this app taken by this project (Playwright, headless Chromium);
the pictures in them are the gallery images above and results computed from them. Same licence (CC0).

## Demo pack

`demo/*.nstrun` are recorded runs (`nst.replay`: settings, every step's losses and time, previews,
the final picture, and the photo and painting they were made from), replayed by the Studio without
computing. They were made by this project with `make demo-pack` (`assets/make_demo_pack.py`) from
the gallery pictures above only: Lighthouse × Waves (Quick), Lake house × Swirls
(Balanced), City at dusk × Stained glass (Quick). Same licence (CC0 1.0).
"""
    (ASSETS / "README.md").write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    wanted = set(argv)
    known = {Path(e.file).stem for e in GALLERY}
    unknown = wanted - known
    if unknown:
        print(
            f"unknown picture(s): {', '.join(sorted(unknown))}; choose from {', '.join(sorted(known))}", file=sys.stderr
        )
        return 2
    t_all = time.perf_counter()
    total = 0
    for e in GALLERY:
        if wanted and Path(e.file).stem not in wanted:
            continue
        t0 = time.perf_counter()
        img = e.make()
        out = ASSETS / e.file
        out.parent.mkdir(parents=True, exist_ok=True)
        img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        size = out.stat().st_size
        total += size
        print(f"{e.file:28s} {img.width}x{img.height}  {size / 1024:6.1f} KB  {time.perf_counter() - t0:5.1f} s")
    if not wanted:
        write_gallery_json(GALLERY)
        write_readme(GALLERY)
        print("gallery.json, README.md")
    print(f"total {total / 1024:.0f} KB in {time.perf_counter() - t_all:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
