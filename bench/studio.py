"""The live view's cost: a Studio run in Chromium (Run → "Finished") against the CLI, same pair.

`python -m bench.studio [PRESET] [--against CHECKOUT] [--rounds N]` starts the app on a free port,
drives Debian's Chromium with Playwright through a run of the gallery's first photo and painting at
PRESET (default balanced), and times the CLI on the same two files and settings, in turn, N rounds
(default 2). With `--against`, a second app server runs from another checkout of this project (e.g.
`git worktree add /tmp/old <commit>`) and its Studio takes its turn in each round, first and second
alternating. Each Studio run also counts the CPU seconds every Chromium process used (from /proc):
the live view's cost on the cores the run needs. Prints JSON.
Nothing else may run on the machine meanwhile: the app, the browser and the run share the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def chromium_cpu_seconds() -> float:
    """User + system CPU of every running Chromium process (Linux /proc; 0 elsewhere)."""
    if not os.path.isdir("/proc"):
        return 0.0
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        try:
            if "chromium" not in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


FINISHED_SHOWN = r"() => /Finished \d+ steps/.test(document.body.textContent)"


def studio_seconds(browser, server, preset_label: str) -> tuple[float, float]:
    """(Run → "Finished" in seconds, Chromium's CPU seconds meanwhile)."""
    from tests.browser import open_app, wait_idle

    page = open_app(browser, server)
    page.get_by_role("button", name=re.compile(r"Run$")).wait_for(timeout=120_000)
    wait_idle(page, 180_000)
    page.get_by_role("radio", name=preset_label).click()
    wait_idle(page)
    cpu, t0 = chromium_cpu_seconds(), time.perf_counter()
    page.get_by_role("button", name=re.compile(r"Run$")).click()
    # Looked for ten times a second on a timer: Playwright's own wait (get_by_text(...).wait_for)
    # searches the page's text on every animation frame, Chromium CPU that a visitor's browser does
    # not spend, on the cores the run needs (a 16-s Balanced run: 0.9 CPU s and 0.8 s, side by side).
    page.wait_for_function(FINISHED_SHOWN, polling=100, timeout=900_000)
    seconds, cpu = time.perf_counter() - t0, chromium_cpu_seconds() - cpu
    page.context.close()
    return seconds, cpu


def cli_seconds(content: Path, style: Path, preset: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "nst", "stylize", str(content), str(style), "-o", f"{tmp}/o.png"]
        proc = subprocess.run([*cmd, "--preset", preset], cwd=ROOT, capture_output=True, text=True, timeout=900)
    match = re.search(r"Wrote .* in ([\d.]+) s\.", proc.stderr)
    if not match:
        raise RuntimeError(proc.stderr)
    return float(match[1])  # the run itself, as the Studio's clock starts at Run with the model loaded


def main(preset: str = "balanced", against: Path | None = None, rounds: int = 2) -> dict:
    from playwright.sync_api import sync_playwright

    from nst.config import PRESETS
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server

    gallery = json.loads((ROOT / "assets" / "gallery.json").read_text())
    content = ROOT / "assets" / next(g["file"] for g in gallery if g["kind"] == "content")
    style = ROOT / "assets" / next(g["file"] for g in gallery if g["kind"] == "style")
    studios = ["this"] + (["against"] if against else [])
    seconds: dict[str, list[float]] = {name: [] for name in [*studios, "cli"]}
    chromium: dict[str, list[float]] = {name: [] for name in studios}
    with tempfile.TemporaryDirectory() as tmp:
        servers = {"this": start_server(Path(tmp))}
        try:
            if against:
                checkout = against.resolve()
                servers["against"] = start_server(Path(tmp), {"PYTHONPATH": str(checkout)}, root=checkout)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for r in range(rounds):
                    for name in studios if r % 2 == 0 else studios[::-1]:
                        wall, cpu = studio_seconds(browser, servers[name], PRESETS[preset])
                        seconds[name].append(round(wall, 1))
                        chromium[name].append(round(cpu, 1))
                        print(f"studio ({name}) {wall:.1f} s, Chromium {cpu:.1f} CPU s", file=sys.stderr, flush=True)
                    seconds["cli"].append(cli_seconds(content, style, preset))
                    print(f"cli {seconds['cli'][-1]:.1f} s", file=sys.stderr, flush=True)
                browser.close()
        finally:
            for server in servers.values():
                stop_server(server)
    cli = statistics.median(seconds["cli"])
    out = {
        "preset": preset,
        "pair": [content.name, style.name],
        "against": str(against) if against else None,
        "seconds": seconds,
        "chromium_cpu_s": chromium,
        "ratio": {name: statistics.median(seconds[name]) / cli for name in studios},
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("preset", nargs="?", default="balanced")
    parser.add_argument("--against", type=Path, help="another checkout's app, timed in turn with this one")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    main(args.preset, args.against, args.rounds)
