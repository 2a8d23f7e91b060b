#!/usr/bin/env python3
"""Record the demo pack: runs of the project's own gallery pictures, replayable without computing.

`make demo-pack` runs this. Each run is real style transfer on the gallery (never the sample
images in ../shared, which may not be copied into the repository) with the preset as it ships,
recorded with `nst.replay` into `assets/demo/<content>-<style>-<preset>.nstrun`. The times in a
recording are those of the machine that made it; a replay at 1× plays them back as they were.

    .venv/bin/python assets/make_demo_pack.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nst.backbones import load_backbone  # noqa: E402
from nst.config import preset  # noqa: E402
from nst.images import load_image  # noqa: E402
from nst.replay import SUFFIX, record_run  # noqa: E402

DEMO = ROOT / "assets" / "demo"
# (content file, style file, preset): a quick one to start a talk, and the default quality.
PACK = [
    ("lighthouse", "waves", "quick"),
    ("lake_house", "swirls", "balanced"),
    ("city_dusk", "stained_glass", "quick"),
]
TITLES = {
    "lighthouse": "Lighthouse",
    "lake_house": "Lake house",
    "city_dusk": "City at dusk",
    "waves": "Waves",
    "swirls": "Swirls",
    "stained_glass": "Stained glass",
}


def main() -> int:
    DEMO.mkdir(parents=True, exist_ok=True)
    backbone = load_backbone("vgg19")
    for content, style, name in PACK:
        t0 = time.perf_counter()
        photo = load_image(ROOT / "assets" / "content" / f"{content}.jpg")
        painting = load_image(ROOT / "assets" / "styles" / f"{style}.jpg")
        rec = record_run(photo, [painting], preset(name), backbone, TITLES[content], [TITLES[style]])
        path = DEMO / f"{content}-{style}-{name}{SUFFIX}"
        path.write_bytes(rec.to_bytes())
        took = time.perf_counter() - t0
        print(f"{path.relative_to(ROOT)}: {len(rec.steps)} steps, {path.stat().st_size / 1e6:.1f} MB, {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
