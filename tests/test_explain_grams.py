"""nst.explain.grams and .worked: Gram matrices of the real VGG19 weights (≤ 128 px), their
orderings and per-layer losses, and the Theory page's worked examples."""

from __future__ import annotations

import numpy as np
import pytest

from nst.explain import activations, grams, worked


# ------------------------------------------------------------------------------------ Grams
def test_gram_matrices_are_ftf_over_m(backbone, photo):
    layers = ["block1_conv1", "block3_conv1", "block5_conv1"]
    layer_grams = grams.gram_matrices(backbone, photo, layers, max_side=128)
    acts = activations.activations(backbone, photo, layers, max_side=128)
    for name in layers:
        f = acts[name].reshape(-1, acts[name].shape[-1]).astype(np.float64)
        c = f.shape[1]
        g = layer_grams[name]
        assert g.shape == (c, c) and g.dtype == np.float32
        np.testing.assert_allclose(g, f.T @ f / f.shape[0], rtol=2e-4, atol=1e-3 * np.abs(g).max())
        np.testing.assert_allclose(g, g.T, rtol=1e-5, atol=1e-6 * np.abs(g).max())


def test_gram_order():
    g = np.diag([3.0, 1.0, 5.0, 0.0, 2.0])
    for by in grams.GRAM_ORDERS:
        assert sorted(grams.gram_order(g, by)) == list(range(5))
    np.testing.assert_array_equal(grams.gram_order(g, "index"), range(5))
    np.testing.assert_array_equal(grams.gram_order(g, "diagonal"), [2, 0, 4, 1, 3])
    # channels 0, 2, 4 share one spatial pattern and 1, 3, 5 another: clustering puts each
    # group together (the silent channel 6 last)
    rng = np.random.default_rng(0)
    a, b = rng.random(50), rng.random(50)
    features = np.stack([a, b, 2 * a + 0.01, b * 0.5, a + 0.02 * rng.random(50), b + 0.01, 0 * a], axis=1)
    order = grams.gram_order(features.T @ features / 50, "cluster")
    assert sorted(order) == list(range(7)) and order[-1] == 6
    assert set(order[:3]) in ({0, 2, 4}, {1, 3, 5})
    with pytest.raises(ValueError, match="square"):
        grams.gram_order(np.zeros((2, 3)), "index")


def test_style_layer_losses_and_shares():
    g = {"a": np.eye(2, dtype=np.float32), "b": np.ones((3, 3), np.float32)}
    zero = {"a": np.zeros((2, 2), np.float32), "b": np.ones((3, 3), np.float32)}
    assert grams.style_layer_losses(g, g) == {"a": 0.0, "b": 0.0}
    losses = grams.style_layer_losses(g, zero)
    # a: Σ(G − A)² = 2, N = 2 → 2 / (4·2²) = 0.125; b: identical → 0
    assert losses == pytest.approx({"a": 0.125, "b": 0.0})
    weighted = grams.style_layer_losses(g, zero, {"a": 4.0})
    assert weighted == pytest.approx({"a": 0.5})
    s = grams.shares({"x": 1.0, "y": 3.0})
    assert s == pytest.approx({"x": 0.25, "y": 0.75}) and sum(s.values()) == pytest.approx(1.0)
    assert grams.shares({"x": 0.0}) == {"x": 0.0}


def test_style_layer_losses_on_real_grams(backbone, photo, style_image):
    layers = list(backbone.spec.style_layers)
    result = grams.gram_matrices(backbone, photo, layers, max_side=96)
    style = grams.gram_matrices(backbone, style_image, layers, max_side=96)
    losses = grams.style_layer_losses(result, style)
    assert list(losses) == layers and all(v > 0 for v in losses.values())
    assert sum(grams.shares(losses).values()) == pytest.approx(1.0)


# ------------------------------------------------------------------------- theory examples
def test_worked_examples():
    c = worked.worked_content_example()
    assert c.loss == pytest.approx(3.0)
    np.testing.assert_array_equal(c.diff, [[-1, 0], [1, 2]])
    g = worked.worked_gram_example()
    assert g.maps.shape == (2, 2, 3) and g.F.shape == (4, 3) and (g.M, g.N) == (4, 3)
    np.testing.assert_allclose(g.G, g.F.T @ g.F)
    np.testing.assert_allclose(g.G_normalised, g.G / 4)
    np.testing.assert_array_equal(g.G, g.G.T)
