"""The presentation view in a real browser (issue 12): one screen at a projector's 1280×720 and at
1920×1080, picture and curves inside the viewport during and after a run, keyboard Run."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import wait_idle

pytestmark = pytest.mark.browser

URL = "?present=1&content=lighthouse&style=waves&preset={}"


def inside(page, locator, width: int, height: int) -> dict:
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height + 1, (box, width, height)
    return box


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_presentation_view_fits_one_screen(server, browser, tmp_path, width, height):
    """Mid-run, stopped and finished. The mid-run view is seen on a High quality run, stopped by
    its shortcut: Quick can end between two redraws on a CPU with native bfloat16."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{server.url}/{URL.format('high')}")
    run = page.locator(".st-key-present_run button").first
    run.wait_for(timeout=90_000)
    wait_idle(page)
    # the URL's pair and preset, no sidebar, no settings
    inputs = page.locator(".st-key-present_inputs")
    expect(inputs).to_contain_text("Photo · Lighthouse")
    expect(inputs).to_contain_text("Painting · Waves")
    expect(page.get_by_role("radio", name="High quality")).to_be_checked()
    assert page.get_by_text("All settings").count() == 0
    picture = page.locator(".st-key-present_result [data-testid='stImage'] img").first
    inside(page, picture, width, height)
    page.screenshot(path=str(tmp_path / f"present-{width}-before.png"))

    page.keyboard.press("g")  # Run's shortcut
    chart = page.locator(".st-key-present_numbers [data-testid='stVegaLiteChart']").first
    chart.wait_for(timeout=90_000)
    page.get_by_text(re.compile(r"still running")).first.wait_for(timeout=60_000)
    inside(page, picture, width, height)
    inside(page, chart, width, height)
    page.screenshot(path=str(tmp_path / f"present-{width}-running.png"))

    page.keyboard.press("s")  # Stop's shortcut
    page.get_by_text(re.compile(r"Stopped after \d+ steps")).first.wait_for(timeout=60_000)
    wait_idle(page)
    inside(page, picture, width, height)
    inside(page, chart, width, height)
    assert page.get_by_text(re.compile(r"still running")).count() == 0
    page.screenshot(path=str(tmp_path / f"present-{width}-stopped.png"))

    page.get_by_role("radio", name="Quick").click()
    wait_idle(page)
    page.keyboard.press("g")
    page.get_by_text(re.compile(r"Finished \d+ steps")).first.wait_for(timeout=180_000)
    wait_idle(page)
    inside(page, picture, width, height)
    inside(page, chart, width, height)
    assert page.locator(".st-key-present_numbers").get_by_text(re.compile(r"30 / 30")).count() == 1
    page.screenshot(path=str(tmp_path / f"present-{width}-after.png"))
    context.close()


def test_the_demo_pack_replays_in_the_browser(server, browser, tmp_path):
    """A shipped recording plays in the Studio's live view: the picture changes and the curves grow,
    and it ends as the run did (issue 12.2)."""
    from tests.browser import open_app

    page = open_app(browser, server)
    page.get_by_role("tab", name="Replay").click()
    wait_idle(page)
    page.screenshot(path=str(tmp_path / "replay-tab.png"), full_page=True)
    page.locator(".st-key-replay_demo").get_by_text(re.compile(r"Lighthouse × Waves")).click()
    wait_idle(page)
    page.get_by_role("radio", name="2×").click()
    wait_idle(page)
    page.locator(".st-key-replay_run button").first.click()
    caption = page.get_by_text(re.compile(r"Result · step \d+, still running")).first
    caption.wait_for(timeout=30_000)
    first = caption.inner_text()
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=30_000)  # live curves
    page.wait_for_function(
        "t => [...document.querySelectorAll('[data-testid=\"stImageCaption\"]')].some("
        "e => /Result · step \\d+/.test(e.innerText) && e.innerText !== t)",
        arg=first,
        timeout=30_000,
    )
    page.screenshot(path=str(tmp_path / "replay-running.png"), full_page=True)
    page.get_by_text(re.compile(r"Replayed")).first.wait_for(timeout=60_000)
    assert page.get_by_text(re.compile(r"Result · step 30")).count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0
