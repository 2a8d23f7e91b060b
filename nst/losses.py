"""The three loss terms of Gatys et al. (2015), written as the course writes them.

    content  L_c = ½ Σ (F − P)²                       F, P: features of result and content
    style    E_l = 1 / (4 N_l² M_l²) Σ (G_l − A_l)²     G = FᵀF, N channels, M positions
             L_s = Σ_l w_l E_l
    TV       L_tv = Σ |x[i+1,j] − x[i,j]| + |x[i,j+1] − x[i,j]|
    total    L = α L_c + β L_s + tv L_tv

These functions are the course's, and the tests check them against hand-computed values. The
optimiser (`nst.transfer.relative_weights`) divides each term by its value for a black image —
L_c/L_c(0) = Σ(F − P)²/ΣP², E_l/E_l(0) = Σ(G − A)²/ΣA² — so that α and β mean the same for
every photo, painting, layer and image size; raw E_l differ by orders of magnitude between a
soft painting and a high-contrast one, and between shallow and deep layers.
"""

from __future__ import annotations

from collections.abc import Sequence

from nst.tf_runtime import tf


def _as_float(x) -> tf.Tensor:
    x = tf.convert_to_tensor(x)
    return x if x.dtype == tf.float32 else tf.cast(x, tf.float32)


def gram_matrix(features, normalise: bool = False) -> tf.Tensor:
    """G = FᵀF for features (H, W, C) or (1, H, W, C), F reshaped to (M = H·W, C).

    With `normalise`, G / M: the average co-activation per position, which lets Grams of
    images of different sizes be compared.
    """
    f = _as_float(features)
    channels = tf.shape(f)[-1]
    flat = tf.reshape(f, (-1, channels))
    gram = tf.matmul(flat, flat, transpose_a=True)
    if normalise:
        gram = gram / tf.cast(tf.shape(flat)[0], tf.float32)
    return gram


def content_loss(features, target, normalise: bool = False) -> tf.Tensor:
    """½ Σ (F − P)²; with `normalise`, divided by the number of elements."""
    diff = _as_float(features) - _as_float(target)
    loss = 0.5 * tf.reduce_sum(tf.square(diff))
    if normalise:
        loss = loss / tf.cast(tf.size(diff), tf.float32)
    return loss


def style_layer_loss(gram, target_gram, channels, positions) -> tf.Tensor:
    """E_l = Σ (G − A)² / (4 N² M²).

    Called with Grams already divided by M (`gram_matrix(..., normalise=True)`), pass
    positions=1: the two are the same quantity, and the divided form stays well inside
    float32 for large images.
    """
    n = tf.cast(channels, tf.float32)
    m = tf.cast(positions, tf.float32)
    diff = _as_float(gram) - _as_float(target_gram)
    return tf.reduce_sum(tf.square(diff)) / (4.0 * n * n * m * m)


def style_loss(grams: Sequence, target_grams: Sequence, layer_weights) -> tuple[tf.Tensor, tf.Tensor]:
    """Σ_l w_l E_l for Grams normalised by M; returns (total, per-layer E_l)."""
    per_layer = tf.stack([style_layer_loss(g, a, tf.shape(g)[0], 1) for g, a in zip(grams, target_grams, strict=True)])
    return tf.reduce_sum(_as_float(layer_weights) * per_layer), per_layer


def total_variation_loss(image, normalise: bool = False) -> tf.Tensor:
    """Σ |Δ_y x| + |Δ_x x| over an image (H, W, C) or (1, H, W, C); normalised: / (H·W·C)."""
    x = _as_float(image)
    if x.shape.rank == 4:
        x = x[0]
    dy = x[1:, :, :] - x[:-1, :, :]
    dx = x[:, 1:, :] - x[:, :-1, :]
    loss = tf.reduce_sum(tf.abs(dy)) + tf.reduce_sum(tf.abs(dx))
    if normalise:
        loss = loss / tf.cast(tf.size(x), tf.float32)
    return loss


def total_loss(content, style, tv, alpha, beta, tv_weight) -> tf.Tensor:
    """α·L_c + β·L_s + tv·L_tv."""
    return _as_float(alpha) * content + _as_float(beta) * style + _as_float(tv_weight) * tv
