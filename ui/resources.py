"""Process-wide objects shared by every browser session: the backbone, the run queue.

Server options come after `--` on the command line (`streamlit run app.py -- --weights PATH
--max-runs 2`) or from the environment (NST_WEIGHTS, NST_MAX_RUNS, and NST_MAX_RUN_MEMORY in GB
to cap what one run may use, see nst.memory); a visitor cannot set them.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from dataclasses import dataclass
from functools import cache

import numpy as np
import streamlit as st

from nst import memory
from nst.backbones import Backbone, get_spec, load_backbone
from nst.config import ConfigError, StyleConfig
from nst.cost import cost_model
from nst.jobs import RunQueue
from nst.plan import Plan
from nst.transfer import plan_run, warm_up
from nst.weights import WeightsError
from ui import state


def keep_keras_state() -> None:
    """Stop Streamlit from calling `keras.backend.clear_session()` after every script run.

    Streamlit does that for apps that build a model per run. Here one model serves every
    session and is traced once; clearing after each rerun (twice a second while a run is shown)
    drops TensorFlow's kernel cache, forces a full garbage collection, and swaps Keras' state
    under other threads — a background run tracing at that moment loses its mixed-precision
    scope and fails. Measured: a Quick preview took 85 s instead of 9 s with the cleanup on.
    """
    from streamlit.runtime.scriptrunner import script_runner

    script_runner._clean_problem_modules = lambda: None


@dataclass(frozen=True)
class ServerSettings:
    weights: str | None
    max_runs: int


@cache
def server_settings() -> ServerSettings:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--weights", default=None)
    parser.add_argument("--max-runs", type=int, default=int(os.environ.get("NST_MAX_RUNS", "1") or 1))
    args, _ = parser.parse_known_args(sys.argv[1:])
    return ServerSettings(weights=args.weights, max_runs=max(1, args.max_runs))


@st.cache_resource(show_spinner=False)
def _load(name: str, precision: str) -> Backbone:
    # A page rerun never starts a download (on a venue's Wi-Fi it could hang every page): missing
    # weights are fetched only by the button of `weights_download`, or put in place by the operator.
    explicit = server_settings().weights if name == "vgg19" else None
    backbone = load_backbone(name, weights=explicit, precision=precision, download=False)
    # This machine's speed (about 14 s once, then from the disk cache), before the warm-up's traces.
    cost_model(backbone)
    warm_up(backbone)  # the first Run starts at once
    memory.mark_baseline()  # what the process holds before any run: later growth is reusable by runs
    return backbone


def get_backbone(name: str = "vgg19", precision: str = "auto", show_error: bool = True) -> Backbone | None:
    """The loaded backbone, or None (after showing what to do, unless the caller says it)."""
    label = get_spec(name).label
    try:
        with st.spinner(f"Loading {label} (once per server)…"):
            return _load(name, precision)
    except WeightsError:
        if show_error:  # the operator's instruction in words a visitor may see: no server paths
            st.error(weights_problem(name) or f"{label} weights are missing.", icon=":material/error:")
        return None


def require_backbone(name: str = "vgg19", precision: str = "auto") -> Backbone:
    backbone = get_backbone(name, precision)
    if backbone is None:
        weights_download(name)
        st.stop()
    return backbone


def weights_download(name: str) -> None:
    """The one way the app fetches weights: a button pressed on purpose, then progress (shared by
    every visitor) until the file is in the Keras cache and checked, then the page reloads."""
    from nst.weights import current_download, offline, start_download

    spec = get_spec(name)
    download = current_download(spec.weights)
    if download is not None and download.active:

        @st.fragment(run_every=1.0)
        def progress() -> None:
            current = current_download(spec.weights)
            if current is None or not current.active:
                weights_problem.clear()  # every session sees the new file at once
                st.rerun()
            got = f"{current.received / 1e6:.0f} of {(current.total or spec.weights.size_mb * 1e6) / 1e6:.0f} MB"
            st.progress(current.share or 0.0, text=f"Downloading the {spec.label} weights · {got}")
            st.button("Cancel the download", key=f"weights_cancel_{name}", on_click=current.cancel)

        progress()
        return
    if download is not None and download.status in ("failed", "cancelled"):
        st.error(download.message, icon=":material/cloud_off:")
    if offline():
        st.caption("Downloads are off on this server (NST_OFFLINE): the weights file has to be put in place.")
        return

    def start() -> None:
        try:
            start_download(spec.label, spec.weights)
        except WeightsError as exc:
            state.WEIGHTS_DOWNLOAD_ERROR.set(str(exc))

    st.button(
        f"Download the {spec.label} weights ({spec.weights.size_mb} MB)",
        key=f"weights_download_{name}",
        on_click=start,
        icon=":material/download:",
        help="The official Keras file, checked against its md5, into this server's Keras cache. It stops if "
        "nothing arrives for 20 s.",
    )
    error = state.WEIGHTS_DOWNLOAD_ERROR.take()
    if error:
        st.error(error)


@st.cache_resource(show_spinner=False)
def run_queue() -> RunQueue:
    return RunQueue(max_concurrent=server_settings().max_runs)


def plan_or_problem(
    backbone: Backbone, config: StyleConfig, content: np.ndarray, styles: list[np.ndarray]
) -> tuple[Plan | None, str | None]:
    """The plan Run would follow, or one sentence why it cannot start: the content too thin for the
    size, a time limit too short for it on this machine, or more memory than its share of what is
    free (each of the queue's `max_runs` slots gets an equal share)."""
    try:
        shapes = [s.shape for s in styles]
        return plan_run(config, content.shape, shapes, backbone, slots=run_queue().max_concurrent), None
    except ConfigError as exc:
        return None, str(exc)[:1].upper() + str(exc)[1:]


def seconds_here(backbone: Backbone, plan: Plan, n_styles: int) -> float:
    """The plan's predicted wall time on this server."""
    return plan.seconds(cost_model(backbone), n_styles)


def duration(seconds: float) -> str:
    """'about 40 s', 'about 2 min' — what a person reads before pressing Run.

    Below 20 s, to the second and rounded up (rounded to 5 s, a 12-s run read "about 10 s"): the
    estimate is the engine's, and the page adds 0.3-0.7 s to a run in Chromium on a 2-core CPU, which
    rounding to the nearest second turned into "about 2 s" for a Quick run seen to take 2.8 s."""
    if seconds < 20:
        return f"about {max(1, math.ceil(seconds)):.0f} s"
    if seconds < 90:
        return f"about {round(seconds / 5) * 5:.0f} s"
    return f"about {seconds / 60:.0f} min" if seconds < 3600 else f"about {seconds / 3600:.1f} h"


@st.cache_data(show_spinner="Looking for the weights…", ttl=60)
def weights_problem(name: str) -> str | None:
    """One short sentence if this backbone's weights cannot be had here (checked without
    loading the model; re-checked every minute, so a file put in place is picked up)."""
    from nst.weights import resolve_weights

    spec = get_spec(name)
    try:
        resolve_weights(
            spec.label, spec.weights, server_settings().weights if name == "vgg19" else None, download=False
        )
    except WeightsError:
        return (
            f"{spec.label} weights are not on this server: put {spec.weights.filename} into "
            f"~/.keras/models/ (or set NST_WEIGHTS) and reload."
        )
    return None
