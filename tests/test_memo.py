"""nst.memo: the LRU and the image digest, and that the UI can import them without TensorFlow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from nst.memo import LRU, image_digest

ROOT = Path(__file__).resolve().parents[1]


def test_importing_memo_does_not_import_tensorflow():
    code = "import nst.memo, sys; assert 'tensorflow' not in sys.modules, 'nst.memo imported tensorflow'"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_lru_keeps_the_most_recently_used():
    memo = LRU(2)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # "a" is now the most recent
    memo.put("c", 3)
    assert memo.get("b") is None and memo.get("a") == 1 and memo.get("c") == 3


def test_lru_merge_makes_a_new_entry():
    memo = LRU(2)
    first = memo.merge("k", {"x": 1})
    second = memo.merge("k", {"y": 2})
    assert first == {"x": 1}  # readers of the old entry never see it change
    assert second == {"x": 1, "y": 2} and memo.get("k") is second


def test_image_digest_follows_content_and_shape():
    image = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    assert image_digest(image) == image_digest(image.copy())
    assert image_digest(image) != image_digest(image.reshape(4, 2, 3))
    changed = image.copy()
    changed[0, 0, 0] += 1
    assert image_digest(image) != image_digest(changed)
