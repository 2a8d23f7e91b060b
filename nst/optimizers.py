"""Update rules for optimising pixels: Adam, SGD with exponential decay, L-BFGS.

Written out rather than taken from Keras because the loop needs exactly one loss/gradient
evaluation per step (so steps cost the same for every optimiser and can be stopped between
any two), and because these hold no Keras variables that would pile up across runs.
Each `step(x, loss, grad)` returns the next image; the caller clips it to the pixel box.
"""

from __future__ import annotations

import math

from nst.tf_runtime import tf


def _dot(a: tf.Tensor, b: tf.Tensor) -> float:
    return float(tf.reduce_sum(a * b))


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
        grad = grad * float(grad.shape[1] * grad.shape[2])
        if self.m is None:
            self.m, self.v = tf.zeros_like(grad), tf.zeros_like(grad)
        self.m = self.b1 * self.m + (1 - self.b1) * grad
        self.v = self.b2 * self.v + (1 - self.b2) * tf.square(grad)
        m_hat = self.m / (1 - self.b1**self.t)
        v_hat = self.v / (1 - self.b2**self.t)
        return x - self.lr * m_hat / (tf.sqrt(v_hat) + self.eps)


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
        pixels = float(grad.shape[1] * grad.shape[2])
        return x - (lr * pixels) * grad


class LBFGS:
    """Limited-memory BFGS (two-loop recursion) with a fixed step, as in Gatys' and Johnson's
    implementations: NST's objective is smooth enough that the quasi-Newton step of length 1
    needs no line search, which keeps every step one evaluation.

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

    def _direction(self, grad: tf.Tensor) -> tf.Tensor:
        q = grad
        alphas = []
        for s, y, rho in zip(reversed(self.s), reversed(self.y), reversed(self.rho), strict=True):
            a = rho * _dot(s, q)
            alphas.append(a)
            q = q - a * y
        gamma = _dot(self.s[-1], self.y[-1]) / _dot(self.y[-1], self.y[-1])
        r = gamma * q
        for s, y, rho, a in zip(self.s, self.y, self.rho, reversed(alphas), strict=True):
            b = rho * _dot(y, r)
            r = r + (a - b) * s
        return -r

    def _first_step(self, x: tf.Tensor, grad: tf.Tensor) -> tf.Tensor:
        # No curvature yet: a gradient step whose largest pixel change is `first_step` grey levels.
        g_max = float(tf.reduce_max(tf.abs(grad)))
        t = self.first_step * self.lr / g_max if g_max > 0 else 0.0
        return x - t * grad

    def _capped(self, direction: tf.Tensor) -> tf.Tensor:
        # A curvature estimate from few pairs can ask for steps of hundreds of grey levels;
        # shrinking the step to at most `max_step` per pixel (a trust region) avoids most undos.
        d_max = float(tf.reduce_max(tf.abs(direction)))
        return direction * (self.max_step / d_max) if d_max > self.max_step else direction

    def step(self, x: tf.Tensor, loss: float, grad: tf.Tensor) -> tf.Tensor:
        if self.prev_x is not None and loss > self.prev_loss * (1 + self.max_rise):
            # Undo: go back to the last good point and restart without memory.
            self.restarts += 1
            self.s, self.y, self.rho = [], [], []
            x, grad, loss = self.prev_x, self.prev_g, self.prev_loss
            self.prev_x = None
            return self._first_step(x, grad)
        if self.prev_x is not None:
            s, y = x - self.prev_x, grad - self.prev_g
            sy = _dot(s, y)
            if sy > 1e-10:
                self.s.append(s)
                self.y.append(y)
                self.rho.append(1.0 / sy)
                if len(self.s) > self.history:
                    self.s.pop(0), self.y.pop(0), self.rho.pop(0)
        self.prev_x, self.prev_g, self.prev_loss = x, grad, loss
        if not self.s:
            return self._first_step(x, grad)
        return x + self._capped(self.lr * self._direction(grad))


def make_optimizer(config) -> Adam | SGD | LBFGS:
    if config.optimizer == "adam":
        return Adam(config.learning_rate, config.adam_beta1, config.adam_beta2, config.adam_epsilon)
    if config.optimizer == "sgd":
        return SGD(config.learning_rate, config.sgd_decay_rate, config.sgd_decay_steps)
    return LBFGS(config.learning_rate, config.lbfgs_history)
