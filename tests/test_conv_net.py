"""The flipped-kernel input gradient (nst.conv_net) and the probe's race that chooses it.

Which of the two ways a machine uses depends on its kernels, so both are run here on every
machine, whatever the probe picked.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from nst import cost
from nst.conv_net import AUTODIFF, FLIPPED, ConvNet, compute_weights, flipped_kernel, is_plain
from nst.cost import cost_model, static_bound
from nst.objective import get_objective
from nst.tf_runtime import tf
from nst.transfer import run, run_objective
from tests.test_engine import small


def test_flipped_kernel_by_hand():
    # W[i, j, c, o] = 1000·i + 100·j + 10·c + o, so each entry says where it came from
    i, j, c, o = np.meshgrid(range(3), range(3), range(2), range(4), indexing="ij")
    w = (1000 * i + 100 * j + 10 * c + o).astype(np.float32)
    f = flipped_kernel(tf.constant(w)).numpy()
    assert f.shape == (3, 3, 4, 2)
    assert f[0, 0, 3, 1] == w[2, 2, 1, 3] == 2213
    assert f[2, 1, 0, 1] == w[0, 1, 1, 0] == 110


def test_flipped_convolution_is_the_input_gradient_of_a_convolution():
    """conv(dy, W') equals TensorFlow's gradient of Σ dy·conv(x, W) with respect to x."""
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(1, 7, 9, 3)).astype(np.float32))
    w = tf.constant(rng.normal(size=(3, 3, 3, 5)).astype(np.float32))
    dy = tf.constant(rng.normal(size=(1, 7, 9, 5)).astype(np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.conv2d(x, w, 1, "SAME")
    expected = tape.gradient(y, x, output_gradients=dy)
    np.testing.assert_allclose(tf.nn.conv2d(dy, flipped_kernel(w), 1, "SAME"), expected, rtol=1e-5, atol=1e-5)


def test_only_plain_stacks_take_the_flipped_gradient(backbone):
    from nst.backbones import load_backbone

    assert is_plain(backbone.model)
    inception = load_backbone("inception_v3", random_weights_for_tests=True, precision="float32")
    assert not is_plain(inception.model)
    with pytest.raises(ValueError):
        ConvNet(inception, ("mixed0",))


def _both_ways(backbone, shape: tuple[int, int], seed: int):
    """(terms, per-layer losses, gradient) of one step on random pixels, TensorFlow's way and flipped."""
    rng = np.random.default_rng(seed)
    x, target = (tf.constant(rng.uniform(0, 255, (1, *shape, 3)).astype(np.float32)) for _ in range(2))
    one = tf.constant(1.0)
    out = []
    for way in (AUTODIFF, FLIPPED):
        objective = get_objective(backbone, backbone.spec.content_layer, backbone.spec.style_layers, way)
        content, grams = objective.features(target)
        terms, per_layer, grad = objective.loss_and_grad(x, content, grams, tf.ones([5]), one, one, one)
        out.append((terms.numpy(), per_layer.numpy(), grad.numpy()))
    return out


def test_both_gradients_agree_on_the_real_weights(backbone):
    a, f = _both_ways(backbone, (40, 56), seed=1)
    np.testing.assert_allclose(f[0], a[0], rtol=1e-5)
    np.testing.assert_allclose(f[1], a[1], rtol=1e-5)
    assert np.linalg.norm(f[2] - a[2]) < 1e-5 * np.linalg.norm(a[2])


def test_both_gradients_agree_in_bfloat16(vgg_weights):
    """Emulated (slow) on CPUs without AVX512-BF16, so tiny; bfloat16 keeps 8 bits of mantissa."""
    from nst.backbones import load_backbone

    bf16 = load_backbone("vgg19", weights=str(vgg_weights), precision="bfloat16")
    a, f = _both_ways(bf16, (32, 32), seed=2)
    np.testing.assert_allclose(f[0], a[0], rtol=0.05)
    assert np.linalg.norm(f[2] - a[2]) < 0.1 * np.linalg.norm(a[2])
    # the flipped way's kernels are cast to bfloat16 once, exactly as Keras casts them in each call
    weights = compute_weights(bf16.model)
    assert len(weights) == 16 and {w.dtype.name for pair in weights.values() for w in pair} == {"bfloat16"}
    layer = bf16.model.get_layer("block3_conv2")
    keras_cast = tf.cast(layer.kernel.value, "bfloat16").numpy()
    np.testing.assert_array_equal(weights["block3_conv2"][0].numpy(), keras_cast)


def test_float32_weights_are_read_from_the_variables_without_a_copy(backbone):
    assert compute_weights(backbone.model) == {}


@pytest.mark.parametrize("way", [AUTODIFF, FLIPPED])
def test_a_run_uses_the_way_its_cost_model_chose(backbone, content_image, style_image, way):
    model = replace(cost_model(backbone), input_gradient=way)
    cfg = small(steps_per_epoch=8)
    objective = run_objective(cfg, backbone, model)
    assert objective.input_gradient == way
    before = objective.loss_and_grad.experimental_get_tracing_count()
    result = run(content_image, [style_image], cfg, backbone, cost=model)
    assert result.status == "finished" and result.history[-1]["total"] < 0.6 * result.history[0]["total"]
    assert objective.loss_and_grad.experimental_get_tracing_count() == before  # it ran, traced once


def test_runs_by_either_way_paint_the_same_picture(backbone, content_image, style_image):
    cfg = small(steps_per_epoch=6)
    base = cost_model(backbone)
    a = run(content_image, [style_image], cfg, backbone, cost=replace(base, input_gradient=AUTODIFF))
    f = run(content_image, [style_image], cfg, backbone, cost=replace(base, input_gradient=FLIPPED))
    assert f.history[-1]["total"] == pytest.approx(a.history[-1]["total"], rel=1e-3)
    assert np.abs(f.image.astype(int) - a.image.astype(int)).mean() < 1.0


@pytest.mark.parametrize(
    "seconds,expected",
    [
        ({AUTODIFF: [0.20] * 5, FLIPPED: [0.15] * 5}, FLIPPED),
        ({AUTODIFF: [0.15] * 5, FLIPPED: [0.20] * 5}, AUTODIFF),
        ({AUTODIFF: [0.185] * 5, FLIPPED: [0.20] * 5}, FLIPPED),
        ({AUTODIFF: [0.15] * 5, FLIPPED: [0.30, 0.25, 0.16, 0.40, 0.22]}, FLIPPED),
        ({AUTODIFF: [1.4], FLIPPED: [0.12]}, FLIPPED),  # emulated bfloat16: decided in one round
        ({AUTODIFF: [1.4, 0.15, 0.15, 0.15, 0.15], FLIPPED: [0.75, 0.2, 0.2, 0.2, 0.2]}, AUTODIFF),
    ],
    ids=["flipped-faster", "autodiff-faster", "near-tie", "busy-rounds", "twice-as-slow", "not-twice-every-step"],
)
def test_the_race_counts_each_ways_fastest_step_and_gives_a_near_tie_to_the_flipped_kernels(
    backbone, monkeypatch, seconds, expected
):
    """Timings given by hand: the race's decision, not this machine's speed, is under test. A near
    tie (TensorFlow's 7.5 % faster) and rounds slowed by a busy machine keep the lighter step; a way
    twice as slow on every step is out after one round, and only then."""
    calls, rounds = [], {name: iter(t) for name, t in seconds.items()}

    def stepper(objective, x):
        calls.append(objective.input_gradient)
        return lambda: objective.input_gradient

    monkeypatch.setattr(cost, "_timed", lambda fn, repeats: next(rounds[fn()]))
    choice, measured = cost.race_input_gradients(backbone, stepper, lambda side: tf.zeros([1, side, side, 3]))
    assert choice == expected and calls == [AUTODIFF, FLIPPED]
    assert measured == {name: min(t) for name, t in seconds.items()}
    assert all(next(r, None) is None for r in rounds.values())  # each ran the rounds it was given


def test_the_probe_records_its_race_and_other_networks_keep_tensorflows_gradient(backbone):
    from nst.backbones import load_backbone

    model = cost_model(backbone)
    assert model.input_gradient in (AUTODIFF, FLIPPED)
    assert set(model.input_gradient_seconds) == {AUTODIFF, FLIPPED}
    faster = min(model.input_gradient_seconds, key=model.input_gradient_seconds.get)
    assert model.input_gradient in (faster, FLIPPED)  # TensorFlow's way only when it was faster
    inception = load_backbone("inception_v3", random_weights_for_tests=True, precision="float32")
    assert cost.race_input_gradients(inception, None, None) == (AUTODIFF, {})
    assert static_bound(backbone).input_gradient == AUTODIFF
