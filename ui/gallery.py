"""The bundled sample pictures (assets/, made by this project; see assets/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from nst.images import load_image
from ui.state import Picture

ASSETS = Path(__file__).resolve().parents[1] / "assets"


@dataclass(frozen=True)
class GalleryItem:
    file: str
    kind: str  # "content" or "style"
    title: str
    caption: str


@st.cache_resource(show_spinner=False)
def items() -> list[GalleryItem]:
    path = ASSETS / "gallery.json"
    if not path.is_file():
        return []
    return [GalleryItem(**entry) for entry in json.loads(path.read_text())]


def of_kind(kind: str) -> list[GalleryItem]:
    return [item for item in items() if item.kind == kind]


@st.cache_resource(show_spinner=False, max_entries=64)
def picture(title: str) -> Picture:
    """Decoded once per process and shared read-only by every session."""
    item = next(i for i in items() if i.title == title)
    image = load_image(ASSETS / item.file)
    image.flags.writeable = False
    return Picture(item.title, image, "gallery")
