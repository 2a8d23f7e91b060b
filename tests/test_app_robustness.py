"""The Studio under AppTest when things go wrong: every bad file of tests/bad_inputs.py through the
uploaders while a run goes on, nasty file names, stops, stale clicks, NaN losses, runs too large
for the memory, malicious settings files. Nothing may raise into the page; what the user had stays.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import io
import json
import os
import re
import tempfile
import time
import tomllib
from dataclasses import dataclass

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import nst.transfer
from nst import memory
from nst.images import MAX_FILE_BYTES
from tests.bad_inputs import CASES, CASES_BY_ID, Case
from tests.conftest import ROOT
from tests.test_app_studio import png, studio, tiny_run, tiny_run_settings
from tests.test_bad_inputs import assert_one_sentence
from ui.pickers import display_name

ids = [c.id for c in CASES]
STYLE_CASES = [
    "text_named_jpg",
    "png_bomb_30000",
    "eps_file",
    "all_transparent_rgba",
    "exif_orientation_6",
    "mpo_from_phone",
]


def as_received(name: str | bytes) -> str:
    """A file name as the server hands it to the app: Starlette's multipart parser decodes it as
    UTF-8, or as Latin-1 when it is not valid UTF-8 (so undecodable bytes never reach the app)."""
    raw = name if isinstance(name, bytes) else name.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def upload_of(case: Case) -> tuple[str, bytes]:
    """The file as the app receives it from a browser."""
    name, data = case.make()
    name = as_received(name)
    if case.disk_size:
        data = data + bytes(case.disk_size - len(data))
    return name, data


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


# ============================================================================ names
NASTY_NAMES = [
    "../../etc/passwd.png",
    "..\\..\\windows\\win.ini.png",
    "/tmp/x/../../root/.bashrc.png",
    "<img src=x onerror=alert(1)>.png",
    "<script>alert(document.cookie)</script>.png",
    "**bold** _it_ ~~gone~~ `code`.png",
    "[click me](https://evil.example).png",
    "![img](https://evil.example/x.png).png",
    ":material/warning: :red[alarm].png",
    "$\\\\frac{1}{0}$.png",
    "# heading.png",
    "- item.png",
    "1. first.png",
    "---.png",
    "www.evil.example.png",
    "a|b|c\n|-|-|.png",
    "two\nlines\r\tand tabs.png",
    "caf\udce9.png",  # not UTF-8
    "\u202egnp.exe",  # right-to-left override
    "x" * 300 + ".png",
    "",
    ".png",
]
MARKUP = re.compile(r"[<>\[\]()*`~$:#|!\\/&=\"'\n\r\t]|^[-+.]|^\d+[.)](\s|$)|www\.|(^|\W)_|_(\W|$)")


@pytest.mark.parametrize("name", NASTY_NAMES, ids=range(len(NASTY_NAMES)))
def test_display_name_is_harmless(name):
    shown = display_name(name)
    assert 1 <= len(shown) <= 40 and shown == shown.strip()
    # parentheses alone are kept ("photo (1)"); without brackets they make no link
    assert not MARKUP.search(shown.replace("(", "").replace(")", "")), repr(shown)
    assert "passwd" not in shown or "/" not in shown
    assert all(c.isprintable() for c in shown), repr(shown)


def test_nasty_names_are_shown_not_used(vgg_weights, monkeypatch):
    at = studio(vgg_weights)
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file, *args, **kwargs):
        opened.append(os.fsdecode(file) if isinstance(file, str | bytes | os.PathLike) else repr(file))
        return real_open(file, *args, **kwargs)

    def spy_os_open(path, *args, **kwargs):
        opened.append(os.fsdecode(path))
        return real_os_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    shown = []
    for i, sent in enumerate(NASTY_NAMES[:20]):
        name, data = as_received(sent), png(colour=(10 * i, 100, 200))
        at.file_uploader(key="upload_content").set_value((name, data, "image/png")).run()
        assert not at.exception, (name, [e.value for e in at.exception])
        assert not errors(at), (name, errors(at))
        picture = at.session_state["content"]
        assert picture.name.startswith(display_name(name)) and picture.origin == "upload"
        shown.append(picture.name)
        captions = [c for img in at.image for c in img.captions]
        assert any(c.startswith(picture.name + " · ") for c in captions), captions
    monkeypatch.undo()
    for fragment in ("passwd", "win.ini", "bashrc", "onerror", "alert(", "evil.example", "gnp"):
        assert not any(fragment in path for path in opened), [p for p in opened if fragment in p]
    # the pills offer the gallery plus the last MAX_UPLOADS, all harmless
    options = at.pills(key="pick_content").options
    for option in options:
        assert not MARKUP.search(option.replace("(", "").replace(")", "")), option


def test_a_name_streamlit_itself_refuses_shows_no_details_and_the_next_run_is_whole(vgg_weights):
    """Only a forged request can carry a NUL in a file name. Streamlit then raises in its own callback
    phase, before any app code runs; the visitor sees Streamlit's redacted notice (client.showErrorDetails
    is "none"), never the error or a traceback, and the next run draws the whole page again."""
    at = studio(vgg_weights)
    before = at.session_state["content"]
    at.file_uploader(key="upload_content").set_value(("photo\0.png", png(), "image/png")).run()
    for exc in at.exception:
        assert "null" not in exc.message.lower() and "redacted" in exc.message and not exc.stack_trace
    at.run()
    assert not at.exception and not errors(at)
    assert at.session_state["content"].name == before.name and at.button(key="run").disabled is False


PAGE_FILES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]


def test_no_raw_html_is_rendered_from_anything_but_constants():
    """`unsafe_allow_html=True`, st.html and components.html may only ever show literal strings."""
    offenders = []
    for path in PAGE_FILES:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = ast.unparse(node.func)
            raw = func.endswith(("st.html", ".html")) or any(
                k.arg == "unsafe_allow_html" and not (isinstance(k.value, ast.Constant) and not k.value.value)
                for k in node.keywords
            )
            if raw and not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args):
                offenders.append(f"{path.name}:{node.lineno}: {ast.unparse(node)[:80]}")
    assert offenders == []
    assert len(PAGE_FILES) >= 10


def test_server_security_settings_stay_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True  # uploads need the page's token
    assert config["server"]["enableCORS"] is True  # (Streamlit's name for refusing cross-origin requests)
    assert config["client"]["showErrorDetails"] == "none"  # never a traceback for visitors


def test_upload_limit_is_below_the_engines_and_shown():
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    limit_mb = server["maxUploadSize"]
    # Streamlit counts megabytes of 2**20 bytes; anything the widget accepts, load_image reads
    assert limit_mb >= 1 and limit_mb * 2**20 <= MAX_FILE_BYTES
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    helps = [at.file_uploader(key=k).help for k in ("upload_content", "upload_style")]
    assert all(f"up to {limit_mb} MB" in h for h in helps), helps


# ============================================================================ runs
def test_stop_keeps_last_image_curves_and_history(vgg_weights):
    at = studio(vgg_weights)
    tiny_run_settings(at, steps=5000)
    at.run()
    at.button(key="run").click().run()
    job = at.session_state["job"]
    wait_for(lambda: job.view().step >= 12)
    at.run()  # the page mid-run: picture, progress and curves (a chart that updates in place)
    assert any(c.startswith("Result · step") for img in at.image for c in img.captions)
    assert len(at.get("vega_lite_chart")) == 1 and not at.get("plotly_chart")
    before = at.get("vega_lite_chart")[0].proto
    wait_for(lambda: job.view().step >= 16)
    at.run()  # the next redraw: more points, the same chart (the browser keeps it and redraws its lines)
    after = at.get("vega_lite_chart")[0].proto
    assert after.spec == before.spec and after.data.data != before.data.data
    at.button(key="stop").click().run()
    assert job.wait(60)
    at.run()
    assert not at.exception
    view = job.view()
    assert view.status == "stopped" and 12 <= view.step < 5000
    assert all(len(v) == view.step for v in view.curves.values()) and view.steps == list(range(1, view.step + 1))
    assert all(len(v) == view.step for v in view.layer_curves.values()) and len(view.layer_curves) == 5
    assert any(f"Stopped after {view.step} steps" in w.value for w in at.warning)
    assert any(c == f"Result · step {view.step}" for img in at.image for c in img.captions)
    assert len(at.get("plotly_chart")) == 1 and not at.get("vega_lite_chart")  # the curves stay, clickable
    (entry,) = at.session_state["history"]
    assert entry.status == "stopped" and np.array_equal(entry.image, job.final.image)
    assert entry.curves == view.curves and entry.steps == view.steps
    assert "Result PNG" in [b.label for b in at.download_button]
    assert at.button(key="run").disabled is False


def test_a_second_run_is_refused_however_the_click_arrives(vgg_weights):
    """While a run goes, Run is disabled. A click can still arrive: a forged message, which Streamlit
    drops (it ignores input for widgets it last drew disabled), or a click from a page that had not
    redrawn yet, racing the run that disabled the button (Streamlit then still holds the button's
    enabled state and calls start_run, which must refuse). Both are sent here; one job runs."""
    from ui import resources

    at = studio(vgg_weights)
    tiny_run_settings(at, steps=5000)
    at.run()
    at.button(key="run").click().run()
    job = at.session_state["job"]
    queue = resources.run_queue()
    try:
        assert at.button(key="run").disabled
        computing = queue.waiting + queue.running
        # 1. a forged click on the disabled button (what Button.click() sends, minus AppTest's own check)
        at.button(key="run")._value = True
        at.run()
        assert not at.exception and at.session_state["job"] is job
        assert queue.waiting + queue.running == computing
        # 2. the race: Streamlit still has the button as last drawn enabled when the click arrives
        button = at.button(key="run")
        widgets = at.session_state._state._state._new_widget_state.widget_metadata
        widgets[button.id] = dataclasses.replace(widgets[button.id], disabled=False)
        button._value = True
        at.run()
        assert not at.exception and at.session_state["job"] is job and not job.done
        assert queue.waiting + queue.running == computing
        assert any("A run of yours is already going" in w.value for w in at.warning), [w.value for w in at.warning]
        assert at.button(key="run").disabled
    finally:
        job.stop()
    assert job.wait(60)


@pytest.mark.parametrize("poison,word", [(float("nan"), "NaN"), (float("inf"), "infinite")])
def test_non_finite_loss_shows_a_sentence_and_keeps_the_last_finite_image(vgg_weights, monkeypatch, poison, word):
    real_get = nst.transfer.get_objective

    class Poisoned:
        """The real objective, whose loss turns non-finite at step 6."""

        def __init__(self, objective):
            self._objective, self.calls = objective, 0

        def __getattr__(self, name):
            return getattr(self._objective, name)

        def loss_and_grad(self, *args):
            self.calls += 1
            terms, per_layer, grad = self._objective.loss_and_grad(*args)
            return (terms * poison if self.calls == 6 else terms), per_layer, grad

    monkeypatch.setattr(nst.transfer, "get_objective", lambda *a: Poisoned(real_get(*a)))
    at = studio(vgg_weights)
    tiny_run(at, steps=20)
    assert not at.exception
    job = at.session_state["job"]
    view = job.view()
    assert view.status == "diverged" and view.step == 5 and len(view.curves["total"]) == 5
    shown = errors(at)
    assert len(shown) == 1, shown
    assert_one_sentence(shown[0], f"The loss became {word} at step 6")
    # the picture evaluated at step 5 (the preview shown then) is the one kept
    frames = job.snapshots()
    assert frames[1][0] == 5 and np.array_equal(job.final.image, frames[1][1])
    assert np.isfinite(job.final.image.astype(float)).all()
    assert any(c == "Result · step 5" for img in at.image for c in img.captions)
    (entry,) = at.session_state["history"]
    assert entry.status == "diverged" and np.array_equal(entry.image, job.final.image) and entry.message == shown[0]


# ============================================================================ memory
def test_a_run_too_large_for_the_memory_is_refused(vgg_weights, monkeypatch):
    at = studio(vgg_weights)
    at.segmented_control(key="preset").set_value("High quality").run()
    assert not errors(at) and at.button(key="run").disabled is False
    monkeypatch.setattr(memory, "free_bytes", lambda: 300 * 2**20)
    at.run()
    assert not at.exception
    shown = errors(at)
    assert len(shown) == 1 and re.fullmatch(
        r"At 512 px this run needs about \d+\.\d GB but only 0\.3 GB are free; choose a smaller size\.", shown[0]
    ), shown
    assert at.button(key="run").disabled
    tiny_run_settings(at, steps=2)  # 64 px fits
    at.run()
    assert errors(at) == [] and at.button(key="run").disabled is False


def test_memory_gone_between_drawing_and_clicking(vgg_weights, monkeypatch):
    """Run was enabled when drawn, but by the click the memory is taken: refused at the click."""
    at = studio(vgg_weights)
    run_button = at.button(key="run")
    assert run_button.disabled is False
    monkeypatch.setattr(memory, "free_bytes", lambda: 100 * 2**20)
    run_button.click().run()
    assert not at.exception
    assert at.session_state["job"] is None
    assert any(e.startswith("At 384 px this run needs about") for e in errors(at)), errors(at)


# ============================================================================ settings files and temp files
SETTINGS_FILES = [
    ("weights.json", json.dumps({"weights": "/etc/passwd"}), "unknown setting: weights"),
    ("path.json", json.dumps({"backbone": "../../../etc/passwd"}), "backbone must be one of"),
    ("layer.json", json.dumps({"content_layer": "/etc/shadow"}), "content_layer must be"),
    ("huge.json", json.dumps({"max_side": 10**9}), "max_side must be between"),
    ("nan.json", '{"style_weight": NaN}', "style_weight must be between"),
    ("class.json", json.dumps({"__class__": "os.system", "__init__": 1}), "unknown settings"),
    ("list.json", json.dumps([1, 2, 3]), "must be a JSON object"),
    ("version.json", json.dumps({"version": 99}), "version 99 is not supported"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nested far too deeply"),
    ("bigint.json", '{"seed": ' + "9" * 5000 + "}", "not valid JSON"),
    ("binary.json", b"\xff\xfe\x00garbage", "not valid JSON"),
    ("evil.txt", json.dumps({"max_side": 64}).replace("64", '"64; rm -rf /"'), "max_side must be a whole number"),
]


def widget_values(at: AppTest) -> dict:
    return {k: v for k, v in at.session_state.to_dict().items() if str(k).startswith("cfg.")}


@pytest.mark.parametrize("name,text,phrase", SETTINGS_FILES, ids=[s[0] for s in SETTINGS_FILES])
def test_malicious_settings_file_is_refused_and_changes_nothing(vgg_weights, name, text, phrase):
    at = studio(vgg_weights)
    before = widget_values(at)
    assert before["cfg.max_side"] == 384
    data = text.encode() if isinstance(text, str) else text
    at.file_uploader(key="cfg_json").set_value((name, data, "application/json")).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [e for e in errors(at) if e.startswith("That settings file cannot be used")]
    assert len(shown) == 1 and phrase in shown[0], errors(at)
    assert widget_values(at) == before


def test_a_good_settings_file_still_loads(vgg_weights):
    at = studio(vgg_weights)
    from nst.config import preset

    cfg = preset("quick", seed=42, max_side=192)
    at.file_uploader(key="cfg_json").set_value(("good.json", cfg.to_json().encode(), "application/json")).run()
    assert not at.exception and not errors(at)
    assert at.slider(key="cfg.max_side").value == 192 and at.number_input(key="cfg.seed").value == 42


def test_uploads_and_runs_leave_no_temporary_files(vgg_weights, tmp_path, monkeypatch):
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    top = sorted(os.listdir(ROOT))
    at = studio(vgg_weights)
    name, data = upload_of(CASES_BY_ID["huge_photo_rotated"])
    at.file_uploader(key="upload_content").set_value((name, data, "image/jpeg")).run()
    at.file_uploader(key="upload_style").set_value([(*upload_of(CASES_BY_ID["corrupt_lzw_tiff"]), "image/tiff")])
    at.run()
    at.file_uploader(key="upload_style").set_value([("s.png", png(colour=(20, 200, 90)), "image/png")]).run()
    tiny_run(at, steps=3)
    assert not at.exception and at.session_state["job"].view().status == "finished"
    # TensorFlow writes the Python it generates when it first traces a function (autograph) to the
    # temp folder: code, never a user's picture, and only when this test happens to trace first.
    left = [f for f in os.listdir(temp) if not f.startswith("__autograph_generated_file")]
    assert left == []
    assert sorted(os.listdir(ROOT)) == top


# ============================================================================ uploads while a run goes on
# (last in the module: the long run holds the one run slot until test_the_run_outlived_all_those_uploads)
@dataclass
class Busy:
    """A session with one finished run in its history and a long run going."""

    at: AppTest
    job: object
    history: list[int]
    styles: list[str]

    def assert_untouched(self) -> None:
        ss = self.at.session_state
        assert not self.at.exception, [e.value for e in self.at.exception]
        assert ss["job"] is self.job and self.job.view().status == "running"
        assert [e.number for e in ss["history"]] == self.history
        assert [s.name for s in ss["styles"]] == self.styles


@pytest.fixture(scope="module")
def busy(vgg_weights):
    at = studio(vgg_weights)
    tiny_run(at, steps=4)
    assert len(at.session_state["history"]) == 1
    tiny_run_settings(at, steps=10_000)
    at.number_input(key="cfg.epochs").set_value(2)  # 20000 steps: it cannot finish during the tests
    at.run()
    at.button(key="run").click().run()
    job = at.session_state["job"]
    wait_for(lambda: job.view().step >= 2)
    state = Busy(at, job, [1], [s.name for s in at.session_state["styles"]])
    yield state
    job.stop()
    job.wait(60)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_every_catalogue_file_through_the_content_uploader(busy, case):
    at = busy.at
    before, before_pick = at.session_state["content"], at.pills(key="pick_content").value
    name, data = upload_of(case)
    at.file_uploader(key="upload_content").set_value((name, data, "application/octet-stream")).run()
    busy.assert_untouched()
    if case.expect == "ok":
        picture = at.session_state["content"]
        assert picture.origin == "upload" and picture.name.startswith(display_name(name)), picture.name
        assert at.pills(key="pick_content").value == picture.name
        assert picture.image.dtype == np.uint8 and picture.image.ndim == 3
        case.check(picture.image)  # orientation, shape, colour
        assert errors(at) == []
    else:
        shown = errors(at)
        assert len(shown) == 1, shown
        assert_one_sentence(shown[0], case.phrase)
        assert at.session_state["content"] is before and at.pills(key="pick_content").value == before_pick


@pytest.mark.parametrize("case_id", STYLE_CASES)
def test_some_catalogue_files_through_the_style_uploader(busy, case_id):
    at, case = busy.at, CASES_BY_ID[case_id]
    content = at.session_state["content"]
    name, data = upload_of(case)
    at.file_uploader(key="upload_style").set_value([(name, data, "application/octet-stream")]).run()
    assert not at.exception
    assert at.session_state["job"] is busy.job and busy.job.view().status == "running"
    assert [e.number for e in at.session_state["history"]] == busy.history
    assert at.session_state["content"] is content
    styles = at.session_state["styles"]
    if case.expect == "ok":
        assert [s.name for s in styles] == [display_name(name)] and styles[0].origin == "upload"
        case.check(styles[0].image)
        busy.styles = [s.name for s in styles]
    else:
        shown = errors(at)
        assert len(shown) == 1 and case.phrase in shown[0], shown
        assert [s.name for s in styles] == busy.styles


def test_a_good_and_a_bad_style_at_once(busy):
    at = busy.at
    files = [("good.png", png(colour=(0, 90, 200)), "image/png"), upload_of(CASES_BY_ID["truncated_png"])]
    at.file_uploader(key="upload_style").set_value([files[0], (*files[1], "image/png")]).run()
    assert not at.exception
    assert [s.name for s in at.session_state["styles"]] == ["good"]
    assert any("cut is truncated or corrupt" in e for e in errors(at)), errors(at)
    busy.styles = ["good"]
    busy.assert_untouched()


def test_the_run_outlived_all_those_uploads(busy):
    at, job = busy.at, busy.job
    busy.assert_untouched()
    steps = job.view().step
    at.button(key="stop").click().run()
    assert job.wait(60)
    at.run()
    assert not at.exception
    view = job.view()
    assert view.status == "stopped" and view.step >= steps and len(view.curves["total"]) == view.step
    history = at.session_state["history"]
    assert [e.number for e in history] == [1, 2] and history[-1].status == "stopped"
    assert np.array_equal(history[-1].image, job.final.image)


def test_choosing_a_backbone_without_weights_never_starts_a_download(vgg_weights, monkeypatch):
    """Issue 10.6: with VGG16 chosen and its weights absent, a rerun (and a Run click) must not call
    Keras' download, even online: it says what to do and keeps Run disabled."""
    from streamlit.testing.v1 import AppTest

    from nst.tf_runtime import keras
    from tests.conftest import ROOT

    calls = []
    monkeypatch.delenv("NST_OFFLINE", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(ROOT / ".pytest_cache" / "empty-keras-home"))
    monkeypatch.setattr(keras.utils, "get_file", lambda *a, **k: calls.append(a) or pytest.fail("downloaded"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.selectbox(key="cfg.backbone").set_value("vgg16").run()
    at.run()
    errors = " ".join(e.value for e in at.error)
    assert "VGG16 weights are not on this server" in errors, errors
    assert at.button(key="run").disabled
    assert calls == [] and not at.exception
