"""The loss terms against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from nst.losses import content_loss, gram_matrix, style_layer_loss, style_loss, total_loss, total_variation_loss


def test_content_loss_course_example():
    # ½ Σ (F − P)² with F = [[1,2],[3,4]], P = 2: ½ (1 + 0 + 1 + 4) = 3
    f = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert float(content_loss(f, np.full((2, 2), 2.0))) == pytest.approx(3.0)
    assert float(content_loss(f, np.full((2, 2), 2.0), normalise=True)) == pytest.approx(0.75)
    assert float(content_loss(f, f)) == 0.0


def test_gram_matrix_is_ftf():
    # 2×2 positions, 3 channels: F (M=4, C=3)
    f = np.arange(12, dtype=np.float32).reshape(2, 2, 3)
    flat = f.reshape(4, 3)
    g = gram_matrix(f).numpy()
    assert g.shape == (3, 3)
    np.testing.assert_allclose(g, flat.T @ flat)
    np.testing.assert_allclose(g, g.T)
    # entry (0,0): 0² + 3² + 6² + 9² = 126; (0,1): 0·1 + 3·4 + 6·7 + 9·10 = 144
    assert g[0, 0] == 126 and g[0, 1] == 144
    np.testing.assert_allclose(gram_matrix(f[None], normalise=True).numpy(), g / 4)


def test_gram_of_channels_is_positive_semidefinite():
    f = np.random.default_rng(0).normal(size=(5, 7, 4)).astype(np.float32)
    assert np.linalg.eigvalsh(gram_matrix(f).numpy()).min() > -1e-4


def test_style_layer_loss_normalisation():
    # G − A = [[1, 2], [3, 4]]: Σ² = 30; N = 2, M = 3 → 30 / (4 · 4 · 9) = 30 / 144
    g = np.array([[2.0, 2.0], [3.0, 5.0]])
    a = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert float(style_layer_loss(g, a, 2, 3)) == pytest.approx(30 / 144)


def test_style_layer_loss_same_with_m_normalised_grams():
    rng = np.random.default_rng(1)
    f1, f2 = rng.normal(size=(4, 5, 3)), rng.normal(size=(4, 5, 3))
    m = 20
    raw = style_layer_loss(gram_matrix(f1), gram_matrix(f2), 3, m)
    scaled = style_layer_loss(gram_matrix(f1, normalise=True), gram_matrix(f2, normalise=True), 3, 1)
    assert float(raw) == pytest.approx(float(scaled), rel=1e-5)


def test_style_loss_weights_layers():
    eye = np.eye(2, dtype=np.float32)
    grams = [2 * eye, 3 * eye]
    targets = [eye, eye]
    # E_1 = (1 + 1) / (4·4) = 1/8; E_2 = (4 + 4) / 16 = 1/2
    total, per_layer = style_loss(grams, targets, [1.0, 0.5])
    np.testing.assert_allclose(per_layer.numpy(), [0.125, 0.5])
    assert float(total) == pytest.approx(0.125 + 0.25)


def test_total_variation_known_arrays():
    x = np.array([[0.0, 1.0], [2.0, 4.0]])[..., None]  # (2, 2, 1)
    # vertical |2−0| + |4−1| = 5; horizontal |1−0| + |4−2| = 3
    assert float(total_variation_loss(x)) == pytest.approx(8.0)
    assert float(total_variation_loss(x[None], normalise=True)) == pytest.approx(2.0)
    assert float(total_variation_loss(np.full((3, 4, 3), 7.0))) == 0.0


def test_total_variation_matches_tensorflow():
    from nst.tf_runtime import tf

    x = np.random.default_rng(2).uniform(size=(6, 5, 3)).astype(np.float32)
    assert float(total_variation_loss(x)) == pytest.approx(float(tf.image.total_variation(tf.constant(x))), rel=1e-6)


def test_total_loss_combines_terms():
    assert float(total_loss(3.0, 5.0, 7.0, 2.0, 0.1, 10.0)) == pytest.approx(2 * 3 + 0.1 * 5 + 10 * 7)


def test_relative_weights_by_hand_and_the_fine_stage_factors():
    from nst.config import StyleConfig
    from nst.transfer import relative_weights

    eye = np.eye(2, dtype=np.float32)
    # E_l(black) = ΣA²/(4N²): A = I → 2/16 = 1/8, A = 2I → 8/16 = 1/2; each weight is w_l / E_l(black)
    cfg = StyleConfig(style_layers={"block1_conv1": 1.0, "block4_conv1": 3.0}, tv_weight=2.55)
    content = np.ones((1, 2, 2, 1), np.float32)
    alpha, weights, tv = relative_weights(cfg, content, [eye, 2 * eye])
    np.testing.assert_allclose(weights.numpy(), [1 / 0.125, 3 / 0.5])
    assert float(tv) == pytest.approx(0.01)
    # the full size after coarse stages: block1 ×4, block4 ×0.7; α and tv unchanged
    alpha_f, weights_f, tv_f = relative_weights(cfg, content, [eye, 2 * eye], fine=True)
    np.testing.assert_allclose(weights_f.numpy(), [4 * 8.0, 0.7 * 6.0], rtol=1e-6)
    assert float(alpha_f) == float(alpha) and float(tv_f) == float(tv)
