"""Feature maps of the user's images, and the layer and size checks the explain modules share.

`activations` runs the network at most once per image and size: all layers come from one
forward pass, kept per backbone in a small thread-safe LRU (`Backbone.memo`). Everything a
widget changes afterwards (channel, sort order, colour map, Gram ordering) works on those
read-only arrays.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from nst.backbones import Backbone, BackboneSpec
from nst.images import fitted_size, resize
from nst.memo import LRU, image_digest
from nst.tf_runtime import tf

# An entry holds every layer computed for one image at one size: up to ~130 MB for the whole
# VGG19 catalogue at 384 px (block1 alone is 2 × 28 MB), so only a few are kept — enough for
# content, style and the current result of one or two sessions.
ACTIVATION_CACHE_SIZE = 4


def memo(backbone: Backbone, name: str, capacity: int) -> LRU:
    """The explain LRU called `name` for this backbone, created on first use."""
    return backbone.memo(("explain", name), lambda: LRU(capacity))


def readonly(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)  # shared between sessions: a page must not draw into it
    return array


def check_layers(spec: BackboneSpec, layers: Iterable[str] | None) -> tuple[str, ...]:
    """`layers` as a tuple without repeats (default: the whole catalogue); unknown names refused."""
    if layers is None:
        return spec.layers
    if isinstance(layers, str):
        layers = (layers,)
    layers = tuple(dict.fromkeys(layers))
    unknown = [name for name in layers if name not in spec.layers]
    if unknown:
        raise ValueError(f"{spec.label} has no layer {unknown[0]!r}; choose from {', '.join(spec.layers)}.")
    if not layers:
        raise ValueError("no layers asked for.")
    return layers


def analysis_size(spec: BackboneSpec, image: np.ndarray, max_side: int) -> tuple[int, int]:
    """(h, w) of the image with long side `max_side`; refused when too small for the network."""
    size = fitted_size(image.shape[0], image.shape[1], max_side)
    if min(size) < spec.min_side:
        raise ValueError(
            f"at {max_side} px the image would be {size[1]}×{size[0]}; {spec.label} needs a short side "
            f"of at least {spec.min_side} px."
        )
    return size


def _forward(backbone: Backbone, image: np.ndarray, layers: tuple[str, ...]) -> dict[str, np.ndarray]:
    """One forward pass; float32 (h, w, c) maps of `layers`."""
    outputs = backbone.feature_function(layers)(tf.constant(image[None], tf.float32))
    return {name: readonly(o[0].numpy()) for name, o in zip(layers, outputs, strict=True)}


def activation_entry(
    backbone: Backbone, image: np.ndarray, layers: tuple[str, ...], max_side: int
) -> tuple[tuple, dict[str, np.ndarray]]:
    """The memo key (image content, size) and entry (layer → maps) holding at least `layers`.

    Other memos keyed by the same image and size (the Gram matrices) use the same key.
    """
    spec = backbone.spec
    size = analysis_size(spec, image, max_side)
    key = (image_digest(image), size)
    activations_memo = memo(backbone, "activations", ACTIVATION_CACHE_SIZE)
    entry = activations_memo.get(key) or {}
    missing = [name for name in layers if name not in entry]
    if missing:
        # One pass over the whole catalogue: a forward pass costs less than tracing another
        # layer selection, and every later layer choice for this image is then free.
        pixels = resize(image, size).astype(np.float32)
        entry = activations_memo.merge(key, _forward(backbone, pixels, spec.layers))
    return key, entry


def activations(
    backbone: Backbone, image_uint8: np.ndarray, layers: Iterable[str] | None = None, max_side: int = 384
) -> dict[str, np.ndarray]:
    """Feature maps (h, w, c) float32 of `layers` (default: the whole catalogue), shallow → deep.

    The image is resized so its long side is `max_side`. All layers come from one forward pass
    and are memoised per (image content, size), so asking again — for these or shallower
    layers — returns the same (read-only) arrays without touching the network.
    """
    layers = check_layers(backbone.spec, layers)
    _, entry = activation_entry(backbone, image_uint8, layers, max_side)
    return {name: entry[name] for name in layers}
