"""What a step costs on this machine, in seconds and bytes, measured rather than assumed.

CPUs differ by an order of magnitude for this work: with AVX512-BF16 a bfloat16 step is about
twice as fast as float32, without it bfloat16 is emulated (TensorFlow's input-gradient kernel then
ten times slower), and oneDNN picks other convolution kernels (with other scratch memory) on AVX2
than on AVX-512. So the ETA, the time-budget planner and the memory guard read a `CostModel`
measured by a short probe on the machine itself: a race of the two ways of computing ∂L/∂x
(nst.conv_net), then a few loss-and-gradient steps and forward passes at two small sizes, fitted
as fixed + per-pixel cost, and the peak memory each adds. The probe costs about 14 s once on a
2-core AVX2 CPU (5 s with native bfloat16); its result is kept on disk per CPU model, TensorFlow
version, backbone and precision.

Other layer choices than the probed one are scaled by the network's multiply-adds and activation
elements per pixel up to their deepest layer (time: in the share a second, shallowest objective
timed by the probe gives each) and by its activation elements alone (memory), both tables computed
from the model itself. The static model below is only a safe upper bound for what runs before the
probe (the model's warm-up), never a fit from another machine. On a GPU the probe measures time
the same way; GPU memory is not this process's RSS, so the memory guard does not run there.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nst.conv_net import AUTODIFF, FLIPPED, INPUT_GRADIENTS, is_plain
from nst.memory import process_rss, release_free_memory, reset_peak, status_bytes

if TYPE_CHECKING:
    from nst.backbones import Backbone

ENV_CACHE = "NST_COST_CACHE"  # a file for the measured models, or "off"
COST_VERSION = 12
# The probe's step budget: its second size is chosen so a step costs about this much.
PROBE_STEP_SECONDS = 0.8
PROBE_SIDES = (64, 320)  # the smallest size and the largest the probe will time
# Memory is read at this side at least: a step there adds about 0.1 GB, well above what the
# smaller steps before it left in TensorFlow's pool (read at 192 px with malloc as the allocator,
# one probe in eleven put a 768-px float32 run 15 % below its peak), and oneDNN's scratch memory
# per pixel is what it is at the sizes people run (below, it was not, in emulated bfloat16).
PROBE_MEMORY_SIDE = 288
# Where the probe races the two ways of computing ∂L/∂x (nst.conv_net): large enough that the
# convolutions, not the fixed costs, decide (at 64 px the ratio was already clear, on both kinds of
# kernels). Each runs CHOICE_ROUNDS steps, alternating, and counts its fastest: a busy machine only
# ever adds time. TensorFlow's gradient must win by CHOICE_MARGIN to be used: the flipped kernels
# keep only each layer's output, and on the AVX2 machine with the pooling allocator their step
# needed 3.5-4 times less memory in the same time at the sizes people run (384-768 px: 0.12-0.41
# against 0.48-1.66 GB, 0.99-1.04 times TensorFlow's time; at this side they are faster, 0.72-0.74),
# so a near-tie goes to the step that needs less (README: the busy probe this guards against). A way
# twice as slow on every step is out after one round (`_decided`).
PROBE_CHOICE_SIDE = 96
CHOICE_ROUNDS = 5
CHOICE_MARGIN = 0.9
# A run whose time falls outside this factor of its prediction moves the model part of the way
# towards what it saw (`recalibrate`); runs shorter than MIN_OBSERVED_SECONDS say too little.
RECALIBRATE_BEYOND = 1.2
MIN_OBSERVED_SECONDS = 5.0


@dataclass(frozen=True)
class CostModel:
    """Seconds and bytes of a step of the probed objective (`content_layer`, `style_layers`), and the
    network's tables that scale them to other layer choices."""

    step_fixed: float  # s per loss-and-gradient step, whatever the size
    step_per_pixel: float  # s per result pixel
    forward_fixed: float  # s per forward pass (targets)
    forward_per_pixel: float
    step_bytes_per_pixel: float  # extra peak memory of a stage (forward pass and step), per result pixel
    forward_bytes_per_pixel: float  # extra peak memory of a forward pass, per painting pixel
    fixed_bytes: float
    content_layer: str  # the reference objective the probe measured
    style_layers: tuple[str, ...]
    macs: dict[str, float]  # multiply-adds per input pixel up to each layer (from the model)
    acts: dict[str, float]  # activation elements per input pixel up to each layer
    measured: bool = True  # False: the static upper bound
    probe_seconds: float = 0.0
    key: str = ""
    # How a step computes ∂L/∂x through the convolutions here (nst.conv_net), the faster of the two
    # in the probe's race, and the race's seconds per step at PROBE_CHOICE_SIDE.
    input_gradient: str = AUTODIFF
    input_gradient_seconds: dict[str, float] = field(default_factory=dict)
    # The probe's RSS readings, (result pixels, bytes) by growing size: the small step's, then three
    # stages' (a forward pass and a step). Within their range a stage's need is read between them,
    # beyond it on the line of `step_bytes_per_pixel` (see `stage_bytes_per_pixel`).
    step_bytes_readings: tuple[tuple[float, float], ...] = ()
    # A second, shallowest objective the probe timed (`shallow_layer` as content and style layer):
    # the share of a step's per-pixel time that follows activation elements rather than
    # multiply-adds, and its own fixed part. None of it for the static bound.
    acts_share: float = 0.0
    shallow_layer: str = ""
    shallow_step_fixed: float = 0.0
    # What the first step at a new image size adds (oneDNN makes its kernels per shape), read at
    # the probe's larger size: once per stage.
    stage_seconds: float = 0.0
    # Whether a step reuses the memory the painting's forward pass freed (`nst.memory.run_memory`):
    # with oneDNN's ops (on by default on CPUs with AVX-512 features) it did, without them (the AVX2
    # machine; TF_ENABLE_ONEDNN_OPTS=0) it did not.
    painting_reused: bool = False

    def _depth(self, content_layer: str, style_layers: Sequence[str]) -> str:
        layers = [content_layer, *style_layers]
        return max(layers, key=lambda name: self.macs.get(name, 0.0))

    def _ratio(self, table: dict[str, float], content_layer: str, style_layers: Sequence[str]) -> float:
        ref = table.get(self._depth(self.content_layer, self.style_layers), 0.0)
        here = table.get(self._depth(content_layer, style_layers), 0.0)
        return here / ref if ref > 0 and here > 0 else 1.0

    def step_seconds(self, pixels: int, content_layer: str | None = None, style_layers: Sequence[str] = ()) -> float:
        weight = self._time_ratio(content_layer, style_layers) if content_layer else 1.0
        return self._fixed_seconds(weight) + self.step_per_pixel * pixels * weight

    def _time_ratio(self, content_layer: str, style_layers: Sequence[str]) -> float:
        """A layer choice's per-pixel step time against the probed objective's. Multiply-adds alone
        under-predicted shallow choices up to 1.9 times: their large activations (ReLUs, Grams,
        memory traffic) cost more per multiply-add."""
        macs = self._ratio(self.macs, content_layer, style_layers)
        acts = self._ratio(self.acts, content_layer, style_layers)
        return (1 - self.acts_share) * macs + self.acts_share * acts

    def _fixed_seconds(self, weight: float) -> float:
        """A step's fixed part, on the line through the two probed objectives by their per-pixel
        weight: a shallow choice runs a fraction of the reference's operations (its 60 + 60 steps
        were predicted at twice their time with the reference's fixed part)."""
        if not self.shallow_layer:
            return self.step_fixed
        shallow = self._time_ratio(self.shallow_layer, (self.shallow_layer,))
        if shallow >= 1:
            return self.step_fixed
        along = max(0.0, (weight - shallow) / (1 - shallow))
        return max(0.0, self.shallow_step_fixed + (self.step_fixed - self.shallow_step_fixed) * along)

    def forward_seconds(self, pixels: int) -> float:
        return self.forward_fixed + self.forward_per_pixel * pixels

    def step_bytes(self, pixels: int, content_layer: str | None = None, style_layers: Sequence[str] = ()) -> float:
        ratio = self._ratio(self.acts, content_layer, style_layers) if content_layer else 1.0
        return self.fixed_bytes + (self.probed_step_bytes(pixels) - self.fixed_bytes) * ratio

    def probed_step_bytes(self, pixels: float) -> float:
        """The probed objective's stage need at `pixels` (a forward pass at those pixels, then a
        step): between the probe's readings (each at least the one before, so the need never falls
        as the size grows), beyond them on the line of `step_bytes_per_pixel`, or on its parallel
        through the last reading where that is higher."""
        line = self.fixed_bytes + self.step_bytes_per_pixel * pixels
        if len(self.step_bytes_readings) < 2:
            return line
        px, need = zip(*self.step_bytes_readings, strict=True)
        need = np.maximum.accumulate(need)
        if pixels > px[-1]:
            return float(max(line, need[-1] + self.step_bytes_per_pixel * (pixels - px[-1])))
        return float(np.interp(pixels, px, need))

    def forward_bytes(self, pixels: int) -> float:
        return self.fixed_bytes + self.forward_bytes_per_pixel * pixels

    def to_json(self) -> dict:
        d = asdict(self)
        d["style_layers"] = list(self.style_layers)
        return d

    @classmethod
    def from_json(cls, d: dict) -> CostModel:
        readings = tuple((float(px), float(b)) for px, b in d.get("step_bytes_readings", ()))
        return cls(**{**d, "style_layers": tuple(d["style_layers"]), "step_bytes_readings": readings})


# ----------------------------------------------------------------------------- network tables
def network_tables(backbone: Backbone) -> tuple[dict[str, float], dict[str, float]]:
    """Multiply-adds and activation elements per input pixel, cumulated up to each offered layer.

    Walks the model's layers in order: a convolution with k×k kernels from c_in to c_out channels
    at 1/s² of the input's pixels costs k²·c_in·c_out/s² per input pixel; pooling and strides
    change s. (For branched networks the order of `model.layers` is an approximation.)
    """
    model = backbone.model
    macs, acts = 0.0, 0.0
    area = 1.0  # output positions per input pixel at the current layer
    per_layer_macs: dict[str, float] = {}
    per_layer_acts: dict[str, float] = {}
    names = {backbone.layer_output(n)._keras_history.operation.name: n for n in backbone.spec.layers}
    for layer in model.layers:
        cfg = layer.get_config()
        shape = getattr(layer, "output", None)
        channels = int(shape.shape[-1]) if shape is not None and shape.shape[-1] is not None else 0
        if "kernel_size" in cfg:
            stride = cfg["strides"][0]
            kernel = cfg["kernel_size"][0] * cfg["kernel_size"][1]
            c_in = int(layer.input.shape[-1]) if layer.input.shape[-1] is not None else 0
            area /= stride * stride
            macs += kernel * c_in * channels * area
            acts += channels * area
        elif "pool_size" in cfg:
            stride = (cfg.get("strides") or cfg["pool_size"])[0]
            area /= stride * stride
            acts += channels * area
        if layer.name in names:
            per_layer_macs[names[layer.name]] = macs
            per_layer_acts[names[layer.name]] = acts
    return per_layer_macs, per_layer_acts


def activation_share(time_ratio: float, macs_ratio: float, acts_ratio: float) -> float:
    """The share s with time_ratio = (1 − s)·macs_ratio + s·acts_ratio, within [0, 1]: a second
    objective's per-pixel step time against the reference's, split between the two tables."""
    if acts_ratio <= macs_ratio:
        return 0.0
    return float(np.clip((time_ratio - macs_ratio) / (acts_ratio - macs_ratio), 0.0, 1.0))


# ----------------------------------------------------------------------------- static bound
def static_bound(backbone: Backbone) -> CostModel:
    """A deliberately pessimistic model for where no probe runs (a GPU, or before the probe): the
    network's own multiply-adds at 1 GMAC/s, slower than any CPU measured here, and more memory per
    pixel than any CPU kind was measured to need (float32 on AVX2: about 4000 bytes per pixel)."""
    macs, acts = network_tables(backbone)
    spec = backbone.spec
    ref = max([spec.content_layer, *spec.style_layers], key=lambda n: macs.get(n, 0.0))
    step_macs = 3 * macs.get(ref, 1.0)  # forward, and a backward pass twice as dear
    return CostModel(
        step_fixed=0.5,
        step_per_pixel=step_macs / 1e9,
        forward_fixed=0.2,
        forward_per_pixel=macs.get(ref, 1.0) / 1e9,
        step_bytes_per_pixel=6000.0,
        forward_bytes_per_pixel=1500.0,
        fixed_bytes=128 * 2**20,
        content_layer=spec.content_layer,
        style_layers=tuple(spec.style_layers),
        macs=macs,
        acts=acts,
        measured=False,
        key="static",
    )


# ----------------------------------------------------------------------------- the probe
def _cache_path() -> Path | None:
    value = os.environ.get(ENV_CACHE, "").strip()
    if value.lower() == "off":
        return None
    if value:
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nst-explorer" / "costs.json"


# The environment a cost model was measured under, besides the CPU, TensorFlow and precision. Each
# changes what a step allocates, not only its time: oneDNN's kernels and their instruction set,
# the threads (one inter-op thread lowered a bfloat16 step's peak by 40 % at 1536 px, README) and
# the allocator (malloc moved peaks by 35 %).
RUNTIME_SETTINGS = (
    "ONEDNN_MAX_CPU_ISA",
    "TF_ENABLE_ONEDNN_OPTS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
    "TF_CPU_ALLOCATOR_USE_BFC",
)


def cache_key(backbone: Backbone) -> str:
    from nst.tf_runtime import tf

    device = backbone.device
    settings = "/".join(os.environ.get(name, "") for name in RUNTIME_SETTINGS)
    text = "|".join(
        map(
            str,
            (
                COST_VERSION,
                device.kind,
                device.name,
                device.cores,
                settings,
                tf.__version__,
                backbone.spec.name,
                backbone.precision,
            ),
        )
    )
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def _load_cached(key: str) -> CostModel | None:
    path = _cache_path()
    if path is None or not path.is_file():
        return None
    try:
        entry = json.loads(path.read_text()).get(key)
        return CostModel.from_json(entry) if entry else None
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _store(model: CostModel) -> None:
    path = _cache_path()
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.loads(path.read_text()) if path.is_file() else {}
        data[model.key] = model.to_json()
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(path)
    except (OSError, ValueError):
        pass  # a read-only home: the model is measured again next time


def _timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def stage_bytes_per_pixel(readings: Sequence[tuple[float, float]], live: Sequence[tuple[float, float]] = ()) -> float:
    """What a stage needs per more pixel: the steepest slope of the RSS readings (the small step's,
    then the stages') from the small step's, or the slope of what the allocator handed out over the
    stages (`live`), whichever is larger.

    RSS readings in one process come out low by the memory the pool held before them, which the
    first stages reuse, and their slopes between stages move with where the pool's regions land (on
    a CPU with native bfloat16, 700, 1000 and 1200 bytes per pixel read at 317-412 px, slopes of
    1230-2700 between them in six probes, where a fresh process needed 1400-1900 a pixel at 768
    px); the allocator's count is the same in every probe (about 1450-1650 a pixel there, 1650-1800
    in float32: its peak over a fresh process's RSS was 0.90-1.06 from 768 px up)."""
    px_small, m_small = readings[0]
    rss = max(0.0, *((m - m_small) / (px - px_small) for px, m in readings[1:]))
    if len(live) < 2 or live[-1][0] <= live[0][0]:
        return rss
    return max(rss, (live[-1][1] - live[0][1]) / (live[-1][0] - live[0][0]))


class _PeakReader:
    """Peak RSS while a function runs, above the process's size when the reader was made, and the
    peak of what TensorFlow's allocator had handed out meanwhile (`live`, above what it held before).

    RSS is measured from one start rather than from just before each function: TensorFlow's CPU
    allocator (nst.tf_runtime) keeps what a pass freed and reuses it, so what a pass at a larger size
    adds to the process is its whole need less what the earlier ones left. Read from the start, each
    reading at a size larger than all before it is what a fresh process would need for it, less the
    pool's earlier memory (0 where /proc cannot say). The allocator's own count does not depend on
    where in the pool a tensor lands (None where the device does not keep it).
    """

    def __init__(self, device: str = "CPU:0") -> None:
        release_free_memory()
        self.start = process_rss()
        self.device = device
        self.live: float | None = None

    def _allocated(self, key: str) -> float | None:
        from nst.tf_runtime import tf

        try:
            return float(tf.config.experimental.get_memory_info(self.device)[key])
        except (ValueError, RuntimeError, KeyError):
            return None

    def __call__(self, fn) -> float:
        from nst.tf_runtime import tf

        release_free_memory()
        held = self._allocated("current")
        if held is not None:
            tf.config.experimental.reset_memory_stats(self.device)
        rss = self.start is not None and reset_peak()
        fn()
        top = self._allocated("peak") if held is not None else None
        self.live = None if top is None else max(0.0, top - held)
        return float(max(0, (status_bytes("VmHWM") or self.start) - self.start)) if rss else 0.0


def probe(backbone: Backbone) -> CostModel:
    """Measure this machine: steps and forward passes of the backbone's default objective at a
    small square size and at one chosen so a step takes about PROBE_STEP_SECONDS."""
    from nst.objective import get_objective
    from nst.tf_runtime import onednn_enabled, tf

    started = time.perf_counter()
    spec = backbone.spec
    bound = static_bound(backbone)  # where /proc could not say, and for its network tables
    rng = np.random.default_rng(0)
    one = tf.constant(1.0)

    def pixels(side: int) -> tf.Tensor:
        return tf.constant(rng.uniform(0, 255, (1, side, side, 3)).astype(np.float32))

    def targets(objective, x: tf.Tensor):
        content, grams = objective.features(x)
        return x, content, grams

    def step(objective, args) -> None:
        x, content, grams = args
        weights = tf.ones([len(objective.style_layers)])
        objective.loss_and_grad(x, content, grams, weights, one, one, one)[0].numpy()

    def forward(objective, x: tf.Tensor) -> None:
        objective.features(x)[0].numpy()

    # First which way of computing ∂L/∂x is faster here: it also sets what a step keeps in memory
    # (on the AVX2 machine the flipped kernels' step peaked at 0.7 GB at 768 px, TensorFlow's at 1.8).
    def stepper(objective, x: tf.Tensor):
        args = targets(objective, x)
        return lambda: step(objective, args)

    input_gradient, race = race_input_gradients(backbone, stepper, pixels)
    # After the race: the flipped kernels it made are the model's (the app probes before
    # memory.mark_baseline), not a run's.
    peak_of = _PeakReader(f"{backbone.device.kind}:0")
    objective = get_objective(backbone, spec.content_layer, spec.style_layers, input_gradient)
    small = max(PROBE_SIDES[0], spec.min_side)
    a = targets(objective, pixels(small))
    t_small = _timed(lambda: step(objective, a), 3)
    f_small = _timed(lambda: forward(objective, a[0]), 3)
    m_small = peak_of(lambda: step(objective, a))
    # The larger size: a step of about PROBE_STEP_SECONDS, from a first per-pixel guess.
    per_pixel = max(t_small / small**2, 1e-9)
    side = int(np.clip(np.sqrt(PROBE_STEP_SECONDS / per_pixel), small * 2, PROBE_SIDES[1]))

    def fresh(side: int):
        # A stand-in content target of the right shape: a step's cost does not depend on its values.
        index = objective.layers.index(spec.content_layer)
        shape = backbone.extractor(objective.layers).compute_output_shape((1, side, side, 3))[index]
        return pixels(side), tf.zeros([int(d) for d in shape]), a[2]

    # Sizes only grow from here, so that each reading is a whole need (see _PeakReader). First a
    # forward pass alone (the painting's targets), then what a stage needs: the targets' forward
    # pass, then a step, at three sizes (`stage_bytes_per_pixel` makes the slope).
    side_m = max(side, PROBE_MEMORY_SIDE)
    x_f = pixels(side_m)
    m_forward = peak_of(lambda: forward(objective, x_f))
    readings = [(float(small * small), m_small)]
    live: list[tuple[float, float]] = []
    for s in (side_m, int(side_m * 1.15), int(side_m * 1.3)):
        b = fresh(s)
        stage = lambda b=b: (forward(objective, b[0]), step(objective, b))  # noqa: E731
        readings.append((float(s * s), peak_of(stage)))
        if peak_of.live is not None:
            live.append((float(s * s), peak_of.live))
    # The timed size, made anew: the loop left `b` at its largest side (1.69× the pixels of a
    # 320-px side), which put the estimates of Balanced and High at 1.47 and 1.34 times their time
    # on a CPU with native bf16, where the first guess reaches PROBE_SIDES[1]. A size no pass has
    # run yet: its first step, timed apart, is what a stage's first step adds (oneDNN makes its
    # kernels per shape; 0.12 s at 256 px in a bfloat16 run, where 64 px read 0.003 s).
    if side == side_m:
        side -= 8
    b = fresh(side)
    t_first = _timed(lambda: step(objective, b), 1)
    # The shallowest objective beside the reference, alternating at the larger size (the machine
    # drifts: the reference's step went from 0.70 to 0.98 s within a minute here): how a step's
    # per-pixel time splits between multiply-adds and activations, and its own fixed part
    # (`CostModel._time_ratio`, `_fixed_seconds`).
    reference = bound._depth(spec.content_layer, spec.style_layers)
    shallow = spec.layers[0]
    measure_shallow = 0 < bound.macs.get(shallow, 0.0) < bound.macs.get(reference, 0.0)
    runs = {reference: lambda: step(objective, b)}
    if measure_shallow:
        shallow_objective = get_objective(backbone, shallow, (shallow,), input_gradient)
        c_small, c_large = targets(shallow_objective, a[0]), targets(shallow_objective, b[0])
        step(shallow_objective, c_small)  # traces
        step(shallow_objective, c_large)  # allocates at this size
        runs[shallow] = lambda: step(shallow_objective, c_large)
    large: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(2):
        for name, run in runs.items():
            large[name].append(_timed(run, 1))
    t_large = float(np.median(large[reference]))
    f_large = _timed(lambda: forward(objective, b[0]), 2)
    px_small, px_large = small * small, side * side
    step_bytes_per_pixel = stage_bytes_per_pixel(readings, live)
    fixed_bytes = max(0.0, m_small - step_bytes_per_pixel * px_small)
    step_per_pixel = max(0.0, (t_large - t_small) / (px_large - px_small))
    step_fixed = max(0.0, t_small - step_per_pixel * px_small)
    forward_per_pixel = max(0.0, (f_large - f_small) / (px_large - px_small))
    share, shallow_fixed = 0.0, 0.0
    measure_shallow = measure_shallow and step_per_pixel > 0
    if measure_shallow:
        t_shallow_small = _timed(lambda: step(shallow_objective, c_small), 3)
        shallow_per_pixel = max(0.0, float(np.median(large[shallow])) - t_shallow_small) / (px_large - px_small)
        shallow_fixed = max(0.0, t_shallow_small - shallow_per_pixel * px_small)
        share = activation_share(
            shallow_per_pixel / step_per_pixel,
            bound.macs[shallow] / bound.macs[reference],
            bound.acts[shallow] / bound.acts[reference],
        )
    return CostModel(
        step_fixed=step_fixed,
        step_per_pixel=step_per_pixel,
        forward_fixed=max(0.0, f_small - forward_per_pixel * px_small),
        forward_per_pixel=forward_per_pixel,
        step_bytes_per_pixel=step_bytes_per_pixel or bound.step_bytes_per_pixel,
        forward_bytes_per_pixel=m_forward / side_m**2 if m_forward else bound.forward_bytes_per_pixel,
        fixed_bytes=fixed_bytes if step_bytes_per_pixel else bound.fixed_bytes,
        content_layer=spec.content_layer,
        style_layers=tuple(spec.style_layers),
        macs=bound.macs,
        acts=bound.acts,
        measured=True,
        probe_seconds=time.perf_counter() - started,
        key=cache_key(backbone),
        input_gradient=input_gradient,
        input_gradient_seconds=race,
        step_bytes_readings=tuple(readings) if step_bytes_per_pixel else (),
        acts_share=share,
        shallow_layer=shallow if measure_shallow else "",
        shallow_step_fixed=shallow_fixed,
        stage_seconds=max(0.0, t_first - t_large),
        painting_reused=backbone.device.kind == "CPU" and onednn_enabled(),
    )


def race_input_gradients(backbone: Backbone, stepper, pixels) -> tuple[str, dict[str, float]]:
    """The faster way to compute ∂L/∂x here (nst.conv_net) and each one's fastest step at
    PROBE_CHOICE_SIDE: the flipped kernels unless TensorFlow's gradient wins by CHOICE_MARGIN.

    `stepper(objective, x)` gives a function running one step; the two alternate, so a busy moment
    falls on both, and each counts its fastest step. Networks that are not a plain convolution
    stack have only TensorFlow's gradient.
    """
    from nst.objective import get_objective

    if not is_plain(backbone.model):
        return AUTODIFF, {}
    spec = backbone.spec
    x = pixels(max(PROBE_CHOICE_SIDE, spec.min_side))
    steps = {}
    for name in INPUT_GRADIENTS:
        steps[name] = stepper(get_objective(backbone, spec.content_layer, spec.style_layers, name), x)
        steps[name]()  # the first step at a size allocates; it is not what a run's steps cost
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(CHOICE_ROUNDS):
        for name, run in steps.items():
            times[name].append(_timed(run, 1))
        if _decided(times):
            break
    seconds = {name: min(t) for name, t in times.items()}
    choice = AUTODIFF if seconds[AUTODIFF] < CHOICE_MARGIN * seconds[FLIPPED] else FLIPPED
    return choice, seconds


def _decided(times: dict[str, list[float]]) -> bool:
    """True when every step of one way took less than half the other's fastest: no busy moment
    turns that round, and the slow way's further steps would only cost time (emulated bfloat16:
    1.4 s each against 0.12 s at PROBE_CHOICE_SIDE)."""
    a, b = times.values()
    return max(a) < min(b) / 2 or max(b) < min(a) / 2


_lock = threading.Lock()
_models: dict[str, CostModel] = {}


def cost_model(backbone: Backbone, *, refresh: bool = False) -> CostModel:
    """The measured model for this backbone on this machine: from memory, from the disk cache, or
    probed now (about 14 s on a 2-core CPU, once). On a GPU the times are measured the same way; its memory is
    not this process's RSS, so the memory guard does not use them there."""
    key = cache_key(backbone)
    with _lock:
        if not refresh and key in _models:
            return _models[key]
        model = None if refresh else _load_cached(key)
        if model is None:
            model = probe(backbone)
            _store(model)
        _models[key] = model
        return model


def recalibrate(model: CostModel, predicted: float, actual: float) -> CostModel:
    """After a run: `model` with its times scaled by √(actual / predicted) when the run took more
    than RECALIBRATE_BEYOND times the prediction or less than its inverse; else `model` itself.

    A probe taken while the machine was busy (a browser starting beside the server, another
    program) would otherwise mislead every later estimate; the run itself is the best measurement.
    Half the way in log terms, so one unusual run (two at once on a shared server) cannot swing
    it; memory is left alone (a busy machine slows a step, it does not change what it allocates)."""
    if not model.measured or not model.key or predicted < MIN_OBSERVED_SECONDS or actual <= 0:
        return model
    ratio = actual / predicted
    if 1 / RECALIBRATE_BEYOND <= ratio <= RECALIBRATE_BEYOND:
        return model
    f = min(2.0, max(0.5, math.sqrt(ratio)))
    new = replace(
        model,
        step_fixed=model.step_fixed * f,
        step_per_pixel=model.step_per_pixel * f,
        shallow_step_fixed=model.shallow_step_fixed * f,
        stage_seconds=model.stage_seconds * f,
        forward_fixed=model.forward_fixed * f,
        forward_per_pixel=model.forward_per_pixel * f,
    )
    with _lock:
        _models[model.key] = new
        _store(new)
    return new
