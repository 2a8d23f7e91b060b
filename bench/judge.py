"""A neutral judge of style-transfer quality that is not any run's own loss.

On one fixed grid (the result resized to `size`), with float32 VGG19:
    style error   S = mean_l ‖G_l(x) − G_l(style)‖_F / ‖G_l(style)‖_F   over block1…5_conv1
    content error C = ‖F(x) − F(content)‖_F / ‖F(content)‖_F           at block4_conv2
Grams are divided by the number of positions, so the style image may have its own size.
Lower is better for both; a run "reaches" a quality level when both are at or below it.
"""

from __future__ import annotations

import numpy as np

from nst.backbones import Backbone
from nst.images import fitted_size, resize
from nst.losses import gram_matrix
from nst.tf_runtime import tf

STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
CONTENT_LAYER = "block4_conv2"


class Judge:
    def __init__(self, backbone_fp32: Backbone, content: np.ndarray, style: np.ndarray, long_side: int):
        if backbone_fp32.precision != "float32":
            raise ValueError("the judge must use float32 features")
        self.size = fitted_size(content.shape[0], content.shape[1], long_side)
        self._model = backbone_fp32.extractor((*STYLE_LAYERS, CONTENT_LAYER))
        self._pre = backbone_fp32.spec.preprocess
        style_size = fitted_size(style.shape[0], style.shape[1], long_side)
        self._grams, _ = self._features(resize(style, style_size))
        _, self._content = self._features(resize(content, self.size))

    def _features(self, image: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        x = tf.constant(np.asarray(image, np.float32)[None])
        outputs = self._model(self._pre(x))
        grams = [gram_matrix(o, normalise=True).numpy() for o in outputs[: len(STYLE_LAYERS)]]
        return grams, outputs[-1].numpy()

    def __call__(self, image: np.ndarray) -> tuple[float, float]:
        """(style error, content error) of an RGB uint8 image of any size."""
        grams, content = self._features(resize(image, self.size))
        style_err = np.mean(
            [np.linalg.norm(g - a) / np.linalg.norm(a) for g, a in zip(grams, self._grams, strict=True)]
        )
        content_err = np.linalg.norm(content - self._content) / np.linalg.norm(self._content)
        return float(style_err), float(content_err)
