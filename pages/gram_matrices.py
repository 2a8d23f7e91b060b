"""Gram matrices: the statistic the style loss matches, for the painting and the result."""

from __future__ import annotations

import numpy as np
import streamlit as st

import ui
from nst.explain import grams
from nst.jobs import JobKind
from ui import charts, inspection, settings, state

ui.through_app()  # a deep link on a fresh server runs this file alone: go through app.py

st.title("Gram matrices")
st.caption(
    "A Gram matrix G = FᵀF / M records, for every pair of channels i, j, how much they fire *together*, summed over "
    "all positions. Where in the picture does not matter — which is why it captures style and not layout."
)

_, backbone = inspection.page_start()
spec = backbone.spec
ORDERS = {"cluster": "grouped by similarity", "diagonal": "by channel energy", "index": "network order"}


def body() -> None:
    found = inspection.subjects()
    styles = {role: s for role, s in found.items() if role.startswith("Style")}
    if not styles:
        st.info("Pick a style painting in the Studio to compare Gram matrices.")
        return
    compared = found.get("Result") or found.get("Content")
    word = "result" if compared is not None and compared.role == "Result" else "photo"
    style_layers = [n for n in (settings.chosen_style_layers() or spec.style_layers) if n in spec.layers]
    style_layers = style_layers or list(spec.style_layers)
    c1, c2, c3, c4 = st.columns([2.2, 1, 1.2, 1])
    layer = (
        c1.segmented_control("Style layer", style_layers, key="gm_layer", default=style_layers[0], wrap=True)
        or style_layers[0]
    )
    style_role = c2.selectbox("Painting", list(styles), key="gm_style") if len(styles) > 1 else next(iter(styles))
    order_by = c3.selectbox("Channel order", list(ORDERS), format_func=ORDERS.get, key="gm_order")
    shown = c4.select_slider("Channels", [32, 64, 128, 256, 512], value=64, key="gm_shown")
    style = styles[style_role]

    layers = tuple(dict.fromkeys([*style_layers, layer]))
    style_grams = grams.gram_matrices(backbone, style.image, layers)
    a = style_grams[layer]
    order = grams.gram_order(a, order_by)[: min(shown, a.shape[0])]
    sub = np.ix_(order, order)
    if compared is None:
        st.plotly_chart(charts.gram_figure({f"painting ({style.name})": a[sub]}, order), key="gm_fig")
        return
    other_grams = grams.gram_matrices(backbone, compared.image, layers)
    g = other_grams[layer]
    figure = charts.gram_figure(
        {f"painting ({style.name})": a[sub], f"{word} ({compared.name})": g[sub]},
        order,
        difference=(g - a)[sub],
        difference_title=f"{word} − painting",
    )
    st.plotly_chart(figure, key="gm_fig", config={"displaylogo": False})
    explanation = (
        "when style transfer has worked, its pattern copies the painting's"
        if word == "result"
        else "the photo's own statistics, far from the painting's — run a style transfer in the Studio to see them move"
    )
    st.caption(
        f"**{layer}**, {len(order)} of {a.shape[0]} channels ({ORDERS[order_by]}; hover for the channel pair). "
        f"Left: which channels the painting's strokes and colours switch on together. Middle: the same for the "
        f"{word} — {explanation}. Right: the difference the style loss squares and sums (red: too much "
        "co-activation, blue: too little)."
    )

    content = found.get("Content")
    per_layer: dict[str, dict[str, float]] = {}
    weights = {n: 1.0 for n in style_layers}
    if content is not None:
        content_grams = grams.gram_matrices(backbone, content.image, style_layers)
        per_layer["photo vs painting"] = grams.style_layer_losses(content_grams, style_grams, weights, relative=True)
    if compared.role == "Result":
        per_layer["result vs painting"] = grams.style_layer_losses(other_grams, style_grams, weights, relative=True)
    b1, b2 = st.columns([1.3, 1])
    with b1:
        st.plotly_chart(
            charts.layer_bars(per_layer, title="How far each layer's Gram matrix is from the painting's"),
            key="gm_bars",
            config={"displaylogo": False},
        )
        st.caption(
            "Σ(G − A)²/ΣA² per layer — the style error the optimiser weighs, relative to the painting's own energy "
            "(0 = identical statistics) — for the photo and for the result. The run pushes every bar down."
        )
    with b2:
        if "result vs painting" in per_layer:
            after, before = per_layer["result vs painting"], per_layer.get("photo vs painting", {})
            share = grams.shares(after)
            rows = [
                {
                    "layer": name,
                    "photo": round(before.get(name, float("nan")), 4),
                    "result": round(after[name], 4),
                    "closer by": f"{before[name] / after[name]:.0f}×" if after[name] > 0 and name in before else "—",
                    "share of style loss": f"{share[name]:.0%}",
                }
                for name in style_layers
            ]
            st.dataframe(rows, hide_index=True, width="stretch")
            st.caption(
                "Per layer: the photo's and the result's distance from the painting's statistics, how many times "
                "closer the result got, and each layer's share of what is left."
            )
        else:
            st.info("Run a style transfer in the Studio to see how far the result's Grams move towards the painting's.")
    curves = _run_layer_curves()
    if curves is not None:
        steps, layer_curves = curves
        st.plotly_chart(
            charts.layer_figure(steps, layer_curves, title="Per-layer style loss during the run"),
            key="gm_curve",
            config={"displaylogo": False},
        )
        st.caption(
            "β·w_l·E_l of each layer at every step of the Studio run (relative, as the engine weighs it, at the run's "
            "size). Shallow layers (fine texture) usually fall first; deep ones (large strokes) take longer."
        )


def _run_layer_curves():
    job = state.RUN.job()
    if job is not None and job.kind is JobKind.RUN:
        view = job.view()
        if view.steps:
            return view.steps, view.layer_curves
    past = state.history()
    if past:
        return past[-1].steps, past[-1].layer_curves
    return None


inspection.live(body, result_shown=True)
