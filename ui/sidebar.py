"""The sidebar on every page: which model, whose weights, which device; the queue."""

from __future__ import annotations

import streamlit as st

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
                st.caption(f"Weights file: `{backbone.source.path}`")
                st.caption(f"Device: {backbone.device.name} ({backbone.device.cores} cores)")
                native = "native" if backbone.device.bf16_native else "not native"
                st.caption(f"bfloat16 on this device: {native}")
        _run_status()


def _run_status() -> None:
    job = state.job()
    active = job is not None and not job.done

    @st.fragment(run_every=2.0 if active else None)
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
