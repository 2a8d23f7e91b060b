"""Update rules for optimising pixels: Adam, SGD with exponential decay, L-BFGS.

Written out rather than taken from Keras because the loop needs exactly one loss/gradient
evaluation per step (so steps cost the same for every optimiser and can be stopped between
any two), and because these hold no Keras variables that would pile up across runs. The
arithmetic of each update is one traced TensorFlow function: a step is a handful of calls
into TensorFlow, not dozens of small eager operations — which matters on a GPU, and on a CPU
when a web server shares the Python interpreter with the run.
Each `step(x, loss, grad)` returns the next image; the caller clips it to the pixel box.
"""

from __future__ import annotations

import math

from nst.tf_runtime import tf


def _scalar(value: float) -> tf.Tensor:
    # Python numbers passed to a tf.function are part of its signature (each new value would
    # retrace); tensors are not.
    return tf.constant(float(value), tf.float32)


# Images of any size, and L-BFGS histories of any length, share one trace each: a retrace costs
# about a second on a 2-core CPU, and a coarse-to-fine run meets three sizes.
_IMAGE = tf.TensorSpec([1, None, None, 3], tf.float32)
_STACK = tf.TensorSpec([None, 1, None, None, 3], tf.float32)
_SCALAR = tf.TensorSpec([], tf.float32)


def _pixels(grad: tf.Tensor) -> tf.Tensor:
    shape = tf.shape(grad)
    return tf.cast(shape[1] * shape[2], grad.dtype)


@tf.function(input_signature=[_IMAGE, _IMAGE, _IMAGE, _IMAGE, *[_SCALAR] * 5])
def _adam_update(x, grad, m, v, t, lr, b1, b2, eps):
    g = grad * _pixels(grad)
    m = b1 * m + (1.0 - b1) * g
    v = b2 * v + (1.0 - b2) * tf.square(g)
    m_hat = m / (1.0 - tf.pow(b1, t))
    v_hat = v / (1.0 - tf.pow(b2, t))
    return x - lr * m_hat / (tf.sqrt(v_hat) + eps), m, v


@tf.function(input_signature=[_IMAGE, _IMAGE, _SCALAR])
def _sgd_update(x, grad, lr):
    return x - lr * _pixels(grad) * grad


@tf.function(input_signature=[_IMAGE, _IMAGE, _SCALAR])
def _scaled_gradient_step(x, grad, max_change):
    """x − t·g with t chosen so the largest pixel change is `max_change` grey levels."""
    g_max = tf.reduce_max(tf.abs(grad))
    t = tf.math.divide_no_nan(max_change, g_max)
    return x - t * grad


@tf.function(input_signature=[_IMAGE, _IMAGE, _IMAGE, _IMAGE])
def _curvature_pair(x, grad, prev_x, prev_grad):
    s, y = x - prev_x, grad - prev_grad
    return s, y, tf.reduce_sum(s * y)


@tf.function(input_signature=[_IMAGE, _STACK, _STACK, tf.TensorSpec([None], tf.float32), _SCALAR])
def _lbfgs_direction(grad, s_stack, y_stack, rho, max_step):
    """Two-loop recursion (Nocedal & Wright, alg. 7.4) → −H·g, shrunk so no pixel moves more
    than `max_step` grey levels (a trust region: a curvature estimate from few pairs can ask
    for steps of hundreds of levels). The pairs are stacked oldest first."""
    k = tf.shape(s_stack)[0]
    alphas = tf.TensorArray(tf.float32, size=k)
    q = grad
    for i in tf.range(k - 1, -1, -1):
        a = rho[i] * tf.reduce_sum(s_stack[i] * q)
        alphas = alphas.write(i, a)
        q = q - a * y_stack[i]
    gamma = tf.reduce_sum(s_stack[k - 1] * y_stack[k - 1]) / tf.reduce_sum(y_stack[k - 1] * y_stack[k - 1])
    r = gamma * q
    for i in tf.range(k):
        b = rho[i] * tf.reduce_sum(y_stack[i] * r)
        r = r + (alphas.read(i) - b) * s_stack[i]
    d_max = tf.reduce_max(tf.abs(r))
    shrink = tf.minimum(1.0, tf.math.divide_no_nan(max_step, d_max))
    return -r * shrink


class Adam:
    """Adam (Kingma & Ba); large ε as in the TF style-transfer tutorial keeps early steps calm.

    Like SGD it works on the gradient times H·W (the per-pixel gradient of the averaged loss),
    so that ε has the same meaning at every size.
    """

    def __init__(self, learning_rate: float, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-1):
        self.lr, self.b1, self.b2, self.eps = learning_rate, beta1, beta2, epsilon
        self.m = self.v = None
        self.t = 0

    def step(self, x: tf.Tensor, loss: float, grad: tf.Tensor) -> tf.Tensor:
        self.t += 1
        if self.m is None:
            self.m, self.v = tf.zeros_like(grad), tf.zeros_like(grad)
        scalars = map(_scalar, (self.t, self.lr, self.b1, self.b2, self.eps))
        x, self.m, self.v = _adam_update(x, grad, self.m, self.v, *scalars)
        return x


class SGD:
    """Gradient descent with lr_t = lr · rate^(t / decay_steps).

    The objective is an average over pixels, so its gradient per pixel shrinks as 1/(H·W); the
    step uses the gradient times H·W so that one learning rate works at every size (and at every
    stage of a coarse-to-fine run).
    """

    def __init__(self, learning_rate: float, decay_rate: float = 0.96, decay_steps: int = 50):
        self.lr, self.rate, self.decay_steps = learning_rate, decay_rate, decay_steps
        self.t = 0

    def current_rate(self) -> float:
        return self.lr * self.rate ** (self.t / self.decay_steps)

    def step(self, x: tf.Tensor, loss: float, grad: tf.Tensor) -> tf.Tensor:
        lr = self.current_rate()
        self.t += 1
        return _sgd_update(x, grad, _scalar(lr))


class LBFGS:
    """Limited-memory BFGS with a fixed step, as in Gatys' and Johnson's implementations: NST's
    objective is smooth enough that the quasi-Newton step of length 1 needs no line search,
    which keeps every step one evaluation.

    Safeguard: if a step raises the loss by more than `max_rise`, the step is undone, the
    memory cleared, and the next step is a short gradient step; so a bad curvature estimate
    costs one evaluation, never the run.
    """

    def __init__(
        self,
        learning_rate: float = 1.0,
        history: int = 10,
        max_rise: float = 0.1,
        first_step: float = 8.0,
        max_step: float = 64.0,
    ):
        self.lr, self.history, self.max_rise = learning_rate, history, max_rise
        self.first_step, self.max_step = first_step, max_step
        self.s: list[tf.Tensor] = []
        self.y: list[tf.Tensor] = []
        self.rho: list[float] = []
        self.prev_x = self.prev_g = None
        self.prev_loss = math.inf
        self.restarts = 0

    def _gradient_step(self, x: tf.Tensor, grad: tf.Tensor) -> tf.Tensor:
        # No curvature yet: a gradient step whose largest pixel change is `first_step` grey levels.
        return _scaled_gradient_step(x, grad, _scalar(self.first_step * self.lr))

    def step(self, x: tf.Tensor, loss: float, grad: tf.Tensor) -> tf.Tensor:
        if self.prev_x is not None and loss > self.prev_loss * (1 + self.max_rise):
            # Undo: go back to the last good point and restart without memory.
            self.restarts += 1
            self.s, self.y, self.rho = [], [], []
            x, grad = self.prev_x, self.prev_g
            self.prev_x = None
            return self._gradient_step(x, grad)
        if self.prev_x is not None:
            s, y, sy = _curvature_pair(x, grad, self.prev_x, self.prev_g)
            sy = float(sy)
            if sy > 1e-10:
                self.s.append(s)
                self.y.append(y)
                self.rho.append(1.0 / sy)
                if len(self.s) > self.history:
                    self.s.pop(0), self.y.pop(0), self.rho.pop(0)
        self.prev_x, self.prev_g, self.prev_loss = x, grad, loss
        if not self.s:
            return self._gradient_step(x, grad)
        direction = _lbfgs_direction(
            grad, tf.stack(self.s), tf.stack(self.y), tf.constant(self.rho, tf.float32), _scalar(self.max_step)
        )
        return x + self.lr * direction


def make_optimizer(config) -> Adam | SGD | LBFGS:
    if config.optimizer == "adam":
        return Adam(config.learning_rate, config.adam_beta1, config.adam_beta2, config.adam_epsilon)
    if config.optimizer == "sgd":
        return SGD(config.learning_rate, config.sgd_decay_rate, config.sgd_decay_steps)
    return LBFGS(config.learning_rate, config.lbfgs_history)
