"""Vietnamese text: NFC, diacritic folding, slugs and dates written the Vietnamese way."""

from __future__ import annotations

import functools
import itertools
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


@functools.cache
def _mark_class() -> str:
    """A regex class of every combining mark (general category M), the same set as JavaScript's \\p{M}."""
    ranges: list[list[int]] = []
    # planes 4 to 13 hold no characters and planes 15 and 16 only private ones: skip them
    for code in itertools.chain(range(0x40000), range(0xE0000, 0xF0000)):
        if unicodedata.category(chr(code))[0] == "M":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)


@functools.cache
def _marks() -> re.Pattern[str]:
    return re.compile(f"[{_mark_class()}]+")


def fold(text: str) -> str:
    """The search normaliser: NFC, lower case, no marks, đ → d; 'chuyen doi so' matches 'Chuyển đổi số'."""
    decomposed = unicodedata.normalize("NFD", nfc(text).lower())
    return nfc(_marks().sub("", decomposed).replace("đ", "d"))


_TOKEN = re.compile(r"\w+|[^\w\s]")
_LETTERS = re.compile(r"[^\W_]+")
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_SYLLABLE = re.compile("([bcdđfghjklmnpqrstvwxz]*)([aăâeêioôơuưy]+)([bcdđfghjklmnpqrstvwxz]*)")
_TONE_ON_SECOND = ("oa", "oe", "uy")


def search_tokens(text: str) -> list[str]:
    """Words (runs of letters and digits) and single punctuation marks of NFC text, case kept.

    A search bigram never spans a punctuation mark. JavaScript: /[\\p{L}\\p{N}]+|[^\\p{L}\\p{N}\\s]/gu.
    """
    return _TOKEN.findall(nfc(text).replace("_", "-"))


def words(text: str) -> list[str]:
    """The words of a text as search sees them: runs of letters and digits, lower case."""
    return [token.lower() for token in search_tokens(text) if token[0].isalnum()]


def place_tone(word: str) -> str:
    """One lower-case word with its tone mark where the current rules put it: 'hòa' → 'hoà', 'thủy' → 'thuỷ'.

    Words that are not one Vietnamese syllable with one tone mark are returned as they are.
    """
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) != 1:
        return word
    bare = nfc(decomposed.replace(tones[0], ""))
    shape = _SYLLABLE.fullmatch(bare)
    if shape is None:
        return word
    onset, vowels, coda = shape.groups()
    start = len(onset)
    if len(vowels) > 1 and ((onset == "q" and vowels[0] == "u") or (onset == "g" and vowels[0] == "i")):
        start, vowels = start + 1, vowels[1:]
    marked = [i for i, ch in enumerate(vowels) if ch in "ăâêôơư"]
    if marked:
        at = marked[-1]
    elif len(vowels) == 1:
        at = 0
    elif coda or len(vowels) == 3:
        at = len(vowels) - 1 if coda else 1
    else:
        at = 1 if vowels in _TONE_ON_SECOND else 0
    at += start
    return nfc(bare[:at] + unicodedata.normalize("NFD", bare[at]) + tones[0] + bare[at + 1 :])


def exact(text: str) -> str:
    """The accented form search ranks by: NFC, lower case, tone marks placed one way ('hòa' = 'hoà')."""
    return _LETTERS.sub(lambda match: place_tone(match.group()), nfc(text).lower())


@functools.lru_cache(maxsize=4096)  # categories and tags come back on every article
def identity(text: str) -> str:
    """The key that makes one category or tag of every spelling of it (NFC, case, spaces)."""
    return clean_line(text).casefold()


@functools.lru_cache(maxsize=4096)  # categories and tags come back on every article
def make_slug(text: str) -> str:
    """A URL segment from Vietnamese text: 'Đường Thanh Hóa' → 'duong-thanh-hoa'.

    Text that folds to ASCII is folded first (the same slug: tests compare both ways), which spares
    python-slugify a slow search for an optional transliteration library on every call.
    """
    folded = fold(text)
    return slugify(folded if folded.isascii() else nfc(text), max_length=80, word_boundary=True)


def vietnamese_date(moment: datetime) -> str:
    """'Thứ Sáu, 27/11/2026 14:30' — the way Vietnamese news sites date an article."""
    return f"{WEEKDAYS[moment.weekday()]}, {moment:%d/%m/%Y %H:%M}"


def short_date(moment: datetime) -> str:
    """'27/11/2026' for listings."""
    return f"{moment:%d/%m/%Y}"
