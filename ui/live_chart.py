"""The loss curves while a run goes on, as a Vega-Lite chart that updates in place.

Streamlit gives a Plotly chart an identity computed from its whole figure, so a live figure (new
points every redraw) is a new element each time: the browser builds the plot from scratch every
2 s (measured in the Studio: the plot's DOM node replaced on every redraw, about 0.2 s of Chromium's
CPU each, on the cores the run needs). A Vega-Lite chart without selections keeps its place and its
specification; only its data change. So the curves are Vega-Lite while they grow and Plotly (hover,
click a step) once the run is done.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from ui.charts import TERM_COLOURS, TERM_NAMES, TERM_WIDTHS, palette_colours

MARK = "stage"  # the rows that are stage marks, not curve points
SEEN = "seen"  # the row that marks the step of the picture shown (the Studio's slider)
ACCENT = "#c2410c"  # its rule's colour unless the page passes its theme's (.streamlit/config.toml)


def curve_rows(
    steps: Sequence[int],
    curves: Mapping[str, Sequence[float]],
    *,
    log: bool,
    marks: Sequence[tuple[int, str]] = (),
    seen: int | None = None,
) -> pd.DataFrame:
    """Long form (step, curve, loss, label): one row per point, plus one per stage mark and one for
    the step `seen`. A log axis cannot show 0 (the content term at step 1 when starting from the
    content): dropped."""
    rows = [
        (step, name, float(value), "")
        for name, values in curves.items()
        for step, value in zip(steps, values, strict=False)
        if value > 0 or not log
    ]
    rows += [(step - 0.5, MARK, None, label) for step, label in marks]
    if seen is not None:
        rows.append((seen, SEEN, None, ""))
    return pd.DataFrame(rows, columns=["step", "curve", "loss", "label"])


def curves_spec(
    title: str,
    colours: Mapping[str, str],
    *,
    log: bool,
    height: int,
    widths: Mapping[str, float] | None = None,
    accent: str = ACCENT,
    legend_columns: int | None = None,
    total_steps: int | None = None,
) -> dict:
    """The chart's specification: fixed for a run (only the data change), so the browser keeps the
    chart and redraws its lines. `colours` maps each curve's name to its colour, in legend order;
    `total_steps` fixes the step axis to the whole run, so the audience sees how far it has come."""
    widths = widths or {}
    names = list(colours)
    x = {"field": "step", "type": "quantitative", "title": "step", "axis": {"tickMinStep": 1}}
    if total_steps:
        x["scale"] = {"domain": [0, total_steps]}
    curve = {"filter": f"datum.curve != '{MARK}' && datum.curve != '{SEEN}'"}
    mark = {"filter": f"datum.curve == '{MARK}'"}
    return {
        "height": height,
        "title": {"text": title, "anchor": "start", "fontSize": 16},
        "layer": [
            {
                "transform": [curve],
                "mark": {"type": "line", "clip": True},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "loss",
                        "type": "quantitative",
                        "title": "loss (relative)",
                        "scale": {"type": "log" if log else "linear"},
                        "axis": {"format": "~g"},
                    },
                    "color": {
                        "field": "curve",
                        "type": "nominal",
                        "sort": names,
                        "scale": {"domain": names, "range": [colours[n] for n in names]},
                        "legend": {
                            "orient": "bottom",
                            "title": None,
                            "labelFontSize": 13,
                            "columns": legend_columns or len(names),
                        },
                    },
                    "strokeWidth": {
                        "field": "curve",
                        "type": "nominal",
                        "scale": {"domain": names, "range": [widths.get(n, 2) for n in names]},
                        "legend": None,
                    },
                    "tooltip": [
                        {"field": "step", "type": "quantitative"},
                        {"field": "curve", "type": "nominal"},
                        {"field": "loss", "type": "quantitative", "format": ".4g"},
                    ],
                },
            },
            {
                # Where a coarse-to-fine run moves to the next size: the loss jumps (the upsampled
                # picture is blurrier than the new size's target), then falls again.
                "transform": [mark],
                "mark": {"type": "rule", "strokeDash": [2, 3], "color": "#9ca3af"},
                "encoding": {"x": x},
            },
            # The stage's label right of its mark, or left of it near the right edge (a label must
            # not widen the chart: the plot would shrink to make room for it).
            *(
                {
                    "transform": [
                        {"joinaggregate": [{"op": "max", "field": "step", "as": "last"}]},
                        mark,
                        {"filter": f"datum.step {side} 0.7 * datum.last"},
                    ],
                    "mark": {"type": "text", "align": align, "baseline": "top", "dx": dx, "y": 4, "color": "#6b7280"},
                    "encoding": {"x": x, "text": {"field": "label"}},
                }
                for side, align, dx in (("<", "left", 4), (">=", "right", -4))
            ),
            {
                "transform": [{"filter": f"datum.curve == '{SEEN}'"}],
                "mark": {"type": "rule", "color": accent, "strokeWidth": 2},
                "encoding": {"x": x},
            },
        ],
    }


def loss_chart(
    steps: Sequence[int],
    curves: Mapping[str, Sequence[float]],
    *,
    log: bool = True,
    title: str = "Loss terms",
    height: int = 380,
    marks: Sequence[tuple[int, str]] = (),
    seen: int | None = None,
    accent: str = ACCENT,
    legend_columns: int | None = None,
    total_steps: int | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Total and the weighted terms α·L_c, β·L_s, tv·L_tv (charts.loss_figure's curves, live)."""
    named = {TERM_NAMES[key]: curves.get(key, []) for key in TERM_COLOURS}
    colours = {TERM_NAMES[key]: colour for key, colour in TERM_COLOURS.items()}
    spec = curves_spec(
        title,
        colours,
        log=log,
        height=height,
        widths={TERM_NAMES[key]: width for key, width in TERM_WIDTHS.items()},
        accent=accent,
        legend_columns=legend_columns,
        total_steps=total_steps,
    )
    return curve_rows(steps, named, log=log, marks=marks, seen=seen), spec


def layer_chart(
    steps: Sequence[int],
    layer_curves: Mapping[str, Sequence[float]],
    *,
    log: bool = True,
    title: str = "Style loss per layer",
    height: int = 380,
    marks: Sequence[tuple[int, str]] = (),
    seen: int | None = None,
    accent: str = ACCENT,
    total_steps: int | None = None,
) -> tuple[pd.DataFrame, dict]:
    """β·w_l·E_l per style layer (charts.layer_figure's curves, live)."""
    rows = curve_rows(steps, layer_curves, log=log, marks=marks, seen=seen)
    # Five layer names do not fit one legend row beside the picture at 1280 px: three a row.
    return rows, curves_spec(
        title,
        palette_colours(list(layer_curves)),
        log=log,
        height=height,
        accent=accent,
        legend_columns=3,
        total_steps=total_steps,
    )
