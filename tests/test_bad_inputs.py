"""Every file in tests/bad_inputs.py through `load_image` (bytes, path, file object) and the CLI:
a correct picture or one plain sentence — never a traceback, a hang or stray output."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nst.images import MAX_FILE_BYTES, ImageError, fitted_size, load_image
from tests.bad_inputs import CASES, CASES_BY_ID, Case, encode, photo
from tests.conftest import ROOT

ERRORS = [c for c in CASES if c.expect == "error"]
ids = [c.id for c in CASES]
# Python reprs, tracebacks and exception names have no place in a message for people.
NOISE = re.compile(r"Traceback|<_io\.|<PIL\.| object at 0x|\bb'|\w+Error\b|\w+Exception\b")
# The CLI also runs with these as the *style* image (the others only as content).
STYLE_ERRORS = ["png_bomb_30000", "eps_file", "truncated_jpeg", "corrupt_lzw_tiff", "non_utf8_name_text"]


def test_catalogue_is_broad():
    assert len(CASES) >= 22 and len(ERRORS) >= 10 and len(CASES) - len(ERRORS) >= 10
    assert all(c.phrase for c in ERRORS) and all(c.check for c in CASES if c.expect == "ok")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("cases")
    return {c.id: c.write(directory) for c in CASES}


def assert_one_sentence(message: str, phrase: str) -> None:
    assert "\n" not in message and "\r" not in message, message
    assert message.endswith("."), message
    assert phrase in message, message
    assert not NOISE.search(message), message
    assert not re.search(r"[.!?;] [A-Z]", message), f"more than one sentence: {message}"


def check_outcome(case: Case, source, **kwargs) -> np.ndarray | ImageError:
    start = time.perf_counter()
    try:
        result = load_image(source, **kwargs)
    except ImageError as exc:
        result = exc
    elapsed = time.perf_counter() - start
    if case.seconds is not None:
        assert elapsed < case.seconds, f"{case.id}: load_image took {elapsed:.2f} s"
    if case.expect == "ok":
        assert isinstance(result, np.ndarray), f"{case.id} was refused: {result}"
        assert result.dtype == np.uint8 and result.ndim == 3 and result.shape[2] == 3, result.shape
        case.check(result)
    else:
        assert isinstance(result, ImageError), f"{case.id} was accepted: {getattr(result, 'shape', result)}"
        assert_one_sentence(str(result), case.phrase)
    return result


# ----------------------------------------------------------------------------- engine
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_load_bytes(case, files):
    check_outcome(case, files[case.id].read_bytes(), name=case.name)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_load_path(case, files):
    path = files[case.id]
    check_outcome(case, path)
    check_outcome(case, str(path))


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_load_file_object(case, files):
    check_outcome(case, io.BytesIO(files[case.id].read_bytes()), name=case.name)


@pytest.mark.parametrize(
    "case_id,shown", [("non_utf8_name_text", "caf\\xe9 menu.jpg"), ("newline_in_name", "two\\nlines.png")]
)
def test_odd_names_are_shown_escaped_on_one_line(case_id, shown, files):
    for source in (files[case_id], files[case_id].read_bytes()):
        with pytest.raises(ImageError) as err:
            load_image(source, name=None if isinstance(source, Path) else CASES_BY_ID[case_id].name)
        assert shown in str(err.value)


def test_very_long_names_are_shortened_in_messages(tmp_path):
    path = tmp_path / ("x" * 240 + ".jpg")
    path.write_text("not an image")
    with pytest.raises(ImageError) as err:
        load_image(path)
    message = str(err.value)
    assert "…" in message and "xx.jpg is not an image" in message and len(message) < 250, message


@pytest.mark.parametrize("cap", [256, 300])
@pytest.mark.parametrize("orientation", [1, 6])
@pytest.mark.parametrize("size", [(900, 725), (2049, 1537)])
def test_jpeg_draft_keeps_the_exact_size(size, orientation, cap):
    """JPEGs larger than `cap` decode at 1/2, 1/4 or 1/8 size first (an odd side halves to a rounded
    number); the result must still be the file's upright size fitted to `cap`."""
    w, h = size
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(photo(w, h), "JPEG", exif=exif.tobytes())
    expected = fitted_size(h, w, cap) if orientation == 1 else fitted_size(w, h, cap)
    assert load_image(data, cap=cap).shape == (*expected, 3)


def test_eps_never_reaches_ghostscript(monkeypatch):
    data = CASES_BY_ID["eps_file"].make()[1]
    assert Image.open(io.BytesIO(data)).format == "EPS"  # Pillow on its own would take it

    def forbidden(*args, **kwargs):
        raise AssertionError(f"a subprocess was started: {args}")

    for fn in ("Popen", "run", "call", "check_call", "check_output"):
        monkeypatch.setattr(subprocess, fn, forbidden)
    with pytest.raises(ImageError, match="not an image we can read"):
        load_image(data, name="figure.eps")


def test_huge_sparse_file_refused_without_reading_it(tmp_path):
    path = tmp_path / "8GB.jpg"
    with open(path, "wb") as f:
        f.write(encode(photo(), "JPEG"))
        f.truncate(8 * 2**30)
    start = time.perf_counter()
    with pytest.raises(ImageError, match=r"is 8192 MB; the limit is 50 MB\.$"):
        load_image(path)
    assert time.perf_counter() - start < 0.5


def test_file_objects_are_read_with_a_limit():
    class Endless(io.RawIOBase):  # /dev/zero as a stream: no length, never ends
        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = bytes(len(buffer))
            return len(buffer)

    with pytest.raises(ImageError, match=f"larger than {MAX_FILE_BYTES // 2**20} MB"):
        load_image(io.BufferedReader(Endless()))

    class ReadOnly:  # no seek, no tell, no name
        def __init__(self, data):
            self.data = data

        def read(self, n=-1):
            return self.data

    assert load_image(ReadOnly(CASES_BY_ID["png_named_jpg"].make()[1])).shape == (30, 40, 3)


def test_paths_that_are_not_files(tmp_path):
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(ImageError, match="not a file"):
        load_image(tmp_path / "folder.png")
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "missing.png")
    if hasattr(os, "mkfifo"):  # opening a FIFO would block for ever
        os.mkfifo(tmp_path / "pipe.png")
        with pytest.raises(ImageError, match="not a file"):
            load_image(tmp_path / "pipe.png")


def test_read_and_memory_failures_are_sentences(files, monkeypatch):
    import nst.images

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as m:
        m.setattr(Path, "open", denied)
        with pytest.raises(ImageError) as err:
            load_image(files["png_named_jpg"])
    assert_one_sentence(str(err.value), "cannot be read (permission denied)")

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(nst.images, "_flatten", exhausted)
    with pytest.raises(ImageError) as err:
        load_image(files["png_named_jpg"])
    assert_one_sentence(str(err.value), "needs more memory to decode than is free")


def test_mutated_files_give_a_picture_or_one_sentence(capfd):
    """Seeded fuzzing: random byte changes, cuts and insertions in files of every format we read.
    Nothing but ImageError may escape, and nothing may be printed (libtiff writes to fd 2)."""
    rng = np.random.default_rng(7)
    im = photo(64, 48)
    seeds = [
        encode(im, "PNG"),
        encode(im.convert("P"), "PNG", transparency=3),
        encode(im, "JPEG", progressive=True),
        encode(im, "MPO", save_all=True, append_images=[im]),
        encode(im, "GIF", save_all=True, append_images=[im.rotate(90)]),
        encode(im.convert("RGBA"), "WEBP"),
        encode(im, "TIFF", compression="tiff_lzw"),
        encode(im, "TIFF", compression="tiff_deflate"),
        encode(im, "BMP"),
    ]
    outcomes = {"ok": 0, "error": 0}
    for data in seeds:
        for _ in range(120):
            mutant = bytearray(data)
            if rng.random() < 0.7:
                for _ in range(int(rng.integers(1, 8))):
                    mutant[int(rng.integers(0, len(mutant)))] = int(rng.integers(0, 256))
            elif rng.random() < 0.5:
                mutant = mutant[: int(rng.integers(1, len(mutant)))]
            else:
                at = int(rng.integers(0, len(mutant)))
                mutant[at:at] = rng.bytes(int(rng.integers(1, 64)))
            try:
                result = load_image(bytes(mutant), name="mutant.img")
                assert result.dtype == np.uint8 and result.ndim == 3 and result.shape[2] == 3
                outcomes["ok"] += 1
            except ImageError as exc:
                assert_one_sentence(str(exc), "mutant.img")
                outcomes["error"] += 1
    assert min(outcomes.values()) > 100, outcomes
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_decoding_tiffs_in_threads_leaves_stderr_alone():
    """The fd-2 silencing around libtiff is locked, so concurrent decodes restore the real stderr."""
    before = os.fstat(2)
    data = CASES_BY_ID["corrupt_lzw_tiff"].make()[1]

    refused = []

    def work():
        for _ in range(20):
            try:
                load_image(data)
            except ImageError:
                refused.append(1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    after = os.fstat(2)
    assert len(refused) == 80
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)


_PROBE = """
import re, sys
from pathlib import Path
from nst.images import ImageError, load_image
paths = sys.argv[2:]
if sys.argv[1] == "memory":  # VmHWM, unlike ru_maxrss, does not inherit the parent's peak
    status = lambda key: int(re.search(key + r":\\s+(\\d+) kB", Path("/proc/self/status").read_text())[1])
    data = Path(paths[0]).read_bytes()
    before = status("VmRSS")
    image = load_image(data)
    print(image.shape, (status("VmHWM") - before) // 1024)
else:
    for p in paths:
        for source in (p, Path(p).read_bytes()):
            try:
                load_image(source)
            except ImageError:
                pass
"""


def _probe(mode: str, paths: list[Path], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", _PROBE, mode, *map(str, paths)], cwd=cwd, env=env, capture_output=True, timeout=120
    )


def test_no_temp_files_left_behind(files, tmp_path):
    temp, work = tmp_path / "tmp", tmp_path / "cwd"
    temp.mkdir()
    work.mkdir()
    listing = sorted(os.listdir(os.fsencode(files["empty_file"].parent)))
    r = _probe("all", list(files.values()), work, {"TMPDIR": str(temp)})
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    assert r.stdout == b"" and r.stderr == b""  # nothing printed either
    assert os.listdir(temp) == [] and os.listdir(work) == []
    assert sorted(os.listdir(os.fsencode(files["empty_file"].parent))) == listing


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak memory is read from /proc")
def test_huge_photo_decodes_in_bounded_memory(files, tmp_path):
    """6000×4000 JPEG: decoded at half size by libjpeg; a full decode and float copies took ~280 MB."""
    r = _probe("memory", [files["huge_photo_rotated"]], tmp_path)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    shape, megabytes = r.stdout.decode().rsplit(" ", 1)
    assert shape == "(2048, 1365, 3)" and int(megabytes) < 120, r.stdout


# ----------------------------------------------------------------------------- CLI
def nst_command(*args) -> list:
    return [sys.executable, "-m", "nst", "stylize", *map(str, args), "--size", "64", "--steps", "2", "-q"]


def run_nst(*args, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "NST_OFFLINE": "1"}
    r = subprocess.run(nst_command(*args), cwd=ROOT, capture_output=True, timeout=timeout, env=env)
    return subprocess.CompletedProcess(r.args, r.returncode, r.stdout.decode(), r.stderr.decode("utf-8", "replace"))


def assert_cli_error(r: subprocess.CompletedProcess, phrase: str, output: Path) -> None:
    assert r.returncode == 2, r.stderr
    assert r.stdout == "", r.stdout
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert_one_sentence(lines[0].removeprefix("error: "), phrase)
    assert not output.exists()


@pytest.fixture(scope="module")
def good_image(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("good") / "good.png"
    path.write_bytes(encode(photo(64, 48), "PNG"))
    return path


@pytest.fixture(scope="module")
def cli_error_runs(files, good_image, tmp_path_factory) -> dict:
    """Every error case through the CLI, all at once: they exit before TensorFlow loads."""
    out_dir = tmp_path_factory.mktemp("cli")
    env = {**os.environ, "NST_OFFLINE": "1"}
    jobs = {}
    for case in ERRORS:
        for role in ("content", "style") if case.id in STYLE_ERRORS else ("content",):
            out = out_dir / f"{case.id}-{role}.png"
            pair = (files[case.id], good_image) if role == "content" else (good_image, files[case.id])
            proc = subprocess.Popen(
                nst_command(*pair, "-o", out), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            jobs[case.id, role] = (proc, out)
    results = {}
    for key, (proc, out) in jobs.items():
        stdout, stderr = proc.communicate(timeout=120)
        r = subprocess.CompletedProcess(proc.args, proc.returncode, stdout.decode(), stderr.decode("utf-8", "replace"))
        results[key] = (r, out)
    return results


@pytest.mark.parametrize("case", ERRORS, ids=[c.id for c in ERRORS])
def test_cli_refuses_bad_content(case, cli_error_runs):
    r, out = cli_error_runs[case.id, "content"]
    assert_cli_error(r, case.phrase, out)


@pytest.mark.parametrize("case_id", STYLE_ERRORS)
def test_cli_refuses_bad_style(case_id, cli_error_runs):
    r, out = cli_error_runs[case_id, "style"]
    assert_cli_error(r, CASES_BY_ID[case_id].phrase, out)


def _check_output(r: subprocess.CompletedProcess, out: Path, size: tuple[int, int]) -> None:
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr  # the closing summary
    with Image.open(out) as im:
        assert im.format == "PNG" and im.size == size
        im.load()


def test_cli_runs_rotated_non_utf8_content_with_odd_styles(vgg_weights, files, tmp_path):
    """Content: EXIF-rotated JPEG named b'caf\\xe9.jpg'; styles: animated GIF, CMYK JPEG, 16-bit PNG."""
    out = tmp_path / "out.png"
    styles = [files[i] for i in ("animated_gif", "cmyk_jpeg", "grey16_png")]
    r = run_nst(files["non_utf8_name"], *styles, "-o", out)
    _check_output(r, out, (43, 64))  # upright: portrait


def test_cli_runs_unicode_name_with_mpo_and_huge_styles(vgg_weights, files, tmp_path):
    out = tmp_path / "Ergebnis 🎨.png"
    r = run_nst(files["unicode_name"], files["mpo_from_phone"], files["huge_photo_rotated"], "-o", out)
    _check_output(r, out, (64, 48))


def test_cli_refuses_too_thin_content_in_one_line(vgg_weights, files, tmp_path):
    """16×3000 loads (it passes MIN_SIDE), but at 64 px it would be 1 px wide: scale_sizes refuses."""
    out = tmp_path / "out.png"
    r = run_nst(files["thin_16x3000"], files["png_named_jpg"], "-o", out)
    assert_cli_error(r, CASES_BY_ID["thin_16x3000"].cli_phrase, out)


def test_cli_handles_too_thin_style(vgg_weights, files, good_image, tmp_path):
    out = tmp_path / "out.png"
    r = run_nst(good_image, files["thin_16x3000"], "-o", out)
    assert "Traceback" not in r.stderr
    if r.returncode == 2:
        assert_cli_error(r, "", out)
    else:
        _check_output(r, out, (64, 48))
