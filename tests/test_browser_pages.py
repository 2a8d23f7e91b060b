"""Pages in a real browser: what a visitor reads must be rendered, not source text."""

from __future__ import annotations

import re

import pytest

from tests.browser import open_app, wait_idle

pytestmark = pytest.mark.browser

LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+|\b(t?frac|mathcal|mathbf|sum|begin|bmatrix)\b")


def test_theory_renders_every_formula(server, browser):
    page = open_app(browser, server, "theory")
    page.get_by_text("Content loss").first.wait_for(timeout=60_000)
    wait_idle(page, 120_000)
    page.locator(".katex").first.wait_for(timeout=30_000)
    assert page.locator(".katex-error").count() == 0
    shown = page.locator(".katex-html").all_inner_texts()
    assert len(shown) >= 8
    leaks = [text for text in shown if LATEX_COMMAND.search(text)]
    assert not leaks, leaks
    # nor as plain text beside them (a string that is not LaTeX at all shows its source)
    prose = " ".join(page.locator('[data-testid="stMarkdownContainer"] p').all_inner_texts())
    assert "frac12" not in re.sub(r"\s+", " ", prose)


def test_a_deep_link_on_a_fresh_server_goes_through_the_app(vgg_weights, browser, tmp_path):
    """The first visitor after a restart who opens a bookmark such as /theory gets the app (its
    navigation, sidebar and page), not the page script alone: Streamlit routes a fresh server's
    deep links by the pages/ folder until some session has called st.navigation."""
    from tests.browser import start_server, stop_server

    server = start_server(tmp_path)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server.url}/theory")
        nav = page.locator('[data-testid="stSidebarNav"]')
        nav.get_by_text("What each layer captures").wait_for(timeout=90_000)
        assert "reconstructions" not in nav.inner_text()  # not the file names
        page.get_by_role("heading", name="Theory").first.wait_for(timeout=60_000)
        page.locator('[data-testid="stSidebar"]').get_by_text("NST Explorer").wait_for(timeout=60_000)
        page.close()
    finally:
        stop_server(server)
