"""What each layer captures: Gatys et al.'s figure 1 on this session's own pictures."""

from __future__ import annotations

import streamlit as st

from nst import explain
from nst.jobs import Job
from ui import inspect, resources, state

st.title("What each layer captures")
st.caption(
    "Start from white noise and change the pixels until one layer's response matches the picture's. What comes "
    "back is exactly what that layer keeps — the idea of figure 1 in Gatys et al. (2015)."
)

inspect.pictures_choice()
inspect.made_from_caption()
found = inspect.subjects()
inspect.need_pictures(found)
backbone = inspect.backbone()
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


def tasks(kind: str, image, side: int) -> list[explain.Reconstruction]:
    if kind == "content":
        return [
            explain.content_reconstruction(image, layer, spec, max_side=side)
            for layer in explain.content_reconstruction_layers(spec)
        ]
    return [
        explain.style_reconstruction(image, subset, spec, max_side=side)
        for subset in explain.style_reconstruction_subsets(spec)
    ]


def start(kind: str, image, side: int) -> None:
    if state.busy():
        st.session_state["recon_refused"] = "Another run of yours is going: wait for it or stop it first."
        return
    todo = [t for t in tasks(kind, image, side) if t.cached(backbone) is None]
    if not todo:
        return
    job = Job(todo, backbone, kind="reconstruct")
    st.session_state["recon_job"] = job
    st.session_state["recon_refused"] = None
    resources.run_queue().submit(job)


def section(kind: str) -> None:
    title, explanation = KINDS[kind]
    st.subheader(title)
    default = "Content" if kind == "content" else next((r for r in found if r.startswith("Style")), None)
    c1, c2, c3 = st.columns([2, 1, 1])
    with c1:
        subject = inspect.role_picker(found, f"rc_role_{kind}", default=default)
    side = c2.select_slider("Size", [128, 192, 224, 256], value=explain.RECONSTRUCTION_SIDE, key=f"rc_side_{kind}")
    todo = tasks(kind, subject.image, side)
    cached = [t.cached(backbone) for t in todo]
    missing = sum(c is None for c in cached)
    c3.button(
        f"Reconstruct ({missing} to compute)" if missing else "All computed",
        key=f"rc_go_{kind}",
        disabled=not missing or state.busy(),
        on_click=start,
        args=(kind, subject.image, side),
        icon=":material/play_arrow:",
        type="primary",
    )
    st.caption(explanation)
    tiles = [(f"original · {subject.name}", subject.image)] + [
        (_caption(kind, task), picture) for task, picture in zip(todo, cached, strict=True)
    ]
    per_row = 3  # big enough to see what each layer kept, on a projector too
    for first in range(0, len(tiles), per_row):
        cols = st.columns(per_row)
        for col, (caption, picture) in zip(cols, tiles[first : first + per_row], strict=False):
            with col:
                if picture is not None:
                    st.image(picture, caption=caption, width="stretch")
                else:
                    st.caption(f"{caption}: not computed yet")


def _caption(kind: str, task: explain.Reconstruction) -> str:
    if kind == "content":
        return task.layers[0]
    return " + ".join(name.replace("_conv1", "") for name in task.layers)


def progress() -> None:
    job = st.session_state.get("recon_job")
    if job is None:
        return
    view = job.view()
    if view.active:
        where = (
            "waiting for a free slot"
            if view.status == "queued"
            else (f"picture {view.run_index + 1} of {view.n_runs}, step {view.step}/{view.total_steps}")
        )
        st.progress(view.progress, text=f"Reconstructing: {where} · {view.elapsed:.0f} s")
        st.button("Stop", key="rc_stop", on_click=job.stop, icon=":material/stop:")
    elif view.status not in ("finished", "stopped"):
        st.error(view.message)
    seen = (job.id, len(view.results), job.done)
    if st.session_state.get("recon_seen") != seen:  # a new picture (or the end): redraw the grids
        st.session_state["recon_seen"] = seen
        if view.results or job.done:
            st.rerun()


if st.session_state.get("recon_refused"):
    st.warning(st.session_state["recon_refused"])
recon_job = st.session_state.get("recon_job")
st.fragment(run_every=1.0 if recon_job is not None and not recon_job.done else None)(progress)()
section("content")
st.divider()
section("style")
