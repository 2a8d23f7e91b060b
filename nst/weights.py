"""Where a backbone's ImageNet weights come from.

Order: an explicit path (CLI `--weights`, or the app's `--weights` server option), then the
`NST_WEIGHTS` environment variable (a file, or a folder holding Keras' file names), then the
Keras cache (`$KERAS_HOME/models`, default `~/.keras/models`), then Keras' own download into
that cache (the CLI). `NST_OFFLINE=1` skips the download. There is no fallback to random weights.

The app never downloads while it draws a page: `WeightsDownload` fetches a file into the Keras
cache in a thread when someone presses its button, with progress, a stall timeout and md5 check.
`NST_WEIGHTS_MIRROR` replaces Keras' download address by a lab's own copy of the same files.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

ENV_WEIGHTS = "NST_WEIGHTS"
ENV_OFFLINE = "NST_OFFLINE"
ENV_MIRROR = "NST_WEIGHTS_MIRROR"
KERAS_WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications"
# A download that receives nothing for this long has failed (a venue's Wi-Fi that hangs must not
# keep the button busy for ever); one that moves slowly goes on.
STALL_SECONDS = 20.0


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


def offline() -> bool:
    return os.environ.get(ENV_OFFLINE, "").strip() not in ("", "0")


def weights_url(wf: WeightsFile) -> str:
    """Where the file is fetched from: Keras' address, or the same path under NST_WEIGHTS_MIRROR."""
    mirror = os.environ.get(ENV_MIRROR, "").strip().rstrip("/")
    if mirror and wf.url.startswith(KERAS_WEIGHTS_BASE):
        return mirror + wf.url[len(KERAS_WEIGHTS_BASE) :]
    return wf.url


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
    if offline():
        tried.append(f"downloads are off ({ENV_OFFLINE})")
        raise WeightsError(f"No {label} weights: {'; '.join(tried)}. " + _instructions(label, wf))
    try:
        from nst.tf_runtime import keras

        path = keras.utils.get_file(wf.filename, weights_url(wf), cache_subdir="models", file_hash=wf.md5)
    except Exception as exc:  # offline, proxy, disk full: all end the same way for the user
        reason = (str(exc).splitlines() or [type(exc).__name__])[0]
        reason = reason if len(reason) <= 160 else "…" + reason[-150:]
        tried.append(f"the download failed ({reason})")
        raise WeightsError(f"No {label} weights: {'; '.join(tried)}. " + _instructions(label, wf)) from None
    return WeightsSource(str(path), "downloaded")


class WeightsDownload:
    """One weights file on its way into the Keras cache, in its own thread.

    Read by any number of page reruns (`view()`); `cancel()` ends it. The file is written beside
    its final name and renamed only once its md5 is right, so a cut download never looks usable.
    """

    def __init__(self, label: str, wf: WeightsFile, stall_seconds: float = STALL_SECONDS):
        self.label, self.wf, self.stall_seconds = label, wf, stall_seconds
        self.url = weights_url(wf)
        self.status = "running"  # → "done", "failed", "cancelled"
        self.message = ""
        self.received = 0
        self.total: int | None = None
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._fetch, name=f"download-{wf.filename}", daemon=True)

    def start(self) -> WeightsDownload:
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def active(self) -> bool:
        return self.status == "running"

    @property
    def share(self) -> float | None:
        """Share received, when the server said how much there is."""
        with self._lock:
            return min(1.0, self.received / self.total) if self.total else None

    def _end(self, status: str, message: str) -> None:
        with self._lock:
            self.status, self.message = status, message

    def _fetch(self) -> None:
        import urllib.request

        target = keras_cache_dir() / self.wf.filename
        part = target.with_name(target.name + ".part")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.md5(usedforsecurity=False)
            with urllib.request.urlopen(self.url, timeout=self.stall_seconds) as response, part.open("wb") as out:
                length = response.headers.get("Content-Length")
                with self._lock:
                    self.total = int(length) if length and length.isdigit() else None
                while not self._cancel.is_set():
                    chunk = response.read(1 << 18)
                    if not chunk:
                        break
                    out.write(chunk)
                    digest.update(chunk)
                    with self._lock:
                        self.received += len(chunk)
            if self._cancel.is_set():
                part.unlink(missing_ok=True)
                self._end("cancelled", "Download cancelled.")
                return
            if digest.hexdigest() != self.wf.md5:
                part.unlink(missing_ok=True)
                self._end(
                    "failed",
                    f"The downloaded file is not the official {self.label} weights (md5 {digest.hexdigest()}, "
                    f"expected {self.wf.md5}; cut short or a different file). " + _instructions(self.label, self.wf),
                )
                return
            os.replace(part, target)
            self._end("done", f"{self.label} weights downloaded to the Keras cache.")
        except Exception as exc:  # offline, timeout, refused, disk full: one sentence for the user
            part.unlink(missing_ok=True)
            reason = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
            self._end("failed", f"The download failed ({reason}). " + _instructions(self.label, self.wf))


_downloads: dict[str, WeightsDownload] = {}
_downloads_lock = threading.Lock()


def start_download(label: str, wf: WeightsFile) -> WeightsDownload:
    """The running download of this file, or a new one: two visitors pressing the button share it.
    WeightsError at once when downloads are off here."""
    if offline():
        raise WeightsError(f"Downloads are off on this server ({ENV_OFFLINE}). " + _instructions(label, wf))
    with _downloads_lock:
        current = _downloads.get(wf.filename)
        if current is not None and current.active:
            return current
        _downloads[wf.filename] = download = WeightsDownload(label, wf).start()
        return download


def current_download(wf: WeightsFile) -> WeightsDownload | None:
    """The latest download of this file in this process, if any."""
    with _downloads_lock:
        return _downloads.get(wf.filename)
