"""Small memo helpers that import no TensorFlow: a thread-safe LRU and an image content hash.

The UI hashes every upload with `image_digest` (a picture's identity in the session), so this
module must stay light: numpy and the standard library only. A test checks that importing it
does not import TensorFlow.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping

import numpy as np


class LRU:
    """A small thread-safe least-recently-used memo."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._put(key, value)

    def merge(self, key: Hashable, new: Mapping) -> dict:
        """Store {**entry, **new} for `key` and return it, in one step: the old dict is never
        mutated (other threads may be reading it) and no concurrent merge is lost."""
        with self._lock:
            merged = {**(self._data.get(key) or {}), **new}
            self._put(key, merged)
            return merged

    def _put(self, key: Hashable, value) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.capacity:
            self._data.popitem(last=False)


def image_digest(image: np.ndarray) -> str:
    """Content hash of an image array, the key for memoised targets and a picture's identity."""
    h = hashlib.blake2b(digest_size=16)
    h.update(str(image.shape).encode())
    h.update(np.ascontiguousarray(image).data)
    return h.hexdigest()
