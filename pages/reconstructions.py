"""What each layer captures: Gatys et al.'s figure 1 on this session's own pictures."""

from __future__ import annotations

import streamlit as st

import ui
from nst.explain import reconstructions
from nst.jobs import Job, JobKind
from ui import inspection, resources, state

ui.through_app()  # a deep link on a fresh server runs this file alone: go through app.py

st.title("What each layer captures")
st.caption(
    "Start from white noise and change the pixels until one layer's response matches the picture's. What comes "
    "back is exactly what that layer keeps — the idea of figure 1 in Gatys et al. (2015)."
)

found, backbone = inspection.page_start()
spec = backbone.spec
KINDS = {
    "content": (
        "Content reconstructions",
        "Each picture matches the features of **one** layer only. Shallow layers give "
        "the photo back almost pixel for pixel; deeper ones keep the layout and the objects but let go of exact "
        "colours and fine detail — that freedom is where style can enter.",
    ),
    "style": (
        "Style reconstructions",
        "Each picture matches only the **Gram matrices** of a growing set of layers "
        "(conv1_1; + conv2_1; … ; + conv5_1). No layout survives — only texture, which grows from fine grain to "
        "the painting's large strokes as deeper layers join.",
    ),
}


def tasks(kind: str, image, side: int) -> list[reconstructions.Reconstruction]:
    if kind == "content":
        return [
            reconstructions.content_reconstruction(image, layer, spec, max_side=side)
            for layer in reconstructions.content_reconstruction_layers(spec)
        ]
    return [
        reconstructions.style_reconstruction(image, subset, spec, max_side=side)
        for subset in reconstructions.style_reconstruction_subsets(spec)
    ]


def start(todo: list[reconstructions.Reconstruction]) -> None:
    """One picture or all that are missing, as one job in the shared queue."""
    todo = [t for t in todo if t.cached(backbone) is None]
    if todo:
        eta = [t.seconds_here(backbone) for t in todo]  # for the time left of those not started
        state.RECONSTRUCT.start(Job(todo, backbone, kind=JobKind.RECONSTRUCT), eta=eta)


def section(kind: str) -> None:
    title, explanation = KINDS[kind]
    st.subheader(title)
    default = "Content" if kind == "content" else next((r for r in found if r.startswith("Style")), None)
    c1, c2, c3 = st.columns([2, 1, 1.3], vertical_alignment="bottom")
    with c1:
        subject = inspection.role_picker(found, f"rc_role_{kind}", default=default)
    side = c2.select_slider(
        "Size", [128, 192, 224, 256], value=reconstructions.RECONSTRUCTION_SIDE, key=f"rc_side_{kind}"
    )
    todo = tasks(kind, subject.image, side)
    cached = [t.cached(backbone) for t in todo]
    seconds = [0.0 if c is not None else t.seconds_here(backbone) for t, c in zip(todo, cached, strict=True)]
    missing = sum(c is None for c in cached)
    busy = state.busy()
    c3.button(
        f"Reconstruct all {missing} · {resources.duration(sum(seconds))}" if missing else "All computed",
        key=f"rc_go_{kind}",
        disabled=not missing or busy,
        on_click=start,
        args=(todo,),
        icon=":material/play_arrow:",
        type="primary",
        width="stretch",
        help="Each picture is planned from this server's measured speed: half size first, then full size.",
    )
    st.caption(explanation)
    tiles = [(f"original · {subject.name}", subject.image, None, 0.0)] + [
        (_caption(kind, task), picture, task, s) for task, picture, s in zip(todo, cached, seconds, strict=True)
    ]
    per_row = 3  # big enough to see what each layer kept, on a projector too
    for first in range(0, len(tiles), per_row):
        cols = st.columns(per_row)
        for col, (caption, picture, task, s) in zip(cols, tiles[first : first + per_row], strict=False):
            with col:
                if picture is not None:
                    st.image(picture, caption=caption, width="stretch")
                else:
                    st.caption(f"{caption}: not computed yet")
                    st.button(
                        f"Compute · {resources.duration(s)}",
                        key=f"rc_one_{kind}_{first}_{caption}",
                        disabled=busy,
                        on_click=start,
                        args=([task],),
                        icon=":material/play_arrow:",
                        help="Just this layer: a lecture can show one while explaining the next.",
                    )


def _caption(kind: str, task: reconstructions.Reconstruction) -> str:
    if kind == "content":
        return task.layers[0]
    return " + ".join(name.replace("_conv1", "") for name in task.layers)


def progress() -> None:
    job = state.RECONSTRUCT.job()
    if job is None:
        return
    view = state.RECONSTRUCT.progress(stop=True)
    if not view.active and view.status not in ("finished", "stopped"):
        st.error(view.message)
    if state.RECONSTRUCT.first_time((job.id, len(view.results), job.done)) and (view.results or job.done):
        st.rerun()  # a new picture (or the end): redraw the grids


state.RECONSTRUCT.show_refusal()
recon_job = state.RECONSTRUCT.job()
st.fragment(run_every=1.0 if recon_job is not None and not recon_job.done else None)(progress)()
section("content")
st.divider()
section("style")
