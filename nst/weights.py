"""Where a backbone's ImageNet weights come from.

Order: an explicit path (CLI `--weights`, or the app's `--weights` server option), then the
`NST_WEIGHTS` environment variable (a file, or a folder holding Keras' file names), then the
Keras cache (`$KERAS_HOME/models`, default `~/.keras/models`), then Keras' own download into
that cache. `NST_OFFLINE=1` skips the download. There is no fallback to random weights.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

ENV_WEIGHTS = "NST_WEIGHTS"
ENV_OFFLINE = "NST_OFFLINE"


class WeightsError(RuntimeError):
    """No usable weights file; the message says what was tried and what to do."""


@dataclass(frozen=True)
class WeightsFile:
    """The official Keras release of one backbone's weights."""

    filename: str
    md5: str
    url: str
    size_mb: int


@dataclass(frozen=True)
class WeightsSource:
    path: str
    origin: str  # "explicit path", "NST_WEIGHTS", "Keras cache", "downloaded"


_md5_cache: dict[tuple[str, float, int], str] = {}
_md5_lock = threading.Lock()


def file_md5(path: str | Path) -> str:
    """MD5 of a file, remembered per (path, mtime, size) so it is computed once per process."""
    p = Path(path)
    st = p.stat()
    key = (str(p.resolve()), st.st_mtime, st.st_size)
    with _md5_lock:
        if key in _md5_cache:
            return _md5_cache[key]
    digest = hashlib.md5(usedforsecurity=False)
    with p.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    value = digest.hexdigest()
    with _md5_lock:
        _md5_cache[key] = value
    return value


def keras_cache_dir() -> Path:
    home = os.environ.get("KERAS_HOME") or str(Path.home() / ".keras")
    return Path(home) / "models"


def _instructions(label: str, wf: WeightsFile) -> str:
    return (
        f"Put {wf.filename} (the Keras {label} ImageNet weights, {wf.size_mb} MB, from {wf.url}) "
        f"into {keras_cache_dir()}/ or set {ENV_WEIGHTS}=/path/to/{wf.filename}."
    )


def _check_file(path: Path, label: str, wf: WeightsFile, origin: str) -> WeightsSource:
    if not path.is_file():
        raise WeightsError(f"{origin} points to {path}, which does not exist. " + _instructions(label, wf))
    digest = file_md5(path)
    if digest != wf.md5:
        raise WeightsError(
            f"{path} ({origin}) is not the official {label} weights file "
            f"(md5 {digest}, expected {wf.md5}; truncated or a different file?). " + _instructions(label, wf)
        )
    return WeightsSource(str(path), origin)


def resolve_weights(
    label: str, wf: WeightsFile, explicit: str | os.PathLike | None = None, *, download: bool = True
) -> WeightsSource:
    """Find (or, with `download`, download) the weights file, checked against its md5; WeightsError
    otherwise. A web page checks with download=False: a page refresh must never start an 80-MB
    download (it can hang the page on a venue's Wi-Fi)."""
    if explicit:
        return _check_file(Path(explicit).expanduser(), label, wf, "the weights option")
    tried: list[str] = []
    env = os.environ.get(ENV_WEIGHTS, "").strip()
    if env:
        p = Path(env).expanduser()
        if p.is_dir():
            if (p / wf.filename).is_file():
                return _check_file(p / wf.filename, label, wf, ENV_WEIGHTS)
            tried.append(f"{ENV_WEIGHTS}={env} has no {wf.filename}")
        elif p.is_file():
            if p.name == wf.filename or file_md5(p) == wf.md5:
                return _check_file(p, label, wf, ENV_WEIGHTS)
            # Another backbone's file, or a wrong one: say so if nothing else is found.
            tried.append(f"{ENV_WEIGHTS}={env} is not the {label} file (md5 {file_md5(p)})")
        else:
            raise WeightsError(f"{ENV_WEIGHTS}={env} does not exist. " + _instructions(label, wf))
    cached = keras_cache_dir() / wf.filename
    if cached.is_file():
        return _check_file(cached, label, wf, "Keras cache")
    tried.append(f"not in {keras_cache_dir()}")
    if not download:
        tried.append("not downloaded here")
        raise WeightsError(f"No {label} weights: {'; '.join(tried)}. " + _instructions(label, wf))
    if os.environ.get(ENV_OFFLINE, "").strip() not in ("", "0"):
        tried.append(f"downloads are off ({ENV_OFFLINE})")
        raise WeightsError(f"No {label} weights: {'; '.join(tried)}. " + _instructions(label, wf))
    try:
        from nst.tf_runtime import keras

        path = keras.utils.get_file(wf.filename, wf.url, cache_subdir="models", file_hash=wf.md5)
    except Exception as exc:  # offline, proxy, disk full: all end the same way for the user
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        reason = reason if len(reason) <= 160 else "…" + reason[-150:]
        tried.append(f"the download failed ({reason})")
        raise WeightsError(f"No {label} weights: {'; '.join(tried)}. " + _instructions(label, wf)) from None
    return WeightsSource(str(path), "downloaded")
