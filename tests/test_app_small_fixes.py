"""Issue 10, point 8 ("smaller things seen"), under AppTest: what a visitor reads and can keep."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
from streamlit.testing.v1 import AppTest

from nst.jobs import Job, JobKind
from tests.conftest import ROOT
from tests.test_app_studio import png, tiny_run, tiny_run_settings
from ui import charts, resources, sidebar

SIDEBAR_QUEUE = "Server:"


class _Held:
    """A task that computes nothing and ends when the test lets it go: a run another visitor has going."""

    total_steps = 1

    def __init__(self) -> None:
        self.release = threading.Event()

    def events(self, backbone, stop: threading.Event, finish: threading.Event):
        while not (self.release.wait(0.05) or stop.is_set()):
            pass
        return iter(())


def _app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    return at


def _queue_caption() -> str:
    """The sidebar's queue line as a new visitor's first page shows it (AppTest's later runs execute
    only the page's script, without app.py and so without the sidebar)."""
    at = _app()
    return next(c.value for c in at.sidebar.caption if c.value.startswith(SIDEBAR_QUEUE))


def _wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


# -- a. the sidebar's queue status -------------------------------------------------------------------


def test_sidebar_counts_runs_in_plain_words(vgg_weights):
    queue = resources.run_queue()
    task = _Held()
    job = queue.submit(Job([task], backbone=None, kind=JobKind.SWEEP))
    try:
        _wait_for(lambda: queue.running == 1)
        shown = _queue_caption()
        assert "1 run computing" in shown and "(s)" not in shown, shown
    finally:
        task.release.set()
        assert job.wait(10)
    _wait_for(lambda: queue.running == 0)
    shown = _queue_caption()
    assert "no run computing" in shown.lower() and "(s)" not in shown, shown


def test_sidebar_redraws_often_only_where_the_page_does_not_draw_the_run_itself():
    assert sidebar.refresh_seconds(going=True, page_shows_my_run=False) == sidebar.BUSY_REFRESH_S
    assert sidebar.refresh_seconds(going=True, page_shows_my_run=True) == sidebar.IDLE_REFRESH_S
    assert sidebar.refresh_seconds(going=False, page_shows_my_run=False) == sidebar.IDLE_REFRESH_S
    assert sidebar.BUSY_REFRESH_S < sidebar.IDLE_REFRESH_S


# -- b. a rejected upload ----------------------------------------------------------------------------


def _uploader(at: AppTest, label: str):
    return next(u for u in at.file_uploader if u.label == label)


def test_rejected_upload_leaves_the_box_empty_and_says_why(vgg_weights):
    at = _app()
    _uploader(at, "…or upload a photo").set_value(("notes.jpg", b"not an image at all", "image/jpeg")).run()
    assert not at.exception
    assert any("not an image we can read" in e.value for e in at.error), [e.value for e in at.error]
    assert not _uploader(at, "…or upload a photo").value, "the rejected file is still listed as if accepted"
    _uploader(at, "…or upload a photo").set_value(("again.jpg", b"still not an image", "image/jpeg")).run()
    assert not _uploader(at, "…or upload a photo").value, "a second refusal in a row stays listed"
    assert len(at.error) == 1
    # the box takes the next file as usual
    _uploader(at, "…or upload a photo").set_value(("good.png", png(), "image/png")).run()
    assert at.pills(key="pick_content").value == "good"
    assert not at.error


def test_rejected_painting_in_a_batch_is_cleared_the_good_one_kept(vgg_weights):
    at = _app()
    files = [("fine.png", png(colour=(0, 90, 200)), "image/png"), ("broken.png", b"\x89PNG\r\n garbage", "image/png")]
    _uploader(at, "…or upload paintings").set_value(files).run()
    assert not at.exception
    assert len(at.error) == 1
    assert not _uploader(at, "…or upload paintings").value
    assert "fine" in at.pills(key="pick_style").value


# -- d. the loss chart's legend and log ticks --------------------------------------------------------


def _curves() -> tuple[list[int], dict[str, list[float]]]:
    steps = list(range(1, 61))
    return steps, {
        "total": [1e4 / s**1.5 for s in steps],
        "content": [0.0, *[10 * s for s in steps[1:]]],
        "style": [1e4 / s**2 for s in steps],
        "tv": [1.0 + s / 100 for s in steps],
    }


def test_loss_chart_legend_sits_below_the_plot_away_from_the_title():
    fig = charts.loss_figure(*_curves(), marks=[(30, "256 px")])
    legend = fig.layout.legend
    assert legend.orientation == "h"
    assert legend.yanchor == "top" and legend.y is not None and legend.y < 0, "the legend shares the title's band"
    assert fig.layout.title.text  # the title stays, at the top


def test_log_axis_labels_decades_only():
    fig = charts.loss_figure(*_curves())
    axis = fig.layout.yaxis
    assert axis.type == "log"
    assert axis.dtick == 1, f"log ticks crowd: dtick={axis.dtick!r}"  # one label per power of ten
    wide = charts.loss_figure([1, 2], {"total": [1e12, 1e-3], "content": [1, 1], "style": [1, 1], "tv": [1, 1]})
    assert wide.layout.yaxis.dtick >= 2  # fifteen decades: every other one, still few labels
    linear = charts.loss_figure(*_curves(), log=False)
    assert linear.layout.yaxis.dtick is None


def test_only_a_clickable_chart_carries_its_invisible_click_markers():
    """Plotly selects a clicked point only on traces with markers; the Studio's finished run's chart
    needs them (a click shows that step's picture), a live one does not."""
    live, done = charts.loss_figure(*_curves()), charts.loss_figure(*_curves(), clickable=True)
    assert {t.mode for t in live.data} == {"lines"}
    assert {t.mode for t in done.data} == {"lines+markers"} and {t.marker.opacity for t in done.data} == {0}
    layers = charts.layer_figure(_curves()[0], {"block1_conv1": _curves()[1]["style"]}, clickable=True)
    assert layers.data[0].mode == "lines+markers"


# -- e, f. the inspection pages' wording --------------------------------------------------------------


def _figure_text(at: AppTest, key: str) -> str:
    chart = next(c for c in at.get("plotly_chart") if c.proto.id and key in c.proto.id)
    spec = json.loads(chart.proto.spec)
    return " | ".join(a.get("text", "") for a in spec["layout"].get("annotations", []))


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        deepest = max(deepest, depth)
    return deepest


def test_gram_page_names_a_running_result_without_nested_brackets(vgg_weights):
    at = _app()
    tiny_run_settings(at, steps=2000)
    at.run()
    at.button(key="run").click().run()
    job = at.session_state["job"]
    try:
        _wait_for(lambda: job.view().image is not None and job.view().step > 0, timeout=120)
        at.switch_page("pages/gram_matrices.py").run()
        assert not at.exception, at.exception
        titles = _figure_text(at, "gm_fig")
        assert re.search(r"result \(step \d+, still running\)", titles), titles
        assert _bracket_depth(titles) <= 1, titles
    finally:
        job.stop()
        assert job.wait(60)


@pytest.fixture(scope="module")
def after_tiny_run(vgg_weights) -> AppTest:
    at = _app()
    tiny_run(at, steps=4)
    assert at.session_state["job"].view().status == "finished"
    return at


def _layer_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if "each unit sees" in c.value)


def test_feature_map_caption_states_the_size_of_the_picture(after_tiny_run):
    at = after_tiny_run
    at.switch_page("pages/feature_maps.py").run()
    assert not at.exception, at.exception
    result = at.session_state["history"][-1].image
    content = at.session_state["history"][-1].content.image
    at.segmented_control(key="fm_role").set_value("Result").run()
    caption = _layer_caption(at)
    assert f"{result.shape[1]}×{result.shape[0]} px" in caption, caption  # the 64-px result, not "384"
    assert "long side 384" not in caption
    assert "(" not in caption.split("each unit sees")[1].replace("px of the input", ""), caption
    at.segmented_control(key="fm_role").set_value("Content").run()
    caption = _layer_caption(at)
    assert f"{content.shape[1]}×{content.shape[0]} px" in caption, caption


# -- g. the style-strength sweep's results -------------------------------------------------------------


def test_sweep_results_can_be_downloaded_and_join_the_history(vgg_weights):
    at = _app()
    at.pills(key="sweep_factors").set_value(["×0.1", "×10"])
    at.select_slider(key="sweep_size").set_value(128)
    at.run()
    at.button(key="sweep_run").click().run()
    sweep = at.session_state["sweep"]
    assert sweep.wait(240), "the sweep did not finish"
    at.run()
    at.run()  # the sweep view's own rerun, once it sees the sweep has ended
    assert not at.exception, at.exception
    downloads = [b for b in at.download_button if (b.key or "").startswith("sweep_png")]
    assert len(downloads) == 2, [b.label for b in at.download_button]
    history = at.session_state["history"]
    assert len(history) == 2
    weights = sorted(e.config.style_weight for e in history)
    assert weights[1] == pytest.approx(100 * weights[0])
    assert all(max(e.image.shape[:2]) == 128 for e in history)
    assert all(e.steps and len(e.steps) == len(e.curves["total"]) for e in history)
    assert all(e.steps[0] == 1 for e in history), "each run's curve starts at its own step 1"
    captions = [c for img in at.image for c in img.captions]
    assert all("β = " in e.label and any(c.startswith(e.label) for c in captions) for e in history), captions
    assert at.selectbox(key="cmp_left").value != at.selectbox(key="cmp_right").value  # Compare has both


def test_times_before_run_read_to_the_second_below_20_s():
    from ui.resources import duration

    assert duration(12.3) == "about 13 s"  # rounded to 5 s it read "about 10 s" for a 13-s run
    assert duration(2.07) == "about 3 s"  # rounded, a Quick run seen to take 2.8 s read "about 2 s"
    assert duration(5.0) == "about 5 s" and duration(19.2) == "about 20 s"
    assert duration(0.2) == "about 1 s"
    assert duration(44.1) == "about 45 s" and duration(77.8) == "about 80 s"
    assert duration(600) == "about 10 min"


@pytest.mark.parametrize(
    "left,waited",
    [(1.2, [1.7]), (5.0, []), (None, [])],
    ids=["ends-before-next-redraw", "ends-later", "not-running"],
)
def test_a_page_waits_for_a_run_ending_before_its_next_redraw(left, waited):
    """'Finished' shows when the run ends, not up to LIVE_EVERY later; a run that will go on past
    the next redraw, or one not running, is not waited for."""
    from types import SimpleNamespace

    from ui import state

    calls = []
    job = SimpleNamespace(wait=lambda timeout: calls.append(timeout) or True)
    state.wait_if_ending(job, SimpleNamespace(seconds_left=left))
    assert calls == pytest.approx(waited)
