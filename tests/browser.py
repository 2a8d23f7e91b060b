"""A real Streamlit server and a real Chromium for the browser tests.

The server is `streamlit run app.py` on a free localhost port; the browser is Debian's
/usr/bin/chromium driven by Playwright (which downloads no browser of its own). Without
Chromium the tests skip, saying so — unless NST_REQUIRE_BROWSER=1 (set by .ci/run), where
a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = os.environ.get("NST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM} (install Debian's chromium; .ci/run does)"
        if os.environ.get("NST_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, port: int, proc: subprocess.Popen, log: Path):
        self.port, self.proc, self.log = port, proc, log
        self.url = f"http://localhost:{port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(
    tmp: Path, extra_env: dict[str, str] | None = None, args: list[str] | None = None, root: Path = ROOT
) -> Server:
    """`streamlit run` of `root`'s app.py (another checkout's for bench.studio --against)."""
    port = free_port()
    log = tmp / f"streamlit-{port}.log"
    env = {**os.environ, "NST_OFFLINE": "1", **(extra_env or {})}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(root / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        *(["--", *args] if args else []),
    ]
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return Server(port, proc, log)
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not come up: {log.read_text()}")


def stop_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(10)
    except subprocess.TimeoutExpired:
        server.proc.kill()


@pytest.fixture(scope="module")
def server(vgg_weights, tmp_path_factory) -> Iterator[Server]:
    require_chromium()
    srv = start_server(tmp_path_factory.mktemp("server"))
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_app(browser, server: Server, path: str = ""):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server.url}/{path}")
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    return page


def wait_idle(page, timeout: float = 60_000) -> None:
    """Until Streamlit has finished the current script run (the status widget is gone)."""
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout)


def upload(page, label: str, *paths) -> None:
    box = page.locator('[data-testid="stFileUploader"]').filter(has_text=label)
    box.locator('input[type="file"]').set_input_files([str(p) for p in paths])


PLAN_SUMMARY = re.compile(r" px · [\d +]+ steps")  # the Studio's caption of what Run will do


def set_steps(page, steps: int) -> None:
    from playwright.sync_api import expect

    expander = page.locator('[data-testid="stExpander"]').filter(has_text="All settings")
    if not expander.get_by_role("tab", name="Optimiser").is_visible():
        expander.get_by_text("All settings").click()
    expander.get_by_role("tab", name="Optimiser").click()
    box = expander.get_by_role("spinbutton", name="Steps per epoch")
    if box.input_value() == str(steps):
        return
    plan = page.get_by_text(PLAN_SUMMARY).first
    before = plan.inner_text()
    box.fill(str(steps))
    box.press("Enter")
    # Until the server has the new value: the status widget may not have shown yet right after
    # Enter, so wait_idle alone let a Run click race the rerun (a 30-step run for a 3000-step test).
    expect(plan).not_to_have_text(before, timeout=30_000)
    wait_idle(page)


def run_button(page):
    return page.get_by_role("button", name=re.compile(r"Run$"))
