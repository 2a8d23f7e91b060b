"""Missing weights in a real browser (issue 10.6): no page rerun ever starts a download; one
button does, with progress, and the app is ready when the checked file is in the Keras cache."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import open_app, require_chromium, start_server, stop_server, wait_idle
from tests.weights_mirror import mirror

pytestmark = pytest.mark.browser

FILENAME = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"


def test_weights_download_only_on_the_button(vgg_weights, browser, tmp_path):
    require_chromium()
    keras_home = tmp_path / "keras"
    with mirror({f"/vgg19/{FILENAME}": vgg_weights}) as (base, requests):
        env = {"NST_WEIGHTS": "", "KERAS_HOME": str(keras_home), "NST_OFFLINE": "0", "NST_WEIGHTS_MIRROR": base}
        server = start_server(tmp_path, extra_env=env)
        try:
            page = open_app(browser, server)
            page.get_by_text("VGG19 weights are not on this server").first.wait_for(timeout=60_000)
            wait_idle(page)
            page.reload()
            page.get_by_text("VGG19 weights are not on this server").first.wait_for(timeout=60_000)
            wait_idle(page)
            assert requests == [], "a page rerun started a download"
            expect(page.get_by_role("button", name=re.compile(r"Run$"))).to_be_disabled()
            page.screenshot(path=str(tmp_path / "missing.png"))

            page.get_by_role("button", name=re.compile(r"Download the VGG19 weights \(80 MB\)")).click()
            expect(page.get_by_role("button", name=re.compile(r"Run$"))).to_be_enabled(timeout=180_000)
            assert requests == [f"/vgg19/{FILENAME}"]
            assert (keras_home / "models" / FILENAME).stat().st_size == vgg_weights.stat().st_size
            page.locator('[data-testid="stSidebar"]').get_by_text("Keras cache").wait_for(timeout=30_000)
            assert "Downloading data from" not in server.output()
            page.screenshot(path=str(tmp_path / "after-download.png"))
        finally:
            stop_server(server)
