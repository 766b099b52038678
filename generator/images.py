"""Pictures: their size, and narrower copies for `srcset` made with Pillow, cached by the bytes' hash."""

from __future__ import annotations

import contextlib
import hashlib
import io
import posixpath
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import BuildFailed, Problem
from .output import OutputFile, atomic_write

WIDTHS = (480, 960, 1440)
RECIPE = "r1"  # part of every cache key: change it when the resize settings below change
MIME = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
}
RESIZABLE = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 82, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 80, "method": 4},
}
SWAPPED_ORIENTATIONS = (5, 6, 7, 8)


@dataclass(frozen=True, slots=True)
class Variant:
    """A narrower copy of a picture, published beside it as name-480w.jpg."""

    width: int
    height: int
    address: str


@dataclass(frozen=True, slots=True)
class Picture:
    """A picture of the site: its address, size as displayed, file size and type, and its narrower copies."""

    address: str
    mime: str
    size: int
    width: int | None = None
    height: int | None = None
    variants: tuple[Variant, ...] = ()

    @property
    def url(self) -> str:
        """The address as a URL: spaces and Vietnamese letters of file names percent-encoded."""
        return url_path(self.address)

    @property
    def srcset(self) -> str:
        """'a-480w.jpg 480w, a-960w.jpg 960w, a.jpg 1600w', or '' when there is nothing to choose from."""
        if not self.variants:
            return ""
        candidates = [(v.address, v.width) for v in self.variants] + [(self.address, self.width)]
        return ", ".join(f"{url_path(address)} {width}w" for address, width in candidates)


def url_path(address: str) -> str:
    """'/anh/cầu mới.jpg' → '/anh/c%E1%BA%A7u%20m%E1%BB%9Bi.jpg' (a srcset splits on spaces; feeds want ASCII)."""
    return quote(address, safe="/-._~")


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A file named like a picture that Pillow cannot read, and why."""

    reason: str


def variant_address(address: str, width: int) -> str:
    """'/2026/anh/cau.jpg', 480 → '/2026/anh/cau-480w.jpg'."""
    stem, suffix = posixpath.splitext(address)
    return f"{stem}-{width}w{suffix}"


def measure(address: str, data: bytes) -> Picture | Unreadable | None:
    """The picture stored at `address` (header only, nothing decoded); None for a file that is not a picture."""
    suffix = posixpath.splitext(address)[1].lower()
    if suffix not in MIME:
        return None
    if suffix == ".svg":
        return Picture(address, MIME[suffix], len(data))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                kind = image.format or ""
                orientation = image.getexif().get(0x0112, 1)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        return Unreadable(_reason(error))
    except (OSError, ValueError, SyntaxError) as error:
        return Unreadable(f"the file is damaged ({error})")
    if orientation in SWAPPED_ORIENTATIONS:
        width, height = height, width
    variants: tuple[Variant, ...] = ()
    if kind in RESIZABLE:
        variants = tuple(
            Variant(w, max(1, round(height * w / width)), variant_address(address, w)) for w in WIDTHS if w < width
        )
    mime = "image/jpeg" if kind in ("JPEG", "MPO") else Image.MIME.get(kind, MIME[suffix])  # MPO: phone JPEGs
    return Picture(address, mime, len(data), width, height, variants)


def _reason(error: Exception) -> str:
    if isinstance(error, UnidentifiedImageError):
        return "the file is not a picture Pillow can read (is it really a JPEG, PNG, WebP or GIF?)"
    return f"the picture is too large to process safely ({error})"


def resize(data: bytes, variant: Variant) -> bytes:
    """One narrower copy: upright (EXIF orientation applied), no metadata but the colour profile."""
    with Image.open(io.BytesIO(data)) as opened:
        kind = RESIZABLE[opened.format or ""]
        orientation = opened.getexif().get(0x0112, 1)
        wanted = (variant.width, variant.height)
        if kind == "JPEG":  # let the JPEG decoder scale down first: far less work for big photos
            opened.draft("RGB", wanted[::-1] if orientation in SWAPPED_ORIENTATIONS else wanted)
        profile = opened.info.get("icc_profile")
        image = ImageOps.exif_transpose(opened)
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA" if image.mode in ("P", "PA") and "transparency" in image.info else "RGB")
        if kind == "JPEG" and image.mode != "RGB" and image.mode != "L":
            image = image.convert("RGB")
        small = image.resize(wanted, Image.Resampling.LANCZOS, reducing_gap=3.0)
        buffer = io.BytesIO()
        options = dict(SAVE_OPTIONS[kind])
        if profile:
            options["icc_profile"] = profile
        small.save(buffer, kind, **options)
        return buffer.getvalue()


def variant_files(
    pictures: Iterable[Picture], files: Mapping[str, bytes], cache: Path | None, shown: Callable[[str], str]
) -> list[OutputFile]:
    """The narrower copies of `pictures`; a copy already in `cache` (same bytes, same width) is not made again.

    Raises BuildFailed for a picture whose header reads well but whose pixels are damaged (a file cut
    short), named as `shown` names its site address.
    """
    made: list[OutputFile] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for picture in pictures:
        if picture.address in seen or not picture.variants:
            continue
        seen.add(picture.address)
        data = files[picture.address]
        digest = hashlib.sha256(data).hexdigest()
        suffix = posixpath.splitext(picture.address)[1].lower()
        for variant in picture.variants:
            stored = cache / "images" / f"{digest}-{variant.width}-{RECIPE}{suffix}" if cache else None
            try:
                made.append(OutputFile(variant.address.lstrip("/"), _cached(stored, data, variant), picture.address))
            except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
                wrong = f"the picture cannot be resized: the file is damaged ({error}); save it again"
                problems.append(Problem(shown(picture.address), 1, wrong))
                break
    if problems:
        raise BuildFailed(problems)
    return made


def _cached(stored: Path | None, data: bytes, variant: Variant) -> bytes:
    if stored is not None:
        try:
            return stored.read_bytes()
        except OSError:
            pass
    small = resize(data, variant)
    if stored is not None:
        with contextlib.suppress(OSError):  # a read-only cache only costs time
            atomic_write(stored, small)
    return small
