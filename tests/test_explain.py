"""nst.explain: feature maps, Grams and layer reconstructions on the real VGG19 weights, ≤ 128 px."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from nst import explain
from nst.backbones import get_spec
from nst.config import StyleConfig
from nst.images import resize
from nst.losses import content_loss
from nst.objective import get_objective
from nst.transfer import Progress, initial_image


@pytest.fixture(scope="module")
def photo(content_image) -> np.ndarray:
    """A 96×128 crop-free resize of the content photo."""
    return resize(content_image, (96, 128))


def fresh_image(seed: int, size=(48, 64)) -> np.ndarray:
    """An image no other test has used, so the memo starts cold for it."""
    return np.random.default_rng(seed).integers(0, 256, (*size, 3), dtype=np.uint8)


# ----------------------------------------------------------------------------- activations
def test_activation_shapes(backbone, photo):
    acts = explain.activations(backbone, photo, max_side=128)
    assert list(acts) == list(backbone.spec.layers)
    assert acts["block1_conv1"].shape == (96, 128, 64)
    assert acts["block2_conv2"].shape == (48, 64, 128)
    assert acts["block3_conv1"].shape == (24, 32, 256)
    assert acts["block4_conv4"].shape == (12, 16, 512)
    assert acts["block5_conv2"].shape == (6, 8, 512)
    assert all(a.dtype == np.float32 for a in acts.values())
    assert all(a.min() >= 0 for a in acts.values())  # ReLU outputs
    assert explain.feature_shape(backbone, photo, "block3_conv1", 128) == (24, 32, 256)
    # the long side follows max_side
    assert explain.activations(backbone, photo, ["block3_conv1"], max_side=64)["block3_conv1"].shape == (12, 16, 256)


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
    first = explain.activations(backbone, image, ["block2_conv1", "block3_conv1"], max_side=64)
    assert len(calls) == 1  # both layers from one forward pass
    again = explain.activations(backbone, image.copy(), ["block3_conv1", "block2_conv1"], max_side=64)
    shallower = explain.activations(backbone, image, ["block1_conv1"], max_side=64)
    grams = explain.gram_matrices(backbone, image, ["block2_conv1", "block3_conv1"], max_side=64)
    assert len(calls) == 1  # same content, same size: no network
    assert again["block3_conv1"] is first["block3_conv1"] and again["block2_conv1"] is first["block2_conv1"]
    assert shallower["block1_conv1"].shape == (48, 64, 64)
    assert (
        explain.gram_matrices(backbone, image, ["block3_conv1"], max_side=64)["block3_conv1"] is grams["block3_conv1"]
    )
    assert not first["block3_conv1"].flags.writeable
    explain.activations(backbone, image, ["block3_conv1"], max_side=48)  # another size: runs again
    explain.activations(backbone, image, ["block5_conv4"], max_side=64)  # whole catalogue was computed
    assert len(calls) == 2


def test_unknown_layer_and_tiny_image_are_refused(backbone, photo):
    with pytest.raises(ValueError, match="no layer 'block9_conv1'"):
        explain.activations(backbone, photo, ["block9_conv1"])
    with pytest.raises(ValueError, match="short side"):
        explain.activations(backbone, photo, max_side=20)


# ------------------------------------------------------------------------ channel utilities
def test_normalise_channels():
    maps = np.zeros((4, 5, 3), np.float32)
    maps[..., 0] = np.arange(20).reshape(4, 5)  # 0..19
    maps[..., 1] = 7.0  # constant
    maps[..., 2] = -np.arange(20).reshape(4, 5) * 1e-3
    out = explain.normalise_channels(maps)
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
    np.testing.assert_array_equal(explain.channel_order(maps, "mean"), [1, 2, 0, 3])
    np.testing.assert_array_equal(explain.channel_order(maps, "variance"), [2, 0, 1, 3])

    other = maps.copy()
    other[..., 3] += 5.0  # only channel 3 changes
    assert explain.channel_order(maps, "difference", other)[0] == 3
    # the other image's maps may be another size: they are resized to these
    big = np.repeat(np.repeat(other, 2, axis=0), 2, axis=1)
    assert explain.channel_order(maps, "difference", big)[0] == 3
    scores = explain.channel_scores(maps, "difference", big)
    np.testing.assert_allclose(scores[[0, 1, 3]], [0, 0, 5], atol=1e-4)
    with pytest.raises(ValueError, match="other image"):
        explain.channel_order(maps, "difference")
    with pytest.raises(ValueError, match="order must be"):
        explain.channel_order(maps, "median")


def test_colormaps():
    values = np.array([[0.0, 0.5, 1.0], [-1.0, 2.0, np.nan]], np.float32)
    rgb = explain.apply_colormap(values, "viridis")
    assert rgb.shape == (2, 3, 3) and rgb.dtype == np.uint8
    assert tuple(rgb[0, 0]) == (0x44, 0x01, 0x54) and tuple(rgb[0, 2]) == (0xFD, 0xE7, 0x25)
    assert tuple(rgb[1, 0]) == tuple(rgb[0, 0]) == tuple(rgb[1, 2]) and tuple(rgb[1, 1]) == tuple(rgb[0, 2])
    grey = explain.apply_colormap(values, "gray")
    assert tuple(grey[0, 1]) == (128, 128, 128) and tuple(grey[0, 2]) == (255, 255, 255)
    assert tuple(explain.apply_colormap(np.ones(1), "magma")[0]) == (0xFC, 0xFD, 0xBF)
    assert tuple(explain.apply_colormap(np.zeros(1), "inferno")[0]) == (0, 0, 4)
    for name in explain.COLORMAPS:
        lut = explain.colormap_lut(name)
        assert lut.shape == (256, 3) and lut.dtype == np.uint8
    with pytest.raises(ValueError, match="colormap must be"):
        explain.apply_colormap(values, "jet")


def test_colormap_anchors_are_plotlys():
    colors = pytest.importorskip("plotly.colors")
    for name, scale in [("viridis", "Viridis"), ("magma", "Magma"), ("inferno", "Inferno")]:
        assert explain._COLORMAP_ANCHORS[name].split() == [c.lower() for c in getattr(colors.sequential, scale)]


def test_channel_grid_layout():
    rng = np.random.default_rng(0)
    maps = rng.random((12, 16, 10)).astype(np.float32)
    grid = explain.channel_grid(maps, [4, 0, 9, 2, 7], columns=3, cell=32, gap=2, colormap="gray")
    # cells are 24×32 (the maps' 3:4 aspect at long side 32): 2 rows × 3 columns
    assert grid.shape == (2 * 24 + 2, 3 * 32 + 2 * 2, 3) and grid.dtype == np.uint8
    g = explain.grid_geometry(maps.shape, 5, 3, 32, 2)
    assert (g["rows"], g["columns"], g["cell_h"], g["cell_w"]) == (2, 3, 24, 32)
    assert np.all(grid[24:26] == 255) and np.all(grid[:, 32:34] == 255)  # gaps
    assert np.all(grid[26:, 2 * 34 :] == 255)  # the unused sixth cell stays background
    # the first cell is channel 4, normalised, each pixel doubled (nearest neighbour)
    expected = explain.apply_colormap(explain.normalise_channels(maps[..., 4:5])[..., 0], "gray")
    np.testing.assert_array_equal(grid[:24, :32], np.repeat(np.repeat(expected, 2, axis=0), 2, axis=1))
    # fewer channels than columns: the mosaic is only as wide as needed
    assert explain.channel_grid(maps, [1, 2], columns=8, cell=32, gap=2).shape == (24, 66, 3)
    assert explain.channel_image(maps, 3, 64).shape == (48, 64, 3)


def test_overlay():
    image = np.full((40, 60, 3), 100, np.uint8)
    map2d = np.zeros((4, 6), np.float32)
    map2d[0, 0] = 1.0
    assert explain.overlay(image, map2d, alpha=0.0).shape == (40, 60, 3)
    np.testing.assert_array_equal(explain.overlay(image, map2d, alpha=0.0), image)
    full = explain.overlay(image, map2d, alpha=1.0, colormap="gray")
    assert full[0, 0, 0] > 200 and full[-1, -1, 0] == 0  # the hot corner is white, the rest black
    weighted = explain.overlay(image, map2d, alpha=1.0, colormap="gray", weighted=True)
    assert weighted[-1, -1, 0] == 50  # silent regions show the photo, dimmed by alpha / 2
    assert weighted[0, 0, 0] > 200  # the hot corner glows


def test_top_channel_strip(backbone, photo):
    layers = ["block1_conv1", "block3_conv1", "block5_conv1"]
    strip = explain.top_channel_strip(backbone, photo, layers, max_side=128, size=64)
    acts = explain.activations(backbone, photo, layers, max_side=128)
    assert [s.layer for s in strip] == layers
    for item in strip:
        assert item.channel == int(np.argmax(acts[item.layer].mean(axis=(0, 1))))
        assert item.image.shape == (48, 64, 3) and item.image.dtype == np.uint8


# ------------------------------------------------------------------------------------ Grams
def test_gram_matrices_are_ftf_over_m(backbone, photo):
    layers = ["block1_conv1", "block3_conv1", "block5_conv1"]
    grams = explain.gram_matrices(backbone, photo, layers, max_side=128)
    acts = explain.activations(backbone, photo, layers, max_side=128)
    for name in layers:
        f = acts[name].reshape(-1, acts[name].shape[-1]).astype(np.float64)
        c = f.shape[1]
        g = grams[name]
        assert g.shape == (c, c) and g.dtype == np.float32
        np.testing.assert_allclose(g, f.T @ f / f.shape[0], rtol=2e-4, atol=1e-3 * np.abs(g).max())
        np.testing.assert_allclose(g, g.T, rtol=1e-5, atol=1e-6 * np.abs(g).max())


def test_gram_order():
    g = np.diag([3.0, 1.0, 5.0, 0.0, 2.0])
    for by in explain.GRAM_ORDERS:
        assert sorted(explain.gram_order(g, by)) == list(range(5))
    np.testing.assert_array_equal(explain.gram_order(g, "index"), range(5))
    np.testing.assert_array_equal(explain.gram_order(g, "diagonal"), [2, 0, 4, 1, 3])
    # channels 0, 2, 4 share one spatial pattern and 1, 3, 5 another: clustering puts each
    # group together (the silent channel 6 last)
    rng = np.random.default_rng(0)
    a, b = rng.random(50), rng.random(50)
    features = np.stack([a, b, 2 * a + 0.01, b * 0.5, a + 0.02 * rng.random(50), b + 0.01, 0 * a], axis=1)
    order = explain.gram_order(features.T @ features / 50, "cluster")
    assert sorted(order) == list(range(7)) and order[-1] == 6
    assert set(order[:3]) in ({0, 2, 4}, {1, 3, 5})
    with pytest.raises(ValueError, match="square"):
        explain.gram_order(np.zeros((2, 3)), "index")


def test_style_layer_losses_and_shares():
    g = {"a": np.eye(2, dtype=np.float32), "b": np.ones((3, 3), np.float32)}
    zero = {"a": np.zeros((2, 2), np.float32), "b": np.ones((3, 3), np.float32)}
    assert explain.style_layer_losses(g, g) == {"a": 0.0, "b": 0.0}
    losses = explain.style_layer_losses(g, zero)
    # a: Σ(G − A)² = 2, N = 2 → 2 / (4·2²) = 0.125; b: identical → 0
    assert losses == pytest.approx({"a": 0.125, "b": 0.0})
    weighted = explain.style_layer_losses(g, zero, {"a": 4.0})
    assert weighted == pytest.approx({"a": 0.5})
    s = explain.shares({"x": 1.0, "y": 3.0})
    assert s == pytest.approx({"x": 0.25, "y": 0.75}) and sum(s.values()) == pytest.approx(1.0)
    assert explain.shares({"x": 0.0}) == {"x": 0.0}


def test_style_layer_losses_on_real_grams(backbone, photo, style_image):
    layers = list(backbone.spec.style_layers)
    result = explain.gram_matrices(backbone, photo, layers, max_side=96)
    style = explain.gram_matrices(backbone, style_image, layers, max_side=96)
    losses = explain.style_layer_losses(result, style)
    assert list(losses) == layers and all(v > 0 for v in losses.values())
    assert sum(explain.shares(losses).values()) == pytest.approx(1.0)


# ------------------------------------------------------------------------- theory examples
def test_worked_examples():
    c = explain.worked_content_example()
    assert c.loss == pytest.approx(3.0)
    np.testing.assert_array_equal(c.diff, [[-1, 0], [1, 2]])
    g = explain.worked_gram_example()
    assert g.maps.shape == (2, 2, 3) and g.F.shape == (4, 3) and (g.M, g.N) == (4, 3)
    np.testing.assert_allclose(g.G, g.F.T @ g.F)
    np.testing.assert_allclose(g.G_normalised, g.G / 4)
    np.testing.assert_array_equal(g.G, g.G.T)


# ------------------------------------------------------------------------- reconstructions
def test_reconstruction_layer_constants():
    layers = explain.CONTENT_RECONSTRUCTION_LAYERS
    assert layers == ("block1_conv2", "block2_conv2", "block3_conv2", "block4_conv2", "block5_conv2")
    assert explain.STYLE_RECONSTRUCTION_SUBSETS[0] == ("block1_conv1",)
    assert explain.STYLE_RECONSTRUCTION_SUBSETS[-1] == get_spec("vgg19").style_layers
    inception = get_spec("inception_v3")
    assert set(explain.content_reconstruction_layers(inception)) <= set(inception.layers)
    assert explain.style_reconstruction_subsets(inception)[-1] == inception.style_layers


def _content_loss_at(backbone, layer, image, target):
    objective = get_objective(backbone, layer, (layer,))
    features = objective.features(np.asarray(image, np.float32)[None])[0]
    return float(content_loss(features, objective.content_target(target), normalise=True))


def every_step(kind: str, image, layers, **kw) -> explain.Reconstruction:
    """A single full-size stage with no budget: exactly `steps` steps on every machine."""
    spec = get_spec("vgg19")
    kw = {"scales": (1.0,), "seconds": None, **kw}
    if kind == "content":
        return explain.content_reconstruction(image, layers[0], spec, **kw)
    return explain.style_reconstruction(image, layers, spec, **kw)


def test_content_reconstruction_lowers_the_layer_loss(backbone, photo):
    small = resize(photo, (48, 64))
    events = []
    task = every_step("content", small, ["block2_conv2"], max_side=64, steps=15)
    shallow = task.run(backbone, on_progress=events.append)
    assert shallow.shape == (48, 64, 3) and shallow.dtype == np.uint8
    assert len(events) == 15 and all(isinstance(e, Progress) for e in events)
    start = initial_image(small.astype(np.float32), StyleConfig(init="noise", seed=0))
    target = small.astype(np.float32)
    before = _content_loss_at(backbone, "block2_conv2", start, target)
    after = _content_loss_at(backbone, "block2_conv2", shallow, target)
    assert after < 0.5 * before, (before, after)
    # memoised: asking again is instant and gives the same image
    t = time.perf_counter()
    assert every_step("content", small, ["block2_conv2"], max_side=64, steps=15).run(backbone) is shallow
    assert time.perf_counter() - t < 0.5
    assert task.cached(backbone) is shallow and task.seconds_here(backbone) == 0.0
    deep = every_step("content", small, ["block4_conv2"], max_side=64, steps=15).run(backbone)
    assert np.abs(deep.astype(float) - shallow.astype(float)).mean() > 5


def test_style_reconstruction_runs_and_is_memoised(backbone, style_image):
    events = []
    layers = ("block1_conv1", "block2_conv1")
    out = every_step("style", style_image, layers, max_side=64, steps=12).run(backbone, on_progress=events.append)
    assert out.dtype == np.uint8 and out.shape[2] == 3 and max(out.shape[:2]) == 64
    styles = [e.losses["style"] for e in events]
    assert len(styles) == 12 and styles[-1] < 0.5 * styles[0]
    # both layers are weighted to start equal, so neither is negligible
    first = events[0].style_layers
    assert set(first) == set(layers) and max(first.values()) < 20 * min(first.values())
    assert every_step("style", style_image, layers, max_side=64, steps=12).run(backbone) is out


def test_shrink_to_budget_cuts_every_stage_in_proportion():
    """Toy costs (tests/test_plan.py): a step 0.1 s + 1 µs/px, a forward pass 0.05 s + 0.25 µs/px.
    ½ + 1 at 100 px: a pair of steps 0.1025 + 0.11 = 0.2125 s, targets 0.20625 s, so 60 + 60 takes
    12.95625 s. Within 7 s: n pairs with 0.2125 n + 0.20625 ≤ 7 → n = 31 (6.794 s; 32 is 7.006 s)."""
    from nst.plan import Plan, Stage
    from tests.test_plan import LAYERS, toy_cost

    cost = toy_cost()
    plan = Plan((Stage((50, 50), 60, 50), Stage((100, 100), 60, 100)), "block4_conv2", LAYERS)
    assert plan.seconds(cost) == pytest.approx(12.95625)
    assert explain.shrink_to_budget(plan, cost, 20.0) is plan
    fitted = explain.shrink_to_budget(plan, cost, 7.0)
    assert [s.steps for s in fitted.stages] == [31, 31]
    assert fitted.seconds(cost) == pytest.approx(6.79375)
    floor = explain.shrink_to_budget(plan, cost, 0.5)  # never below the minimum that is worth showing
    assert [s.steps for s in floor.stages] == [explain.MIN_RECONSTRUCTION_STEPS] * 2


def test_a_default_reconstruction_fits_its_budget_here(backbone, content_image):
    """At the page's size, one layer is planned half size first, then full size, to fit
    RECONSTRUCTION_SECONDS on this machine's measured costs (issue 10.5: ≤ 20 s a layer)."""
    from nst.cost import cost_model

    cost = cost_model(backbone)
    plans = {}
    for layer in ("block1_conv2", "block5_conv2"):
        plan = explain.content_reconstruction(content_image, layer, backbone.spec).plan(backbone)
        assert [s.side for s in plan.stages] == [explain.RECONSTRUCTION_SIDE // 2, explain.RECONSTRUCTION_SIDE]
        assert all(explain.MIN_RECONSTRUCTION_STEPS <= s.steps <= explain.RECONSTRUCTION_STEPS for s in plan.stages)
        assert plan.seconds(cost) <= explain.RECONSTRUCTION_SECONDS or all(
            s.steps == explain.MIN_RECONSTRUCTION_STEPS for s in plan.stages
        )
        plans[layer] = plan
    # a shallow layer is cheap: it keeps at least as many steps as the deepest one
    assert plans["block1_conv2"].total_steps >= plans["block5_conv2"].total_steps


def test_stop_returns_quickly_with_an_image(backbone, photo):
    stop = threading.Event()
    stop.set()
    t = time.perf_counter()
    task = every_step("content", photo, ["block3_conv2"], max_side=96, steps=500)
    out = task.run(backbone, stop=stop)
    assert time.perf_counter() - t < 5
    assert out.shape == (72, 96, 3) and out.dtype == np.uint8
    assert task.cached(backbone) is None
