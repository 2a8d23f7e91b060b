"""`python -m nst`: a real run writes a picture; bad input exits 2 with one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT, sample


def nst(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "NST_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "nst", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.fixture(scope="module")
def pair():
    return str(sample("content", "tubingen.jpg")), str(sample("styles", "starry_night.jpg"))


def test_stylize_writes_png_gif_and_config(vgg_weights, pair, tmp_path):
    out, gif, cfg = tmp_path / "out.png", tmp_path / "run.gif", tmp_path / "run.json"
    r = nst(
        "stylize",
        *pair,
        "-o",
        str(out),
        "--preset",
        "quick",
        "--size",
        "96",
        "--steps",
        "8",
        "--seed",
        "3",
        "--gif",
        str(gif),
        "--save-config",
        str(cfg),
        "--weights",
        str(vgg_weights),
    )
    assert r.returncode == 0, r.stderr
    img = np.asarray(Image.open(out))
    assert img.shape == (72, 96, 3)  # Tübingen is 4:3
    assert "Finished 8 steps" in r.stderr and "Traceback" not in r.stderr
    with Image.open(gif) as g:
        assert g.n_frames >= 2
    saved = json.loads(cfg.read_text())
    assert saved["max_side"] == 96 and saved["steps_per_epoch"] == 8 and saved["seed"] == 3
    assert "weights" not in saved  # a config never names a file on the machine

    # the saved config reproduces the run exactly
    again = tmp_path / "again.png"
    r2 = nst("stylize", *pair, "-o", str(again), "--config", str(cfg), "-q")
    assert r2.returncode == 0, r2.stderr
    np.testing.assert_array_equal(np.asarray(Image.open(again)), img)


def test_time_limit_keeps_the_size_asked_for(vgg_weights, pair, tmp_path):
    out = tmp_path / "t.png"
    r = nst("stylize", *pair, "-o", str(out), "--size", "128", "--steps", "5000", "--time-limit", "4", "-q")
    assert r.returncode == 0, r.stderr
    assert "within the 4 s limit" in r.stderr or "Time limit of 4 s reached" in r.stderr, r.stderr
    assert Image.open(out).size == (128, 96)
    # too short for any useful full-size stage: refused before the run, with the size that fits
    r = nst("stylize", *pair, "-o", str(out), "--size", "1024", "--time-limit", "1", "-q")
    assert r.returncode == 2 and "too short for 1024 px on this machine" in r.stderr, r.stderr


def _bad_files(tmp: Path) -> dict[str, Path]:
    files = {
        "empty": tmp / "empty.jpg",
        "text": tmp / "notes.jpg",
        "truncated": tmp / "cut.jpg",
    }
    files["empty"].write_bytes(b"")
    files["text"].write_text("this is not an image\n")
    data = sample("content", "tubingen.jpg").read_bytes()
    files["truncated"].write_bytes(data[:2000])
    return files


@pytest.mark.parametrize(
    "case,words",
    [
        ("missing", "no such file"),
        ("empty", "is empty"),
        ("text", "not an image we can read"),
        ("truncated", "truncated or corrupt"),
        ("bad_output", "must end in"),
        ("no_dir", "does not exist"),
        ("blend", "style_blend has 2 weights for 1 style images"),
        ("bad_option", "unrecognized arguments"),
        ("bad_value", "max_side must be between"),
        ("bad_config", "unknown setting: weights"),
        ("missing_style", "required: style"),
    ],
)
def test_bad_input_exits_2_with_one_line(case, words, tmp_path, pair):
    files = _bad_files(tmp_path)
    out = str(tmp_path / "o.png")
    content, style = pair
    cfg = tmp_path / "c.json"
    cfg.write_text('{"weights": "/etc/passwd"}')
    args = {
        "missing": ["stylize", str(tmp_path / "nope.jpg"), style, "-o", out],
        "empty": ["stylize", str(files["empty"]), style, "-o", out],
        "text": ["stylize", content, str(files["text"]), "-o", out],
        "truncated": ["stylize", str(files["truncated"]), style, "-o", out],
        "bad_output": ["stylize", content, style, "-o", str(tmp_path / "o.txt")],
        "no_dir": ["stylize", content, style, "-o", str(tmp_path / "no" / "o.png")],
        "blend": ["stylize", content, style, "-o", out, "--style-blend", "1,1"],
        "bad_option": ["stylize", content, style, "-o", out, "--frobnicate"],
        "bad_value": ["stylize", content, style, "-o", out, "--size", "5"],
        "bad_config": ["stylize", content, style, "-o", out, "--config", str(cfg)],
        "missing_style": ["stylize", content],
    }[case]
    r = nst(*args, timeout=60)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], r.stderr
    assert not Path(out).exists()


def test_presets_and_layers_commands(vgg_weights):
    r = nst("presets")
    assert r.returncode == 0 and set(json.loads(r.stdout)) == {"quick", "balanced", "high"}
    r = nst("layers", "--size", "224")
    assert r.returncode == 0 and "block5_conv4" in r.stdout and "252 px" in r.stdout
