"""The bundled sample pictures (assets/, made by this project; see assets/README.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from nst.images import load_image
from ui.state import Picture

ASSETS = Path(__file__).resolve().parents[1] / "assets"


def caption_style() -> None:
    """Names under thumbnails sit in narrow columns. Lines break between words only; a word longer
    than its column ends in "…" (the full name is on the pill above) instead of being cut in two;
    !important because Streamlit's own rule (break-word) is more specific. A style element: it takes
    no space. (A literal, as every raw HTML in the app must be: see test_app_robustness.)"""
    st.html(
        """<style>
[data-testid="stImageCaption"], [data-testid="stImageCaption"] * { overflow-wrap: normal !important;
  word-break: normal !important; overflow: hidden; text-overflow: ellipsis; }
</style>"""
    )


def wrappable(name: str) -> str:
    """The name as written, with a line-break opportunity after each underscore (a zero-width
    space), so 'starry_night' wraps as 'starry_ / night' rather than 'starry_nigh / t'."""
    return name.replace("_", "_\u200b")


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


def url_name(kind: str, title: str) -> str | None:
    """A gallery picture's name in a URL: its file name without extension ("lighthouse")."""
    item = next((i for i in of_kind(kind) if i.title == title), None)
    return item.file.rsplit("/", 1)[-1].rsplit(".", 1)[0] if item is not None else None


def from_url_name(kind: str, name: str) -> str | None:
    """The title of the gallery picture a URL names by file name or title, if any."""
    wanted = name.strip().lower().replace(" ", "_")
    for item in of_kind(kind):
        if wanted in (url_name(kind, item.title), item.title.lower().replace(" ", "_")):
            return item.title
    return None
