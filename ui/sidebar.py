"""The sidebar on every page: which model, whose weights, which device; the queue."""

from __future__ import annotations

import streamlit as st

from nst.cost import cost_model
from ui import resources, state


def render(page_shows_run: bool = False) -> None:
    """`page_shows_run`: the page draws this session's run itself (the Studio, the presentation view)."""
    with st.sidebar:
        st.markdown("### :material/palette: NST Explorer")
        backbone = resources.get_backbone(show_error=False)
        if backbone is None:
            st.caption("**Model** VGG19 (ImageNet) · weights not on this server yet")
        else:
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
        _run_status(page_shows_run)


# How often the queue line refreshes itself: often while anything computes (here or for another
# visitor), rarely when all is quiet (so a run someone else starts still shows up).
BUSY_REFRESH_S = 4.0
IDLE_REFRESH_S = 10.0


def runs(n: int) -> str:
    """'no run', '1 run', '3 runs': the count as people say it."""
    return "no run" if n == 0 else f"{n} run{'' if n == 1 else 's'}"


def queue_line(running: int, waiting: int, limit: int) -> str:
    """The server's queue in one sentence, e.g. 'Server: 1 run computing, none waiting (at most 1 at a time).'"""
    return f"Server: {runs(running)} computing, {waiting or 'none'} waiting (at most {limit} at a time)."


def refresh_seconds(going: bool, page_shows_my_run: bool) -> float:
    """How often the queue line redraws. Where the page draws this session's run itself, "Your run: …"
    is left out (it would repeat the page) and the line keeps the idle rate: a redraw every 4 s took
    time from the run on the same cores (a Studio run 2.6 s faster without it, two interleaved pairs)."""
    return BUSY_REFRESH_S if going and not page_shows_my_run else IDLE_REFRESH_S


def _run_status(page_shows_run: bool) -> None:
    queue = resources.run_queue()
    current = state.RUN.job()
    mine = current is not None and not current.done
    going = state.busy() or queue.running > 0 or queue.waiting > 0

    @st.fragment(run_every=refresh_seconds(going, page_shows_run and mine))
    def status() -> None:
        """Its own fragment, redrawn on a timer: the queue changes without this page rerunning (a run
        that ends, another visitor's run), and a count drawn once would go stale."""
        current = state.RUN.job()
        if current is not None and not current.done and not page_shows_run:
            view = current.view()
            where = f"{view.status}, step {view.step}/{view.total_steps}" if view.status != "queued" else "queued"
            st.caption(f":material/autorenew: Your run: {where}")
        st.caption(queue_line(queue.running, queue.waiting, queue.max_concurrent))

    status()
