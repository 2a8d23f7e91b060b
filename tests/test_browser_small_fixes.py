"""Issue 10, point 8 ("smaller things seen"), in a real browser: what only shows on screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import open_app, run_button, set_steps, upload, wait_idle
from tests.conftest import sample

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/small-fixes")
LONG_NAMES = ["starry_night.jpg", "great_wave.jpg", "composition_vii.jpg", "cliff_walk_pourville.jpg"]

# For each element, the places where a line ends between two letters or digits of one word.
MID_WORD_BREAKS = """
els => els.map(el => {
    const breaks = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let previous = null;  // [character, line top]
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let i = 0; i < node.length; i++) {
            const range = document.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const rect = range.getClientRects()[0];
            if (!rect) continue;
            const ch = node.data[i];
            if (previous && rect.top > previous[1] + 2 && /[\\p{L}\\p{N}]/u.test(previous[0])
                && /[\\p{L}\\p{N}]/u.test(ch)) {
                breaks.push(el.innerText.replace(/\\n/g, '⏎'));
            }
            previous = [ch, rect.top];
        }
    }
    return breaks;
}).flat()
"""


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def _queue_line(page):
    return page.locator('[data-testid="stSidebar"] [data-testid="stCaptionContainer"]').filter(has_text="Server:")


def test_sidebar_follows_another_visitors_run(server, browser):
    """The queue line of a visitor who only watches must change when someone else's run starts and ends."""
    watcher = open_app(browser, server)
    _queue_line(watcher).wait_for(timeout=120_000)  # the first visitor waits for the model to load
    wait_idle(watcher, 120_000)
    _queue_line(watcher).filter(has_text=re.compile(r"\b0 run|no run", re.I)).wait_for(timeout=30_000)

    runner = open_app(browser, server)
    runner.wait_for_selector('[data-testid="stFileUploader"]', timeout=60_000)
    wait_idle(runner, 120_000)
    runner.get_by_role("radio", name="Quick").click()
    wait_idle(runner)
    set_steps(runner, 3000)
    run_button(runner).click()
    try:
        runner.get_by_text(re.compile(r"Result · step \d+")).wait_for(timeout=90_000)
        # the watcher does nothing: its sidebar must notice by itself
        _queue_line(watcher).filter(has_text=re.compile(r"\b1 run(\(s\))? computing")).wait_for(timeout=30_000)
    finally:
        runner.get_by_role("button", name=re.compile(r"Stop$")).click()
    runner.get_by_text(re.compile(r"Stopped after \d+ steps")).wait_for(timeout=60_000)
    _queue_line(watcher).filter(has_text=re.compile(r"no run computing", re.I)).wait_for(timeout=30_000)
    assert "(s)" not in _queue_line(watcher).inner_text()
    watcher.context.close()
    runner.context.close()


def test_painting_names_under_thumbnails_wrap_between_words(server, browser):
    page = open_app(browser, server)
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.wait_for_selector('[data-testid="stFileUploader"]', timeout=60_000)
    wait_idle(page, 120_000)
    upload(page, "upload paintings", *(sample("styles", n) for n in LONG_NAMES))
    captions = page.locator('[data-testid="stImageCaption"]')
    captions.filter(has_text="cliff_walk_pourville").wait_for(timeout=60_000)
    wait_idle(page)
    thumbs = [captions.filter(has_text=Path(n).stem).first for n in LONG_NAMES]
    thumbs[0].scroll_into_view_if_needed()
    _shot(page, "c-thumbnails.png")
    broken = page.evaluate(MID_WORD_BREAKS, [t.element_handle() for t in thumbs])
    assert not broken, f"names broken inside a word: {broken}"
    for t in thumbs:  # every name is on screen, not clipped away entirely
        assert t.is_visible() and t.bounding_box()["height"] > 8
    page.context.close()


def test_sweep_pictures_download_as_png_and_join_the_history(server, browser):
    page = open_app(browser, server)
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.wait_for_selector('[data-testid="stFileUploader"]', timeout=60_000)
    wait_idle(page, 120_000)
    page.get_by_role("tab", name="Style-strength sweep").click()
    sweep = page.get_by_role("tabpanel").filter(has_text="β multipliers")
    sweep.get_by_role("button", name="×10", exact=True).click()  # deselect: two pictures are enough here
    wait_idle(page)
    sweep.get_by_role("button", name="Run sweep").click()
    page.get_by_text("Each picture is also in the History tab").wait_for(timeout=180_000)
    wait_idle(page)
    page.get_by_text("Each picture is also in the History tab").scroll_into_view_if_needed()
    _shot(page, "g-sweep.png")
    buttons = sweep.get_by_role("button", name=re.compile(r"PNG$"))
    assert buttons.count() == 2
    with page.expect_download() as download:
        buttons.first.click()
    from PIL import Image

    image = Image.open(download.value.path())
    assert image.format == "PNG" and max(image.size) == 192
    assert re.fullmatch(r"nst-sweep-1-beta-.+\.png", download.value.suggested_filename)
    page.get_by_role("tab", name="History").click()
    history = page.get_by_role("tabpanel").filter(has_text="runs this session")
    history.get_by_text("β = ").first.wait_for(timeout=30_000)
    assert history.locator('[data-testid="stImageCaption"]').filter(has_text="β = ").count() == 2
    history.scroll_into_view_if_needed()
    _shot(page, "g-history.png")
    page.context.close()


def test_a_rejected_upload_is_not_left_in_the_box(server, browser, tmp_path):
    fake = tmp_path / "notes.jpg"
    fake.write_text("not a picture, just some notes")
    page = open_app(browser, server)
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.wait_for_selector('[data-testid="stFileUploader"]', timeout=60_000)
    wait_idle(page, 120_000)
    upload(page, "upload a photo", fake)
    page.get_by_text("not an image we can read").wait_for(timeout=30_000)
    wait_idle(page)
    box = page.locator('[data-testid="stFileUploader"]').filter(has_text="upload a photo")
    box.scroll_into_view_if_needed()
    _shot(page, "b-rejected-upload.png")
    assert box.get_by_text("notes.jpg").count() == 0, "the refused file is still listed"
    page.context.close()
