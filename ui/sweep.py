"""Style-strength sweep: one content/style pair at several β, shown as a grid."""

from __future__ import annotations

from functools import partial

import streamlit as st

from nst.config import StyleConfig, preset
from nst.images import encode_png
from nst.jobs import Job, JobKind, RunSpec
from ui import resources, state
from ui.state import Picture

FACTORS = {"×0.01": 0.01, "×0.1": 0.1, "×0.3": 0.3, "×1": 1.0, "×3": 3.0, "×10": 10.0, "×100": 100.0}


def _start(content: Picture, styles: list[Picture], config: StyleConfig, factors: list[float], size: int) -> None:
    quick = preset("quick")
    runs = [
        RunSpec(
            content.image,
            [s.image for s in styles],
            config.replace(
                style_weight=config.style_weight * f,
                max_side=size,
                epochs=1,
                steps_per_epoch=quick.steps_per_epoch,
                time_limit=None,
            ),
            label=f"β = {config.style_weight * f:.2g}",
        )
        for f in sorted(factors)
    ]
    backbone = resources.get_backbone(config.backbone, config.precision, show_error=False)
    if backbone is None:
        state.SWEEP.refuse(resources.weights_problem(config.backbone) or "The model could not be loaded.")
        return
    state.SWEEP.start(Job(runs, backbone, kind=JobKind.SWEEP), inputs=(content, list(styles), config))


def sweep_tab(content: Picture | None, styles: list[Picture], config: StyleConfig | None) -> None:
    st.caption(
        "The same photo and painting at several style weights β (everything else as in the panel, at a "
        "small size): the picture slides from photo to painting."
    )
    if content is None or not styles or config is None:
        st.caption("Pick a content and a style image (and valid settings) first.")
        return
    c1, c2, c3 = st.columns([3, 1, 1])
    chosen = c1.pills(
        "β multipliers", list(FACTORS), selection_mode="multi", default=["×0.1", "×1", "×10"], key="sweep_factors"
    )
    size = c2.select_slider("Size", [128, 192, 256, 320], value=192, key="sweep_size")
    job = state.SWEEP.job()
    c3.button(
        "Run sweep",
        icon=":material/grid_view:",
        disabled=state.busy() or not chosen,
        key="sweep_run",
        on_click=_start,
        args=(content, styles, config, [FACTORS[c] for c in chosen or []], size),
    )
    state.SWEEP.show_refusal()
    if job is not None:
        st.fragment(run_every=1.0 if not job.done else None)(_sweep_view)()


def _sweep_view() -> None:
    """Polled while the sweep runs; a full rerun when it ends re-enables the buttons."""
    job = state.SWEEP.job()
    if job is None:
        return
    view = state.SWEEP.progress(stop=True)
    if not view.active and view.status not in ("finished",):
        st.warning(view.message)
    if job.done and state.SWEEP.first_time(job.id):
        inputs = state.SWEEP.inputs.get()
        if inputs is not None:
            state.archive_sweep(job, inputs[0], inputs[1])
        st.rerun()
    if view.results:
        cols = st.columns(max(3, len(job.runs)))
        for i, (col, (label, image)) in enumerate(zip(cols, view.results, strict=False)):
            col.image(image, caption=label, width="stretch")
            if job.done:
                _download(col, job.id, i, label, image)
        if job.done:
            st.caption("Each picture is also in the History tab, where Compare can put two side by side.")


def _download(col, job_id: int, index: int, label: str, image) -> None:
    """A PNG of one sweep picture, encoded only when asked for."""
    beta = label.removeprefix("β = ").replace("+", "")
    col.download_button(
        "PNG",
        partial(encode_png, image),
        file_name=f"nst-sweep-{index + 1}-beta-{beta}.png",
        mime="image/png",
        key=f"sweep_png_{job_id}_{index}",
        icon=":material/download:",
        width="stretch",
    )
