"""Gram matrices: the statistic the style loss matches, for the painting and the result."""

from __future__ import annotations

import numpy as np
import streamlit as st

from nst import explain
from ui import charts, inspect, state

st.title("Gram matrices")
st.caption(
    "A Gram matrix G = FᵀF / M records, for every pair of channels i, j, how much they fire *together*, "
    "summed over all positions. Where in the picture does not matter — which is why it captures style and "
    "not layout."
)

found = inspect.subjects()
inspect.need_pictures(found)
backbone = inspect.backbone()
spec = backbone.spec
ORDERS = {"cluster": "grouped by similarity", "diagonal": "by channel energy", "index": "network order"}


def short(layer: str) -> str:
    """block3_conv1 → conv3_1, Gatys' name for it."""
    return layer.replace("block", "conv").replace("_conv", "_") if layer.startswith("block") else layer


def body() -> None:
    found = inspect.subjects()
    styles = {role: s for role, s in found.items() if role.startswith("Style")}
    if not styles:
        st.info("Pick a style painting in the Studio to compare Gram matrices.")
        return
    compared = found.get("Result") or found.get("Content")
    style_layers = list(st.session_state.get("cfg.style_layers") or spec.style_layers)
    c1, c2, c3, c4 = st.columns([1.6, 1, 1.3, 1])
    layer = (
        c1.segmented_control(
            "Style layer", style_layers, key="gm_layer", default=style_layers[0], format_func=short, wrap=True
        )
        or style_layers[0]
    )
    style_role = c2.selectbox("Painting", list(styles), key="gm_style") if len(styles) > 1 else next(iter(styles))
    order_by = (
        c3.segmented_control("Channel order", list(ORDERS), format_func=ORDERS.get, key="gm_order", default="cluster")
        or "cluster"
    )
    shown = c4.select_slider("Channels", [32, 64, 128, 256, 512], value=64, key="gm_shown")
    style = styles[style_role]

    layers = tuple(dict.fromkeys([*style_layers, layer]))
    style_grams = explain.gram_matrices(backbone, style.image, layers)
    a = style_grams[layer]
    order = explain.gram_order(a, order_by)[: min(shown, a.shape[0])]
    sub = np.ix_(order, order)
    if compared is None:
        st.plotly_chart(charts.gram_figure({f"painting ({style.name})": a[sub]}, order), key="gm_fig")
        return
    other_grams = explain.gram_matrices(backbone, compared.image, layers)
    g = other_grams[layer]
    word = "result" if compared.role == "Result" else "photo"
    st.plotly_chart(
        charts.gram_figure(
            {f"painting ({style.name})": a[sub], f"{word} ({compared.name})": g[sub]}, order, difference=(g - a)[sub]
        ),
        key="gm_fig",
        config={"displaylogo": False},
    )
    st.caption(
        f"**{layer}**, {len(order)} of {a.shape[0]} channels ({ORDERS[order_by]}; hover for the channel pair). "
        f"Left: which channels the painting's strokes and colours switch on together. Middle: the same for the "
        f"{word} — when style transfer has worked, its pattern copies the painting's. Right: the difference "
        "the style loss squares and sums (red: too much co-activation, blue: too little)."
    )

    content = found.get("Content")
    per_layer: dict[str, dict[str, float]] = {}
    if content is not None:
        content_grams = explain.gram_matrices(backbone, content.image, style_layers)
        per_layer["photo vs painting"] = explain.style_layer_losses(
            content_grams, style_grams, {n: 1.0 for n in style_layers}, relative=True
        )
    if compared.role == "Result":
        per_layer["result vs painting"] = explain.style_layer_losses(
            other_grams, style_grams, {n: 1.0 for n in style_layers}, relative=True
        )
    b1, b2 = st.columns([1.2, 1])
    with b1:
        st.plotly_chart(
            charts.layer_bars(per_layer, title="Relative style error Σ(G − A)²/ΣA² per layer"),
            key="gm_bars",
            config={"displaylogo": False},
        )
        st.caption(
            "How far each layer's Gram matrix is from the painting's — E_l relative to the painting's own energy, "
            "the quantity the optimiser weighs — before (the photo) and after (the result). The run pushed every "
            "bar down; the gap is how much of the painting's style each layer took over."
        )
    with b2:
        if "result vs painting" in per_layer:
            after, before = per_layer["result vs painting"], per_layer.get("photo vs painting", {})
            for name in style_layers:
                share = explain.shares(after)[name]
                ratio = before.get(name, 0.0) / after[name] if after[name] > 0 else float("inf")
                st.metric(
                    short(name),
                    f"{after[name]:.3g}",
                    f"{share:.0%} of the style loss · {ratio:.0f}× below the photo",
                    delta_color="off",
                )
        else:
            st.info(
                "Run a style transfer in the Studio to see how far the result's Grams moved towards the painting's."
            )
    curves = _run_layer_curves()
    if curves is not None:
        steps, layer_curves = curves
        st.plotly_chart(
            charts.layer_figure(steps, layer_curves, title="Per-layer style loss during the run"),
            key="gm_curve",
            config={"displaylogo": False},
        )
        st.caption(
            "β·w_l·E_l of each layer at every step of the Studio run (as the engine computed it, at the run's "
            "size). Shallow layers (fine texture) usually fall first; deep ones (large strokes) take longer."
        )


def _run_layer_curves():
    job = state.job()
    if job is not None and job.kind == "run":
        view = job.view()
        if view.steps:
            return view.steps, view.layer_curves
    past = state.history()
    if past:
        return past[-1].steps, past[-1].layer_curves
    return None


inspect.live(body)
