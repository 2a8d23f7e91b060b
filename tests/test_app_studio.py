"""The Studio page under Streamlit's AppTest: real widgets, real runs on the real weights."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from nst.knobs import LABELS
from tests.conftest import ROOT


def studio(vgg_weights) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def tiny_run_settings(at: AppTest, steps: int = 4) -> None:
    at.slider(key="cfg.max_side").set_value(64)
    at.number_input(key="cfg.steps_per_epoch").set_value(steps)
    at.number_input(key="cfg.epochs").set_value(1)


def run_and_wait(at: AppTest, timeout: float = 120) -> None:
    at.button(key="run").click().run()
    job = at.session_state["job"]
    assert job is not None and job.wait(timeout), "the run did not finish"
    at.run()


def tiny_run(at: AppTest, steps: int = 4) -> None:
    """A finished run at 64 px: the setup most page tests need."""
    tiny_run_settings(at, steps=steps)
    at.run()
    run_and_wait(at)


def png(size=(80, 60), colour=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def test_studio_loads_with_gallery_and_model(vgg_weights):
    at = studio(vgg_weights)
    assert at.title[0].value == "Studio"
    content = at.pills(key="pick_content")
    styles = at.pills(key="pick_style")
    assert len(content.options) >= 3 and len(styles.options) >= 3
    assert content.value == content.options[0] and styles.value == [styles.options[0]]
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "VGG19" in sidebar and "CPU" in sidebar and "Weights" in sidebar
    assert not at.error
    assert at.button(key="run").disabled is False and at.button(key="stop").disabled is True


def test_gallery_run_produces_result_chart_and_downloads(vgg_weights):
    at = studio(vgg_weights)
    at.pills(key="pick_content").set_value(at.pills(key="pick_content").options[1])
    at.pills(key="pick_style").set_value([at.pills(key="pick_style").options[2]])
    at.run()
    tiny_run_settings(at)
    at.run()
    run_and_wait(at)
    assert not at.exception, at.exception
    job = at.session_state["job"]
    assert job.view().status == "finished"
    captions = [c for img in at.image for c in img.captions]
    assert any(c.startswith("Result") for c in captions), captions
    charts = at.get("plotly_chart")
    assert len(charts) >= 1
    labels = [b.label for b in at.download_button]
    assert {"Result PNG", "Animation GIF", "Settings JSON"} <= set(labels)
    history = at.session_state["history"]
    assert len(history) == 1 and history[0].image.shape[2] == 3 and max(history[0].image.shape[:2]) == 64


def test_invalid_settings_show_error_not_exception(vgg_weights):
    at = studio(vgg_weights)
    at.number_input(key="cfg.style_weight").set_value(0.0)
    at.number_input(key="cfg.content_weight").set_value(0.0)
    at.run()
    assert not at.exception
    assert any("cannot both be 0" in e.value for e in at.error), [e.value for e in at.error]
    assert at.button(key="run").disabled


def test_upload_content_and_style(vgg_weights):
    at = studio(vgg_weights)
    at.file_uploader(key="upload_content").set_value(("my photo.png", png(), "image/png"))
    at.run()
    assert at.pills(key="pick_content").value == "my photo"
    assert at.session_state["content"].origin == "upload"
    at.file_uploader(key="upload_style").set_value(
        [("a.png", png(colour=(0, 0, 200)), "image/png"), ("b.png", png(colour=(0, 200, 0)), "image/png")]
    )
    at.run()
    picked = at.pills(key="pick_style").value
    assert "a" in picked and "b" in picked
    assert not at.exception


def test_bad_upload_keeps_what_user_had(vgg_weights):
    at = studio(vgg_weights)
    before = at.session_state["content"]
    at.file_uploader(key="upload_content").set_value(("notes.jpg", b"not an image at all", "image/jpeg"))
    at.run()
    assert not at.exception
    assert any("not an image we can read" in e.value for e in at.error)
    assert at.session_state["content"] is not None and at.session_state["content"].name == before.name


def test_second_run_is_refused_while_one_is_going(vgg_weights):
    at = studio(vgg_weights)
    tiny_run_settings(at, steps=400)
    at.run()
    at.button(key="run").click().run()
    job = at.session_state["job"]
    try:
        assert at.button(key="run").disabled and not at.button(key="stop").disabled
    finally:
        at.button(key="stop").click().run()
    assert job.wait(60)
    at.run()
    assert job.view().status == "stopped"
    assert at.session_state["job"] is job
    assert any("Stopped after" in w.value for w in at.warning)


@pytest.mark.parametrize("preset,size", [("Quick", 256), ("High quality", 512)])
def test_presets_write_the_widgets(vgg_weights, preset, size):
    at = studio(vgg_weights)
    at.segmented_control(key="preset").set_value(preset).run()
    assert at.slider(key="cfg.max_side").value == size


def test_preset_highlight_follows_the_settings(vgg_weights):
    at = studio(vgg_weights)
    assert at.segmented_control(key="preset").value == "Balanced"
    at.slider(key="cfg.max_side").set_value(320).run()
    assert at.segmented_control(key="preset").value is None  # custom: no preset is highlighted
    at.segmented_control(key="preset").set_value("Quick").run()
    assert at.segmented_control(key="preset").value == "Quick"
    assert at.slider(key="cfg.max_side").value == 256
    at.segmented_control(key="preset").set_value(None).run()  # clicking it again changes nothing
    assert at.segmented_control(key="preset").value == "Quick"


def test_blend_weights_belong_to_each_painting(vgg_weights):
    at = studio(vgg_weights)
    names = at.pills(key="pick_style").options[:3]
    at.pills(key="pick_style").set_value(list(names)).run()
    assert [s.label for s in at.slider if s.key and s.key.startswith("cfg.blend.")] == list(names)
    at.slider(key=f"cfg.blend.{names[0]}").set_value(0.0).run()
    at.slider(key=f"cfg.blend.{names[2]}").set_value(0.4).run()
    at.pills(key="pick_style").set_value([names[1], names[2]]).run()  # the zero-weighted painting goes
    assert at.slider(key=f"cfg.blend.{names[1]}").value == 1.0
    assert at.slider(key=f"cfg.blend.{names[2]}").value == 0.4
    assert "2 styles blended" in " ".join(c.value for c in at.caption)
    assert not at.exception


def test_a_fifth_painting_is_refused_with_a_sentence(vgg_weights):
    at = studio(vgg_weights)
    options = at.pills(key="pick_style").options
    assert len(options) >= 5
    at.pills(key="pick_style").set_value(list(options[:5])).run()
    assert at.pills(key="pick_style").value == list(options[:4])
    assert any("At most 4 paintings" in e.value and options[4] in e.value for e in at.error)


def test_settings_errors_use_the_panel_words(vgg_weights):
    at = studio(vgg_weights)
    at.number_input(key="cfg.steps_per_epoch").set_value(1).run()
    errors = " ".join(e.value for e in at.error)
    assert "2 stages" in errors and "Steps per epoch" in errors and "steps_per_epoch" not in errors
    assert at.button(key="run").disabled


def test_history_use_settings_brings_back_pictures_and_settings(vgg_weights):
    at = studio(vgg_weights)
    first_content = at.pills(key="pick_content").options[1]
    at.pills(key="pick_content").set_value(first_content).run()
    tiny_run(at, steps=3)
    at.pills(key="pick_content").set_value(at.pills(key="pick_content").options[0]).run()
    at.slider(key="cfg.max_side").set_value(128).run()
    use = [b for b in at.button if b.key and b.key.startswith("hist_use_")]
    assert use, [b.key for b in at.button]
    use[0].click().run()
    assert at.pills(key="pick_content").value == first_content
    assert at.slider(key="cfg.max_side").value == 64
    assert not at.exception


def test_compare_tab_names_what_differs(vgg_weights):
    at = studio(vgg_weights)
    tiny_run(at, steps=2)
    at.slider(key="cfg.max_side").set_value(80).run()
    at.toggle(key="cfg.preserve_colours").set_value(True).run()
    run_and_wait(at)
    assert len(at.session_state["history"]) == 2
    table = at.dataframe[0].value
    rows = {r["setting"]: (r["left"], r["right"]) for r in table.to_dict("records")}
    assert rows[LABELS["max_side"]] == ("64", "80") and rows[LABELS["preserve_colours"]] == ("no", "yes"), rows
    assert not at.exception


def test_presets_say_how_long_they_take_here(vgg_weights):
    """Each preset's time on this machine (from its measured costs) is on screen before Run, and
    the summary line says the plan and its time."""
    import re

    at = studio(vgg_weights)
    captions = " ".join(c.value for c in at.caption)
    here = re.search(
        r"Here: Quick about (\d+) s · Balanced about (\d+) s · High quality about (\d+ (?:s|min))", captions
    )
    assert here, captions
    quick, balanced = int(here[1]), int(here[2])
    assert 0 < quick < balanced
    assert re.search(r"→ \d+ px · \d+ \+ \d+ steps · L-BFGS · α/β 1 · about \d+ s here", captions), captions


def test_a_budget_too_short_disables_run_and_names_the_size_that_fits(vgg_weights, monkeypatch):
    """On a CPU as slow as the AVX2 machine in float32 (10 µs a pixel), which the test sets: with
    native bfloat16, 8 steps at 1024 px fit in 15 s."""
    import re
    from dataclasses import replace

    from nst import cost

    at = studio(vgg_weights)
    for key, model in list(cost._models.items()):
        monkeypatch.setitem(cost._models, key, replace(model, step_fixed=0.05, step_per_pixel=1e-5, stage_seconds=0.1))
    at.slider(key="cfg.max_side").set_value(1024)
    at.run()
    at.segmented_control(key="cfg.time_limit").set_value(15.0)
    at.run()
    errors = " ".join(e.value for e in at.error)
    assert re.search(r"15 s is too short for 1024 px on this machine.*the largest size that fits is \d+ px", errors), (
        errors
    )
    assert at.button(key="run").disabled
    # a budget that fits: Run is enabled and the summary says "within 60 s"
    at.slider(key="cfg.max_side").set_value(256)
    at.segmented_control(key="cfg.time_limit").set_value(60.0)
    at.run()
    assert not at.error and not at.button(key="run").disabled
    assert any("(within 60 s)" in c.value for c in at.caption)
    # a preset keeps the budget (it is a quality level, the budget is separate)
    at.segmented_control(key="preset").set_value("Quick")
    at.run()
    assert at.segmented_control(key="cfg.time_limit").value == 60.0 and at.session_state["cfg.max_side"] == 256


def test_compare_defaults_to_the_two_newest_runs_labelled_by_what_differs(vgg_weights):
    """Issue 10.3: after a third run the compare tab shows #2 and #3 (not #1 and #2), each labelled
    with its pictures and the settings people read (optimiser as a name, steps, size)."""
    at = studio(vgg_weights)
    tiny_run_settings(at, steps=2)
    at.run()
    for side in (64, 80, 96):
        at.slider(key="cfg.max_side").set_value(side).run()
        run_and_wait(at)
    left, right = at.selectbox(key="cmp_left"), at.selectbox(key="cmp_right")
    assert left.value.startswith("#2 · ") and right.value.startswith("#3 · "), (left.value, right.value)
    assert "L-BFGS, 2 steps, 96 px" in right.value and "lbfgs" not in right.value, right.value
    assert not at.exception


@pytest.mark.parametrize(
    ("optimizer", "init", "labels"),
    [
        ("lbfgs", "content", ["Epochs", "Steps per epoch", "L-BFGS memory (pairs)", "Learning rate"]),
        ("adam", "noisy_content", ["β₁", "β₂", "ε"]),
    ],
)
def test_jargon_has_help(vgg_weights, optimizer, init, labels):
    """Each technical knob says what it means (issue 10.8): Epochs, L-BFGS memory, β₁/β₂/ε, Noise share."""
    at = studio(vgg_weights)
    at.selectbox(key="cfg.optimizer").set_value(optimizer)
    at.segmented_control(key="cfg.init").set_value(init)
    at.run()
    helps = {w.label: w.help for w in at.number_input}
    for label in labels:
        assert helps.get(label), f"{label} has no help"
    if init == "noisy_content":
        assert at.slider(key="cfg.noise_ratio").help
