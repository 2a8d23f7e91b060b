"""How much memory a run needs, how much is free, and refusing runs that would not fit.

A run's memory is set by its pixel counts: the gradient pass keeps every VGG activation of the
result image for the backward pass (the largest stage of a coarse-to-fine run dominates), and
the style targets need a forward pass over the painting at `max_side × style_scale`. Both are
linear in pixels, and the two passes do not overlap. Measured on this project's machine (2-core
Xeon with AVX512-BF16, TensorFlow 2.21 with oneDNN, VGG19) as the peak RSS one run adds to a
warmed-up process: VmHWM after resetting it through /proc/self/clear_refs, one fresh process per
row, 3 L-BFGS steps at one scale, random 4:3 content and a square painting. GB are 2**30 bytes.

    precision  result px  painting px  measured GB  estimate GB  estimate/measured
    bfloat16    0.11 M     0.15 M        0.12         0.24         1.95   (384 px)
    bfloat16    0.44 M     0.04 M        0.64         0.76         1.20   (768 px, style_scale ¼)
    bfloat16    0.44 M     0.59 M        0.64         0.76         1.20   (768 px)
    bfloat16    0.79 M     1.05 M        1.11*        1.31         1.18   (1024 px)
    bfloat16    1.23 M     0.10 M        1.93         2.01         1.04   (1280 px, style_scale ¼)
    bfloat16    1.77 M     2.36 M        2.35         2.86         1.22   (1536 px)
    bfloat16    3.15 M     4.19 M        5.14*        5.04         0.98   (2048 px)
    bfloat16    0.05 M     1.05 M        0.80         0.77         0.96   (256 px, style_scale 4)
    bfloat16    0.20 M     4.19 M        2.52         2.88         1.14   (512 px, style_scale 4)
    float32     0.11 M     0.15 M        0.25         0.30         1.19   (384 px)
    float32     0.44 M     0.04 M        0.91         1.01         1.11   (768 px, style_scale ¼)
    float32     0.44 M     0.59 M        0.92         1.01         1.10   (768 px)
    float32     0.79 M     1.05 M        1.68*        1.75         1.04   (1024 px)
    float32     1.23 M     0.10 M        2.56         2.69         1.05   (1280 px, style_scale ¼)
    float32     0.05 M     1.05 M        0.58         0.67         1.15   (256 px, style_scale 4)
    float32     0.20 M     4.19 M        2.30         2.48         1.08   (512 px, style_scale 4)

    * `python -m bench.probe memory SIZE PRECISION` (whole-process peak) minus the same at 64 px.

So a step at 2048 px needs about 5 GB on top of the process, and style_scale 4 at 2048 px (an
8192 px painting) would need about 40 GB: such runs are refused up front where memory is short.
The estimate is within -4 % … +22 % of the measurements above 0.5 GB; MARGIN covers the rest.

The process itself (TensorFlow, VGG19, Streamlit) is about 0.8–0.9 GB before any run and is not
counted. TensorFlow's allocator keeps what a run used (RSS stays at its peak, and the next run of
a similar size reuses it), so "free" for a run is the system's available memory plus what this
process already holds above its baseline (`mark_baseline`, called once the model is loaded).

Free memory comes from /proc/meminfo (MemAvailable), capped by a cgroup limit (v2 memory.max or
v1 memory.limit_in_bytes) and by NST_MAX_RUN_MEMORY (GB), which a server operator can set to keep
runs small on a machine shared with other services. When none of these can be read, nothing is refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nst.config import ConfigError, StyleConfig
from nst.images import fitted_size

GB = 2**30
# Extra peak bytes per pixel, fitted to the table above, and a fixed part for a run's bookkeeping.
GRADIENT_BYTES_PER_PIXEL = {"float32": 2300, "bfloat16": 1700, "float16": 1700}
FORWARD_BYTES_PER_PIXEL = {"float32": 620, "bfloat16": 720, "float16": 720}
FIXED_BYTES = 64 * 2**20
# A run must fit with this much to spare: the estimate is a fit, and the picture, curves and
# other sessions' small allocations come on top.
MARGIN = 1.25
ENV_LIMIT = "NST_MAX_RUN_MEMORY"


@dataclass(frozen=True)
class RunMemory:
    side: int  # the result's long side (max_side)
    content_pixels: int  # largest stage of the result
    style_pixels: int  # largest painting at its style size
    bytes: int  # estimated extra peak
    painting_dominates: bool  # the painting's forward pass, not the result's gradient, sets the peak

    @property
    def gb(self) -> float:
        return self.bytes / GB


def _passes(content_pixels: int, style_pixels: int, precision: str) -> tuple[float, float]:
    key = precision if precision in GRADIENT_BYTES_PER_PIXEL else "float32"
    return GRADIENT_BYTES_PER_PIXEL[key] * content_pixels, FORWARD_BYTES_PER_PIXEL[key] * style_pixels


def estimate_bytes(content_pixels: int, style_pixels: int = 0, precision: str = "float32") -> int:
    """Estimated extra peak memory of a run whose result has `content_pixels` at its largest stage
    and whose largest painting is resized to `style_pixels` (the two passes do not overlap)."""
    return int(max(_passes(content_pixels, style_pixels, precision)) + FIXED_BYTES)


def _style_size(shape: Sequence[int], long_side: int, min_side: int) -> tuple[int, int]:
    """Mirrors Objective.style_size: the painting at `long_side`, enlarged if its short side is too small."""
    size = fitted_size(shape[0], shape[1], long_side)
    if min(size) < min_side:
        size = fitted_size(shape[0], shape[1], -(-min_side * max(shape[:2]) // min(shape[:2])))
    return size


def run_memory(
    config: StyleConfig,
    content_shape: Sequence[int],
    style_shapes: Sequence[Sequence[int]],
    min_side: int,
    precision: str,
) -> RunMemory:
    """The estimate for this config and these images (ConfigError if the content is too thin)."""
    sizes = config.scale_sizes(tuple(content_shape), min_side)
    content_pixels = max(h * w for h, w in sizes)
    style_pixels = 0
    for h, w in sizes:
        long_side = max(1, round(max(h, w) * config.style_scale))
        for shape in style_shapes:
            sh, sw = _style_size(shape, long_side, min_side)
            style_pixels = max(style_pixels, sh * sw)
    gradient, forward = _passes(content_pixels, style_pixels, precision)
    return RunMemory(
        config.max_side,
        content_pixels,
        style_pixels,
        estimate_bytes(content_pixels, style_pixels, precision),
        painting_dominates=forward > gradient,
    )


# ---------------------------------------------------------------------------------------- free memory
def _read(path: str) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:
        return None


def _meminfo_available() -> int | None:
    text = _read("/proc/meminfo")
    match = re.search(r"^MemAvailable:\s+(\d+) kB", text or "", re.MULTILINE)
    if match:
        return int(match[1]) * 1024
    try:  # no /proc (macOS, some containers): free physical pages, if the platform says
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _cgroup_room() -> int | None:
    """Bytes left under this process's cgroup memory limit, if there is one."""
    for limit_path, usage_path in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),  # v2
        ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),  # v1
    ):
        limit, usage = _read(limit_path), _read(usage_path)
        if limit is None or usage is None:
            continue
        limit = limit.strip()
        if limit == "max" or not limit.isdigit() or int(limit) >= 2**60:
            return None
        return max(0, int(limit) - int(usage.strip() or 0))
    return None


def status_bytes(field: str) -> int | None:
    """A size from /proc/self/status in bytes (VmRSS: now, VmHWM: the peak since start or reset_peak)."""
    text = _read("/proc/self/status")
    match = re.search(rf"^{field}:\s+(\d+) kB", text or "", re.MULTILINE)
    return int(match[1]) * 1024 if match else None


def process_rss() -> int | None:
    return status_bytes("VmRSS")


def reset_peak() -> bool:
    """Restart VmHWM from the current RSS (Linux); unlike ru_maxrss it then measures only what follows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


_baseline: int | None = None


def mark_baseline() -> None:
    """Remember this process's size before any run (call once the model is loaded and warmed up)."""
    global _baseline
    if _baseline is None:
        _baseline = process_rss()


def _env_limit() -> int | None:
    value = os.environ.get(ENV_LIMIT, "").strip()
    try:
        return int(float(value) * GB) if value else None
    except ValueError:
        return None


def free_bytes() -> int | None:
    """Memory runs can use now: available memory plus what this process holds above its baseline
    (kept by TensorFlow's allocator from earlier runs), capped by cgroup and NST_MAX_RUN_MEMORY; None
    if unknown."""
    available = _meminfo_available()
    room = _cgroup_room()
    if room is not None:
        available = room if available is None else min(available, room)
    rss = process_rss()
    if available is not None and _baseline is not None and rss is not None:
        available += max(0, rss - _baseline)
    limit = _env_limit()
    if limit is not None:
        available = limit if available is None else min(available, limit)
    return available


def check_run(
    config: StyleConfig,
    content_shape: Sequence[int],
    style_shapes: Sequence[Sequence[int]],
    min_side: int,
    precision: str,
    slots: int = 1,
    free: int | None = None,
) -> RunMemory:
    """Raise ConfigError with one sentence if the run would not fit (with MARGIN) in its share of
    the free memory: `slots` runs may compute at once, so each gets 1/slots of it."""
    need = run_memory(config, content_shape, style_shapes, min_side, precision)
    free = free_bytes() if free is None else free
    if free is None:
        return need
    share = free / max(1, slots)
    if need.bytes * MARGIN > share:
        what = "size or style scale" if need.painting_dominates else "size"
        raise ConfigError(
            f"At {need.side} px this run needs about {need.bytes * MARGIN / GB:.1f} GB but only "
            f"{share / GB:.1f} GB are free; choose a smaller {what}."
        )
    return need
