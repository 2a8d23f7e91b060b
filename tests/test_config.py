"""StyleConfig: JSON round-trip, validation messages, presets."""

from __future__ import annotations

import json

import pytest

from nst.config import PRESETS, ConfigError, StyleConfig, preset


def test_json_round_trip_preserves_every_field():
    cfg = StyleConfig(
        max_side=300,
        style_layers={"block1_conv1": 0.5, "block3_conv1": 2.0},
        style_blend=(0.7, 0.3),
        scales=(0.25, 0.5, 1.0),
        optimizer="adam",
        learning_rate=3.0,
        seed=42,
        preserve_colours=True,
        time_limit=12.5,
        init="noisy_content",
    )
    again = StyleConfig.from_json(cfg.to_json())
    assert again == cfg
    assert json.loads(cfg.to_json())["version"] == 1


def test_defaults_are_the_balanced_preset():
    assert StyleConfig() == preset("balanced")
    assert set(PRESETS) == {"quick", "balanced", "high"}
    sizes = [preset(name).max_side for name in ("quick", "balanced", "high")]
    assert sizes == sorted(sizes)


@pytest.mark.parametrize(
    "changes,words",
    [
        ({"max_side": 10}, "max_side must be between"),
        ({"max_side": 384.5}, "max_side must be a whole number"),
        ({"content_layer": "block9_conv1"}, "content_layer must be a VGG19 layer"),
        ({"style_layers": {"nope": 1.0}}, "style layer 'nope'"),
        ({"style_layers": {"block1_conv1": 0.0}}, "at least one style layer"),
        ({"style_weight": -1.0}, "style_weight must be between"),
        ({"content_weight": float("nan")}, "content_weight must be between"),
        ({"optimizer": "rmsprop"}, "optimizer must be one of"),
        ({"init": "zeros"}, "init must be one of"),
        ({"scales": (1.0, 0.5)}, "scales must ascend"),
        ({"scales": (0.5,)}, "end at 1"),
        ({"epochs": 0}, "epochs must be between"),
        ({"epochs": 1000, "steps_per_epoch": 1000}, "at most 20000"),
        ({"precision": "int8"}, "precision must be one of"),
        ({"backbone": "resnet"}, "backbone must be one of"),
        ({"preserve_colours": "yes"}, "preserve_colours must be true or false"),
        ({"seed": True}, "seed must be a whole number"),
    ],
)
def test_validation_names_the_setting(changes, words):
    with pytest.raises(ConfigError, match=words):
        StyleConfig(**changes).validate()


def test_blend_must_match_number_of_styles():
    with pytest.raises(ConfigError, match="2 weights for 3 style images"):
        StyleConfig(style_blend=(1.0, 1.0)).validate(n_styles=3)
    StyleConfig(style_blend=(1.0, 0.0)).validate(n_styles=2)


@pytest.mark.parametrize(
    "text,words",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"max_side": 256, "weights": "/etc/passwd"}', "unknown setting: weights"),
        ('{"__class__": "x", "eval": 1}', "unknown settings"),
        ('{"max_side": "256"}', "max_side must be a whole number"),
        ('{"scales": 0.5}', "scales must be a list"),
        ('{"style_layers": ["block1_conv1"]}', "style_layers must map"),
        ('{"max_side": 1e9}', "max_side must be"),
        ('{"version": 99}', "version 99 is not supported"),
    ],
)
def test_from_json_rejects_bad_files(text, words):
    with pytest.raises(ConfigError, match=words):
        StyleConfig.from_json(text)


def test_total_steps():
    cfg = StyleConfig(content_weight=1.0, style_weight=1e-3, epochs=3, steps_per_epoch=10, scales=(0.5, 1.0))
    assert cfg.total_steps == 30


def test_every_setting_is_one_row_of_the_knob_table():
    """Issue 11.1: the table names every StyleConfig field; validate, the CLI and the panel read it."""
    from dataclasses import fields

    from nst.cli import build_parser, config_from_args
    from nst.knobs import KNOBS

    assert {f.name for f in fields(StyleConfig)} == set(KNOBS)
    args = build_parser().parse_args(
        ["stylize", "c.jpg", "s.jpg", "-o", "o.png", "--adam-beta1", "0.8", "--lbfgs-history", "5", "--steps", "7"]
    )
    cfg = config_from_args(args)
    assert (cfg.adam_beta1, cfg.lbfgs_history, cfg.steps_per_epoch) == (0.8, 5, 7)
    # the range a knob's row gives is the one validate enforces
    high = KNOBS["lbfgs_history"].high
    StyleConfig(lbfgs_history=int(high)).validate()
    with pytest.raises(ConfigError, match=f"between 1 and {high:g}"):
        StyleConfig(lbfgs_history=int(high) + 1).validate()


def test_errors_name_settings_in_each_readers_words():
    from nst.knobs import LABELS

    with pytest.raises(ConfigError) as err:
        StyleConfig(steps_per_epoch=99999).validate()
    assert err.value.field == "steps_per_epoch"
    assert str(err.value) == "steps_per_epoch must be between 1 and 10000 (got 99999)."
    assert err.value.worded(LABELS) == "Steps per epoch must be between 1 and 10000 (got 99999)."
    with pytest.raises(ConfigError) as err:
        StyleConfig(content_weight=0.0, style_weight=0.0).validate()
    assert err.value.worded(LABELS) == "Content weight α and Style weight β cannot both be 0: raise one of them."
    with pytest.raises(ConfigError) as err:  # a value with braces in it does not break the message
        StyleConfig(content_layer="{x}").validate()
    assert "'{x}'" in err.value.worded(LABELS)
