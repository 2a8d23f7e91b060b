"""Every knob of a run in one dataclass: JSON round-trip, validation, presets.

A config is data only. It never names a file on the machine (the weights path comes from the
environment or the CLI), so a config file shared between users cannot reach the server's disk.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field, fields
from typing import Any

from nst.backbones import BACKBONES, DEFAULT_BACKBONE, get_spec
from nst.device import PRECISIONS

OPTIMIZERS = ("lbfgs", "adam", "sgd")
# Learning rates that work with the default weights: L-BFGS scales its own steps; Adam's is in
# grey levels per step; SGD multiplies the per-pixel gradient (see nst.optimizers).
DEFAULT_LEARNING_RATES = {"lbfgs": 1.0, "adam": 5.0, "sgd": 30.0}
INITS = ("content", "noise", "noisy_content")
CONFIG_VERSION = 1


class ConfigError(ValueError):
    """An invalid setting; the message names the setting and the allowed range, `field` the
    StyleConfig field it is about (None when it is about the images or the machine)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


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
    steps_per_epoch: int = 36
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
        """Raise ConfigError with a plain sentence for the first bad setting; return self."""

        def need(ok: bool, message: str, field: str | None = None) -> None:
            if not ok:
                raise ConfigError(message, field)

        def number(name: str, lo: float, hi: float, integer: bool = False) -> None:
            value = getattr(self, name)
            kind = "a whole number" if integer else "a number"
            need(
                isinstance(value, int if integer else (int, float)) and not isinstance(value, bool),
                f"{name} must be {kind} (got {value!r}).",
                name,
            )
            need(
                math.isfinite(value) and lo <= value <= hi,
                f"{name} must be between {lo:g} and {hi:g} (got {value!r}).",
                name,
            )

        need(
            self.backbone in BACKBONES,
            f"backbone must be one of {', '.join(BACKBONES)} (got {self.backbone!r}).",
            "backbone",
        )
        spec = get_spec(self.backbone)
        number("max_side", spec.min_side, 2048, integer=True)
        need(
            isinstance(self.content_layer, str) and self.content_layer in spec.layers,
            f"content_layer must be a {spec.label} layer such as {spec.content_layer} (got {self.content_layer!r}).",
            "content_layer",
        )
        need(
            isinstance(self.style_layers, dict) and len(self.style_layers) > 0,
            "style_layers must map at least one layer to a weight.",
            "style_layers",
        )
        for name, weight in self.style_layers.items():
            need(name in spec.layers, f"style layer {name!r} is not a {spec.label} layer.", "style_layers")
            need(
                isinstance(weight, int | float)
                and not isinstance(weight, bool)
                and math.isfinite(weight)
                and 0 <= weight <= 1e6,
                f"the weight of style layer {name} must be between 0 and 1e6 (got {weight!r}).",
                "style_layers",
            )
        need(
            any(w > 0 for w in self.style_layers.values()),
            "at least one style layer needs a weight above 0.",
            "style_layers",
        )
        number("content_weight", 0, 1e12)
        number("style_weight", 0, 1e12)
        number("tv_weight", 0, 1e12)
        need(
            self.content_weight > 0 or self.style_weight > 0,
            "content_weight and style_weight cannot both be 0.",
            "style_weight",
        )
        need(
            isinstance(self.style_blend, tuple)
            and all(
                isinstance(w, int | float) and not isinstance(w, bool) and math.isfinite(w) and w >= 0
                for w in self.style_blend
            ),
            "style_blend must be a list of weights ≥ 0.",
            "style_blend",
        )
        if self.style_blend:
            need(sum(self.style_blend) > 0, "style_blend needs at least one weight above 0.", "style_blend")
        if n_styles is not None:
            need(n_styles >= 1, "at least one style image is needed.")
            need(n_styles <= 8, f"at most 8 style images can be blended (got {n_styles}).")
            need(
                not self.style_blend or len(self.style_blend) == n_styles,
                f"style_blend has {len(self.style_blend)} weights for {n_styles} style images.",
                "style_blend",
            )
        number("style_scale", 0.1, 4.0)
        need(isinstance(self.preserve_colours, bool), "preserve_colours must be true or false.", "preserve_colours")
        need(
            self.optimizer in OPTIMIZERS,
            f"optimizer must be one of {', '.join(OPTIMIZERS)} (got {self.optimizer!r}).",
            "optimizer",
        )
        number("learning_rate", 1e-6, 1e4)
        number("adam_beta1", 0, 0.9999)
        number("adam_beta2", 0, 0.99999)
        number("adam_epsilon", 1e-12, 1e3)
        number("sgd_decay_rate", 0.01, 1.0)
        number("sgd_decay_steps", 1, 1_000_000, integer=True)
        number("lbfgs_history", 1, 100, integer=True)
        number("epochs", 1, 1000, integer=True)
        number("steps_per_epoch", 1, 10_000, integer=True)
        need(
            self.total_steps <= 20_000,
            f"epochs × steps_per_epoch must be at most 20000 (got {self.total_steps}).",
            "steps_per_epoch",
        )
        need(
            isinstance(self.scales, tuple) and 1 <= len(self.scales) <= 5,
            "scales must list 1 to 5 fractions of max_side.",
            "scales",
        )
        for s in self.scales:
            need(
                isinstance(s, int | float) and not isinstance(s, bool) and math.isfinite(s) and 0.1 <= s <= 1.0,
                f"each scale must be between 0.1 and 1 (got {s!r}).",
                "scales",
            )
        need(
            list(self.scales) == sorted(self.scales) and self.scales[-1] == 1.0,
            "scales must ascend and end at 1 (coarse to fine, finishing at full size).",
            "scales",
        )
        need(len(self.scales) <= self.total_steps, "there must be at least one step per scale.", "steps_per_epoch")
        need(self.init in INITS, f"init must be one of {', '.join(INITS)} (got {self.init!r}).", "init")
        number("noise_ratio", 0, 1)
        number("seed", 0, 2**31 - 1, integer=True)
        need(
            self.precision in PRECISIONS,
            f"precision must be one of {', '.join(PRECISIONS)} (got {self.precision!r}).",
            "precision",
        )
        number("preview_every", 1, 10_000, integer=True)
        if self.time_limit is not None:
            number("time_limit", 0.1, 86_400)
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
    "quick": "Quick preview",
    "balanced": "Balanced",
    "high": "High quality",
}
# Changes from the defaults (which are "balanced"): half the steps at half size, half at full size
# (nst.plan.split_steps); measured with bench/ on a float32 CPU (see the README).
PRESET_CHANGES: dict[str, dict[str, Any]] = {
    "quick": dict(max_side=256, steps_per_epoch=30),
    "balanced": {},
    "high": dict(max_side=512, steps_per_epoch=40),
}


def preset(name: str = "balanced", **overrides: Any) -> StyleConfig:
    """The tuned settings behind the app's presets and the CLI's --preset."""
    if name not in PRESETS:
        raise ConfigError(f"preset must be one of {', '.join(PRESETS)} (got {name!r}).")
    return StyleConfig(**{**PRESET_CHANGES[name], **overrides})
