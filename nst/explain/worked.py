"""The Theory page's worked examples, computed by the engine's own losses, and the tile shuffle
that shows why a Gram matrix forgets where things are."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nst.losses import content_loss, gram_matrix


@dataclass(frozen=True)
class WorkedContent:
    F: np.ndarray  # features of the result
    P: np.ndarray  # features of the content image
    diff: np.ndarray  # F − P
    squared: np.ndarray  # (F − P)²
    loss: float  # ½ Σ (F − P)²


@dataclass(frozen=True)
class WorkedGram:
    maps: np.ndarray  # (H, W, C) feature maps
    F: np.ndarray  # (M, C): one row per position, one column per channel
    G: np.ndarray  # FᵀF (C × C)
    G_normalised: np.ndarray  # FᵀF / M, what the engine uses
    M: int
    N: int


def worked_content_example() -> WorkedContent:
    """The course's example: F = [[1, 2], [3, 4]], P = all 2s → ½ Σ (F − P)² = ½ (1 + 0 + 1 + 4) = 3,
    computed by the engine's `content_loss`."""
    f = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    p = np.full((2, 2), 2.0, dtype=np.float32)
    return WorkedContent(f, p, f - p, (f - p) ** 2, float(content_loss(f, p)))


def worked_gram_example() -> WorkedGram:
    """A 2×2×3 feature map, its flattened F (M = 4 positions × N = 3 channels) and G = FᵀF, by the
    engine's `gram_matrix`. Channels 0 and 2 fire together, channel 1 elsewhere: G shows it."""
    maps = np.array(
        [
            [[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]],
            [[2.0, 1.0, 3.0], [0.0, 2.0, 1.0]],
        ],
        dtype=np.float32,
    )
    flat = maps.reshape(-1, maps.shape[-1])
    return WorkedGram(
        maps=maps,
        F=flat,
        G=gram_matrix(maps).numpy(),
        G_normalised=gram_matrix(maps, normalise=True).numpy(),
        M=flat.shape[0],
        N=flat.shape[1],
    )


def shuffle_tiles(image: np.ndarray, tiles: int = 4, seed: int = 0) -> np.ndarray:
    """The picture cut into tiles × tiles pieces and put back in random order: the layout is
    destroyed, the local textures are not — so its Gram matrices stay close to the original's."""
    h, w = (image.shape[0] // tiles) * tiles, (image.shape[1] // tiles) * tiles
    th, tw = h // tiles, w // tiles
    pieces = [image[r * th : (r + 1) * th, c * tw : (c + 1) * tw] for r in range(tiles) for c in range(tiles)]
    order = np.random.default_rng(seed).permutation(len(pieces))
    rows = [np.concatenate([pieces[order[r * tiles + c]] for c in range(tiles)], axis=1) for r in range(tiles)]
    return np.concatenate(rows, axis=0)
