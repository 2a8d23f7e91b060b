"""The "Inside the network" pages under AppTest, after a tiny Studio run."""

from __future__ import annotations

import re
import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_app_studio import run_and_wait, tiny_run, tiny_run_settings

PAGES = ["pages/feature_maps.py", "pages/gram_matrices.py", "pages/reconstructions.py", "pages/theory.py"]


@pytest.fixture(scope="module")
def after_run(vgg_weights) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    tiny_run(at, steps=4)
    assert at.session_state["job"].view().status == "finished"
    return at


def visit(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_without_pictures(vgg_weights, page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value


def test_feature_maps_follow_the_layer(after_run):
    at = visit(after_run, "pages/feature_maps.py")
    roles = at.segmented_control(key="fm_role").options
    assert {"Content", "Style", "Result"} <= set(roles)
    captions = " ".join(c.value for c in at.caption)
    assert "block3_conv1" in captions and "256 channels" in captions and "24×24 px" in captions
    n_images = len(at.image)
    assert n_images >= 1 + 2 + 3 + 16  # grid, channel + overlay, comparison row, all-layers strip
    at.select_slider(key="fm_layer").set_value("block5_conv1").run()
    captions = " ".join(c.value for c in at.caption)
    assert "block5_conv1" in captions and "512 channels" in captions and "156×156 px" in captions
    at.segmented_control(key="fm_role").set_value("Result").run()
    at.segmented_control(key="fm_order").set_value("difference").run()
    assert not at.exception
    assert any("most changed vs content" in i.captions[0] for i in at.image if i.captions)


def test_gram_page_shows_heatmaps_and_losses(after_run):
    at = visit(after_run, "pages/gram_matrices.py")
    charts = at.get("plotly_chart")
    assert len(charts) >= 3  # heatmaps, per-layer bars, per-layer curve of the run
    caption = " ".join(c.value for c in at.caption)
    assert "block1_conv1" in caption and "64 of 64 channels" in caption
    table = at.dataframe[0].value
    assert list(table["layer"]) == ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"]
    assert (table["result"] > 0).all() and (table["photo"] > 0).all()
    assert {"closer by", "share of style loss"} <= set(table.columns)
    at.segmented_control(key="gm_layer").set_value("block4_conv1").run()
    caption = " ".join(c.value for c in at.caption)
    assert "block4_conv1" in caption and "64 of 512 channels" in caption


def test_reconstructions_compute_and_cache(after_run):
    """Issue 10.5: each layer says its time before it starts, one layer can be computed alone,
    the progress names the picture and the time left, and what is done is kept."""
    at = visit(after_run, "pages/reconstructions.py")
    at.select_slider(key="rc_side_content").set_value(128).run()
    button = at.button(key="rc_go_content")
    assert re.search(r"Reconstruct all 5 · about \d+ s", button.label), button.label
    one = [b for b in at.button if b.key and b.key.startswith("rc_one_content")]
    assert len(one) == 5 and all(re.search(r"Compute · about \d+ s", b.label) for b in one)
    one[-1].click().run()  # the deepest layer alone
    job = at.session_state["recon_job"]
    assert len(job.runs) == 1 and job.runs[0].layers == ("block5_conv2",)
    for _ in range(20):  # it may wait a moment in the queue before it starts
        text = " ".join(p.proto.text for p in at.get("progress"))
        if "picture 1 of 1" in text or job.done:
            break
        time.sleep(0.2)
        at.run()
    assert "block5_conv2 (picture 1 of 1)" in text and "left" in text, text
    assert job.wait(240) and job.view().status == "finished"
    at.run()
    assert "Reconstruct all 4" in at.button(key="rc_go_content").label
    at.button(key="rc_go_content").click().run()
    job = at.session_state["recon_job"]
    assert len(job.runs) == 4
    assert job.wait(240) and job.view().status == "finished"
    at.run()
    assert not at.exception
    captions = [c for img in at.image for c in img.captions]
    for layer in ["block1_conv2", "block2_conv2", "block3_conv2", "block4_conv2", "block5_conv2"]:
        assert layer in captions
    assert at.button(key="rc_go_content").label == "All computed"


def test_theory_computes_the_worked_examples(after_run):
    at = visit(after_run, "pages/theory.py")
    assert len(at.latex) >= 3
    assert any(r"\mathbf{3}" in x.value for x in at.latex)
    assert any("shuffled" in c for i in at.image for c in i.captions)


def test_a_result_is_shown_with_the_pictures_it_was_made_from(vgg_weights):
    """Issue 10.1: run one pair, then pick another pair without running. The Gram and feature-map
    pages compare the result with the painting it was made from, and offer the pictures now
    picked as the other choice (without a result, which they did not make)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    tiny_run_settings(at, steps=2)
    at.run()
    ran_content, ran_style = at.pills(key="pick_content").value, at.pills(key="pick_style").value[0]
    run_and_wait(at)
    other_content = next(o for o in at.pills(key="pick_content").options if o != ran_content)
    other_style = next(o for o in at.pills(key="pick_style").options if o != ran_style)
    at.pills(key="pick_content").set_value(other_content).run()
    at.pills(key="pick_style").set_value([other_style]).run()

    at = visit(at, "pages/gram_matrices.py")
    source = at.segmented_control(key="insp_pictures")
    assert source.value == "the last run's pictures"
    titles = str(at.get("plotly_chart")[0].proto.spec)
    assert f"painting ({ran_style})" in titles and other_style not in titles
    captions = " ".join(c.value for c in at.caption)
    assert "made from" in captions and ran_content in captions and ran_style in captions

    source.set_value("the pictures now picked").run()
    titles = str(at.get("plotly_chart")[0].proto.spec)
    assert f"painting ({other_style})" in titles and "result" not in titles
    at = visit(at, "pages/feature_maps.py")
    assert "Result" not in at.segmented_control(key="fm_role").options
    at.segmented_control(key="insp_pictures").set_value("the last run's pictures").run()
    assert "Result" in at.segmented_control(key="fm_role").options
    assert not at.exception


def test_presentation_view_runs_the_pair_of_its_address(vgg_weights):
    """Issue 12: `?present=1&content=…&style=…&preset=…` opens the presentation view on that pair and
    preset; Run there is the Studio's run (same slot, same history), and choices go back into the URL."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params.update({"present": "1", "content": "lighthouse", "style": "waves", "preset": "quick"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="present_content").value == "Lighthouse"
    assert at.selectbox(key="present_style").value == "Waves"
    assert at.segmented_control(key="present_preset").value == "Quick"
    assert not at.expander  # no settings on the stage
    at.selectbox(key="present_style").set_value("Swirls").run()
    assert at.query_params["style"] in ("swirls", ["swirls"])
    at.button(key="present_run").click().run()
    job = at.session_state["job"]
    assert job is not None and job.wait(180) and job.view().status == "finished"
    assert job.runs[0].task.config.max_side == 256  # the Quick preset (the run, recorded)
    at.run()
    assert not at.exception
    history = at.session_state["history"]
    assert len(history) == 1 and history[0].content.name == "Lighthouse" and history[0].styles[0].name == "Swirls"
    assert any("30 / 30" in str(m.value) for m in at.metric)
