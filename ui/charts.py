"""Plotly figures for the loss curves (drawn live while a run goes on)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

TERM_COLOURS = {"total": "#1f2937", "content": "#2563eb", "style": "#d97706", "tv": "#059669"}
TERM_NAMES = {"total": "total", "content": "α·content", "style": "β·style", "tv": "tv·TV"}
LAYER_PALETTE = ["#7c3aed", "#db2777", "#ea580c", "#16a34a", "#0891b2", "#4f46e5", "#ca8a04", "#64748b"]


def _layout(fig: go.Figure, title: str, log: bool, height: int) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, font=dict(size=15)),
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
        hovermode="x unified",
        template="plotly_white",
        uirevision="keep",  # zoom and hidden traces survive the live updates
    )
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(type="log" if log else "linear", exponentformat="power" if log else "SI")
    return fig


def _positive(values: Sequence[float], log: bool) -> list[float | None]:
    # A log axis cannot show 0 (e.g. the content term at step 1 when starting from the content).
    return [v if (v > 0 or not log) else None for v in values]


def loss_figure(
    steps: Sequence[int],
    curves: Mapping[str, Sequence[float]],
    *,
    log: bool = True,
    title: str = "Loss terms",
    height: int = 320,
) -> go.Figure:
    """Total and the weighted terms α·L_c, β·L_s, tv·L_tv against the step."""
    fig = go.Figure()
    for key in ("total", "content", "style", "tv"):
        values = curves.get(key, [])
        fig.add_trace(
            go.Scatter(
                x=list(steps),
                y=_positive(values, log),
                name=TERM_NAMES[key],
                mode="lines",
                line=dict(color=TERM_COLOURS[key], width=3 if key == "total" else 2),
            )
        )
    return _layout(fig, title, log, height)


def layer_figure(
    steps: Sequence[int],
    layer_curves: Mapping[str, Sequence[float]],
    *,
    log: bool = True,
    title: str = "Style loss per layer",
    height: int = 320,
) -> go.Figure:
    """β·w_l·E_l per style layer: which layers' textures are still far from the painting's."""
    fig = go.Figure()
    for i, (name, values) in enumerate(layer_curves.items()):
        fig.add_trace(
            go.Scatter(
                x=list(steps),
                y=_positive(values, log),
                name=name,
                mode="lines",
                line=dict(color=LAYER_PALETTE[i % len(LAYER_PALETTE)], width=2),
            )
        )
    return _layout(fig, title, log, height)


def compare_figure(
    runs: Mapping[str, tuple[Sequence[int], Sequence[float]]], *, log: bool = True, height: int = 300
) -> go.Figure:
    """Total loss of several runs on one axis (only comparable for equal weights)."""
    fig = go.Figure()
    for i, (label, (steps, totals)) in enumerate(runs.items()):
        fig.add_trace(
            go.Scatter(
                x=list(steps),
                y=_positive(totals, log),
                name=label,
                mode="lines",
                line=dict(color=LAYER_PALETTE[i % len(LAYER_PALETTE)], width=2),
            )
        )
    return _layout(fig, "Total loss", log, height)
