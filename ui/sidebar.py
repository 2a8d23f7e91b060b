"""The sidebar on every page: which model, whose weights, which device; the queue."""

from __future__ import annotations

import streamlit as st

from nst.cost import cost_model
from ui import resources, state


def render() -> None:
    with st.sidebar:
        st.markdown("### :material/palette: NST Explorer")
        backbone = resources.get_backbone()
        if backbone is not None:
            st.caption(
                f"**Model** {backbone.spec.label} (ImageNet)  \n"
                f"**Weights** {backbone.source.origin}  \n"
                f"**Device** {backbone.device.kind} · {backbone.precision}"
            )
            with st.popover("Details", icon=":material/info:"):
                st.caption(f"Weights: the official Keras file, md5-checked, from {backbone.source.origin}")
                st.caption(f"Device: {backbone.device.name} ({backbone.device.cores} cores)")
                native = "native" if backbone.device.bf16_native else "not native"
                st.caption(f"bfloat16 on this device: {native}")
                cost = cost_model(backbone)
                if cost.measured:
                    step = cost.step_seconds(384 * 288)
                    st.caption(
                        f"Speed here: a 384×288 step takes about {step:.1f} s (measured on this server's CPU in "
                        f"{cost.probe_seconds:.0f} s when the model loaded); every time shown before Run comes from it."
                    )
        _run_status()


def _run_status() -> None:
    job = state.job()
    active = job is not None and not job.done

    @st.fragment(run_every=4.0 if active else None)
    def status() -> None:
        """Its own fragment, so the step count does not go stale while the page itself waits."""
        queue = resources.run_queue()
        current = state.job()
        if current is not None and not current.done:
            view = current.view()
            where = f"{view.status}, step {view.step}/{view.total_steps}" if view.status != "queued" else "queued"
            st.caption(f":material/autorenew: Your run: {where}")
        st.caption(
            f"Server: {queue.running} run(s) computing, {queue.waiting} waiting "
            f"(limit {queue.max_concurrent} at a time)."
        )

    status()
