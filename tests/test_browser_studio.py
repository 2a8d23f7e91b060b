"""The Studio in a real browser: upload, run, watch, stop, download."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

from tests.browser import open_app, run_button, set_steps, upload, wait_idle
from tests.conftest import sample

pytestmark = pytest.mark.browser


def test_upload_run_stop_download(server, browser, tmp_path):
    page = open_app(browser, server)
    page.wait_for_selector('[data-testid="stFileUploader"]', timeout=60_000)
    upload(page, "upload a photo", sample("content", "tubingen.jpg"))
    page.get_by_text(re.compile(r"tubingen · \d+×\d+")).wait_for(timeout=30_000)
    wait_idle(page)
    upload(page, "upload paintings", sample("styles", "starry_night.jpg"))
    page.locator('[data-testid="stImageCaption"]').filter(has_text="starry_night").wait_for(timeout=30_000)
    wait_idle(page)
    page.get_by_role("radio", name="Quick").click()
    page.get_by_text(re.compile(r"256 px · \d+ \+ \d+ steps")).wait_for(timeout=30_000)
    set_steps(page, 10)
    page.get_by_text(re.compile(r"256 px · 6 \+ 4 steps")).wait_for(timeout=30_000)

    run_button(page).click()
    page.get_by_text(re.compile(r"Result · step \d+")).wait_for(timeout=60_000)
    page.locator('[data-testid="stVegaLiteChart"], [data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    page.get_by_text(re.compile(r"Finished \d+ steps")).wait_for(timeout=120_000)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=30_000)  # done: hover and click
    page.screenshot(path=str(tmp_path / "finished.png"), full_page=True)

    with page.expect_download() as dl:
        page.get_by_role("button", name=re.compile("Result PNG")).click()
    path = dl.value.path()
    img = np.asarray(Image.open(path))
    assert img.ndim == 3 and img.shape[2] == 3 and max(img.shape[:2]) == 256

    # a long second run, stopped after it has started painting
    set_steps(page, 3000)
    page.get_by_text(re.compile(r"256 px · 1800 \+ 1200 steps")).wait_for(timeout=30_000)
    run_button(page).click()
    page.get_by_text(re.compile(r"Result · step ([5-9]|\d\d+)")).wait_for(timeout=60_000)
    page.get_by_role("button", name=re.compile(r"Stop$")).click()
    page.get_by_text(re.compile(r"Stopped after \d+ steps")).wait_for(timeout=60_000)
    assert page.get_by_text(re.compile(r"Result · step \d+")).count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.content()
