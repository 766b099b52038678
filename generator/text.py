"""Vietnamese text: NFC, diacritic folding, slugs and dates written the Vietnamese way."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from slugify import slugify

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Control characters no reader can see and XML (the feeds) or YAML cannot carry; tab and new line stay.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_BREAKS = "\x0b\x0c\x85\u2028\u2029"
_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """The composed form, so text typed on macOS (NFD) equals text typed on Windows."""
    return unicodedata.normalize("NFC", text)


def printable(text: str) -> str:
    """Text without control characters (pasted from a word processor, or written as escapes or
    entities); Word's line break and the other breaks YAML counts as new lines become spaces."""
    return _CONTROLS.sub(lambda found: " " if found.group() in _BREAKS else "", text)


def clean_line(text: str) -> str:
    """One line of display text: NFC, no zero-width or control characters, single spaces."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", printable(nfc(text)))).strip()


def fold(text: str) -> str:
    """Lower case without diacritics (đ → d), so 'chuyen doi so' matches 'Chuyển đổi số'."""
    decomposed = unicodedata.normalize("NFD", nfc(text).lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return nfc(stripped.replace("đ", "d"))


def identity(text: str) -> str:
    """The key that makes one category or tag of every spelling of it (NFC, case, spaces)."""
    return clean_line(text).casefold()


def make_slug(text: str) -> str:
    """A URL segment from Vietnamese text: 'Đường Thanh Hóa' → 'duong-thanh-hoa'."""
    return slugify(nfc(text), max_length=80, word_boundary=True)


def vietnamese_date(moment: datetime) -> str:
    """'Thứ Sáu, 27/11/2026 14:30' — the way Vietnamese news sites date an article."""
    return f"{WEEKDAYS[moment.weekday()]}, {moment:%d/%m/%Y %H:%M}"


def short_date(moment: datetime) -> str:
    """'27/11/2026' for listings."""
    return f"{moment:%d/%m/%Y}"
