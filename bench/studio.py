"""The live view's cost: a Studio run in Chromium (Run → "Finished") against the CLI, same pair.

`python -m bench.studio [PRESET]` starts the app on a free port, drives Debian's Chromium with
Playwright through a run of the gallery's first photo and painting at PRESET (default balanced),
and times the CLI on the same two files and settings, alternately, twice each. Prints JSON.
Nothing else may run on the machine meanwhile: the app, the browser and the run share the cores.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def studio_seconds(browser, server, preset_label: str) -> float:
    from tests.browser import open_app, wait_idle

    page = open_app(browser, server)
    page.get_by_role("button", name=re.compile(r"Run$")).wait_for(timeout=120_000)
    wait_idle(page, 180_000)
    page.get_by_role("radio", name=preset_label).click()
    wait_idle(page)
    t0 = time.perf_counter()
    page.get_by_role("button", name=re.compile(r"Run$")).click()
    page.get_by_text(re.compile(r"Finished \d+ steps")).wait_for(timeout=900_000)
    seconds = time.perf_counter() - t0
    page.context.close()
    return seconds


def cli_seconds(content: Path, style: Path, preset: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "nst", "stylize", str(content), str(style), "-o", f"{tmp}/o.png"]
        proc = subprocess.run([*cmd, "--preset", preset], cwd=ROOT, capture_output=True, text=True, timeout=900)
    match = re.search(r"Wrote .* in ([\d.]+) s\.", proc.stderr)
    if not match:
        raise RuntimeError(proc.stderr)
    return float(match[1])  # the run itself, as the Studio's clock starts at Run with the model loaded


def main(preset: str = "balanced") -> dict:
    from playwright.sync_api import sync_playwright

    from nst.config import PRESETS
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server

    gallery = json.loads((ROOT / "assets" / "gallery.json").read_text())
    content = ROOT / "assets" / next(g["file"] for g in gallery if g["kind"] == "content")
    style = ROOT / "assets" / next(g["file"] for g in gallery if g["kind"] == "style")
    studio, cli = [], []
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for _ in range(2):
                    studio.append(studio_seconds(browser, server, PRESETS[preset]))
                    print(f"studio {studio[-1]:.1f} s", file=sys.stderr, flush=True)
                    cli.append(cli_seconds(content, style, preset))
                    print(f"cli {cli[-1]:.1f} s", file=sys.stderr, flush=True)
                browser.close()
        finally:
            stop_server(server)
    out = {
        "preset": preset,
        "pair": [content.name, style.name],
        "studio_s": studio,
        "cli_s": cli,
        "ratio": statistics.median(studio) / statistics.median(cli),
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main(*sys.argv[1:])
