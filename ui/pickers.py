"""Choosing the content and style pictures: the bundled gallery plus the user's uploads.

An upload is decoded once (in the uploader's callback), checked, and added to this session's
own library next to the gallery; a bad file leaves a one-sentence error and everything the
user had untouched. Uploaded names are only ever displayed, never used as paths.

A photo taken with the camera (the content picker's "Take a photo" toggle: the browser asks for the
camera only once it is on) is one more upload, named "camera 1", "camera 2", ….

Every file reaches `nst.images.load_image`, which is the one gate: the uploaders list `image/*`
besides the extensions, so the browser's file picker offers pictures, but Streamlit does not
refuse other names on the server with an exception (a HEIC or PSD gets our plain sentence).
"""

from __future__ import annotations

import logging
import re

import streamlit as st

from nst.images import ImageError, load_image
from ui import gallery, state
from ui.state import Picture

UPLOAD_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "gif"]
# A MIME type in the list turns off Streamlit's server-side extension check (which raises an
# exception into the page); load_image checks the content instead.
UPLOAD_ACCEPT = ["image/*", *UPLOAD_TYPES]
MAX_STYLES = 4
MAX_UPLOADS = 8  # per kind and session; the oldest is forgotten first
_log = logging.getLogger(__name__)


def display_name(filename: str) -> str:
    """A short, harmless label from an uploaded file name: no path, one line, ≤ 40 characters, and
    nothing Streamlit's Markdown (captions, pills, messages) would turn into markup — no HTML, links,
    emphasis, lists, icons or LaTeX."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base)
    base = re.sub(r"[^\w\s.,()+-]", "", base, flags=re.UNICODE)  # letters, digits, _ and a little punctuation
    base = re.sub(r"(?<![^\W_])_+|_+(?![^\W_])", " ", base)  # _emphasis_: keep only snake_case underscores
    base = re.sub(r"(?i)\bwww\.", "www ", base)  # GitHub-flavoured Markdown links bare www.… addresses
    base = re.sub(r"\s+", " ", base)  # one line
    while (shorter := re.sub(r"^(?:[\s.+-]+|\d+[.)](?:\s|$))", "", base)) != base:  # lists, rules: "- x", "1. x"
        base = shorter
    return base.strip()[:40].strip() or "upload"


PICK_CONTENT, PICK_STYLE = "pick_content", "pick_style"  # the pickers' widget keys
CAMERA_ON, CAMERA = "camera_on", "camera_content"  # the "Take a photo" toggle and the camera


def picked_yet() -> bool:
    """Whether this session has drawn the Studio's pickers (else it has no choice of its own yet)."""
    return PICK_CONTENT in st.session_state


def _library(kind: str) -> dict[str, Picture]:
    return state.uploads(kind).get()


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name} ({n})", n + 1
    return candidate


def _accepted_types(kind: str) -> list[str]:
    """The upload box's accepted types, written one of two ways that alternate each time the box
    is cleared.

    Streamlit cannot take one file out of the widget, and a new key would change the name every
    test and page uses for it; but the widget's identity includes its `type` list as written, so
    an equal list written differently makes a new, empty box under the same key. Leaving out
    "jpeg" is such a list: Streamlit pairs jpg with jpeg itself (and image/* covers it), and the
    box's hint reads the same."""
    if state.upload_generation(kind).get() % 2 == 0:
        return UPLOAD_ACCEPT
    return [t for t in UPLOAD_ACCEPT if t != "jpeg"]


def _clear_uploader(kind: str) -> None:
    """Empty the upload box after a rejection, so a refused file is not listed as if taken."""
    generation = state.upload_generation(kind)
    generation.set(generation.get() + 1)


def _uploaded_files(kind: str) -> list:
    files = st.session_state.get(f"upload_{kind}") or []
    files = files if isinstance(files, list) else [files]
    return [f for f in files if hasattr(f, "getvalue")]  # a DeletedFile has no content left


def _decode(upload, label: str | None = None) -> tuple[str, Picture | None, str | None]:
    """(display name, picture or None, one-sentence error or None) for one uploaded file (named
    `label`, else after the file's name)."""
    label = label or display_name(upload.name)
    try:
        return label, Picture(label, load_image(upload.getvalue(), name=label), "upload"), None
    except ImageError as exc:
        return label, None, str(exc)
    except Exception:  # load_image promises ImageError; a visitor must still never see a traceback
        _log.exception("unexpected failure decoding an upload")
        return label, None, f"{label} could not be read; try saving it again as a JPEG or PNG."


def _on_upload(kind: str, camera: bool = False) -> None:
    """Decode new uploads (or the camera's new photo), add them to the library and select them."""
    library = _library(kind)
    seen = state.upload_ids(kind).get()
    errors = []
    added = []
    taken = set(library) | {item.title for item in gallery.of_kind(kind)}
    for f in _camera_photo() if camera else _uploaded_files(kind):
        if f.file_id in seen:
            continue
        seen.add(f.file_id)
        label = None
        if camera:
            shots = state.CAMERA_SHOTS.get() + 1
            state.CAMERA_SHOTS.set(shots)
            label = f"camera {shots}"
        label, picture, error = _decode(f, label)
        if picture is None:
            errors.append(error)
            continue
        name = _unique(label, taken)
        taken.add(name)
        library[name] = Picture(name, picture.image, "upload")
        added.append(name)
    while len(library) > MAX_UPLOADS:
        library.pop(next(iter(library)))
    state.upload_error(kind).set(" ".join(errors) if errors else None)
    if errors and not camera:  # the camera shows its refused photo, with its own "Clear photo"
        _clear_uploader(kind)
    if added:  # what was just uploaded becomes the choice; more styles can be added with the pills
        key = PICK_CONTENT if kind == "content" else PICK_STYLE
        st.session_state[key] = added[-1] if kind == "content" else added[-MAX_STYLES:]


def _camera_photo() -> list:
    photo = st.session_state.get(CAMERA)
    return [photo] if hasattr(photo, "getvalue") else []  # None once the photo is cleared


def _camera() -> None:
    """The camera, behind a toggle: the browser asks for it only when the toggle is turned on."""
    if st.toggle(
        "Take a photo",
        key=CAMERA_ON,
        help="Use this device's camera (the browser asks for permission); the photo becomes the content photo.",
    ):
        st.camera_input(
            "Take a photo",
            key=CAMERA,
            on_change=_on_upload,
            args=("content", True),
            label_visibility="collapsed",
            resolution="720p",  # else the photo is as small as the widget (about 210 px wide here)
        )


def upload_limit_mb() -> int:
    """Streamlit's per-file upload limit (server.maxUploadSize in .streamlit/config.toml)."""
    return int(st.get_option("server.maxUploadSize"))


def options(kind: str) -> list[str]:
    """The picture names a picker offers: the gallery, then this session's uploads."""
    return [item.title for item in gallery.of_kind(kind)] + list(_library(kind))


def resolve(kind: str, name: str) -> Picture | None:
    """The picture a picker's name stands for (an upload of this session, or a gallery picture)."""
    library = _library(kind)
    if name in library:
        return library[name]
    if any(item.title == name for item in gallery.of_kind(kind)):
        return gallery.picture(name)
    return None


def _uploader(kind: str, label: str, multiple: bool) -> None:
    st.file_uploader(
        label,
        type=_accepted_types(kind),
        accept_multiple_files=multiple,
        key=f"upload_{kind}",
        on_change=_on_upload,
        args=(kind,),
        help=f"JPEG, PNG, WebP, BMP, TIFF or GIF, up to {upload_limit_mb()} MB; EXIF rotation and "
        "transparency are handled.",
    )
    error = state.upload_error(kind).get()
    if error:
        st.error(error, icon=":material/broken_image:")


def select(content: Picture, styles: list[Picture]) -> None:
    """Pick these pictures (from a callback), putting uploads that were forgotten back in the library."""
    for kind, pictures in (("content", [content]), ("style", styles)):
        library = _library(kind)
        for p in pictures:
            if p.origin == "upload" and p.name not in library:
                library[p.name] = p
    st.session_state[PICK_CONTENT] = content.name
    st.session_state[PICK_STYLE] = [p.name for p in styles][:MAX_STYLES]


def _on_pick_style() -> None:
    choice = list(st.session_state.get(PICK_STYLE) or [])
    if len(choice) > MAX_STYLES:
        st.session_state[PICK_STYLE] = choice[:MAX_STYLES]
        state.upload_error("style").set(
            f"At most {MAX_STYLES} paintings are blended: {', '.join(choice[MAX_STYLES:])} was left out. "
            "Deselect one first."
        )
    else:
        state.upload_error("style").set(None)


def content_picker() -> Picture | None:
    """The content photo: one of the gallery or an upload."""
    names = options("content")
    key = PICK_CONTENT
    if st.session_state.get(key) not in names:
        st.session_state[key] = names[0] if names else None
    choice = st.pills(
        "Content photo",
        names,
        key=key,
        wrap=True,
        selection_mode="single",
        persist_state="session",
        help="The photo whose layout is kept.",
    )
    picture = resolve("content", choice) if choice else None
    state.set_content(picture)
    gallery.caption_style()
    preview, upload = st.columns([1, 2], vertical_alignment="center")
    if picture is not None:
        preview.image(
            picture.thumbnail,
            caption=f"{picture.name} · {picture.image.shape[1]}×{picture.image.shape[0]}",
            width="stretch",
        )
    with upload:
        _uploader("content", "…or upload a photo", multiple=False)
        _camera()
    return picture


def style_picker() -> list[Picture]:
    """One to four style paintings (several are blended)."""
    names = options("style")
    key = PICK_STYLE
    current = [n for n in (st.session_state.get(key) or []) if n in names]
    if key not in st.session_state or (not current and st.session_state.get(key) is None):
        current = names[:1]
    st.session_state[key] = current[:MAX_STYLES]
    choice = st.pills(
        "Style paintings",
        names,
        key=key,
        wrap=True,
        selection_mode="multi",
        persist_state="session",
        on_change=_on_pick_style,
        help=f"The painting(s) whose textures are taken; up to {MAX_STYLES} are blended.",
    )
    choice = list(choice or [])[:MAX_STYLES]
    pictures = [p for p in (resolve("style", n) for n in choice) if p is not None]
    state.set_styles(pictures)
    if pictures:
        cols = st.columns(MAX_STYLES)
        for col, p in zip(cols, pictures, strict=False):
            col.image(p.thumbnail, caption=gallery.wrappable(p.name), width="stretch")
    _uploader("style", "…or upload paintings", multiple=True)
    return pictures
