"""TensorFlow, imported once and quietly.

TensorFlow's C++ runtime prints start-up lines straight to file descriptor 2 (oneDNN notice,
CUDA probing on machines without a GPU) before its logging is configured, so no environment
variable hides them. They are captured while TensorFlow and Keras load and the device list is
first read, and replayed only if that fails.
"""

from __future__ import annotations

import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# TensorFlow's own best-fit allocator for CPU tensors instead of malloc, where oneDNN's allocator
# is not in use (CPUs without AVX-512; with oneDNN it changed nothing). Measured on a 2-core AVX2
# CPU (`python -m bench --sections allocator`, README): a float32 step 3–20 % faster, the
# flipped-kernel step's peak memory 35–40 % lower, and peaks steady from run to run (malloc's moved
# by ±20 %, which the memory guard's probe read as noise).
os.environ.setdefault("TF_CPU_ALLOCATOR_USE_BFC", "true")
# One inter-op thread: with two, TensorFlow runs a step's independent ops side by side and which
# tensors are alive together changes from run to run, so the same run's peak moved by up to 1.4
# times (bfloat16, 768-1536 px; float32 with oneDNN off 1.3 times at 768 px), more than the memory
# guard's band allows an estimate. With one, peaks were steady and up to a third lower; Balanced took
# 6 % longer on a Xeon with AMX and no longer on an AMD EPYC with AVX512-BF16 (README, Performance).
# Set the variable to override.
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")


def _quiet_import():
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr replaced by a non-file (some test runners)
        fd = None
    if fd is None:
        import keras
        import tensorflow

        tensorflow.config.list_physical_devices()
        return tensorflow, keras
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), fd)
        try:
            import keras
            import tensorflow

            tensorflow.config.list_physical_devices()
        except BaseException:
            os.dup2(saved, fd)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, fd)
            os.close(saved)
    return tensorflow, keras


tf, keras = _quiet_import()
# "N out of the last M calls triggered tf.function retracing" is expected here: each layer
# choice is its own traced function, and L-BFGS traces once per memory length.
tf.get_logger().setLevel("ERROR")


def onednn_enabled() -> bool:
    """Whether TensorFlow runs its CPU ops through oneDNN here (on by default only on CPUs with
    AVX-512 features; TF_ENABLE_ONEDNN_OPTS overrides). Its ops and TensorFlow's own allocate
    differently enough that the memory guard counts a painting's forward pass differently
    (nst.memory). False where TensorFlow does not say."""
    try:
        from tensorflow.python.util import _pywrap_util_port

        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        return False
