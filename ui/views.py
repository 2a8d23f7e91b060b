"""The Studio's lower tabs: the session's history of runs, and two runs side by side."""

from __future__ import annotations

import streamlit as st

from nst.images import encode_png
from nst.knobs import KNOBS, LABELS
from ui import charts, gallery, pickers, settings, state

PER_ROW = 6


def _use_settings(number: int) -> None:
    """Put a past run's settings and pictures back, so Run repeats it."""
    for entry in state.history():
        if entry.number == number:
            pickers.select(entry.content, entry.styles)
            settings.write_config(entry.config, [s.name for s in entry.styles])
            state.TOAST.set(f"Settings and pictures of run #{number} are back in the Studio.")


def history_tab() -> None:
    entries = state.history()[::-1]
    if not entries:
        st.caption("Every run of this session lands here, newest first.")
        return
    st.caption(
        f"{len(entries)} run{'s' if len(entries) > 1 else ''} this session (the last {state.MAX_HISTORY} "
        "are kept). Download any of them, or load its settings back into the panel."
    )
    for start in range(0, len(entries), PER_ROW):
        cols = st.columns(PER_ROW)
        for col, entry in zip(cols, entries[start : start + PER_ROW], strict=False):
            with col:
                caption = gallery.wrappable(f"{entry.label} · {entry.elapsed:.0f} s")
                st.image(entry.image, caption=caption, width="stretch")
                if entry.status != "finished":
                    st.caption(f":orange[{entry.status.replace('_', ' ')}]")
                st.download_button(
                    "PNG",
                    encode_png(entry.image),
                    file_name=f"nst-run-{entry.number}.png",
                    mime="image/png",
                    key=f"hist_png_{entry.number}",
                    icon=":material/download:",
                    width="stretch",
                )
                st.button(
                    "Use settings",
                    key=f"hist_use_{entry.number}",
                    on_click=_use_settings,
                    args=(entry.number,),
                    width="stretch",
                )


def _shown(value) -> str:
    """A setting's value as a person reads it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_shown(v)}" for k, v in value.items())
    return "—" if value is None else str(value)


def _config_diff(a, b) -> list[dict[str, str]]:
    da, db = a.to_dict(), b.to_dict()
    return [{"setting": LABELS.get(k, k), "left": _shown(da[k]), "right": _shown(db[k])} for k in da if da[k] != db[k]]


def compare_label(entry: state.HistoryEntry) -> str:
    """'#4 · tubingen × starry_night · Adam, 60 steps, 384 px': the run by what people change."""
    cfg = entry.config
    return f"{entry.label} · {KNOBS['optimizer'].choices[cfg.optimizer]}, {cfg.total_steps} steps, {cfg.max_side} px"


def compare_tab() -> None:
    entries = state.history()
    if len(entries) < 2:
        st.caption("After two runs, compare them here side by side, with what differs in their settings.")
        return
    labels = {compare_label(e): e for e in entries}
    names = list(labels)
    if state.COMPARE_SEEN.get() != entries[-1].number:  # a new run: show the two newest
        state.COMPARE_SEEN.set(entries[-1].number)
        st.session_state["cmp_left"], st.session_state["cmp_right"] = names[-2], names[-1]
    c1, c2 = st.columns(2)
    left = labels[c1.selectbox("Left", names, key="cmp_left")]
    right = labels[c2.selectbox("Right", names, key="cmp_right")]
    c1.image(left.image, caption=f"{compare_label(left)} · {left.elapsed:.0f} s", width="stretch")
    c2.image(right.image, caption=f"{compare_label(right)} · {right.elapsed:.0f} s", width="stretch")
    diff = _config_diff(left.config, right.config)
    if diff:
        st.dataframe(diff, hide_index=True, width="stretch")
    else:
        st.caption("Same settings.")
    st.plotly_chart(
        charts.compare_figure(
            {
                compare_label(left): (left.steps, left.curves["total"]),
                compare_label(right): (right.steps, right.curves["total"]),
            }
        ),
        key="cmp_chart",
        config={"displaylogo": False},
    )
