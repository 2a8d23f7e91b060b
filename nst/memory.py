"""How much memory a run needs, how much is free, and refusing runs that would not fit.

A run's memory is set by its pixel counts: the gradient pass keeps every activation of the result
image for the backward pass (the largest stage dominates), and the style targets need a forward
pass over the painting at its stage size. The probe reads stages as a run has them (the content's
forward pass at the result's size, then a step). With oneDNN's ops (on by default on CPUs with
AVX-512 features) the step reuses what the painting's pass freed in TensorFlow's pooling CPU
allocator (nst.tf_runtime), so a painting adds the forward pass of only the pixels it has beyond
the result's (counted whole on top, float32 runs read 1.18–1.48 times their peak on a CPU with
native bfloat16); without them it does not, and the painting's whole pass is added (counted
the other way, runs read 0.84–0.93 with TF_ENABLE_ONEDNN_OPTS=0 on that CPU). What a pixel costs is
not a constant: oneDNN chooses other convolution kernels, with other scratch memory, on AVX2 than
on AVX-512 (float32 at 768 px: 0.92 GB on one, 1.79 GB on the other), so the bytes per pixel come
from the machine's own `nst.cost.CostModel`, measured by its probe.

The process itself (TensorFlow, VGG19, Streamlit) is about 0.8–0.9 GB before any run and is not
counted. TensorFlow's allocator keeps what a run used (RSS stays at its peak, and the next run of
a similar size reuses it), so "free" for a run is the system's available memory plus what this
process already holds above its baseline (`mark_baseline`, called once the model is loaded).

Free memory comes from /proc/meminfo (MemAvailable), capped by a cgroup limit (v2 memory.max or
v1 memory.limit_in_bytes) and by NST_MAX_RUN_MEMORY (GB), which a server operator can set to keep
runs small on a machine shared with other services. When none of these can be read, nothing is refused.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nst.config import ConfigError

if TYPE_CHECKING:
    from nst.cost import CostModel
    from nst.plan import Plan

GB = 2**30
# A run must fit with this much to spare: the picture, curves and other sessions' small
# allocations come on top of the estimate.
MARGIN = 1.25
ENV_LIMIT = "NST_MAX_RUN_MEMORY"


@dataclass(frozen=True)
class RunMemory:
    side: int  # the result's long side
    bytes: int  # estimated extra peak
    painting_dominates: bool  # the painting's forward pass, not the result's gradient, sets the peak

    @property
    def gb(self) -> float:
        return self.bytes / GB


def run_memory(plan: Plan, style_shapes: Sequence[Sequence[int]], min_side: int, cost: CostModel) -> RunMemory:
    """The estimated extra peak of a run that follows `plan` with paintings of these shapes."""
    from nst.plan import style_size

    need, painting_dominates = 0.0, False
    for stage in plan.stages:
        # The probe read stages: the content's forward pass at the stage's pixels, then a step.
        # The painting's pass comes first: where the step reuses what it freed (oneDNN's ops), it
        # adds its pixels beyond the result's; elsewhere all of them (`CostModel.painting_reused`).
        step = cost.step_bytes(stage.pixels, plan.content_layer, plan.style_layers)
        step += plan.state_bytes_per_pixel * stage.pixels
        painting = max((math.prod(style_size(shape, stage.style_side, min_side)) for shape in style_shapes), default=0)
        beyond = max(0, painting - stage.pixels) if cost.painting_reused else painting
        here = step + cost.forward_bytes_per_pixel * beyond
        if here > need:
            need, painting_dominates = here, cost.forward_bytes(painting) > step
    return RunMemory(plan.final.side, int(need), painting_dominates=painting_dominates)


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


def release_free_memory() -> None:
    """Hand memory freed inside the process back to the system (glibc's malloc_trim), so that the
    next peak reading counts what a computation needs, not what it found free from an earlier one
    (the probe's steps of one size otherwise hid up to 40 % of the next size's need)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl, macOS): readings are then coarser
        pass


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
    plan: Plan,
    style_shapes: Sequence[Sequence[int]],
    min_side: int,
    cost: CostModel,
    slots: int = 1,
    free: int | None = None,
) -> RunMemory:
    """Raise ConfigError with one sentence if the run would not fit (with MARGIN) in its share of
    the free memory: `slots` runs may compute at once, so each gets 1/slots of it."""
    need = run_memory(plan, style_shapes, min_side, cost)
    free = free_bytes() if free is None else free
    if free is None:
        return need
    share = free / max(1, slots)
    if need.bytes * MARGIN > share:
        what = "size or style scale" if need.painting_dominates else "size"
        raise ConfigError(
            f"At {need.side} px this run needs about {need.bytes * MARGIN / GB:.1f} GB but only "
            f"{share / GB:.1f} GB are free; choose a smaller {what}.",
            field="max_side",
        )
    return need
