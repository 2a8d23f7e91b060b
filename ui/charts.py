"""Plotly figures for the loss curves (drawn live while a run goes on)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

TERM_COLOURS = {"total": "#1f2937", "content": "#2563eb", "style": "#d97706", "tv": "#059669"}
TERM_NAMES = {"total": "total", "content": "α·content", "style": "β·style", "tv": "tv·TV"}
MAX_DECADE_LABELS = 6  # a log axis labels at most this many powers of ten
LAYER_PALETTE = ["#7c3aed", "#db2777", "#ea580c", "#16a34a", "#0891b2", "#4f46e5", "#ca8a04", "#64748b"]
TERM_WIDTHS = {"total": 3}  # the total stands out; every other curve is 2 px


def palette_colours(names: Sequence[str]) -> dict[str, str]:
    """Each name's colour from LAYER_PALETTE, in order (the same in the live and the final chart)."""
    return {name: LAYER_PALETTE[i % len(LAYER_PALETTE)] for i, name in enumerate(names)}


def _layout(
    fig: go.Figure,
    title: str,
    log: bool,
    height: int,
    y_title: str = "loss (relative)",
    marks: Sequence[tuple[int, str]] = (),
) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, font=dict(size=16)),
        height=height,
        margin=dict(l=10, r=10, t=44, b=10),
        # Below the plot, under the step axis: above it, a long legend ran into the title.
        legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0, font=dict(size=13)),
        hovermode="x unified",
        template="plotly_white",
        font=dict(size=13),
        uirevision="keep",  # zoom and hidden traces survive the live updates
    )
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(
        title_text=y_title,
        type="log" if log else "linear",
        exponentformat="power" if log else "SI",
        dtick=_decade_step(fig) if log else None,
    )
    for step, label in marks:
        # Where a coarse-to-fine run moves to the next size: the loss jumps because the
        # upsampled picture is blurrier than the new size's target, then falls again.
        fig.add_vline(x=step - 0.5, line=dict(color="#9ca3af", width=1, dash="dot"))
        fig.add_annotation(
            x=step - 0.5,
            y=1,
            yref="paper",
            text=label,
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font=dict(size=12, color="#6b7280"),
        )
    return fig


def _mode(clickable: bool) -> dict:
    """Plotly selects a clicked point only on traces with markers (the Studio shows the picture at a
    clicked step), so clickable curves carry invisible ones; a live chart, redrawn every 2 s, is
    spared them (the slider scrubs while a run goes on)."""
    return dict(mode="lines+markers", marker=dict(size=8, opacity=0)) if clickable else dict(mode="lines")


def _decade_step(fig: go.Figure) -> int | None:
    """Tick every this many powers of ten, so a log axis labels whole decades only and never more
    than MAX_DECADE_LABELS of them; None (plotly's own ticks) when the data span less than one."""
    values = [v for trace in fig.data for v in (trace.y or ()) if v is not None and v > 0]
    if not values:
        return None
    decades = math.log10(max(values)) - math.log10(min(values))
    return max(1, math.ceil(decades / MAX_DECADE_LABELS)) if decades >= 1 else None


def _positive(values: Sequence[float], log: bool) -> list[float | None]:
    # A log axis cannot show 0 (e.g. the content term at step 1 when starting from the content).
    return [v if (v > 0 or not log) else None for v in values]


def loss_figure(
    steps: Sequence[int],
    curves: Mapping[str, Sequence[float]],
    *,
    log: bool = True,
    title: str = "Loss terms",
    height: int = 380,
    marks: Sequence[tuple[int, str]] = (),
    clickable: bool = False,
) -> go.Figure:
    """Total and the weighted terms α·L_c, β·L_s, tv·L_tv against the step; `marks` are
    (step, label) where a new coarse-to-fine stage starts."""
    fig = go.Figure()
    for key in ("total", "content", "style", "tv"):
        values = curves.get(key, [])
        fig.add_trace(
            go.Scatter(
                x=list(steps),
                y=_positive(values, log),
                name=TERM_NAMES[key],
                **_mode(clickable),
                line=dict(color=TERM_COLOURS[key], width=TERM_WIDTHS.get(key, 2)),
            )
        )
    return _layout(fig, title, log, height, marks=marks)


def layer_figure(
    steps: Sequence[int],
    layer_curves: Mapping[str, Sequence[float]],
    *,
    log: bool = True,
    title: str = "Style loss per layer",
    height: int = 380,
    marks: Sequence[tuple[int, str]] = (),
    clickable: bool = False,
) -> go.Figure:
    """β·w_l·E_l per style layer: which layers' textures are still far from the painting's."""
    fig = go.Figure()
    colours = palette_colours(list(layer_curves))
    for name, values in layer_curves.items():
        fig.add_trace(
            go.Scatter(
                x=list(steps),
                y=_positive(values, log),
                name=name,
                **_mode(clickable),
                line=dict(color=colours[name], width=2),
            )
        )
    return _layout(fig, title, log, height, marks=marks)


def compare_figure(
    runs: Mapping[str, tuple[Sequence[int], Sequence[float]]], *, log: bool = True, height: int = 300
) -> go.Figure:
    """Total loss of several runs on one axis (only comparable for equal weights)."""
    fig = go.Figure()
    colours = palette_colours(list(runs))
    for label, (steps, totals) in runs.items():
        fig.add_trace(
            go.Scatter(
                x=list(steps),
                y=_positive(totals, log),
                name=label,
                mode="lines",
                line=dict(color=colours[label], width=2),
            )
        )
    return _layout(fig, "Total loss", log, height)


def gram_figure(
    panels: Mapping[str, np.ndarray],
    channels: Sequence[int],
    *,
    difference: np.ndarray | None = None,
    difference_title: str = "result − painting",
    height: int = 500,
) -> go.Figure:
    """Gram matrices side by side on one colour scale, and optionally their difference on a
    diverging one; hover gives the channel pair (i, j) in the network's numbering and G_ij."""
    titles = [*panels, *([difference_title] if difference is not None else [])]
    fig = make_subplots(rows=1, cols=len(titles), subplot_titles=titles, horizontal_spacing=0.06)
    labels = np.asarray(channels)
    custom = np.stack(np.meshgrid(labels, labels), axis=-1)  # [..., 0] = j (column), [..., 1] = i (row)
    top = max(float(np.max(m)) for m in panels.values()) or 1.0
    hover = "i = #%{customdata[1]}<br>j = #%{customdata[0]}<br>G<sub>ij</sub> = %{z:.4g}<extra></extra>"
    for col, matrix in enumerate(panels.values(), start=1):
        fig.add_trace(
            go.Heatmap(z=matrix, customdata=custom, hovertemplate=hover, coloraxis="coloraxis"), row=1, col=col
        )
    if difference is not None:
        fig.add_trace(
            go.Heatmap(
                z=difference,
                customdata=custom,
                coloraxis="coloraxis2",
                hovertemplate=hover.replace("G<sub>ij</sub>", "ΔG<sub>ij</sub>"),
            ),
            row=1,
            col=len(titles),
        )
    span = float(np.max(np.abs(difference))) if difference is not None else 1.0
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        template="plotly_white",
        coloraxis=dict(
            colorscale="Viridis",
            cmin=0,
            cmax=top,
            colorbar=dict(x=0.62 if difference is not None else 1.0, len=0.8, thickness=12),
        ),
        coloraxis2=dict(
            colorscale="RdBu", reversescale=True, cmin=-span, cmax=span, colorbar=dict(x=1.0, len=0.8, thickness=12)
        ),
    )
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, autorange="reversed", scaleanchor=None)
    for i in range(1, len(titles) + 1):
        fig.update_yaxes(scaleanchor=f"x{'' if i == 1 else i}", row=1, col=i)
    return fig


def layer_bars(
    values: Mapping[str, Mapping[str, float]],
    *,
    log: bool = False,
    height: int = 340,
    title: str = "Style loss E_l per layer",
) -> go.Figure:
    """Grouped bars: for each series (e.g. "photo vs painting", "result vs painting") E_l per layer."""
    fig = go.Figure()
    for i, (series, per_layer) in enumerate(values.items()):
        fig.add_trace(
            go.Bar(
                x=list(per_layer),
                y=list(per_layer.values()),
                name=series,
                marker_color=LAYER_PALETTE[(i * 3) % len(LAYER_PALETTE)],
            )
        )
    fig.update_layout(barmode="group", hovermode="closest")
    return _layout(fig, title, log, height, y_title="relative error").update_xaxes(title_text="layer")
