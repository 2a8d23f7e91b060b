"""Shared fixtures: the real VGG19 weights, the shared sample images, small test images.

Nothing here downloads: NST_OFFLINE is forced on, and tests that need weights fail with an
instruction when NST_WEIGHTS does not point at the file (`make test` sets it when
../shared is beside the checkout).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ["NST_OFFLINE"] = "1"
# This machine's cost model is measured once per test session, not read from a user's cache.
os.environ.setdefault("NST_COST_CACHE", str(Path(__file__).resolve().parents[1] / ".pytest_cache" / "nst-costs.json"))

pytest_plugins = ["tests.browser"]  # the `server` and `browser` fixtures

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NST_SHARED_DATA", ROOT.parent / "shared" / "data"))
WEIGHTS_NAME = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"


def weights_path() -> Path:
    env = os.environ.get("NST_WEIGHTS")
    path = Path(env) if env else SHARED / "weights" / WEIGHTS_NAME
    if path.is_dir():
        path = path / WEIGHTS_NAME
    if not path.is_file():
        pytest.fail(
            f"VGG19 weights not found at {path}: set NST_WEIGHTS to {WEIGHTS_NAME} (make test does this "
            "when ../shared is beside the checkout)."
        )
    return path


@pytest.fixture(scope="session")
def vgg_weights() -> Path:
    path = weights_path()
    os.environ["NST_WEIGHTS"] = str(path)
    return path


@pytest.fixture(scope="session")
def backbone(vgg_weights):
    """float32 on every machine: the path most CPUs take, and the same numbers everywhere (bf16 is
    native on some CPUs and emulated, ten times slower, on others)."""
    from nst.backbones import load_backbone

    return load_backbone("vgg19", weights=str(vgg_weights), precision="float32")


@pytest.fixture(scope="session")
def backbone_fp32(vgg_weights):
    from nst.backbones import load_backbone

    return load_backbone("vgg19", weights=str(vgg_weights), precision="float32")


def sample(kind: str, name: str) -> Path:
    path = SHARED / kind / name
    if not path.is_file():
        pytest.fail(
            f"sample image {path} missing: the tests expect ../shared/data beside the checkout (or NST_SHARED_DATA)."
        )
    return path


@pytest.fixture(scope="session")
def content_image() -> np.ndarray:
    from nst.images import load_image

    return load_image(sample("content", "tubingen.jpg"), cap=256)


@pytest.fixture(scope="session")
def style_image() -> np.ndarray:
    from nst.images import load_image

    return load_image(sample("styles", "starry_night.jpg"), cap=256)


@pytest.fixture(scope="session")
def second_style_image() -> np.ndarray:
    from nst.images import load_image

    return load_image(sample("styles", "the_scream.jpg"), cap=256)


@pytest.fixture(scope="session")
def photo(content_image) -> np.ndarray:
    """A 96×128 crop-free resize of the content photo (the explain tests' picture)."""
    from nst.images import resize

    return resize(content_image, (96, 128))
