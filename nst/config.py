"""Every knob of a run in one dataclass: JSON round-trip, validation, presets.

A config is data only. It never names a file on the machine (the weights path comes from the
environment or the CLI), so a config file shared between users cannot reach the server's disk.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from nst.backbones import DEFAULT_BACKBONE, get_spec
from nst.knobs import KNOBS

# Learning rates that work with the default weights: L-BFGS scales its own steps; Adam's is in
# grey levels per step; SGD multiplies the per-pixel gradient (see nst.optimizers).
DEFAULT_LEARNING_RATES = {"lbfgs": 1.0, "adam": 5.0, "sgd": 30.0}
CONFIG_VERSION = 1


class _Names(dict):
    def __missing__(self, key: str) -> str:
        return key


def _literal(value: Any) -> str:
    """A value's repr, safe inside a message template."""
    return repr(value).replace("{", "{{").replace("}", "}}")


class ConfigError(ValueError):
    """An invalid setting; the message names the setting and the allowed range, `field` the
    StyleConfig field it is about (None when it is about the images or the machine).

    `template` is the message with each setting as a `{field}` placeholder, so that every reader
    calls settings by its own names: str() by the field names (as in a JSON file), `worded` by
    any other (the panel's labels, nst.knobs.LABELS)."""

    def __init__(self, message: str, field: str | None = None, *, template: str | None = None):
        super().__init__(template.format_map(_Names()) if template is not None else message)
        self.field = field
        self.template = template

    def worded(self, names: Mapping[str, str]) -> str:
        if self.template is None:
            return str(self)
        text = self.template.format_map(_Names(names))
        return text[:1].upper() + text[1:]


def _default_style_layers() -> dict[str, float]:
    return {name: 1.0 for name in get_spec(DEFAULT_BACKBONE).style_layers}


@dataclass
class StyleConfig:
    # What to optimise
    backbone: str = DEFAULT_BACKBONE
    max_side: int = 384
    content_layer: str = "block4_conv2"
    style_layers: dict[str, float] = field(default_factory=_default_style_layers)
    # The optimiser divides each term by its value for a black image (see transfer.relative_weights),
    # so α = β = 1 balances content and style for any photo, painting and size.
    content_weight: float = 1.0  # α
    style_weight: float = 1.0  # β
    tv_weight: float = 1.0
    style_blend: tuple[float, ...] = ()  # one weight per style image; () = equal
    style_scale: float = 1.0  # style image's long side = this × the result's long side
    fine_stage: bool = True  # the full-size stage of a coarse-to-fine run weighs the shallow layers up (nst.plan)
    preserve_colours: bool = False
    # How to optimise
    optimizer: str = "lbfgs"
    learning_rate: float = 1.0  # L-BFGS step scale; Adam/SGD: pixels (0..255) per step
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    adam_epsilon: float = 1e-1
    sgd_decay_rate: float = 0.96
    sgd_decay_steps: int = 50
    lbfgs_history: int = 10
    epochs: int = 1
    steps_per_epoch: int = 50
    scales: tuple[float, ...] = (0.5, 1.0)  # coarse-to-fine: fractions of max_side, ascending
    init: str = "content"
    noise_ratio: float = 0.6  # noisy_content: share of noise
    seed: int = 0
    precision: str = "auto"
    preview_every: int = 10
    time_limit: float | None = None  # seconds; stop and keep the best so far

    # ------------------------------------------------------------------ derived
    @property
    def total_steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    def replace(self, **changes: Any) -> StyleConfig:
        return dataclasses.replace(self, **changes)

    # ------------------------------------------------------------------ validation
    def validate(self, n_styles: int | None = None) -> StyleConfig:
        """Raise ConfigError with a plain sentence for the first bad setting; return self. Ranges
        and choices come from the knob table (nst.knobs)."""

        def need(ok: bool, template: str, field: str | None = None) -> None:
            if not ok:
                raise ConfigError("", field, template=template)

        def number(name: str, lo: float | None = None) -> None:
            knob, value = KNOBS[name], getattr(self, name)
            lo = knob.low if lo is None else lo
            kind = "a whole number" if knob.integer else "a number"
            need(
                isinstance(value, int if knob.integer else (int, float)) and not isinstance(value, bool),
                f"{{{name}}} must be {kind} (got {_literal(value)}).",
                name,
            )
            need(
                math.isfinite(value) and lo <= value <= knob.high,
                f"{{{name}}} must be between {lo:g} and {knob.high:g} (got {_literal(value)}).",
                name,
            )

        def choice(name: str) -> None:
            options = KNOBS[name].choices
            value = getattr(self, name)
            need(value in options, f"{{{name}}} must be one of {', '.join(options)} (got {_literal(value)}).", name)

        def weights(name: str, values, what: str) -> None:
            knob = KNOBS[name]
            for value in values:
                need(
                    isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and math.isfinite(value)
                    and knob.low <= value <= (knob.high if knob.high is not None else math.inf),
                    f"{what} must be a number ≥ {knob.low:g}"
                    + (f" and ≤ {knob.high:g}" if knob.high is not None else "")
                    + f" (got {_literal(value)}).",
                    name,
                )

        choice("backbone")
        spec = get_spec(self.backbone)
        number("max_side", lo=spec.min_side)
        need(
            isinstance(self.content_layer, str) and self.content_layer in spec.layers,
            f"{{content_layer}} must be a {spec.label} layer such as {spec.content_layer} "
            f"(got {_literal(self.content_layer)}).",
            "content_layer",
        )
        need(
            isinstance(self.style_layers, dict) and len(self.style_layers) > 0,
            "pick at least one style layer.",
            "style_layers",
        )
        for name, weight in self.style_layers.items():
            need(name in spec.layers, f"style layer {_literal(name)} is not a {spec.label} layer.", "style_layers")
            weights("style_layers", [weight], f"the weight of style layer {name}")
        need(
            any(w > 0 for w in self.style_layers.values()),
            "give at least one style layer a weight above 0.",
            "style_layers",
        )
        for name in ("content_weight", "style_weight", "tv_weight"):
            number(name)
        need(
            self.content_weight > 0 or self.style_weight > 0,
            "{content_weight} and {style_weight} cannot both be 0: raise one of them.",
            "style_weight",
        )
        need(isinstance(self.style_blend, tuple), "{style_blend} must be a list of weights.", "style_blend")
        weights("style_blend", self.style_blend, "each {style_blend} weight")
        if self.style_blend:
            need(sum(self.style_blend) > 0, "give at least one painting a {style_blend} weight above 0.", "style_blend")
        if n_styles is not None:
            need(n_styles >= 1, "at least one style image is needed.")
            need(n_styles <= 8, f"at most 8 style images can be blended (got {n_styles}).")
            need(
                not self.style_blend or len(self.style_blend) == n_styles,
                f"{{style_blend}} has {len(self.style_blend)} weights for {n_styles} style images.",
                "style_blend",
            )
        number("style_scale")
        need(isinstance(self.preserve_colours, bool), "{preserve_colours} must be true or false.", "preserve_colours")
        need(isinstance(self.fine_stage, bool), "{fine_stage} must be true or false.", "fine_stage")
        choice("optimizer")
        for name in ("learning_rate", "adam_beta1", "adam_beta2", "adam_epsilon", "sgd_decay_rate"):
            number(name)
        for name in ("sgd_decay_steps", "lbfgs_history", "epochs", "steps_per_epoch"):
            number(name)
        need(
            self.total_steps <= 20_000,
            f"{{epochs}} × {{steps_per_epoch}} must be at most 20000 (got {self.total_steps}).",
            "steps_per_epoch",
        )
        need(
            isinstance(self.scales, tuple) and 1 <= len(self.scales) <= 5,
            "{scales} must list 1 to 5 fractions of the size.",
            "scales",
        )
        weights("scales", self.scales, "each of the {scales}")
        need(
            list(self.scales) == sorted(self.scales) and self.scales[-1] == 1.0,
            "{scales} must ascend and end at 1 (coarse to fine, finishing at full size).",
            "scales",
        )
        need(
            len(self.scales) <= self.total_steps,
            f"{len(self.scales)} stages (coarse to full size) need at least {len(self.scales)} steps: raise "
            "{steps_per_epoch} or drop a stage.",
            "steps_per_epoch",
        )
        choice("init")
        number("noise_ratio")
        number("seed")
        choice("precision")
        number("preview_every")
        if self.time_limit is not None:
            number("time_limit")
        return self

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        d = {"version": CONFIG_VERSION}
        for f in fields(self):
            value = getattr(self, f.name)
            d[f.name] = list(value) if isinstance(value, tuple) else (dict(value) if isinstance(value, dict) else value)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Any) -> StyleConfig:
        """Build from parsed JSON; unknown keys, wrong types and bad values raise ConfigError."""
        if not isinstance(data, dict):
            raise ConfigError("a config must be a JSON object of settings.")
        data = dict(data)
        version = data.pop("version", CONFIG_VERSION)
        if version != CONFIG_VERSION:
            raise ConfigError(f"config version {version!r} is not supported (expected {CONFIG_VERSION}).")
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ConfigError(f"unknown setting{'s' if len(unknown) > 1 else ''}: {', '.join(map(str, unknown))}.")
        kwargs: dict[str, Any] = {}
        for name, value in data.items():
            default = getattr(cls(), name)
            if isinstance(default, tuple):
                if not isinstance(value, list | tuple):
                    raise ConfigError(f"{name} must be a list (got {value!r}).")
                value = tuple(value)
            elif isinstance(default, dict):
                if not isinstance(value, dict):
                    raise ConfigError(f"{name} must map names to weights (got {value!r}).")
                value = dict(value)
            elif isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            kwargs[name] = value
        return cls(**kwargs).validate()

    @classmethod
    def from_json(cls, text: str | bytes) -> StyleConfig:
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(f"the config is not valid JSON ({exc}).") from None
        return cls.from_dict(data)


PRESETS: dict[str, str] = {
    "quick": "Quick",
    "balanced": "Balanced",
    "high": "High quality",
}
# Changes from the defaults (which are "balanced"): 3/5 of the steps at half size, 2/5 at full size
# (nst.plan.split_steps); measured with bench/ on a float32 CPU (see the README).
PRESET_CHANGES: dict[str, dict[str, Any]] = {
    "quick": dict(max_side=256, steps_per_epoch=30),
    "balanced": {},
    "high": dict(max_side=512),
}


def preset(name: str = "balanced", **overrides: Any) -> StyleConfig:
    """The tuned settings behind the app's presets and the CLI's --preset."""
    if name not in PRESETS:
        raise ConfigError(f"preset must be one of {', '.join(PRESETS)} (got {name!r}).")
    return StyleConfig(**{**PRESET_CHANGES[name], **overrides})
