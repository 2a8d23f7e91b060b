"""A plain convolution stack (VGG) as TensorFlow ops, whose input gradient runs as convolutions.

Style transfer differentiates with respect to the pixels only, so each convolution's backward
pass is one input gradient. For a stride-1 'same' convolution with an odd k×k kernel W that
gradient is itself a stride-1 'same' convolution of the output gradient with W flipped in space
and with its two channel axes swapped:

    ∂L/∂x = conv(∂L/∂y, W'),   W'[i, j, o, c] = W[k−1−i, k−1−j, c, o].

TensorFlow computes it with its own input-gradient kernel (Conv2DBackpropInput). Which of the two
is faster depends on the kernel library the machine uses: on an AVX2 CPU with TensorFlow's Eigen
kernels the forward convolution made a VGG19 step 19 % faster, with oneDNN kernels 30 % slower.
So nothing here decides: the cost probe (`nst.cost`) times both on the machine and the run uses
the faster (`INPUT_GRADIENTS`). Both give the same gradient up to float rounding (a test checks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nst.backbones import Backbone

# How a step computes ∂L/∂x through the convolutions: TensorFlow's gradient of the Keras model, or
# forward convolutions with flipped kernels through this module's network.
AUTODIFF, FLIPPED = "autodiff", "flipped"
INPUT_GRADIENTS = (AUTODIFF, FLIPPED)


def flipped_kernel(kernel):
    """W' with W'[i, j, o, c] = W[k−1−i, k−1−j, c, o]: the kernel of the input-gradient convolution."""
    from nst.tf_runtime import tf

    return tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2])


def is_plain(model) -> bool:
    """True when `model` is only stride-1 'same' ReLU convolutions with odd kernels and max pooling
    (VGG16, VGG19), the case where the flipped-kernel gradient is exact."""
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        cfg = layer.get_config()
        if kind == "Conv2D":
            ok = (
                tuple(cfg["strides"]) == (1, 1)
                and tuple(cfg.get("dilation_rate", (1, 1))) == (1, 1)
                and cfg["padding"] == "same"
                and cfg["activation"] == "relu"
                and cfg.get("groups", 1) == 1
                and cfg["use_bias"]
                and all(k % 2 == 1 for k in cfg["kernel_size"])
            )
            if not ok:
                return False
        elif kind != "MaxPooling2D":
            return False
    return True


class ConvNet:
    """The backbone's layers up to the deepest of `layers`, called like the Keras extractor
    (a preprocessed batch in, the maps of `layers` out, in the layers' compute dtype).

    The kernels and biases are the Keras model's own, in its compute dtype as Keras would use them,
    and the flipped kernels are their input-gradient twins: one copy of each per backbone
    (`compute_weights`, `flipped_kernels`), shared by every layer choice.
    """

    def __init__(self, backbone: Backbone, layers: tuple[str, ...]):
        if not is_plain(backbone.model):
            raise ValueError(f"{backbone.spec.label} is not a plain convolution stack")
        self.layers = tuple(layers)
        missing = set(self.layers)
        self._stack = []
        for layer in backbone.model.layers:
            if not missing:
                break
            if type(layer).__name__ in ("Conv2D", "MaxPooling2D"):
                self._stack.append(layer)
                missing.discard(layer.name)
        if missing:
            raise ValueError(f"{backbone.spec.label} has no layer(s) {sorted(missing)}")
        self._weights = backbone.memo(("compute weights",), lambda: compute_weights(backbone.model))
        self._flipped = backbone.memo(("flipped kernels",), lambda: flipped_kernels(backbone.model))

    def __call__(self, x):
        from nst.tf_runtime import tf

        maps = {}
        for layer in self._stack:
            dtype = layer.compute_dtype
            x = tf.cast(x, dtype)
            if type(layer).__name__ == "Conv2D":
                kernel, bias = self._weights.get(layer.name) or (_weight(layer, "kernel"), _weight(layer, "bias"))
                x = _conv_relu(x, kernel, bias, self._flipped[layer.name])
            else:
                size, strides = layer.pool_size, layer.strides or layer.pool_size
                x = tf.nn.max_pool2d(x, size, strides, layer.padding.upper())
            if layer.name in self.layers:
                maps[layer.name] = x
        return [maps[name] for name in self.layers]


def compute_weights(model) -> dict:
    """(W, b) of every convolution whose compute dtype is not its variables' (mixed precision), cast
    once per backbone; the others are read from the variables at call time, without a copy. Cast
    in every pass, VGG19's kernels were 40 MB of bfloat16 made and dropped each time, and where
    TensorFlow's pool put them moved the probe's memory readings (its largest slope over six fresh
    probes 1354–1681 bytes per pixel, 1127–1316 with the casts made once)."""
    from nst.tf_runtime import tf

    return {
        layer.name: (tf.constant(_weight(layer, "kernel")), tf.constant(_weight(layer, "bias")))
        for layer in model.layers
        if type(layer).__name__ == "Conv2D" and layer.compute_dtype != layer.kernel.dtype
    }


def flipped_kernels(model) -> dict:
    """W' of every convolution, in its compute dtype, made once per backbone: flipping in every
    step cost a VGG19 step at 96 px a quarter of its time on the AVX2 machine."""
    from nst.tf_runtime import tf

    return {
        layer.name: tf.constant(flipped_kernel(_weight(layer, "kernel")))
        for layer in model.layers
        if type(layer).__name__ == "Conv2D"
    }


def _weight(layer, name: str):
    """A layer's variable as a tensor in the layer's compute dtype (as Keras's mixed precision casts
    it); a tensor, not the variable, because the custom gradient is with respect to x only."""
    from nst.tf_runtime import tf

    return tf.cast(tf.convert_to_tensor(getattr(layer, name).value), layer.compute_dtype)


def _conv_relu(x, kernel, bias, flipped):
    """relu(conv(x, W) + b), whose gradient with respect to x is a forward convolution with W'."""
    from nst.tf_runtime import tf

    @tf.custom_gradient
    def forward(x):
        y = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, kernel, 1, "SAME"), bias))

        def input_gradient(dy):
            dz = tf.where(y > 0, dy, tf.zeros_like(dy))  # through the ReLU
            return tf.nn.conv2d(dz, flipped, 1, "SAME")

        return y, input_gradient

    return forward(x)
