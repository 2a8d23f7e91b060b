"""The compiled NST objective and its cached targets.

An `Objective` is built once per (backbone, content layer, style layers) and traced once: its
`tf.function`s take images of any size and all weights as tensors, so a new run, a new size or
a new α/β never retraces. Style targets (Gram matrices of the style images) are memoised per
image and size, so re-running with the same painting costs no extra forward pass.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nst.backbones import Backbone
from nst.conv_net import AUTODIFF, INPUT_GRADIENTS, ConvNet
from nst.images import resize
from nst.losses import content_loss, gram_matrix, style_loss, total_loss, total_variation_loss
from nst.memo import LRU, image_digest
from nst.plan import style_size
from nst.tf_runtime import tf

_IMAGE = tf.TensorSpec([1, None, None, 3], tf.float32)


class Objective:
    """α·L_c + β·Σ w_l E_l + tv·L_tv and its gradient with respect to the pixels."""

    def __init__(
        self, backbone: Backbone, content_layer: str, style_layers: Sequence[str], input_gradient: str = AUTODIFF
    ):
        if input_gradient not in INPUT_GRADIENTS:
            raise ValueError(f"input_gradient must be one of {INPUT_GRADIENTS}, not {input_gradient!r}")
        self.backbone = backbone
        self.content_layer = content_layer
        self.style_layers = tuple(style_layers)
        self.input_gradient = input_gradient
        self.layers = tuple(dict.fromkeys((*self.style_layers, content_layer)))
        # The same maps either way; only how ∂L/∂x runs through the convolutions differs (nst.conv_net).
        flipped = input_gradient != AUTODIFF
        self.extractor = ConvNet(backbone, self.layers) if flipped else backbone.extractor(self.layers)
        self._content_index = self.layers.index(content_layer)
        self._style_index = [self.layers.index(name) for name in self.style_layers]
        self._preprocess = backbone.spec.preprocess
        self._targets = LRU(32)
        grams = tuple(tf.TensorSpec([None, None], tf.float32) for _ in self.style_layers)
        scalar = tf.TensorSpec([], tf.float32)
        self.features = tf.function(self._features, input_signature=[_IMAGE])
        self.loss_and_grad = tf.function(
            self._loss_and_grad,
            input_signature=[
                _IMAGE,
                tf.TensorSpec(None, tf.float32),
                grams,
                tf.TensorSpec([len(self.style_layers)], tf.float32),
                scalar,
                scalar,
                scalar,
            ],
        )
        # Trace now, under the backbone's lock (get_objective builds it in `Backbone.memo`): Keras
        # layer code then never runs in two threads at once, and a run's first step costs no tracing.
        self.features.get_concrete_function()
        self.loss_and_grad.get_concrete_function()

    # -------------------------------------------------------------- traced
    def _features(self, image: tf.Tensor) -> tuple[tf.Tensor, tuple[tf.Tensor, ...]]:
        """Content-layer features and M-normalised Grams of the style layers, in float32."""
        outputs = self.extractor(self._preprocess(image))
        if not isinstance(outputs, list | tuple):
            outputs = [outputs]
        outputs = [tf.cast(o, tf.float32) for o in outputs]
        grams = tuple(gram_matrix(outputs[i], normalise=True) for i in self._style_index)
        return outputs[self._content_index], grams

    def _loss_and_grad(self, image, content_target, style_targets, layer_weights, alpha, beta, tv_weight):
        with tf.GradientTape() as tape:
            tape.watch(image)
            content, grams = self._features(image)
            lc = content_loss(content, content_target, normalise=True)
            ls, per_layer = style_loss(grams, style_targets, layer_weights)
            ltv = total_variation_loss(image, normalise=True)
            total = total_loss(lc, ls, ltv, alpha, beta, tv_weight)
        grad = tape.gradient(total, image)
        # A non-finite gradient shows as a NaN total, so the loop has one thing to check.
        total = tf.where(tf.reduce_all(tf.math.is_finite(grad)), total, tf.constant(float("nan")))
        terms = tf.stack([total, alpha * lc, beta * ls, tv_weight * ltv])
        return terms, beta * layer_weights * per_layer, grad

    # -------------------------------------------------------------- targets
    def content_target(self, content: np.ndarray) -> tf.Tensor:
        return self.features(tf.constant(np.asarray(content, np.float32)[None]))[0]

    def style_grams(self, style: np.ndarray, size: tuple[int, int]) -> tuple[tf.Tensor, ...]:
        """Grams of one style image resized to `size`, memoised by image content and size."""
        key = (image_digest(style), size)
        cached = self._targets.get(key)
        if cached is None:
            resized = resize(style, size).astype(np.float32)
            cached = self.features(tf.constant(resized[None]))[1]
            self._targets.put(key, cached)
        return cached

    def style_targets(
        self, styles: Sequence[np.ndarray], blend: Sequence[float], long_side: int
    ) -> tuple[tf.Tensor, ...]:
        """Blended target Grams Σ_k w_k A_k / Σ_k w_k; zero-weight styles are skipped."""
        used = [(s, w) for s, w in zip(styles, blend, strict=True) if w > 0]
        total = float(sum(w for _, w in used))
        blended = None
        for style, weight in used:
            grams = self.style_grams(style, style_size(style.shape, long_side, self.backbone.spec.min_side))
            if len(used) == 1:
                return grams
            part = [g * (weight / total) for g in grams]
            blended = part if blended is None else [b + p for b, p in zip(blended, part, strict=True)]
        return tuple(blended)


def get_objective(
    backbone: Backbone, content_layer: str, style_layers: Sequence[str], input_gradient: str = AUTODIFF
) -> Objective:
    """The shared Objective for this layer choice (built and traced once per process). A run passes
    the `input_gradient` its cost model found faster on this machine (`CostModel.input_gradient`)."""
    style_layers = tuple(style_layers)
    return backbone.memo(
        ("objective", content_layer, style_layers, input_gradient),
        lambda: Objective(backbone, content_layer, style_layers, input_gradient),
    )
