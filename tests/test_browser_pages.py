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
