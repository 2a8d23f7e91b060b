"""Feature maps: what each VGG layer responds to, on this session's own pictures."""

from __future__ import annotations

import streamlit as st

import ui
from nst.explain import activations, channels, colormaps
from ui import inspection

ui.through_app()  # a deep link on a fresh server runs this file alone: go through app.py

st.title("Feature maps")
st.caption(
    "Every convolution layer turns the picture into many channels, each a map of where one learned pattern "
    "occurs. Early layers see edges and colours; deep layers see textures and parts of objects."
)

found, backbone = inspection.page_start()
spec = backbone.spec
ANALYSIS_SIDE = 384  # the long side every picture is analysed at here (the caption states it)


def body() -> None:
    found = inspection.subjects()
    c1, c2 = st.columns([1.2, 2])
    with c1:
        subject = inspection.role_picker(found, "fm_role")
    with c2:
        layer = st.select_slider(
            "Layer",
            list(spec.layers),
            key="fm_layer",
            value=spec.layers[min(4, len(spec.layers) - 1)],
        )
    catalogue = {i.name: i for i in backbone.layer_catalogue(*_size(subject))}
    info = catalogue[layer]
    maps = activations.activations(backbone, subject.image, [layer], ANALYSIS_SIDE)[layer]
    st.caption(
        f"**{layer}** · output {info.shape[0]}×{info.shape[1]} positions × {info.shape[2]} channels · "
        f"each unit sees {info.receptive_field}×{info.receptive_field} px of the input.  \n"
        f"{subject.label}: {_size_note(subject)}."
    )

    o1, o2, o3 = st.columns([1.3, 1, 1])
    orders = {"mean": "strongest first", "variance": "most varied first"}
    if "Content" in found and subject.role != "Content":
        orders["difference"] = "most changed vs content"
    order = (
        o1.segmented_control("Sort channels", list(orders), format_func=orders.get, key="fm_order", default="mean")
        or "mean"
    )
    if order not in orders:
        order = "mean"
    count = o2.select_slider("Channels shown", [16, 32, 64, 128, 256, 512], value=64, key="fm_count")
    cmap = o3.selectbox("Colour map", colormaps.COLORMAPS, key="fm_cmap")
    other = None
    if order == "difference":
        other = activations.activations(backbone, found["Content"].image, [layer], ANALYSIS_SIDE)[layer]
    ranked = channels.channel_order(maps, order, other)[: min(count, maps.shape[2])]

    columns = 16 if len(ranked) > 64 else 8
    grid = channels.channel_grid(maps, ranked, columns=columns, cell=96 if columns == 8 else 64, colormap=cmap)
    st.image(
        grid,
        caption=f"{len(ranked)} of {maps.shape[2]} channels, {orders[order]}, each stretched to its own "
        "range (left to right, top to bottom). Channel numbers: "
        + ", ".join(f"#{c}" for c in ranked[:24])
        + (" …" if len(ranked) > 24 else ""),
        width="stretch",
    )

    st.subheader("One channel up close")
    s1, s2 = st.columns([1, 1])
    rank = s1.number_input("Rank in the grid above (1 = first)", 1, len(ranked), 1, key="fm_rank")
    channel = int(ranked[rank - 1])
    alpha = s2.slider("Overlay strength", 0.0, 1.0, 0.85, 0.05, key="fm_alpha")
    big1, big2 = st.columns(2)
    big1.image(
        channels.channel_image(maps, channel, 512, colormap=cmap, smooth=False),
        caption=f"{layer} channel #{channel}: bright = strong response",
        width="stretch",
    )
    big2.image(
        channels.overlay(subject.image, maps[..., channel], alpha, cmap, weighted=True),
        caption=f"Channel #{channel} laid over the picture: where in the image it fires",
        width="stretch",
    )

    comparable = [s for role, s in found.items() if role in ("Content", "Style", "Result")]
    if len(comparable) > 1:
        st.caption(
            f"The same channel #{channel} on each picture: what this pattern detector finds in the photo, "
            "the painting and the result."
        )
        cols = st.columns(len(comparable))
        for col, s in zip(cols, comparable, strict=True):
            m = activations.activations(backbone, s.image, [layer], ANALYSIS_SIDE)[layer]
            col.image(
                channels.overlay(s.image, m[..., channel], alpha, cmap, weighted=True), caption=s.label, width="stretch"
            )

    st.subheader("All layers at a glance")
    st.caption(
        f"The strongest channel of every layer for {subject.label}: edges and colour blobs at the bottom of "
        "the network, larger motifs and parts of objects at the top."
    )
    strip = channels.top_channel_strip(backbone, subject.image, size=128, colormap=cmap, max_side=ANALYSIS_SIDE)
    per_row = 8
    for start in range(0, len(strip), per_row):
        cols = st.columns(per_row)
        for col, item in zip(cols, strip[start : start + per_row], strict=False):
            col.image(item.image, caption=f"{item.layer} #{item.channel}", width="stretch")


def _size_note(subject: inspection.Subject) -> str:
    """The picture's own size and the size the network sees it at (every picture is analysed with a
    long side of ANALYSIS_SIDE, so a small result is enlarged and a large photo reduced)."""
    h, w = subject.image.shape[:2]
    fh, fw = _size(subject)
    if (fh, fw) == (h, w):
        return f"{w}×{h} px, analysed at that size"
    return f"{w}×{h} px, {'enlarged' if fw > w else 'reduced'} to {fw}×{fh} px for the network"


def _size(subject: inspection.Subject) -> tuple[int, int]:
    from nst.images import fitted_size

    return fitted_size(subject.image.shape[0], subject.image.shape[1], ANALYSIS_SIDE)


inspection.live(body, result_shown=st.session_state.get("fm_role") == "Result")
