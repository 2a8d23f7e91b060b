"""nst.explain.reconstructions: content and style reconstructions on the real VGG19 weights, ≤ 96 px,
and their plans on this machine's measured costs."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from nst.backbones import get_spec
from nst.config import StyleConfig
from nst.explain import reconstructions
from nst.images import resize
from nst.losses import content_loss
from nst.objective import get_objective
from nst.transfer import Progress, initial_image


# ------------------------------------------------------------------------- reconstructions
def test_reconstruction_layers():
    vgg19 = get_spec("vgg19")
    layers = reconstructions.content_reconstruction_layers(vgg19)
    assert layers == ("block1_conv2", "block2_conv2", "block3_conv2", "block4_conv2", "block5_conv2")
    assert reconstructions.style_reconstruction_subsets(vgg19)[0] == ("block1_conv1",)
    assert reconstructions.style_reconstruction_subsets(vgg19)[-1] == vgg19.style_layers
    inception = get_spec("inception_v3")
    assert set(reconstructions.content_reconstruction_layers(inception)) <= set(inception.layers)
    assert reconstructions.style_reconstruction_subsets(inception)[-1] == inception.style_layers


def _content_loss_at(backbone, layer, image, target):
    objective = get_objective(backbone, layer, (layer,))
    features = objective.features(np.asarray(image, np.float32)[None])[0]
    return float(content_loss(features, objective.content_target(target), normalise=True))


def every_step(kind: str, image, layers, **kw) -> reconstructions.Reconstruction:
    """A single full-size stage with no budget: exactly `steps` steps on every machine."""
    spec = get_spec("vgg19")
    kw = {"scales": (1.0,), "seconds": None, **kw}
    if kind == "content":
        return reconstructions.content_reconstruction(image, layers[0], spec, **kw)
    return reconstructions.style_reconstruction(image, layers, spec, **kw)


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


def test_a_memoised_picture_survives_a_recalibrated_cost_model(backbone, style_image, monkeypatch):
    """A run may rescale this machine's cost model (nst.cost.recalibrate); the plan of a
    reconstruction then changes, but the picture already made is still the one shown."""
    from dataclasses import replace

    from nst import cost as cost_module

    task = reconstructions.style_reconstruction(
        style_image, backbone.spec.style_layers[:2], backbone.spec, max_side=64, steps=12
    )
    out = task.run(backbone)
    before = task.plan(backbone)
    slow = replace(cost_module.cost_model(backbone), step_per_pixel=1.0, step_fixed=1.0)
    monkeypatch.setattr(reconstructions, "cost_model", lambda backbone: slow)
    assert task.plan(backbone) != before  # shrunk to its minimum on a 'slower' machine
    assert task.cached(backbone) is out


def test_shrink_to_budget_cuts_every_stage_in_proportion():
    """Toy costs (tests/test_plan.py): a step 0.1 s + 1 µs/px, a forward pass 0.05 s + 0.25 µs/px.
    ½ + 1 at 100 px: a pair of steps 0.1025 + 0.11 = 0.2125 s, targets 0.20625 s, so 60 + 60 takes
    12.95625 s. Within 7 s: n pairs with 0.2125 n + 0.20625 ≤ 7 → n = 31 (6.794 s; 32 is 7.006 s)."""
    from nst.plan import Plan, Stage
    from tests.test_plan import LAYERS, toy_cost

    cost = toy_cost()
    plan = Plan((Stage((50, 50), 60, 50), Stage((100, 100), 60, 100)), "block4_conv2", LAYERS)
    assert plan.seconds(cost) == pytest.approx(12.95625)
    assert reconstructions.shrink_to_budget(plan, cost, 20.0) is plan
    fitted = reconstructions.shrink_to_budget(plan, cost, 7.0)
    assert [s.steps for s in fitted.stages] == [31, 31]
    assert fitted.seconds(cost) == pytest.approx(6.79375)
    floor = reconstructions.shrink_to_budget(plan, cost, 0.5)  # never below the minimum that is worth showing
    assert [s.steps for s in floor.stages] == [reconstructions.MIN_RECONSTRUCTION_STEPS] * 2


def test_a_default_reconstruction_fits_its_budget_here(backbone, content_image):
    """At the page's size, one layer is planned half size first, then full size, to fit
    RECONSTRUCTION_SECONDS on this machine's measured costs (issue 10.5: ≤ 20 s a layer)."""
    from nst.cost import cost_model

    rc = reconstructions
    cost = cost_model(backbone)
    plans = {}
    for layer in ("block1_conv2", "block5_conv2"):
        plan = reconstructions.content_reconstruction(content_image, layer, backbone.spec).plan(backbone)
        side, least, most = rc.RECONSTRUCTION_SIDE, rc.MIN_RECONSTRUCTION_STEPS, rc.RECONSTRUCTION_STEPS
        assert [s.side for s in plan.stages] == [side // 2, side]
        assert all(least <= s.steps <= most for s in plan.stages)
        assert plan.seconds(cost) <= rc.RECONSTRUCTION_SECONDS or all(s.steps == least for s in plan.stages)
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
