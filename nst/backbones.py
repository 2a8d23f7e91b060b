"""The feature networks: a small registry of Keras ImageNet models and a thread-safe loader.

VGG19 is the default and what every preset is tuned for; VGG16 and InceptionV3 are there
because the course asks to "do the same with Inception": same engine, other features.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

from nst.device import POLICIES, DeviceInfo, detect_device, resolve_precision
from nst.weights import WeightsFile, WeightsSource, resolve_weights

T = TypeVar("T")

_KERAS_WEIGHTS = "https://storage.googleapis.com/tensorflow/keras-applications"
_VGG_MEAN_BGR = (103.939, 116.779, 123.68)


def _caffe_preprocess(rgb):
    """RGB 0..255 → BGR minus the ImageNet mean (Keras 'caffe' mode, as VGG was trained)."""
    from nst.tf_runtime import tf

    return tf.reverse(rgb, axis=[-1]) - tf.constant(_VGG_MEAN_BGR, dtype=rgb.dtype)


def _tf_preprocess(rgb):
    """RGB 0..255 → −1..1 (Keras 'tf' mode, Inception)."""
    return rgb / 127.5 - 1.0


def _vgg_layers(blocks: tuple[int, ...]) -> tuple[str, ...]:
    return tuple(f"block{b}_conv{i}" for b, n in enumerate(blocks, start=1) for i in range(1, n + 1))


@dataclass(frozen=True)
class BackboneSpec:
    name: str
    label: str
    constructor: str  # attribute of keras.applications
    preprocess: Callable
    weights: WeightsFile
    layers: tuple[str, ...]  # the catalogue offered to users, shallow → deep
    content_layer: str
    style_layers: tuple[str, ...]
    min_side: int = 32
    # Stable names for layers Keras names by a global counter (InceptionV3's activations):
    # alias → index among the model's Activation layers.
    aliases: dict[str, int] = field(default_factory=dict)

    def block_of(self, layer: str) -> str:
        if layer.startswith("block"):
            return layer.split("_")[0]
        return "stem" if layer.startswith("stem") else layer


BACKBONES: dict[str, BackboneSpec] = {
    "vgg19": BackboneSpec(
        name="vgg19",
        label="VGG19",
        constructor="VGG19",
        preprocess=_caffe_preprocess,
        weights=WeightsFile(
            "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "253f8cb515780f3b799900260a226db6",
            f"{_KERAS_WEIGHTS}/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
            80,
        ),
        layers=_vgg_layers((2, 2, 4, 4, 4)),
        content_layer="block4_conv2",
        style_layers=("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"),
    ),
    "vgg16": BackboneSpec(
        name="vgg16",
        label="VGG16",
        constructor="VGG16",
        preprocess=_caffe_preprocess,
        weights=WeightsFile(
            "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "6d6bbae143d832006294945121d1f1fc",
            f"{_KERAS_WEIGHTS}/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            58,
        ),
        layers=_vgg_layers((2, 2, 3, 3, 3)),
        content_layer="block4_conv2",
        style_layers=("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"),
    ),
    "inception_v3": BackboneSpec(
        name="inception_v3",
        label="InceptionV3",
        constructor="InceptionV3",
        preprocess=_tf_preprocess,
        weights=WeightsFile(
            "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "bcbd6486424b2319ff4ef7d526e38f63",
            f"{_KERAS_WEIGHTS}/inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
            87,
        ),
        layers=(*(f"stem_conv{i}" for i in range(1, 6)), *(f"mixed{i}" for i in range(11))),
        content_layer="mixed3",
        style_layers=("stem_conv1", "stem_conv3", "stem_conv5", "mixed0", "mixed2"),
        min_side=80,
        aliases={f"stem_conv{i}": i - 1 for i in range(1, 6)},
    ),
}

DEFAULT_BACKBONE = "vgg19"


def get_spec(name: str) -> BackboneSpec:
    try:
        return BACKBONES[name]
    except KeyError:
        raise ValueError(f"unknown backbone {name!r}; choose one of {', '.join(BACKBONES)}") from None


@dataclass(frozen=True)
class LayerInfo:
    name: str
    block: str
    shape: tuple[int, int, int]  # (h, w, channels) for the image size asked
    receptive_field: int  # pixels of input one unit sees (one side)


def _with_policy(model, policy: str):
    """Copy of a Keras model whose layers compute in `policy` (weights stay float32)."""
    from nst.tf_runtime import keras

    def clone(layer):
        cfg = layer.get_config()
        cfg["dtype"] = policy
        return layer.__class__.from_config(cfg)

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy


def _receptive_fields(model) -> dict[str, int]:
    """Receptive field (pixels, one side) of every layer, walking the graph from the input.

    Each layer's field is r_in + (k − 1)·d·j_in and its jump j = j_in·s, maxed over branches.
    """
    rf: dict[str, tuple[int, int]] = {}
    for layer in model.layers:
        parents = []
        for node in layer._inbound_nodes[:1]:
            parents = [t._keras_history.operation.name for t in node.input_tensors]
        r, j = max((rf[p] for p in parents if p in rf), default=(1, 1))
        cfg = layer.get_config()
        if "kernel_size" in cfg:
            k, s, d = cfg["kernel_size"][0], cfg["strides"][0], cfg.get("dilation_rate", (1,))[0]
            r, j = r + (k - 1) * d * j, j * s
        elif "pool_size" in cfg:
            k, s = cfg["pool_size"][0], (cfg.get("strides") or cfg["pool_size"])[0]
            r, j = r + (k - 1) * j, j * s
        rf[layer.name] = (r, j)
    return {name: r for name, (r, _) in rf.items()}


class Backbone:
    """A loaded feature network: the Keras model, where its weights came from, its precision.

    Shared by every session of the app; the only mutable state is a memo of sub-models, traced
    functions, objectives and the inspection pages' caches, guarded by one lock (`memo`).
    """

    def __init__(self, spec: BackboneSpec, model, precision: str, source: WeightsSource | None, device: DeviceInfo):
        self.spec = spec
        self.model = model
        self.precision = precision
        self.source = source
        self.device = device
        self._lock = threading.RLock()
        self._extractors: dict[tuple[str, ...], object] = {}
        self._memo: dict[Hashable, object] = {}  # see `memo`

    def memo(self, key: Hashable, factory: Callable[[], T]) -> T:
        """The object memoised under `key` for this backbone, built by `factory()` on first use.

        The factory runs under the backbone's (reentrant) lock, so each object is built once
        even when several sessions ask at the same time, and it may itself call `memo` or
        `extractor`. Keys are tuples whose first item names the owner, e.g.
        ("objective", content_layer, style_layers).
        """
        with self._lock:
            if key not in self._memo:
                self._memo[key] = factory()
            return self._memo[key]  # type: ignore[return-value]

    @property
    def weights_origin(self) -> str:
        if self.source is None:
            return "random weights (tests only)"
        return f"{self.source.origin}: {self.source.path}"

    def describe(self) -> str:
        return f"{self.spec.label} · {self.device.describe(self.precision)}"

    def layer_output(self, name: str):
        if name in self.spec.aliases:
            acts = [layer for layer in self.model.layers if type(layer).__name__ == "Activation"]
            return acts[self.spec.aliases[name]].output
        try:
            return self.model.get_layer(name).output
        except ValueError:
            raise ValueError(f"{self.spec.label} has no layer {name!r}") from None

    def _layer_name(self, name: str) -> str:
        return self.layer_output(name)._keras_history.operation.name

    def extractor(self, layers: tuple[str, ...]):
        """A model from the input to `layers` only: it stops at the deepest layer needed."""
        from nst.tf_runtime import keras

        with self._lock:
            if layers not in self._extractors:
                outputs = [self.layer_output(name) for name in layers]
                self._extractors[layers] = keras.Model(self.model.input, outputs)
            return self._extractors[layers]

    def feature_function(self, layers: tuple[str, ...]):
        """A traced function: RGB 0..255 (1, H, W, 3) → float32 maps of `layers`, for any size.

        Traced once, under the lock, so that no Keras code runs at call time: calls from several
        threads (browser sessions) are then safe and run in graph mode.
        """
        from nst.tf_runtime import tf

        def build():
            model, preprocess = self.extractor(layers), self.spec.preprocess

            def forward(image):
                outputs = model(preprocess(image), training=False)
                outputs = outputs if isinstance(outputs, list | tuple) else [outputs]
                return [tf.cast(o, tf.float32) for o in outputs]

            fn = tf.function(forward, input_signature=[tf.TensorSpec([1, None, None, 3], tf.float32)])
            fn.get_concrete_function()
            return fn

        return self.memo(("features", layers), build)

    @cached_property
    def _fields(self) -> dict[str, int]:
        return _receptive_fields(self.model)

    def layer_catalogue(self, height: int = 384, width: int = 384) -> list[LayerInfo]:
        """Every offered layer with its output shape for an image of (height, width)."""
        out = []
        model = self.extractor(self.spec.layers)
        shapes = model.compute_output_shape((1, height, width, 3))
        for name, shape in zip(self.spec.layers, shapes, strict=True):
            out.append(
                LayerInfo(
                    name=name,
                    block=self.spec.block_of(name),
                    shape=(int(shape[1]), int(shape[2]), int(shape[3])),
                    receptive_field=self._fields.get(self._layer_name(name), 0),
                )
            )
        return out


_loaded: dict[tuple, Backbone] = {}
_load_lock = threading.Lock()


def load_backbone(
    name: str = DEFAULT_BACKBONE,
    *,
    weights: str | None = None,
    precision: str = "auto",
    random_weights_for_tests: bool = False,
    download: bool = True,
) -> Backbone:
    """The backbone with ImageNet weights, loaded once per process and shared.

    Raises WeightsError when no weights file can be had. `random_weights_for_tests` exists so
    tests can check the wiring of backbones whose weights are not on the machine; the app and
    CLI never set it.
    """
    from nst.tf_runtime import keras

    spec = get_spec(name)
    device = detect_device()
    precision = resolve_precision(precision, device)
    source = None if random_weights_for_tests else resolve_weights(spec.label, spec.weights, weights, download=download)
    key = (name, source.path if source else None, precision)
    with _load_lock:
        if key in _loaded:
            return _loaded[key]
        constructor = getattr(keras.applications, spec.constructor)
        try:
            model = constructor(include_top=False, weights=source.path if source else None, input_shape=(None, None, 3))
        except Exception as exc:
            from nst.weights import WeightsError

            raise WeightsError(
                f"{source.path if source else name} could not be loaded as {spec.label} weights: {exc}"
            ) from None
        model.trainable = False
        if POLICIES[precision] != "float32":
            model = _with_policy(model, POLICIES[precision])
            model.trainable = False
        backbone = Backbone(spec, model, precision, source, device)
        _loaded[key] = backbone
        return backbone
