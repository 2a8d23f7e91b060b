"""The run loop on the real VGG19 weights, at small sizes."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from nst.colour import rgb_to_ycbcr
from nst.config import StyleConfig
from nst.cost import RUNTIME_SETTINGS, cost_model
from nst.images import fitted_size
from nst.objective import get_objective
from nst.transfer import Progress, Result, run, run_objective, stylize


def small(**changes) -> StyleConfig:
    base = dict(max_side=96, steps_per_epoch=12, scales=(1.0,), preview_every=4)
    return StyleConfig(**{**base, **changes})


@pytest.mark.parametrize("optimizer,lr", [("lbfgs", 1.0), ("adam", 4.0), ("sgd", 30.0)], ids=["lbfgs", "adam", "sgd"])
def test_losses_fall(backbone, content_image, style_image, optimizer, lr):
    result = run(content_image, [style_image], small(optimizer=optimizer, learning_rate=lr, max_side=128), backbone)
    totals = [h["total"] for h in result.history]
    assert result.status == "finished" and len(totals) == 12
    assert totals[-1] < 0.6 * totals[0], totals
    assert result.image.dtype == np.uint8 and result.image.shape == (*fitted_size(*content_image.shape[:2], 128), 3)


def test_progress_events_carry_losses_and_previews(backbone, content_image, style_image):
    events = list(stylize(content_image, [style_image], small(), backbone))
    progress = [e for e in events if isinstance(e, Progress)]
    assert isinstance(events[-1], Result) and len(progress) == 12
    assert [p.step for p in progress] == list(range(1, 13))
    assert set(progress[0].losses) == {"total", "content", "style", "tv"}
    assert list(progress[0].style_layers) == list(StyleConfig().style_layers)
    # contributions add up: α·Lc + β·Ls + tv·Ltv = total, Σ per-layer = style term
    p = progress[5]
    assert p.losses["content"] + p.losses["style"] + p.losses["tv"] == pytest.approx(p.losses["total"], rel=1e-4)
    assert sum(p.style_layers.values()) == pytest.approx(p.losses["style"], rel=1e-4)
    shown = [p.step for p in progress if p.image is not None]
    assert shown == [1, 4, 8, 12]
    assert progress[-1].elapsed >= progress[0].elapsed > 0


def test_seed_reproduces_run_exactly(backbone, content_image, style_image):
    cfg = small(init="noisy_content", seed=7)
    a = run(content_image, [style_image], cfg, backbone)
    b = run(content_image, [style_image], cfg, backbone)
    c = run(content_image, [style_image], cfg.replace(seed=8), backbone)
    np.testing.assert_array_equal(a.image, b.image)
    assert [h["total"] for h in a.history] == [h["total"] for h in b.history]
    assert not np.array_equal(a.image, c.image)


def test_stop_returns_last_image(backbone, content_image, style_image):
    stop = threading.Event()
    seen = []
    for event in stylize(content_image, [style_image], small(steps_per_epoch=50), backbone, stop):
        if isinstance(event, Result):
            result = event
            break
        seen.append(event)
        if event.step == 3:
            stop.set()
    assert result.status == "stopped" and result.steps == 3
    assert result.image.shape == (*fitted_size(*content_image.shape[:2], 96), 3)
    assert "Stopped after 3 steps" in result.message


def test_time_limit_keeps_the_size_and_ends_near_the_budget(backbone, content_image, style_image):
    """Far more steps than fit: the plan is cut from this machine's costs, the coarse stage gives way,
    and the picture has the size asked for."""
    cfg = small(max_side=128, steps_per_epoch=10_000, scales=(0.5, 1.0), time_limit=4.0)
    result = run(content_image, [style_image], cfg, backbone)
    assert result.status in ("finished", "time_limit") and 3 <= result.steps < 10_000
    assert result.image.shape == (*fitted_size(*content_image.shape[:2], 128), 3)
    assert result.elapsed < 4.0 * 1.5, result.elapsed
    assert result.plan.final.size == result.image.shape[:2]


def test_a_budget_too_small_is_refused_before_the_run(backbone, content_image, style_image):
    from nst.config import ConfigError

    cfg = small(max_side=512, steps_per_epoch=40, time_limit=0.2)
    with pytest.raises(ConfigError, match=r"too short for 512 px on this machine") as err:
        next(stylize(content_image, [style_image], cfg, backbone))
    assert err.value.field == "time_limit"


def test_finish_now_ends_the_coarse_stage_and_delivers_full_size(backbone, content_image, style_image):
    finish = threading.Event()
    cfg = small(max_side=128, steps_per_epoch=200, scales=(0.5, 1.0))
    sizes = []
    for event in stylize(content_image, [style_image], cfg, backbone, finish=finish):
        if isinstance(event, Result):
            result = event
            break
        sizes.append(event.size)
        if event.step == 3:
            finish.set()
    full = fitted_size(*content_image.shape[:2], 128)
    assert result.status == "finished" and result.image.shape[:2] == full
    assert sizes[:3] == [fitted_size(*content_image.shape[:2], 64)] * 3 and sizes[3:] == [full] * (len(sizes) - 3)
    from nst.plan import FINISH_STEPS

    assert result.steps == 3 + FINISH_STEPS


def test_stop_in_a_coarse_stage_says_the_size(backbone, content_image, style_image):
    stop = threading.Event()
    cfg = small(max_side=128, steps_per_epoch=40, scales=(0.5, 1.0))
    for event in stylize(content_image, [style_image], cfg, backbone, stop):
        if isinstance(event, Result):
            result = event
            break
        if event.step == 2:
            stop.set()
    assert result.status == "stopped" and "coarse size" in result.message


def test_cost_model_is_measured_here_and_kept_on_disk(backbone, tmp_path, monkeypatch):
    """The probe times real steps on this machine and the second process reads them from the cache
    instead of probing again. What the probe costs is the bench's to say (README: 12-15 s on the
    AVX2 machine, which drifts by a fifth within a minute); the bound here only catches a probe
    that runs away, at a size it should not."""
    import time

    from nst import cost

    monkeypatch.setenv(cost.ENV_CACHE, str(tmp_path / "costs.json"))
    monkeypatch.setattr(cost, "_models", {})
    t0 = time.perf_counter()
    model = cost.cost_model(backbone)
    probe_s = time.perf_counter() - t0
    assert model.measured and model.probe_seconds < 40 and probe_s < 40
    # the second, shallowest objective was timed, and a shallow choice is predicted cheaper
    assert model.shallow_layer == backbone.spec.layers[0] and 0.0 <= model.acts_share <= 1.0
    shallow = model.step_seconds(100_000, model.shallow_layer, (model.shallow_layer,))
    assert 0 < shallow < model.step_seconds(100_000)
    assert model.step_per_pixel > 0 and model.step_bytes_per_pixel > 0 and model.forward_per_pixel > 0
    # a step costs more than a forward pass, and more pixels cost more
    assert model.step_seconds(100_000) > model.forward_seconds(100_000)
    assert model.step_seconds(200_000) > model.step_seconds(100_000)
    assert (tmp_path / "costs.json").is_file()
    monkeypatch.setattr(cost, "_models", {})
    monkeypatch.setattr(cost, "probe", lambda b: pytest.fail("probed again instead of reading the cache"))
    assert cost.cost_model(backbone) == model


@pytest.mark.parametrize("setting", RUNTIME_SETTINGS)
def test_a_model_measured_under_other_runtime_settings_is_not_reused(backbone, monkeypatch, setting):
    """Inter-op threads moved a bfloat16 step's peak by 40 % (README): a cached model read under one
    setting would mislead the memory guard under another."""
    from nst import cost

    monkeypatch.delenv(setting, raising=False)
    before = cost.cache_key(backbone)
    monkeypatch.setenv(setting, "1")
    assert cost.cache_key(backbone) != before
    monkeypatch.delenv(setting)
    assert cost.cache_key(backbone) == before


def test_colour_preservation_keeps_content_chroma(backbone, content_image, style_image):
    cfg = small(style_weight=3.0)
    plain = run(content_image, [style_image], cfg, backbone).image
    kept = run(content_image, [style_image], cfg.replace(preserve_colours=True), backbone).image
    from nst.images import resize

    target = rgb_to_ycbcr(resize(content_image, kept.shape[:2]))
    chroma_err_kept = np.abs(rgb_to_ycbcr(kept)[..., 1:] - target[..., 1:]).mean()
    chroma_err_plain = np.abs(rgb_to_ycbcr(plain)[..., 1:] - target[..., 1:]).mean()
    assert chroma_err_kept < 2.0 < chroma_err_plain  # in 0..255 units; 2 allows clipping and rounding
    # the luminance is the stylised one (up to gamut clipping), not the content's
    y_kept, y_plain = rgb_to_ycbcr(kept)[..., 0], rgb_to_ycbcr(plain)[..., 0]
    assert np.abs(y_kept - y_plain).mean() < 1.0 < np.abs(y_kept - target[..., 0]).mean()


def test_style_blend_one_zero_equals_single_style(backbone, content_image, style_image, second_style_image):
    cfg = small()
    single = run(content_image, [style_image], cfg, backbone).image
    blended = run(content_image, [style_image, second_style_image], cfg.replace(style_blend=(1.0, 0.0)), backbone).image
    np.testing.assert_array_equal(single, blended)
    mixed = run(content_image, [style_image, second_style_image], cfg.replace(style_blend=(0.5, 0.5)), backbone).image
    assert not np.array_equal(single, mixed)


def test_blended_targets_are_weighted_mean(backbone, style_image, second_style_image):
    obj = get_objective(backbone, "block4_conv2", backbone.spec.style_layers)
    a = obj.style_targets([style_image], [1.0], 64)
    b = obj.style_targets([second_style_image], [1.0], 64)
    mix = obj.style_targets([style_image, second_style_image], [3.0, 1.0], 64)
    for ga, gb, gm in zip(a, b, mix, strict=True):
        np.testing.assert_allclose(gm.numpy(), 0.75 * ga.numpy() + 0.25 * gb.numpy(), rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize(
    "changes,expected",
    [
        (dict(scales=(0.5, 1.0)), [False, True]),
        (dict(scales=(0.5, 1.0), fine_stage=False), [False, False]),
        (dict(scales=(1.0,)), [False]),  # no coarse stage made the large shapes: equal weights
    ],
    ids=["coarse-to-fine", "switched-off", "full-size-only"],
)
def test_fine_stage_weights_only_the_full_size_after_coarse_stages(
    backbone, content_image, style_image, monkeypatch, changes, expected
):
    import nst.transfer

    seen = []
    real = nst.transfer.relative_weights

    def spy(config, content_target, style_targets, fine=False):
        seen.append(fine)
        return real(config, content_target, style_targets, fine)

    monkeypatch.setattr(nst.transfer, "relative_weights", spy)
    result = run(content_image, [style_image], small(steps_per_epoch=4, **changes), backbone)
    assert result.status == "finished" and seen == expected


def test_a_run_reports_its_time_against_the_plans_prediction(backbone, content_image, style_image, monkeypatch):
    import nst.transfer
    from nst.transfer import plan_run

    seen = []
    monkeypatch.setattr(nst.transfer, "recalibrate", lambda model, predicted, actual: seen.append((predicted, actual)))
    cfg = small(scales=(0.5, 1.0), steps_per_epoch=6)
    cost = cost_model(backbone)
    result = run(content_image, [style_image], cfg, backbone, cost=cost)
    plan = plan_run(cfg, content_image.shape, [style_image.shape], backbone, cost)
    assert len(seen) == 1 and seen[0][0] == pytest.approx(plan.seconds(cost, 1))
    assert seen[0][1] == pytest.approx(result.elapsed, abs=0.5)


def test_coarse_to_fine_runs_each_scale(backbone, content_image, style_image):
    events = list(stylize(content_image, [style_image], small(scales=(0.5, 1.0), steps_per_epoch=10), backbone))
    sizes = [e.size for e in events if isinstance(e, Progress)]
    final = fitted_size(*content_image.shape[:2], 96)
    # 3/5 of the steps at the coarse size, 2/5 at the full size (nst.plan.split_steps)
    assert sizes[:6] == [fitted_size(*content_image.shape[:2], 48)] * 6 and sizes[6:] == [final] * 4
    assert events[-1].image.shape[:2] == final


def test_objective_traced_once_for_all_sizes(backbone, content_image, style_image):
    obj = run_objective(small(), backbone, cost_model(backbone))
    run(content_image, [style_image], small(max_side=64, steps_per_epoch=2), backbone)
    before = obj.loss_and_grad.experimental_get_tracing_count()
    run(content_image, [style_image], small(max_side=80, steps_per_epoch=2, style_weight=5.0), backbone)
    assert obj.loss_and_grad.experimental_get_tracing_count() == before == 1


def test_style_targets_are_cached(backbone, style_image):
    obj = get_objective(backbone, "block4_conv2", backbone.spec.style_layers)
    first = obj.style_grams(style_image, (40, 60))
    assert obj.style_grams(style_image.copy(), (40, 60)) is first
    assert obj.style_grams(style_image, (48, 64)) is not first


def test_non_finite_loss_stops_with_last_finite_image(backbone, content_image, style_image, monkeypatch):
    from nst.tf_runtime import tf

    obj = run_objective(small(), backbone, cost_model(backbone))  # the one the run below will use
    real = obj.loss_and_grad
    calls = {"n": 0}

    def poisoned(*args):
        calls["n"] += 1
        terms, per_layer, grad = real(*args)
        if calls["n"] == 5:
            terms = terms * float("nan")
        return terms, per_layer, grad

    monkeypatch.setattr(obj, "loss_and_grad", poisoned)
    events = list(stylize(content_image, [style_image], small(), backbone))
    result = events[-1]
    assert isinstance(result, Result) and result.status == "diverged" and not result.ok
    assert "NaN at step 5" in result.message
    assert result.steps == 5 and len([e for e in events if isinstance(e, Progress)]) == 4
    assert np.isfinite(result.image.astype(float)).all() and tf.is_tensor(
        real(
            tf.zeros([1, 32, 32, 3]),
            obj.content_target(np.zeros((32, 32, 3))),
            obj.style_targets([style_image], [1.0], 32),
            tf.ones([5]),
            *(tf.constant(1.0),) * 3,
        )[0]
    )


@pytest.mark.parametrize("init", ["content", "noise", "noisy_content"])
def test_inits(backbone, content_image, style_image, init):
    from nst.transfer import initial_image

    c = content_image[:32, :32].astype(np.float32)
    x = initial_image(c, small(init=init, seed=1))
    if init == "content":
        np.testing.assert_array_equal(x, c)
    else:
        assert x.shape == c.shape and x.min() >= 0 and x.max() <= 255
        assert not np.array_equal(x, c)


def test_bfloat16_runs_on_every_cpu(vgg_weights, content_image, style_image):
    """bfloat16 is native on some CPUs and emulated on others (slowly, so tiny here): either way a
    run's losses fall and the picture comes back as uint8 at the size asked for."""
    from nst.backbones import load_backbone
    from nst.cost import static_bound

    bf16 = load_backbone("vgg19", weights=str(vgg_weights), precision="bfloat16")
    assert bf16.precision == "bfloat16"
    cfg = small(max_side=48, steps_per_epoch=6, precision="bfloat16")
    result = run(
        content_image, [style_image], cfg, bf16, cost=static_bound(bf16)
    )  # no probe: it is slow where emulated
    totals = [h["total"] for h in result.history]
    assert result.status == "finished" and totals[-1] < totals[0]
    assert result.image.dtype == np.uint8 and result.image.shape == (*fitted_size(*content_image.shape[:2], 48), 3)


def test_a_run_that_overshoots_says_so(backbone, content_image, style_image):
    """Issue 12.6: SGD at a learning rate inside the allowed range but far too large paints noise and
    used to end with a plain "Finished"; now the result carries a warning with the likely cause."""
    cfg = small(max_side=64, optimizer="sgd", learning_rate=5000.0, steps_per_epoch=6)
    result = run(content_image, [style_image], cfg, backbone)
    assert result.status == "finished" and result.history[-1]["total"] > 2 * result.history[0]["total"]
    assert (
        result.warning
        and "lower the Learning rate" in result.warning
        and "default for this optimiser is 30" in (result.warning)
    )
    good = run(content_image, [style_image], small(max_side=64, steps_per_epoch=6), backbone)
    assert good.warning is None


def test_the_probe_fits_the_times_at_the_sizes_it_timed(backbone, monkeypatch):
    """Steps timed as exactly 10 ms + 1 µs per pixel of the image they ran on: the probe must find
    that line, on the real network and whatever size it chooses (it once timed a step at 1.3× its
    larger side and divided by that side's pixels, which read 1.7× too slow where the side is 320)."""
    from nst import cost, objective

    ran: list[int] = []
    real = objective.get_objective

    class Counted:
        def __init__(self, inner):
            self.inner = inner

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def loss_and_grad(self, x, *args):
            ran.append(int(x.shape[1]) * int(x.shape[2]))
            return self.inner.loss_and_grad(x, *args)

    def timed(fn, repeats):
        fn()
        return 0.010 + 1e-6 * ran[-1]

    monkeypatch.setattr(objective, "get_objective", lambda *a, **k: Counted(real(*a, **k)))
    monkeypatch.setattr(cost, "_timed", timed)
    model = cost.probe(backbone)
    assert model.step_per_pixel == pytest.approx(1e-6)
    assert model.step_fixed == pytest.approx(0.010)
    assert model.shallow_step_fixed == pytest.approx(0.010)  # the same line for the shallow objective
    assert model.stage_seconds == pytest.approx(0.0)  # a first step here took no longer than the others


def test_the_warm_up_traces_what_a_run_will_use(backbone_fp32, monkeypatch):
    """The warm-up must trace the objective with the input gradient this machine's cost model chose
    and reach the L-BFGS two-loop recursion (a curvature pair), or the first run traces them: a
    Studio's first Quick run took 4.4-4.7 s against 2.8-2.9 s for the next, 3.1-4.4 s after this."""
    from dataclasses import replace

    from nst import optimizers, transfer
    from nst.conv_net import FLIPPED

    made: list[optimizers.LBFGS] = []

    def recorded(config):
        made.append(optimizers.make_optimizer(config))
        return made[-1]

    monkeypatch.setattr(transfer, "make_optimizer", recorded)
    cost = replace(cost_model(backbone_fp32), input_gradient=FLIPPED)
    spec = backbone_fp32.spec
    transfer._warm(backbone_fp32, cost)
    assert ("objective", spec.content_layer, tuple(spec.style_layers), FLIPPED) in backbone_fp32._memo
    assert len(made) == 1 and isinstance(made[0], optimizers.LBFGS) and made[0].s  # a pair: the direction ran
