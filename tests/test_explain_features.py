"""nst.explain.activations, .channels and .colormaps: feature maps of the real VGG19 weights
(≤ 128 px) and the pictures drawn from them."""

from __future__ import annotations

import numpy as np
import pytest

from nst.explain import activations, channels, colormaps, grams


def fresh_image(seed: int, size=(48, 64)) -> np.ndarray:
    """An image no other test has used, so the memo starts cold for it."""
    return np.random.default_rng(seed).integers(0, 256, (*size, 3), dtype=np.uint8)


# ----------------------------------------------------------------------------- activations
def test_activation_shapes(backbone, photo):
    acts = activations.activations(backbone, photo, max_side=128)
    assert list(acts) == list(backbone.spec.layers)
    assert acts["block1_conv1"].shape == (96, 128, 64)
    assert acts["block2_conv2"].shape == (48, 64, 128)
    assert acts["block3_conv1"].shape == (24, 32, 256)
    assert acts["block4_conv4"].shape == (12, 16, 512)
    assert acts["block5_conv2"].shape == (6, 8, 512)
    assert all(a.dtype == np.float32 for a in acts.values())
    assert all(a.min() >= 0 for a in acts.values())  # ReLU outputs
    # the long side follows max_side
    smaller = activations.activations(backbone, photo, ["block3_conv1"], max_side=64)
    assert smaller["block3_conv1"].shape == (12, 16, 256)


def test_activations_are_memoised_and_read_only(backbone, monkeypatch):
    calls = []
    real = backbone.feature_function

    def counting(layers):
        forward = real(layers)

        def counted(image):
            calls.append(layers)
            return forward(image)

        return counted

    monkeypatch.setattr(backbone, "feature_function", counting)
    image = fresh_image(1)
    first = activations.activations(backbone, image, ["block2_conv1", "block3_conv1"], max_side=64)
    assert len(calls) == 1  # both layers from one forward pass
    again = activations.activations(backbone, image.copy(), ["block3_conv1", "block2_conv1"], max_side=64)
    shallower = activations.activations(backbone, image, ["block1_conv1"], max_side=64)
    layer_grams = grams.gram_matrices(backbone, image, ["block2_conv1", "block3_conv1"], max_side=64)
    assert len(calls) == 1  # same content, same size: no network
    assert again["block3_conv1"] is first["block3_conv1"] and again["block2_conv1"] is first["block2_conv1"]
    assert shallower["block1_conv1"].shape == (48, 64, 64)
    assert (
        grams.gram_matrices(backbone, image, ["block3_conv1"], max_side=64)["block3_conv1"]
        is layer_grams["block3_conv1"]
    )
    assert not first["block3_conv1"].flags.writeable
    activations.activations(backbone, image, ["block3_conv1"], max_side=48)  # another size: runs again
    activations.activations(backbone, image, ["block5_conv4"], max_side=64)  # whole catalogue was computed
    assert len(calls) == 2


def test_unknown_layer_and_tiny_image_are_refused(backbone, photo):
    with pytest.raises(ValueError, match="no layer 'block9_conv1'"):
        activations.activations(backbone, photo, ["block9_conv1"])
    with pytest.raises(ValueError, match="short side"):
        activations.activations(backbone, photo, max_side=20)


# ------------------------------------------------------------------------ channel utilities
def test_normalise_channels():
    maps = np.zeros((4, 5, 3), np.float32)
    maps[..., 0] = np.arange(20).reshape(4, 5)  # 0..19
    maps[..., 1] = 7.0  # constant
    maps[..., 2] = -np.arange(20).reshape(4, 5) * 1e-3
    out = channels.normalise_channels(maps)
    assert out.dtype == np.float32 and out.shape == maps.shape
    assert out[..., 0].min() == 0 and out[..., 0].max() == 1
    np.testing.assert_allclose(out[..., 0], np.arange(20).reshape(4, 5) / 19, rtol=1e-6)
    assert np.all(out[..., 1] == 0)
    assert out[0, 0, 2] == 1 and out[-1, -1, 2] == 0


def test_channel_order_by_mean_variance_and_difference():
    maps = np.zeros((4, 4, 4), np.float32)
    maps[..., 0] = 1.0  # mean 1, variance 0
    maps[..., 1] = 3.0  # mean 3, variance 0
    maps[:2, :, 2] = 4.0  # mean 2, variance 4
    maps[..., 3] = 1.0  # ties channel 0 on mean and variance
    np.testing.assert_array_equal(channels.channel_order(maps, "mean"), [1, 2, 0, 3])
    np.testing.assert_array_equal(channels.channel_order(maps, "variance"), [2, 0, 1, 3])

    other = maps.copy()
    other[..., 3] += 5.0  # only channel 3 changes
    assert channels.channel_order(maps, "difference", other)[0] == 3
    # the other image's maps may be another size: they are resized to these
    big = np.repeat(np.repeat(other, 2, axis=0), 2, axis=1)
    assert channels.channel_order(maps, "difference", big)[0] == 3
    scores = channels.channel_scores(maps, "difference", big)
    np.testing.assert_allclose(scores[[0, 1, 3]], [0, 0, 5], atol=1e-4)
    with pytest.raises(ValueError, match="other image"):
        channels.channel_order(maps, "difference")
    with pytest.raises(ValueError, match="order must be"):
        channels.channel_order(maps, "median")


def test_colormaps():
    values = np.array([[0.0, 0.5, 1.0], [-1.0, 2.0, np.nan]], np.float32)
    rgb = colormaps.apply_colormap(values, "viridis")
    assert rgb.shape == (2, 3, 3) and rgb.dtype == np.uint8
    assert tuple(rgb[0, 0]) == (0x44, 0x01, 0x54) and tuple(rgb[0, 2]) == (0xFD, 0xE7, 0x25)
    assert tuple(rgb[1, 0]) == tuple(rgb[0, 0]) == tuple(rgb[1, 2]) and tuple(rgb[1, 1]) == tuple(rgb[0, 2])
    grey = colormaps.apply_colormap(values, "gray")
    assert tuple(grey[0, 1]) == (128, 128, 128) and tuple(grey[0, 2]) == (255, 255, 255)
    assert tuple(colormaps.apply_colormap(np.ones(1), "magma")[0]) == (0xFC, 0xFD, 0xBF)
    assert tuple(colormaps.apply_colormap(np.zeros(1), "inferno")[0]) == (0, 0, 4)
    for name in colormaps.COLORMAPS:
        lut = colormaps.colormap_lut(name)
        assert lut.shape == (256, 3) and lut.dtype == np.uint8
    with pytest.raises(ValueError, match="colormap must be"):
        colormaps.apply_colormap(values, "jet")


def test_colormap_anchors_are_plotlys():
    colors = pytest.importorskip("plotly.colors")
    for name, scale in [("viridis", "Viridis"), ("magma", "Magma"), ("inferno", "Inferno")]:
        assert colormaps._COLORMAP_ANCHORS[name].split() == [c.lower() for c in getattr(colors.sequential, scale)]


def test_channel_grid_layout():
    rng = np.random.default_rng(0)
    maps = rng.random((12, 16, 10)).astype(np.float32)
    grid = channels.channel_grid(maps, [4, 0, 9, 2, 7], columns=3, cell=32, gap=2, colormap="gray")
    # cells are 24×32 (the maps' 3:4 aspect at long side 32): 2 rows × 3 columns
    assert grid.shape == (2 * 24 + 2, 3 * 32 + 2 * 2, 3) and grid.dtype == np.uint8
    g = channels.grid_geometry(maps.shape, 5, 3, 32, 2)
    assert (g["rows"], g["columns"], g["cell_h"], g["cell_w"]) == (2, 3, 24, 32)
    assert np.all(grid[24:26] == 255) and np.all(grid[:, 32:34] == 255)  # gaps
    assert np.all(grid[26:, 2 * 34 :] == 255)  # the unused sixth cell stays background
    # the first cell is channel 4, normalised, each pixel doubled (nearest neighbour)
    expected = colormaps.apply_colormap(channels.normalise_channels(maps[..., 4:5])[..., 0], "gray")
    np.testing.assert_array_equal(grid[:24, :32], np.repeat(np.repeat(expected, 2, axis=0), 2, axis=1))
    # fewer channels than columns: the mosaic is only as wide as needed
    assert channels.channel_grid(maps, [1, 2], columns=8, cell=32, gap=2).shape == (24, 66, 3)
    assert channels.channel_image(maps, 3, 64).shape == (48, 64, 3)


def test_overlay():
    image = np.full((40, 60, 3), 100, np.uint8)
    map2d = np.zeros((4, 6), np.float32)
    map2d[0, 0] = 1.0
    assert channels.overlay(image, map2d, alpha=0.0).shape == (40, 60, 3)
    np.testing.assert_array_equal(channels.overlay(image, map2d, alpha=0.0), image)
    full = channels.overlay(image, map2d, alpha=1.0, colormap="gray")
    assert full[0, 0, 0] > 200 and full[-1, -1, 0] == 0  # the hot corner is white, the rest black
    weighted = channels.overlay(image, map2d, alpha=1.0, colormap="gray", weighted=True)
    assert weighted[-1, -1, 0] == 50  # silent regions show the photo, dimmed by alpha / 2
    assert weighted[0, 0, 0] > 200  # the hot corner glows


def test_top_channel_strip(backbone, photo):
    layers = ["block1_conv1", "block3_conv1", "block5_conv1"]
    strip = channels.top_channel_strip(backbone, photo, layers, max_side=128, size=64)
    acts = activations.activations(backbone, photo, layers, max_side=128)
    assert [s.layer for s in strip] == layers
    for item in strip:
        assert item.channel == int(np.argmax(acts[item.layer].mean(axis=(0, 1))))
        assert item.image.shape == (48, 64, 3) and item.image.dtype == np.uint8
