"""Which device TensorFlow will use and which arithmetic pays there.

Reduced precision is the one lever that makes each step cheaper: on CPUs with AVX512-BF16 or
AMX, oneDNN runs bf16 convolutions about twice as fast as fp32; on GPUs, mixed float16 (or
bf16 on Ampere and later) uses the tensor cores. Elsewhere bf16 is emulated and slower.
"""

from __future__ import annotations

import functools
import os
import platform
from dataclasses import dataclass
from pathlib import Path

PRECISIONS = ("auto", "float32", "bfloat16", "float16")
# Keras dtype policy per precision: weights stay float32, arithmetic is reduced.
POLICIES = {"float32": "float32", "bfloat16": "mixed_bfloat16", "float16": "mixed_float16"}


@dataclass(frozen=True)
class DeviceInfo:
    kind: str  # "GPU" or "CPU"
    name: str
    cores: int
    bf16_native: bool  # CPU: avx512_bf16 / amx_bf16; GPU: compute capability ≥ 8

    def describe(self, precision: str) -> str:
        return f"{self.kind} · {self.name} · {precision}"


def _cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "CPU"


@functools.cache
def detect_device() -> DeviceInfo:
    from nst.tf_runtime import onednn_enabled, tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        capability = details.get("compute_capability") or (0, 0)
        return DeviceInfo("GPU", details.get("device_name", gpus[0].name), len(gpus), capability[0] >= 8)
    bf16 = cpu_bf16_native(_cpu_flags(), os.environ.get("ONEDNN_MAX_CPU_ISA", ""), onednn_enabled())
    return DeviceInfo("CPU", _cpu_name(), os.cpu_count() or 1, bf16)


# oneDNN's instruction sets without bfloat16 arithmetic. Capped at one of them (ONEDNN_MAX_CPU_ISA),
# oneDNN refuses to make a bfloat16 convolution even on a CPU that has it ("could not create a
# primitive descriptor", seen with AVX2 on a Xeon with AMX).
ISAS_WITHOUT_BF16 = frozenset({"SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2", "AVX512_CORE", "AVX512_CORE_VNNI"})


def cpu_bf16_native(flags: set[str], max_isa: str = "", onednn: bool = True) -> bool:
    """The CPU computes in bfloat16 (avx512_bf16 or amx_bf16) and oneDNN is on and allowed to use it.

    Without oneDNN (TF_ENABLE_ONEDNN_OPTS=0) TensorFlow's own kernels emulate bfloat16 even on such a
    CPU: on the Xeon with AMX a 192-px step took 0.262 s in bfloat16 against 0.266 s in float32 with
    the flipped kernels, 4.96 s with TensorFlow's gradient: float32's precision at no cost."""
    native = bool({"avx512_bf16", "amx_bf16"} & flags)
    return native and onednn and max_isa.strip().upper() not in ISAS_WITHOUT_BF16


def resolve_precision(requested: str = "auto", device: DeviceInfo | None = None) -> str:
    """'auto' → the fastest precision that keeps the picture: bf16/fp16 where native, else fp32."""
    if requested not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)} (got {requested!r})")
    if requested != "auto":
        return requested
    device = device or detect_device()
    if device.kind == "GPU":
        return "bfloat16" if device.bf16_native else "float16"
    return "bfloat16" if device.bf16_native else "float32"
