"""The live loss chart: long-form rows, and a specification that does not change as the run adds
points (so Streamlit keeps the chart in the browser; ui.live_chart says why)."""

from __future__ import annotations

import altair as alt
import pytest

from ui import live_chart

STEPS = [1, 2, 3, 4]
CURVES = {
    "total": [4.0, 3.0, 2.0, 1.5],
    "content": [0.0, 0.5, 0.7, 0.8],
    "style": [4.0, 2.5, 1.3, 0.7],
    "tv": [0.1] * 4,
}


def test_rows_are_long_form_and_a_log_axis_drops_zeros():
    rows, _ = live_chart.loss_chart(STEPS, CURVES, log=True)
    content = rows[rows.curve == "α·content"]
    assert list(content.step) == [2, 3, 4] and list(content.loss) == [0.5, 0.7, 0.8]  # 0 at step 1 dropped
    assert len(rows) == 4 * 4 - 1
    linear, _ = live_chart.loss_chart(STEPS, CURVES, log=False)
    assert len(linear) == 16 and linear[linear.curve == "α·content"].loss.iloc[0] == 0.0


def test_stage_marks_sit_between_steps_and_the_seen_step_is_one_row():
    rows, _ = live_chart.loss_chart(STEPS, CURVES, marks=[(3, "upsampled to 384 px")], seen=2)
    mark = rows[rows.curve == live_chart.MARK]
    assert list(mark.step) == [2.5] and list(mark.label) == ["upsampled to 384 px"]
    assert list(rows[rows.curve == live_chart.SEEN].step) == [2]


def test_the_spec_stays_while_points_arrive_and_changes_with_the_axis():
    _, early = live_chart.loss_chart(STEPS[:2], {k: v[:2] for k, v in CURVES.items()})
    _, late = live_chart.loss_chart(STEPS, CURVES, marks=[(3, "384 px")], seen=2)
    assert early == late
    _, linear = live_chart.loss_chart(STEPS, CURVES, log=False)
    assert linear != late


def test_the_step_axis_spans_the_whole_run_when_its_length_is_known():
    _, spec = live_chart.loss_chart(STEPS[:2], {k: v[:2] for k, v in CURVES.items()}, total_steps=50)
    assert spec["layer"][0]["encoding"]["x"]["scale"] == {"domain": [0, 50]}
    _, layers = live_chart.layer_chart(STEPS, {"block1_conv1": [1.0] * 4}, total_steps=50)
    assert layers["layer"][0]["encoding"]["x"]["scale"] == {"domain": [0, 50]}
    _, open_ended = live_chart.loss_chart(STEPS, CURVES)
    assert "scale" not in open_ended["layer"][0]["encoding"]["x"]


@pytest.mark.parametrize("layers", [False, True])
def test_spec_is_valid_vega_lite_with_its_colours_in_legend_order(layers):
    if layers:
        curves = {f"block{i}_conv1": [1.0 / i] * 4 for i in range(1, 6)}
        rows, spec = live_chart.layer_chart(STEPS, curves, marks=[(3, "384 px")], seen=2, total_steps=50)
    else:
        rows, spec = live_chart.loss_chart(
            STEPS, CURVES, marks=[(3, "384 px")], seen=2, legend_columns=2, total_steps=50
        )
    full = {"data": {"values": rows.astype(object).where(rows.notna(), None).to_dict("records")}, **spec}
    alt.LayerChart.from_dict(full, validate=True)  # raises on a spec Vega-Lite would reject
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    names = list(curves) if layers else ["total", "α·content", "β·style", "tv·TV"]
    assert colour["domain"] == names and len(colour["range"]) == len(names)
