"""nst.plan and nst.cost: the stage plan, the time-budget planner and the cost model's arithmetic.

A made-up CostModel with round numbers keeps every expected value computable by hand; the
model's measurement on the real network is tested in test_engine.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from nst.config import ConfigError, StyleConfig
from nst.cost import CostModel, activation_share, stage_bytes_per_pixel
from nst.plan import (
    FINISH_STEPS,
    MIN_FINAL_STEPS,
    Plan,
    Stage,
    fine_stage_factor,
    largest_side_within,
    make_plan,
    split_steps,
    stage_sizes,
)

LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")


def toy_cost(**changes) -> CostModel:
    """A step costs 0.1 s + 1 µs per pixel; a forward pass 0.05 s + 0.25 µs per pixel; 1000 B/px."""
    base = dict(
        step_fixed=0.1,
        step_per_pixel=1e-6,
        forward_fixed=0.05,
        forward_per_pixel=0.25e-6,
        step_bytes_per_pixel=1000.0,
        forward_bytes_per_pixel=250.0,
        fixed_bytes=0.0,
        content_layer="block4_conv2",
        style_layers=LAYERS,
        macs={"block1_conv1": 1.0, "block3_conv1": 2.0, "block4_conv2": 3.0, "block5_conv1": 4.0},
        acts={"block1_conv1": 1.0, "block3_conv1": 2.0, "block4_conv2": 3.0, "block5_conv1": 4.0},
    )
    return CostModel(**{**base, **changes})


def test_split_steps_gives_the_coarse_stages_three_fifths():
    assert split_steps(50, 2) == [30, 20]
    assert split_steps(40, 2) == [24, 16]
    assert split_steps(10, 3) == [3, 3, 4]  # 2/5 of 10 at full size, the other 6 shared
    assert split_steps(7, 3) == [2, 2, 3]
    assert split_steps(2, 2) == [1, 1]
    assert split_steps(1, 1) == [1]
    assert split_steps(1, 2) == [1, 1]  # every stage runs at least once


def test_fine_stage_factors_by_vgg_block():
    assert [fine_stage_factor(f"block{b}_conv1") for b in range(1, 6)] == [4.0, 4.0, 2.0, 0.7, 0.7]
    assert fine_stage_factor("block4_conv2") == 0.7
    assert fine_stage_factor("conv_7") == 1.0  # not VGG's naming: unchanged


def test_stage_sizes_follow_the_content_and_drop_what_is_too_small():
    cfg = StyleConfig(max_side=128, scales=(0.25, 0.5, 1.0))
    assert stage_sizes(cfg, (96, 128, 3), 32) == [(48, 64), (96, 128)]  # 24×32 is below 32 px
    with pytest.raises(ConfigError, match="short side needs at least") as err:
        stage_sizes(cfg, (3000, 16, 3), 32)
    assert err.value.field == "max_side"


def test_plan_stages_marks_and_describe():
    plan = make_plan(StyleConfig(max_side=128, steps_per_epoch=30, scales=(0.5, 1.0)), (96, 128, 3), 32)
    assert [(s.size, s.steps, s.style_side) for s in plan.stages] == [((48, 64), 18, 64), ((96, 128), 12, 128)]
    assert plan.total_steps == 30 and plan.stage_starts() == [1, 19]
    assert plan.marks() == ((19, "upsampled to 128 px"),)
    assert plan.describe() == "64 → 128 px · 18 + 12 steps"


def test_predicted_seconds_by_hand():
    cost = toy_cost()
    plan = Plan((Stage((100, 100), 10, 100), Stage((200, 200), 5, 200)), "block4_conv2", LAYERS)
    # steps: 10 × (0.1 + 0.01) + 5 × (0.1 + 0.04) = 1.1 + 0.7
    assert plan.step_seconds(cost)[:1] == [pytest.approx(0.11)]
    assert sum(plan.step_seconds(cost)) == pytest.approx(1.8)
    # targets: per stage a content and a painting forward pass (square paintings at style_side)
    # (0.05 + 0.0025) × 2 + (0.05 + 0.01) × 2 = 0.105 + 0.12
    assert plan.setup_seconds(cost) == pytest.approx(0.225)
    assert plan.seconds(cost) == pytest.approx(2.025)
    # and the first step at each stage's size, once per stage: + 2 × 0.3
    assert plan.seconds(toy_cost(stage_seconds=0.3)) == pytest.approx(2.625)


def test_other_layers_scale_by_the_networks_multiply_adds():
    cost = toy_cost()
    assert cost.step_seconds(10_000) == pytest.approx(0.11)
    # up to block3_conv1 instead of block5_conv1: half the multiply-adds per pixel
    assert cost.step_seconds(10_000, "block3_conv1", LAYERS[:3]) == pytest.approx(0.1 + 0.01 * 2 / 4)
    assert cost.step_bytes(10_000, "block3_conv1", LAYERS[:3]) == pytest.approx(10_000 * 1000 * 2 / 4)


def test_shallow_choices_weigh_activations_and_a_fixed_part_of_their_own():
    """The probe's second, shallowest objective splits the per-pixel time: with half of it
    following activations, block1_conv1 (macs 1/4 of the reference's, activations 2/4) weighs
    0.375 and block3_conv1 (2/4, 3/4) 0.625; the fixed part runs on the line from the shallow
    objective's 0.02 s (at 0.375) to the reference's 0.1 s (at 1)."""
    acts = {"block1_conv1": 2.0, "block3_conv1": 3.0, "block4_conv2": 3.5, "block5_conv1": 4.0}
    cost = toy_cost(acts=acts, acts_share=0.5, shallow_layer="block1_conv1", shallow_step_fixed=0.02)
    assert cost.step_seconds(10_000) == pytest.approx(0.11)  # the reference itself
    assert cost.step_seconds(10_000, "block4_conv2", LAYERS) == pytest.approx(0.11)
    assert cost.step_seconds(10_000, "block1_conv1", LAYERS[:1]) == pytest.approx(0.02 + 0.01 * 0.375)
    fixed = 0.02 + (0.1 - 0.02) * (0.625 - 0.375) / (1 - 0.375)
    assert cost.step_seconds(10_000, "block3_conv1", LAYERS[:3]) == pytest.approx(fixed + 0.01 * 0.625)
    # memory still scales by activations alone
    assert cost.step_bytes(10_000, "block3_conv1", LAYERS[:3]) == pytest.approx(10_000 * 1000 * 3 / 4)
    # a model cached before the second objective was timed: multiply-adds and the reference's fixed part
    before = CostModel.from_json(
        {k: v for k, v in cost.to_json().items() if k not in ("acts_share", "shallow_layer", "shallow_step_fixed")}
    )
    assert before.step_seconds(10_000, "block3_conv1", LAYERS[:3]) == pytest.approx(0.1 + 0.01 * 2 / 4)


def test_activation_share_solves_the_mix_and_stays_a_share():
    assert activation_share(0.375, 0.25, 0.5) == pytest.approx(0.5)
    assert activation_share(0.3, 0.1, 0.5) == pytest.approx(0.5)
    assert activation_share(0.1, 0.25, 0.5) == 0.0  # cheaper than its multiply-adds: all of them
    assert activation_share(0.9, 0.25, 0.5) == 1.0
    assert activation_share(0.9, 0.5, 0.5) == 0.0  # the tables cannot tell the two apart


def test_budget_cuts_coarse_stages_first_and_keeps_the_size():
    cost = toy_cost()
    cfg = StyleConfig(max_side=400, steps_per_epoch=100, scales=(0.5, 1.0))
    shape = (300, 400, 3)
    free = make_plan(cfg, shape, 32, cost)
    assert [s.steps for s in free.stages] == [60, 40] and free.seconds(cost) > 15
    fitted = make_plan(cfg.replace(time_limit=12.0), shape, 32, cost)
    assert fitted.seconds(cost) <= 12.0
    assert fitted.final == free.final  # the full size keeps all its steps
    assert 0 < fitted.stages[0].steps < 60
    # tighter: no coarse stage left, the full size gives way down to its minimum
    tight = make_plan(cfg.replace(time_limit=3.0), shape, 32, cost)
    assert len(tight.stages) == 1 and tight.final.size == (300, 400)
    assert MIN_FINAL_STEPS <= tight.final.steps < 40 and tight.seconds(cost) <= 3.0


def test_budget_too_small_says_which_size_fits():
    cost = toy_cost()
    cfg = StyleConfig(max_side=400, steps_per_epoch=90, scales=(0.5, 1.0), time_limit=1.5)
    with pytest.raises(ConfigError) as err:
        make_plan(cfg, (300, 400, 3), 32, cost)
    side = largest_side_within(cfg, (300, 400, 3), 32, cost, 1.5)
    assert side is not None and side < 400 and side % 16 == 0
    assert err.value.field == "time_limit"
    assert str(err.value).startswith("1.5 s is too short for 400 px on this machine")
    assert f"the largest size that fits is {side} px" in str(err.value)
    # and that size does fit
    make_plan(cfg.replace(max_side=side), (300, 400, 3), 32, cost)


def test_cut_short_keeps_what_ran_and_finishes_at_full_size():
    plan = Plan((Stage((25, 25), 40, 25), Stage((50, 50), 20, 50), Stage((100, 100), 12, 100)), "block4_conv2", LAYERS)
    now = plan.cut_short(0, 7, FINISH_STEPS)
    assert [(s.side, s.steps) for s in now.stages] == [(25, 7), (100, FINISH_STEPS)]
    late = plan.cut_short(1, 3)
    assert [(s.side, s.steps) for s in late.stages] == [(25, 40), (50, 3), (100, 12)]
    assert plan.cut_short(2, 5) is plan  # already at full size


def test_cost_model_round_trips_through_json():
    cost = toy_cost(probe_seconds=2.5, key="abc", step_bytes_readings=((100.0, 5e4), (400.0, 2e5)))
    assert CostModel.from_json(cost.to_json()) == cost
    assert CostModel.from_json({k: v for k, v in cost.to_json().items() if k != "step_bytes_readings"}) == toy_cost(
        probe_seconds=2.5, key="abc"
    )  # a model cached before the readings were kept


def test_stage_memory_is_read_between_the_probes_readings_and_on_the_line_beyond():
    # Readings whose need per pixel seems to grow (500 B/px at 100 px, 750 at 400: the pool's memory
    # reused by all alike), and at 900 px a reading below the one before (the pool's noise) that
    # counts as 3e5. Beyond them: the model's line (1000 B/px), or its parallel through the last
    # reading where that is higher.
    readings = ((100.0, 5e4), (400.0, 3e5), (900.0, 2e5))
    cost = toy_cost(step_bytes_per_pixel=1000.0, fixed_bytes=0.0, step_bytes_readings=readings)
    assert cost.step_bytes(100) == 5e4
    assert cost.step_bytes(250) == pytest.approx(5e4 + 150 * (3e5 - 5e4) / 300)  # 175 000, not 250 000
    assert cost.step_bytes(400) == 3e5
    assert cost.step_bytes(650) == 3e5  # the noisy reading does not make the need fall
    assert cost.step_bytes(20) == 5e4  # below the smallest reading, the smallest reading
    assert cost.step_bytes(1000) == 1e6  # beyond the readings: the line
    high = toy_cost(step_bytes_per_pixel=100.0, fixed_bytes=0.0, step_bytes_readings=readings)
    assert high.step_bytes(1000) == 3e5 + 100 * 100  # the parallel through the last reading is higher
    # another objective scales the per-pixel part by its activations (block3 against block5: half)
    assert cost.step_bytes(250, "block1_conv1", ("block3_conv1",)) == pytest.approx(175_000 / 2)
    assert toy_cost().step_bytes(250) == 250_000  # no readings: the line alone


def test_a_stage_needs_the_steeper_of_the_rss_and_the_allocators_slopes():
    # native bfloat16, one probe: RSS 700, 1010, 1220 B/px read at the stages (the pool's memory
    # reused), 1225 B/px at most from the small step; the allocator counted 1550 B/px more a pixel
    readings = ((4096.0, 4.6e6), (100489.0, 70.9e6), (132496.0, 134.1e6), (169744.0, 207.6e6))
    rss = max((m - 4.6e6) / (px - 4096) for px, m in readings[1:])
    assert stage_bytes_per_pixel(readings) == pytest.approx(rss) == pytest.approx(1225.5, abs=0.1)
    live = ((100489.0, 160e6), (132496.0, 209.6e6), (169744.0, 267.4e6))
    assert stage_bytes_per_pixel(readings, live) == pytest.approx((267.4e6 - 160e6) / (169744 - 100489))
    # where the allocator says less (or nothing), the RSS slope
    assert stage_bytes_per_pixel(readings, ((100489.0, 1e8), (169744.0, 1.5e8))) == pytest.approx(rss)
    assert stage_bytes_per_pixel(readings, ((100489.0, 1e8),)) == pytest.approx(rss)


def test_a_run_far_from_its_prediction_recalibrates_the_model(tmp_path, monkeypatch):
    import json

    from nst import cost as cost_module

    monkeypatch.setenv("NST_COST_CACHE", str(tmp_path / "costs.json"))
    monkeypatch.setattr(cost_module, "_models", {})
    model = toy_cost(key="toy")
    # within ×1.2 of the prediction, or too short to say: unchanged
    assert cost_module.recalibrate(model, 20.0, 23.0) is model
    assert cost_module.recalibrate(model, 20.0, 17.0) is model
    assert cost_module.recalibrate(model, 4.0, 16.0) is model
    assert cost_module.recalibrate(toy_cost(key="toy", measured=False), 20.0, 80.0).step_per_pixel == 1e-6
    # 4× slower than predicted (a probe taken on an idle machine, runs on a busy one): times ×√4
    slower = cost_module.recalibrate(model, 20.0, 80.0)
    assert slower.step_per_pixel == pytest.approx(2e-6) and slower.step_fixed == pytest.approx(0.2)
    assert slower.forward_per_pixel == pytest.approx(0.5e-6) and slower.forward_fixed == pytest.approx(0.1)
    assert slower.step_bytes_per_pixel == model.step_bytes_per_pixel  # memory is not a matter of pace
    assert cost_module._models["toy"] is slower
    assert json.loads((tmp_path / "costs.json").read_text())["toy"]["step_per_pixel"] == pytest.approx(2e-6)
    # at most ×2 or ×½ a run
    assert cost_module.recalibrate(model, 20.0, 2.0).step_per_pixel == pytest.approx(0.5e-6)
    # the shallow objective's fixed part keeps pace with the reference's
    shallow = cost_module.recalibrate(replace(model, shallow_layer="block1_conv1", shallow_step_fixed=0.03), 20.0, 80.0)
    assert shallow.shallow_step_fixed == pytest.approx(0.06)
