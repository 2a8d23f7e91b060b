"""A faithful re-implementation of the TensorFlow style-transfer tutorial's loop (our code).

Its settings: VGG19, content block5_conv2, style block1…5_conv1, Gram = einsum / (H·W), loss =
1e-2/5·Σ mean((G − A)²) + 1e4·mean((F − P)²) + 30·tf.image.total_variation, Adam(0.02, β₁ 0.99,
ε 0.1) on an image in [0, 1], clipped after every step, images scaled so the long side is
max_dim with tf.image.resize. It is the reference point the issue measures against.
"""

from __future__ import annotations

import numpy as np

from nst.tf_runtime import keras, tf

CONTENT_LAYERS = ["block5_conv2"]
STYLE_LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"]
STYLE_WEIGHT, CONTENT_WEIGHT, TV_WEIGHT = 1e-2, 1e4, 30


def load_img(image_uint8: np.ndarray, max_dim: int) -> tf.Tensor:
    """As the tutorial: float in [0, 1], long side scaled to max_dim (bilinear), batch of one."""
    img = tf.image.convert_image_dtype(tf.constant(image_uint8), tf.float32)
    shape = tf.cast(tf.shape(img)[:-1], tf.float32)
    scale = max_dim / tf.reduce_max(shape)
    new_shape = tf.cast(shape * scale, tf.int32)
    return tf.image.resize(img, new_shape)[tf.newaxis, :]


def gram_matrix(input_tensor):
    result = tf.linalg.einsum("bijc,bijd->bcd", input_tensor, input_tensor)
    shape = tf.shape(input_tensor)
    return result / tf.cast(shape[1] * shape[2], tf.float32)


class StyleContentModel:
    def __init__(self, weights_path: str, policy: str = "float32"):
        vgg = keras.applications.VGG19(include_top=False, weights=weights_path)
        if policy != "float32":
            from nst.backbones import _with_policy

            vgg = _with_policy(vgg, policy)
        vgg.trainable = False
        outputs = [vgg.get_layer(name).output for name in STYLE_LAYERS + CONTENT_LAYERS]
        self.vgg = keras.Model([vgg.input], outputs)

    def __call__(self, inputs):
        inputs = inputs * 255.0
        preprocessed = keras.applications.vgg19.preprocess_input(inputs)
        outputs = [tf.cast(o, tf.float32) for o in self.vgg(preprocessed)]
        style_outputs, content_outputs = outputs[: len(STYLE_LAYERS)], outputs[len(STYLE_LAYERS) :]
        style = {n: gram_matrix(o) for n, o in zip(STYLE_LAYERS, style_outputs, strict=True)}
        content = dict(zip(CONTENT_LAYERS, content_outputs, strict=True))
        return {"content": content, "style": style}


class TutorialRun:
    """Holds the tutorial's state; `step()` is its train_step."""

    def __init__(self, extractor: StyleContentModel, content: tf.Tensor, style: tf.Tensor):
        self.extractor = extractor
        self.style_targets = extractor(style)["style"]
        self.content_targets = extractor(content)["content"]
        self.image = tf.Variable(content)
        self.opt = keras.optimizers.Adam(learning_rate=0.02, beta_1=0.99, epsilon=1e-1)
        self._step = tf.function(self._train_step)

    def _loss(self, outputs):
        style_outputs, content_outputs = outputs["style"], outputs["content"]
        style_loss = tf.add_n([tf.reduce_mean((style_outputs[n] - self.style_targets[n]) ** 2) for n in STYLE_LAYERS])
        style_loss *= STYLE_WEIGHT / len(STYLE_LAYERS)
        content_loss = tf.add_n(
            [tf.reduce_mean((content_outputs[n] - self.content_targets[n]) ** 2) for n in CONTENT_LAYERS]
        )
        content_loss *= CONTENT_WEIGHT / len(CONTENT_LAYERS)
        return style_loss + content_loss

    def _train_step(self):
        with tf.GradientTape() as tape:
            outputs = self.extractor(self.image)
            loss = self._loss(outputs)
            loss += TV_WEIGHT * tf.image.total_variation(self.image)
        grad = tape.gradient(loss, self.image)
        self.opt.apply_gradients([(grad, self.image)])
        self.image.assign(tf.clip_by_value(self.image, 0.0, 1.0))
        return loss

    def step(self) -> float:
        return float(tf.reduce_sum(self._step()))

    def pixels(self) -> np.ndarray:
        return np.clip(self.image[0].numpy() * 255.0 + 0.5, 0, 255).astype(np.uint8)
