"""Studio: pick a photo and a painting, press Run, watch the picture paint itself."""

from __future__ import annotations

import streamlit as st

import ui
from nst.config import PRESETS, preset
from nst.images import encode_gif, encode_png
from nst.jobs import Job
from ui import charts, gallery, live_chart, pickers, replays, resources, runs, settings, state
from ui.sweep import sweep_tab
from ui.views import compare_tab, history_tab

ui.through_app()  # a deep link on a fresh server runs this file alone: go through app.py

st.title("Studio")
st.caption("Neural style transfer (Gatys et al. 2015): the photo's layout, the painting's textures.")

left, right = st.columns([1, 1.7], gap="large")
with left:
    # Preset, Run and Stop come first on screen, but are drawn last: they need the pictures and
    # the settings chosen below.
    controls = st.container()
    content = pickers.content_picker()
    styles = pickers.style_picker()
    style_names = [s.name for s in styles]
    config, error = settings.check_config(style_names)  # once a run: the panel and Run read it
    settings.blend_sliders(style_names, error)
    config, config_error = settings.settings_panel(style_names, config, error)

job = state.RUN.job()
running = job is not None and not job.done
busy = state.busy()


def start_run() -> None:
    """Run button: the pictures and settings of the session, as they are at the click."""
    pic, style_pics = state.content(), state.styles()
    config, error = settings.check_config([s.name for s in style_pics])
    runs.start_run(pic, style_pics, config, error and str(error))


def preset_times(backbone, content_pic, style_pics, budget: float | None) -> dict[str, str]:
    """Each preset's time on this machine for these pictures (and the budget, when one is set)."""
    out = {}
    for name, label in PRESETS.items():
        cfg = settings.for_backbone(preset(name), backbone.spec.name).replace(time_limit=budget)
        plan, _ = resources.plan_or_problem(backbone, cfg, content_pic.image, [s.image for s in style_pics])
        if plan is not None:
            out[label] = resources.duration(resources.seconds_here(backbone, plan, len(style_pics)))
    return out


with left, controls:
    ready = runs.run_readiness(content, styles, config, config_error)
    loaded = ready.backbone
    times = (
        preset_times(loaded, content, styles, config.time_limit)
        if loaded is not None and content is not None and styles
        else {}
    )
    settings.preset_control(style_names, times)
    settings.budget_control()
    problems = [] if busy else ready.problems
    plan = ready.plan
    if config is not None:
        planned = (plan.describe(), resources.seconds_here(loaded, plan, len(styles))) if plan is not None else None
        st.caption(
            settings.summary(config, planned),
            help="What Run will do: the sizes of the coarse-to-fine stages and their steps, the optimiser, the "
            "content/style balance, and how long it takes on this server (measured for its CPU).",
        )
    c1, c2 = st.columns(2)
    c1.button(
        "Run",
        type="primary",
        icon=":material/play_arrow:",
        on_click=start_run,
        disabled=bool(problems) or busy,
        width="stretch",
        key="run",
    )
    c2.button(
        "Stop",
        icon=":material/stop:",
        on_click=lambda: job and job.stop(),
        disabled=not running,
        width="stretch",
        key="stop",
        help="Stop at once and keep the picture as it is (at the coarse size if the run is still there).",
    )
    st.button(
        "Finish now at full size",
        icon=":material/fast_forward:",
        on_click=lambda: job and job.finish(),
        disabled=not running,
        width="stretch",
        key="finish",
        help="End the coarse stage at once and deliver a full-size picture after a few more steps.",
    )
    link = {"present": "1", "preset": settings.PRESET_BY_LABEL.get(st.session_state.get("preset"), "")}
    for kind, picked in (("content", content), ("style", styles[0] if styles else None)):
        name = gallery.url_name(kind, picked.name) if picked is not None else None
        if name:
            link[kind] = name
    st.page_link(
        "pages/present.py",
        label="Presentation view",
        icon=":material/co_present:",
        query_params={k: v for k, v in link.items() if v},
        help="One 16:9 screen for a talk: photo, painting, the picture painting itself, a big step counter and "
        "the curves. Its address keeps the pair and the preset, to prepare tabs before the talk.",
    )
    for problem in problems:
        st.error(problem, icon=":material/error:")
    if config is not None and resources.weights_problem(config.backbone):
        resources.weights_download(config.backbone)
    state.RUN.show_refusal()
    toast = state.TOAST.take()
    if toast:
        st.toast(toast, icon=":material/settings_backup_restore:")


def _inputs_row(content_pic, style_pics) -> None:
    """The photo and the paintings, small, in one row above the result."""
    cols = st.columns(6)
    cols[0].image(content_pic.thumbnail, caption="Content", width="stretch")
    for i, s in enumerate(style_pics):
        caption = "Style" if len(style_pics) == 1 else f"Style {i + 1}"
        cols[i + 1].image(s.thumbnail, caption=caption, width="stretch")


LATEST = -1  # the scrub slider's last option: the live picture (at the end, the final one)
ACCENT = st.get_option("theme.primaryColor")  # the slider's colour (.streamlit/config.toml), for its line on the curves


def _step_label(step: int) -> str:
    return "latest" if step == LATEST else str(step)


def _scrubbed(job_id: int) -> None:
    """The inspection pages look at the step the slider shows (the slider's own value is dropped
    when the Studio is not drawn, so it is kept in the session's own entry)."""
    step = st.session_state.get(f"see_step.{job_id}", LATEST)
    state.SCRUBBED.set(None if step == LATEST else (job_id, step))


def _clicked_step(job_id: int) -> None:
    """A click on the loss chart shows the kept picture nearest the clicked step (the slider under
    the picture moves there), as if the slider had been dragged to it."""
    event = st.session_state.get("loss_chart")
    points = [p for p in (event.selection.points if event else []) if isinstance(p.get("x"), int | float)]
    current = state.RUN.job()
    if not points or current is None or current.id != job_id:
        return  # a click that deselected, or a chart of a run no longer shown
    steps = [step for step, _ in current.snapshots()]
    if not steps:
        return
    nearest = min(steps, key=lambda step: abs(step - points[0]["x"]))
    st.session_state[f"see_step.{job_id}"] = LATEST if nearest == steps[-1] else nearest
    _scrubbed(job_id)


def _result_picture(current: Job, view) -> int:
    """The result, full width (what the audience watches), with a slider under it to see the picture
    at an earlier step from the job's kept snapshots. Its last option is the live picture, so a user
    who leaves it there keeps watching the run; an earlier step thinned out of the snapshots falls
    back to the latest. Returns the step shown (LATEST for the live picture)."""
    earlier = list(view.frame_steps[:-1])  # the last snapshot is the live picture itself
    key = f"see_step.{current.id}"  # this run's slider (drawn below): a new run starts live
    chosen = LATEST
    if earlier:
        if key not in st.session_state:  # back from another page: the step chosen before, or live
            scrubbed = state.SCRUBBED.get()
            st.session_state[key] = scrubbed[1] if scrubbed and scrubbed[0] == current.id else LATEST
        chosen = st.session_state[key] if st.session_state[key] in earlier else LATEST
    frame = dict(current.snapshots()).get(chosen) if chosen != LATEST else None
    if frame is None:
        st.image(
            view.image,
            caption=f"Result · step {view.step}" + (", still running" if view.active else ""),
            width="stretch",
        )
    else:
        latest = f"the latest is step {view.step}" + (" and counting" if view.active else "")
        st.image(frame, caption=f"Step {chosen} of the run ({latest})", width="stretch")
    if earlier:
        if st.session_state[key] not in earlier:
            st.session_state[key] = LATEST  # thinned out of the snapshots
        st.select_slider(
            "See step",
            [*earlier, LATEST],
            format_func=_step_label,
            key=key,
            on_change=_scrubbed,
            args=(current.id,),
            help="Drag back to see the picture at an earlier step (from the snapshots this run keeps); "
            "at the right end the picture is the latest one.",
        )
    return chosen if frame is not None else LATEST


def _curves(current: Job, view, shown: str, log: bool, seen: int) -> None:
    """The loss curves: while they grow, a chart that updates in place (ui.live_chart says why);
    once the run is done, Plotly's, where a click on a point shows the picture at that step."""
    layers = shown != "Loss terms"
    marked = None if seen == LATEST else seen  # where the picture shown is on the curves
    if view.active:
        draw, curves = (live_chart.layer_chart, view.layer_curves) if layers else (live_chart.loss_chart, view.curves)
        rows, spec = draw(
            view.steps, curves, log=log, marks=view.marks, seen=marked, accent=ACCENT, total_steps=view.total_steps
        )
        st.vega_lite_chart(rows, spec, width="stretch")
        return
    clickable = len(view.frame_steps) > 1
    if layers:
        figure = charts.layer_figure(view.steps, view.layer_curves, log=log, marks=view.marks, clickable=clickable)
    else:
        figure = charts.loss_figure(view.steps, view.curves, log=log, marks=view.marks, clickable=clickable)
    if marked is not None:
        figure.add_vline(x=marked, line=dict(color=ACCENT, width=2))
    st.plotly_chart(
        figure,
        key="loss_chart",
        config={"displaylogo": False},
        on_select=lambda job_id=current.id: _clicked_step(job_id),
        selection_mode="points",
    )
    if clickable:
        st.caption("Click a point on the curves to see the picture at that step.")


@st.fragment(run_every=state.LIVE_EVERY if running else None)
def live_view() -> None:
    """Redrawn every state.LIVE_EVERY seconds while a run goes on; the thread does the work, this only reads."""
    current = state.RUN.job()
    if current is None:
        pic, style_pics = state.content(), state.styles()
        if pic is not None and style_pics:
            _inputs_row(pic, style_pics)
            names = " + ".join(s.name for s in style_pics)
            st.info(
                f"{pic.name} × {names}: press **Run**. The picture paints itself here, with the loss curves below.",
                icon=":material/brush:",
            )
        else:
            st.info("Pick a photo and a painting, then press **Run**.", icon=":material/brush:")
        return
    view = current.view()
    inputs = state.RUN.inputs.get()
    if view.status == "queued":
        st.info(state.progress_text(current, view), icon=":material/hourglass:")
    else:
        st.progress(min(1.0, view.progress), text=state.progress_text(current, view))
    if view.status in ("diverged", "failed"):
        st.error(view.message, icon=":material/error:")
    elif view.status in ("stopped", "time_limit"):
        st.warning(view.message, icon=":material/pause_circle:")
    elif view.status == "finished" and current.final is not None and current.final.warning:
        st.warning(current.final.warning, icon=":material/warning:")
    elif view.status == "finished":
        st.success(view.message, icon=":material/check_circle:")
    if inputs is not None:
        _inputs_row(inputs[0], inputs[1])
    seen = _result_picture(current, view) if view.image is not None else LATEST
    if view.steps:
        c1, c2 = st.columns([3, 1])
        # One chart at a time: each redraw costs the server and the browser a full figure.
        shown = (
            c1.segmented_control(
                "Curves",
                ["Loss terms", "Style loss per layer"],
                default="Loss terms",
                key="curve_kind",
                label_visibility="collapsed",
            )
            or "Loss terms"
        )
        log = c2.toggle("Log scale", value=True, key="log_scale")
        _curves(current, view, shown, log, seen)
    state.wait_if_ending(current, view)
    if current.done and state.archive(current) is not None:
        st.rerun()  # the whole page: buttons, history and downloads follow the finished run


with right:
    live_view()
    if job is not None and job.done and job.final is not None:
        entry = state.history()[-1] if state.history() else None
        # Two by two: four in a row cut their labels in a projector's 1280-px window ("Animati…").
        d1, d2 = st.columns(2)
        d3, d4 = st.columns(2)
        d1.download_button(
            "Result PNG",
            encode_png(job.final.image),
            file_name="nst-result.png",
            mime="image/png",
            icon=":material/download:",
            width="stretch",
        )
        frames = [frame for _, frame in job.snapshots()]
        d2.download_button(
            "Animation GIF",
            lambda: encode_gif(frames),
            file_name="nst-run.gif",
            mime="image/gif",
            icon=":material/animation:",
            width="stretch",
            disabled=len(frames) < 2,
        )
        replays.download_button(d4, job)
        if entry is not None:
            d3.download_button(
                "Settings JSON",
                entry.config.to_json(),
                file_name="nst-settings.json",
                mime="application/json",
                icon=":material/data_object:",
                width="stretch",
            )

st.divider()
tabs = st.tabs(["History", "Compare two runs", "Style-strength sweep", "Replay"])
with tabs[0]:
    history_tab()
with tabs[1]:
    compare_tab()
with tabs[2]:
    sweep_tab(content, styles, config)
with tabs[3]:
    replays.replay_tab()
