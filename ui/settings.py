"""The settings panel: presets, every knob of `StyleConfig`, and JSON load/save.

Each knob is a widget whose key is `cfg.<field>`, with its label, help, range and tab from the
engine's knob table (nst.knobs); a preset or a loaded JSON file simply writes those keys (in a
callback, before the widgets are drawn), so the widgets always show the config that will run.
Values persist across page switches. An invalid value is shown beside its widget, in the panel's
labels (ConfigError.worded), and Run is disabled.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from nst.backbones import get_spec
from nst.config import DEFAULT_LEARNING_RATES, PRESETS, ConfigError, StyleConfig, preset
from nst.knobs import KNOBS, LABELS
from ui import gallery, state
from ui.resources import duration

PRESET_LABELS = list(PRESETS.values())
PRESET_BY_LABEL = {label: name for name, label in PRESETS.items()}
SCALE_LABELS = {0.25: "¼", 0.5: "½"}  # full size (1) always runs last, so it is not a choice
# A MIME type in the list turns off Streamlit's server-side extension check, which would raise an
# exception into the page for "settings.txt"; StyleConfig.from_json judges the content instead.
JSON_ACCEPT = ["application/json", "json"]
APP_PREVIEW_EVERY = 5  # the app shows the picture every few steps: it paints itself live

_SIMPLE = (
    "max_side",
    "content_weight",
    "style_weight",
    "tv_weight",
    "style_scale",
    "preserve_colours",
    "fine_stage",
    "optimizer",
    "learning_rate",
    "adam_beta1",
    "adam_beta2",
    "adam_epsilon",
    "sgd_decay_rate",
    "sgd_decay_steps",
    "lbfgs_history",
    "epochs",
    "steps_per_epoch",
    "init",
    "noise_ratio",
    "seed",
    "precision",
    "backbone",
    "content_layer",
)
P = "cfg."


def _key(name: str) -> str:
    return P + name


def chosen_backbone() -> str:
    """The backbone the panel names (the inspection pages follow it)."""
    return st.session_state.get(_key("backbone"), "vgg19")


def chosen_style_layers() -> list[str]:
    """The style layers the panel has picked, in its order."""
    return list(st.session_state.get(_key("style_layers")) or [])


def blend_key(style_name: str) -> str:
    """Blend weights belong to the painting, not to its place in the list."""
    return _key(f"blend.{style_name}")


def write_config(cfg: StyleConfig, style_names: list[str] | None = None) -> None:
    """Show `cfg` in the widgets (call from a callback or before the widgets are drawn); its
    blend weights go to `style_names`, in order."""
    ss = st.session_state
    for name in _SIMPLE:
        ss[_key(name)] = getattr(cfg, name)
    ss[_key("style_layers")] = list(cfg.style_layers)
    for layer, weight in cfg.style_layers.items():
        ss[_key(f"layer.{layer}")] = float(weight)
    for name, w in zip(style_names or [], cfg.style_blend, strict=False):
        ss[blend_key(name)] = float(w)
    ss[_key("scales")] = [SCALE_LABELS[s] for s in cfg.scales if s in SCALE_LABELS]
    ss[_key("time_limit")] = float(cfg.time_limit or 0.0)


def _on_preset() -> None:
    label = st.session_state.get("preset")
    if label in PRESET_BY_LABEL:
        current_backbone = st.session_state.get(_key("backbone"), "vgg19")
        cfg = preset(PRESET_BY_LABEL[label])
        if current_backbone != cfg.backbone:
            cfg = for_backbone(cfg, current_backbone)
        limit = float(st.session_state.get(_key("time_limit"), 0.0) or 0.0)
        write_config(cfg.replace(time_limit=limit or None))  # a preset is a quality level; the budget stays


def for_backbone(cfg: StyleConfig, backbone: str) -> StyleConfig:
    spec = get_spec(backbone)
    return cfg.replace(
        backbone=backbone, content_layer=spec.content_layer, style_layers={n: 1.0 for n in spec.style_layers}
    )


def _on_backbone() -> None:
    name = st.session_state[_key("backbone")]
    write_config(for_backbone(read_config([], validate=False), name))


def _on_optimizer() -> None:
    st.session_state[_key("learning_rate")] = DEFAULT_LEARNING_RATES[st.session_state[_key("optimizer")]]


def _on_load_json() -> None:
    upload = st.session_state.get("cfg_json")
    if not hasattr(upload, "getvalue"):  # none, or a DeletedFile
        return
    try:
        cfg = StyleConfig.from_json(upload.getvalue())
    except ConfigError as exc:
        state.SETTINGS_FILE_ERROR.set(f"That settings file cannot be used: {exc}")
        return
    except RecursionError:  # json.loads on thousands of nested brackets
        state.SETTINGS_FILE_ERROR.set("That settings file cannot be used: it is nested far too deeply.")
        return
    state.SETTINGS_FILE_ERROR.set(None)
    styles = [p.name for p in state.styles()]
    write_config(cfg, styles if len(styles) == len(cfg.style_blend) else None)
    state.TOAST.set("Settings file loaded: every knob shows its value.")


def ensure_defaults() -> None:
    if _key("max_side") not in st.session_state:
        write_config(StyleConfig())


def read_config(style_names: list[str], validate: bool = True) -> StyleConfig:
    """The StyleConfig the widgets show for these paintings (ConfigError, in the panel's words,
    if a value is out of range)."""
    ss = st.session_state
    values: dict[str, Any] = {name: ss[_key(name)] for name in _SIMPLE if _key(name) in ss}
    layers = ss.get(_key("style_layers"), [])
    values["style_layers"] = {name: float(ss.get(_key(f"layer.{name}"), 1.0)) for name in layers}
    values["style_blend"] = (
        tuple(float(ss.get(blend_key(name), 1.0)) for name in style_names) if len(style_names) > 1 else ()
    )
    inverse = {v: k for k, v in SCALE_LABELS.items()}
    scales = sorted({inverse.get(s, 1.0) for s in ss.get(_key("scales")) or []} | {1.0})
    values["scales"] = tuple(scales)
    limit = float(ss.get(_key("time_limit"), 0.0) or 0.0)
    values["time_limit"] = limit if limit > 0 else None
    for name in ("max_side", "epochs", "steps_per_epoch", "seed", "sgd_decay_steps", "lbfgs_history"):
        if name in values and isinstance(values[name], float) and values[name].is_integer():
            values[name] = int(values[name])
    cfg = StyleConfig(**values, preview_every=APP_PREVIEW_EVERY)
    if not validate:
        return cfg
    try:
        return cfg.validate(n_styles=max(1, len(style_names)))
    except ConfigError as exc:
        raise ConfigError(exc.worded(LABELS), exc.field) from None


def _ratio(alpha: float, beta: float) -> str:
    return f"{alpha / beta:.3g}" if beta else "∞ (no style)"


def summary(cfg: StyleConfig, planned: tuple[str, float] | None = None) -> str:
    """One line saying what Run will do; `planned` is (plan description, predicted seconds) on this
    machine, when known."""
    if planned:
        stages = planned[0]
    else:
        stages = " → ".join(f"{round(cfg.max_side * s)}" for s in cfg.scales) + f" px · {cfg.total_steps} steps"
    extras = [
        x
        for x in (
            "colours kept" if cfg.preserve_colours else "",
            f"{len(cfg.style_blend)} styles blended" if len(cfg.style_blend) > 1 else "",
        )
        if x
    ]
    time_here = []
    if planned:
        budget = f" (within {cfg.time_limit:g} s)" if cfg.time_limit else ""
        time_here = [f"{duration(planned[1])} here{budget}"]
    balance = f"α/β {_ratio(cfg.content_weight, cfg.style_weight)}"
    return " · ".join([stages, KNOBS["optimizer"].choices[cfg.optimizer], balance, *extras, *time_here])


def _number(error: ConfigError | None, name: str) -> None:
    """A number box with no range of its own: given one, the browser keeps an out-of-range value
    in red while the server keeps the old one, so the box and Run disagree. StyleConfig.validate
    judges the value against the knob table and `_field_error` says why beside the box."""
    knob = KNOBS[name]
    st.number_input(
        knob.label,
        key=_key(name),
        format=None if knob.integer else "%g",
        step=int(knob.step or 1) if knob.integer else knob.step,
        help=knob.help,
        persist_state="session",
    )
    _field_error(error, name)


def _slider(error: ConfigError | None, name: str) -> None:
    """A slider over the knob's `widget` range (narrower than what validate accepts)."""
    knob = KNOBS[name]
    kind = int if knob.integer else float  # Streamlit wants all three of one type
    low, high, step = (kind(v) for v in (knob.widget or (knob.low, knob.high, knob.step)))
    st.slider(knob.label, low, high, step=step, key=_key(name), help=knob.help, persist_state="session")
    _field_error(error, name)


def _choice(
    error: ConfigError | None, name: str, options: list[str] | None = None, widget=st.selectbox, **kw: Any
) -> None:
    """A choice among the knob's values (or `options`), shown by their labels."""
    knob = KNOBS[name]
    labels = knob.choices
    widget(
        knob.label,
        options if options is not None else list(labels),
        format_func=lambda v: labels.get(v, v),
        key=_key(name),
        help=knob.help,
        persist_state="session",
        **kw,
    )
    _field_error(error, name)


def matching_preset(style_names: list[str]) -> str | None:
    """The label of the preset the widgets show unchanged, if any (for this backbone)."""
    current = read_config(style_names, validate=False).replace(style_blend=(), time_limit=None)
    for name, label in PRESETS.items():
        if for_backbone(preset(name), current.backbone).replace(preview_every=current.preview_every) == current:
            return label
    return None


def preset_control(style_names: list[str], eta: dict[str, str] | None = None) -> None:
    """The preset buttons and, under them, each one's time on this machine (`eta`: label → "about
    40 s"); the highlighted one is whichever preset the settings still equal."""
    ensure_defaults()
    st.session_state["preset"] = matching_preset(style_names)  # before the widget: "custom" shows none
    eta = eta or {}
    st.segmented_control(
        "Preset",
        PRESET_LABELS,
        key="preset",
        on_change=_on_preset,
        help="Quality levels (Quick ≈ 256 px, Balanced ≈ 384 px, High ≈ 512 px), each with its time on this "
        "machine, measured for this server's CPU. Every knob in All settings can still be changed, and then "
        "none is highlighted.",
    )
    if eta:
        st.caption("Here: " + " · ".join(f"{label} {eta[label]}" for label in PRESET_LABELS if label in eta))


BUDGETS = (0.0, 15.0, 30.0, 60.0)  # "Finish within" choices; 0 = no limit


def _budget_label(seconds: float) -> str:
    return "No limit" if not seconds else f"{seconds:g} s"


def budget_control() -> None:
    """Finish within 15 s / 30 s / 60 s / no limit: the run is planned from this machine's speed to
    end by then at the full size (coarse stages give way first)."""
    ensure_defaults()
    current = float(st.session_state.get(_key("time_limit"), 0.0) or 0.0)
    options = sorted({*BUDGETS, current})
    st.session_state[_key("time_limit")] = current
    st.segmented_control(
        KNOBS["time_limit"].label,
        options,
        key=_key("time_limit"),
        format_func=_budget_label,
        help="Plans the stages from this machine's measured speed so the run ends by then at the size asked "
        "for: the coarse stages give way first, the full size always runs.",
    )


TABS = ["Picture", "Loss", "Layers", "Optimiser", "Save / load"]


def check_config(style_names: list[str]) -> tuple[StyleConfig | None, ConfigError | None]:
    """The config the widgets hold now (widget values reach session state before the script
    runs), or the first error in it, in the panel's words and with its field."""
    ensure_defaults()
    try:
        return read_config(style_names), None
    except ConfigError as exc:
        return None, exc


def where(error: ConfigError) -> str:
    """Where on screen a setting's error is shown, for the line beside Run."""
    if error.field == "style_blend":
        return "Style blend, under the paintings"
    tab = KNOBS[error.field].tab if error.field in KNOBS else None
    return f"All settings › {tab}" if tab else "All settings"


def _field_error(error: ConfigError | None, *fields: str) -> None:
    """The settings error, right under the widget it is about."""
    if error is not None and error.field in fields:
        st.error(str(error), icon=":material/error:")


def blend_sliders(style_names: list[str], error: ConfigError | None) -> None:
    """How much of each painting, when several are blended (each keeps its own weight)."""
    if len(style_names) < 2:
        return
    st.caption(f"{KNOBS['style_blend'].label} — how much of each painting", help=KNOBS["style_blend"].help)
    cols = st.columns(len(style_names))
    for col, name in zip(cols, style_names, strict=True):
        st.session_state.setdefault(blend_key(name), 1.0)
        low, high, step = KNOBS["style_blend"].widget
        col.slider(gallery.wrappable(name), low, high, step=step, key=blend_key(name))
    _field_error(error, "style_blend")


def _open_on_new_error(error: ConfigError | None) -> None:
    """A new error opens the panel on the tab of its field (before those widgets are drawn); the
    same error again leaves the user free to look at other tabs."""
    ss = st.session_state
    message = str(error) if error else None
    tab = KNOBS[error.field].tab if error is not None and error.field in KNOBS else None
    if message and message != state.SETTINGS_ERROR_SEEN.get() and tab:
        ss["settings_open"] = True
        ss["settings_tab"] = tab
    state.SETTINGS_ERROR_SEEN.set(message)


def settings_panel(
    style_names: list[str], config: StyleConfig | None, error: ConfigError | None
) -> tuple[StyleConfig | None, str | None]:
    """The expander with every knob; returns (config, error sentence). The error is also shown
    beside its field, and Run (on the page) is disabled while there is one."""
    ensure_defaults()
    ss = st.session_state
    number, slider, choice, beside = (partial(f, error) for f in (_number, _slider, _choice, _field_error))
    _open_on_new_error(error)
    spec = get_spec(ss.get(_key("backbone"), "vgg19"))
    # Keyed, so that adding a painting (which adds widgets above) does not close the open panel.
    with st.expander("All settings", icon=":material/tune:", key="settings_open", on_change="rerun"):
        image_tab, loss_tab, layer_tab, opt_tab, file_tab = st.tabs(TABS, key="settings_tab", on_change="rerun")
        with image_tab:
            slider("max_side")
            knob = KNOBS["scales"]
            st.pills(
                knob.label,
                list(SCALE_LABELS.values()),
                selection_mode="multi",
                key=_key("scales"),
                persist_state="session",
                help=knob.help,
            )
            beside("scales")
            choice("init", widget=st.segmented_control)
            if ss.get(_key("init")) == "noisy_content":
                slider("noise_ratio")
            number("seed")
            knob = KNOBS["preserve_colours"]
            st.toggle(knob.label, key=_key("preserve_colours"), persist_state="session", help=knob.help)
            slider("style_scale")
        with loss_tab:
            for col, name in zip(st.columns(3), ("content_weight", "style_weight", "tv_weight"), strict=True):
                with col:
                    number(name)
            alpha, beta = ss.get(_key("content_weight"), 0.0), ss.get(_key("style_weight"), 0.0)
            st.caption(
                f"α/β = **{_ratio(alpha, beta)}** — smaller means more style. (Content and TV terms are normalised "
                "per element, so these weights work at every size.)"
            )
        with layer_tab:
            choice("backbone", on_change=_on_backbone)
            choice("content_layer", list(spec.layers))
            knob = KNOBS["style_layers"]
            st.multiselect(
                knob.label, list(spec.layers), key=_key("style_layers"), persist_state="session", help=knob.help
            )
            low, high, step = knob.widget
            for name in ss.get(_key("style_layers"), []):
                ss.setdefault(_key(f"layer.{name}"), 1.0)
                st.slider(f"weight of {name}", low, high, step=step, key=_key(f"layer.{name}"))
            beside("style_layers")
            knob = KNOBS["fine_stage"]
            st.toggle(knob.label, key=_key("fine_stage"), persist_state="session", help=knob.help)
        with opt_tab:
            choice("optimizer", on_change=_on_optimizer)
            c1, c2 = st.columns(2)
            with c1:
                number("epochs")
            with c2:
                number("steps_per_epoch")
            number("learning_rate")
            optimizer = ss.get(_key("optimizer"))
            names = {
                "adam": ("adam_beta1", "adam_beta2", "adam_epsilon"),
                "sgd": ("sgd_decay_rate", "sgd_decay_steps"),
            }.get(optimizer, ("lbfgs_history",))
            for col, name in zip(st.columns(len(names)), names, strict=True):
                with col:
                    number(name)
            choice("precision")
        with file_tab:
            st.file_uploader(
                "Load settings (JSON)",
                type=JSON_ACCEPT,
                key="cfg_json",
                on_change=_on_load_json,
                help="A settings file saved here (or a run's Settings JSON) puts every knob back; pick "
                "the same pictures to reproduce that run exactly.",
            )
            if state.SETTINGS_FILE_ERROR.get():
                st.error(state.SETTINGS_FILE_ERROR.get())
            if config is not None:
                st.download_button(
                    "Save these settings",
                    config.to_json(),
                    file_name="nst-settings.json",
                    mime="application/json",
                    icon=":material/download:",
                )
    return config, (f"{error} See {where(error)}." if error else None)
