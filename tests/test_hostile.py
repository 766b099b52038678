"""Hostile input: every case ends in a clean page, or in exit 1 with its exact `path:line: message`.

A site with one good article is built first. Then the hostile files are added and the site is built
again: a case that fails must print exactly the expected problems, exit 1 and leave output/ byte
for byte as it was; a case that builds must give pages with no live script (in any field, in any
page), feeds that parse, and whatever the case itself checks.
"""

from __future__ import annotations

import html
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from conftest import REPO, SiteDir, article, live_markup
from markupsafe import escape

HEAD = "---\ntitle: Tin\ndate: 2026-11-20 08:00\ncategory: Thời sự\n"
BAD = "content/bad.md"
# One string that tries every way out of the text it is put in: HTML, attributes, CDATA, URLs.
PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)> ]]> javascript:alert(1) data:text/html,x'
SHOWN = str(escape(PAYLOAD))  # as a page shows it: text, never markup


@dataclass(frozen=True)
class Fails:
    """The build stops: exactly these problems (paths relative to the site), output/ untouched."""

    files: dict[str, str | bytes]
    problems: tuple[str, ...]
    setup: Callable[[Path], None] | None = None


@dataclass(frozen=True)
class Builds:
    """The build succeeds; `check` looks at what it made."""

    files: dict[str, str | bytes]
    check: Callable[[SiteDir], None] = lambda site: None
    setup: Callable[[Path], None] | None = None
    extra: dict[str, str] = field(default_factory=dict)


def front(**values: str) -> str:
    """An article whose front matter holds exactly these keys, written as given."""
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in values.items()) + "---\n\nNội dung.\n"


def quoted(text: str) -> str:
    """A YAML single-quoted scalar."""
    return "'" + text.replace("'", "''") + "'"


def has_page(path: str, *texts: str) -> Callable[[SiteDir], None]:
    def check(site: SiteDir) -> None:
        page = site.page(path)
        for text in texts:
            assert text in page, f"{text!r} not in {path}"

    return check


TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)  # a real 1×1 picture: the lead image must be one
TEXT_SUFFIXES = {".html", ".xml", ".txt", ".json", ".css", ".js"}  # pictures are bytes, not text


def lacks_text(*texts: str) -> Callable[[SiteDir], None]:
    def check(site: SiteDir) -> None:
        for path in site.output.rglob("*"):
            if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name == "_headers"):
                data = path.read_bytes().decode("utf-8", "replace")
                for text in texts:
                    assert text not in data, f"{text!r} in {path}"

    return check


def every(*checks: Callable[[SiteDir], None]) -> Callable[[SiteDir], None]:
    def check(site: SiteDir) -> None:
        for one in checks:
            one(site)

    return check


def link(target: str, inside: bool = False) -> Callable[[Path], None]:
    """A symbolic link at content/link pointing to `target` (under the test folder unless `inside`)."""

    def setup(root: Path) -> None:
        place = root / "content" if inside else root.parent
        destination = place / target
        if target.endswith("/"):
            destination.mkdir(parents=True, exist_ok=True)
            (destination / "bi-mat.md").write_text(HEAD + "---\nBí mật.\n", "utf-8")
        elif target != "loop" and not target.startswith("missing"):
            destination.write_text("mật khẩu", "utf-8")
        os.symlink(destination if target != "loop" else root / "content/link", root / "content/link")

    return setup


def windows_1258(text: str) -> bytes:
    """Text as old Vietnamese Windows software saves it: letters precomposed, tone marks combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for letter in text:
        decomposed = unicodedata.normalize("NFD", letter)
        shape = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out.append((shape + "".join(c for c in decomposed if c in tones)).encode("cp1258"))
    return b"".join(out)


TEN_MB_PARAGRAPH = "Sáng 20/11, UBND tỉnh Thanh Hóa tổ chức lễ thông xe cầu mới qua sông Mã. " * 12 + "\n\n"
TEN_MB = HEAD + "---\n\n" + TEN_MB_PARAGRAPH * (10_000_000 // len(TEN_MB_PARAGRAPH.encode()) + 1)

CASES: dict[str, Fails | Builds] = {
    # Invalid YAML, at several places.
    "yaml: unclosed list at the end": Fails(
        {BAD: HEAD + "tags: [a, b\n---\nx\n"},
        ("content/bad.md:5: the front matter is not valid YAML: expected ',' or ']', but got '<stream end>'",),
    ),
    "yaml: unclosed list in the middle": Fails(
        {BAD: "---\ntitle: Tin\ntags: [a, b\ndate: 2026-11-20\ncategory: X\n---\n"},
        ("content/bad.md:4: the front matter is not valid YAML: expected ',' or ']', but got ':'",),
    ),
    "yaml: unclosed quote on the first line": Fails(
        {BAD: '---\ntitle: "Tin mới\ndate: 2026-11-20\ncategory: X\n---\nx\n'},
        ("content/bad.md:2: the front matter is not valid YAML: a quotation mark opened on this line is never closed",),
    ),
    "yaml: colon inside an unquoted title": Fails(
        {BAD: "---\ntitle: Thanh Hóa: khai trương: trung tâm\ndate: 2026-11-20\ncategory: X\n---\nx\n"},
        (
            'content/bad.md:2: the front matter is not valid YAML: a ":" is not allowed here (put a value that '
            'contains ": " in quotes; start each key at the left edge)',
        ),
    ),
    "yaml: indented key": Fails(
        {BAD: "---\ntitle: Tin\n  date: 2026-11-20\ncategory: X\n---\nx\n"},
        (
            'content/bad.md:3: the front matter is not valid YAML: a ":" is not allowed here (put a value that '
            'contains ": " in quotes; start each key at the left edge)',
        ),
    ),
    "yaml: tab before a key": Fails(
        {BAD: "---\ntitle: Tin\n\tdate: x\n---\n"},
        ("content/bad.md:3: the front matter is not valid YAML: found character '\\t' that cannot start any token",),
    ),
    "yaml: unknown escape in double quotes": Fails(
        {BAD: '---\ntitle: Tin\ndate: 2026-11-20\ncategory: "Thời\\q sự"\n---\nx\n'},
        ("content/bad.md:4: the front matter is not valid YAML: found unknown escape character 'q'",),
    ),
    "yaml: undefined alias": Fails(
        {BAD: HEAD + "tags: *khong-co\n---\nx\n"},
        ("content/bad.md:5: the front matter is not valid YAML: found undefined alias 'khong-co'",),
    ),
    "yaml: python object tag": Fails(
        {BAD: HEAD + "summary: !!python/object/apply:os.system ['echo hi']\n---\nx\n"},
        (
            "content/bad.md:5: summary could not be read: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system'",
        ),
    ),
    "yaml: list instead of keys": Fails(
        {BAD: "---\n- title\n- date\n---\nx\n"}, ('content/bad.md:2: the front matter must be lines of "key: value"',)
    ),
    "yaml: a list as a key": Fails(
        {BAD: HEAD + "[a, b]: c\n---\nx\n"},
        ('content/bad.md:5: a key must be a plain word such as "title", not a list or a set of keys',),
    ),
    "yaml: alias bomb as a key": Fails(
        {
            BAD: "---\n"
            + "".join(
                f"{chr(97 + n)}: &{chr(97 + n)} [" + ", ".join([f"*{chr(96 + n)}" if n else "x"] * 9) + "]\n"
                for n in range(7)
            )
            + "? [*g, *g]\n: 1\ntitle: T\ndate: 2026-11-20\ncategory: X\n---\n"
        },
        (
            *(f'content/bad.md:{n + 2}: unknown key "{chr(97 + n)}"' for n in range(7)),
            'content/bad.md:9: a key must be a plain word such as "title", not a list or a set of keys',
        ),
    ),
    "yaml: never closed": Fails(
        {BAD: "---\ntitle: Tin\ndate: 2026-11-20\n"},
        ('content/bad.md:1: the front matter that starts on line 1 is never closed by a line "---"',),
    ),
    "yaml: no front matter": Fails(
        {BAD: "Chỉ có thân bài.\n"},
        ('content/bad.md:1: the file must start with a line "---", then the front matter, then "---"',),
    ),
    "yaml: key given twice": Fails(
        {BAD: HEAD + "title: Lại\n---\nx\n"}, ('content/bad.md:5: "title" is given twice (first on line 2)',)
    ),
    # Missing or empty required fields.
    "missing title": Fails(
        {BAD: front(date="2026-11-20", category="X")},
        ('content/bad.md:1: "title" is missing from the front matter (headline (required))',),
    ),
    "missing date": Fails(
        {BAD: front(title="Tin", category="X")},
        (
            'content/bad.md:1: "date" is missing from the front matter (publication time (required), e.g. 2024-07-16 14:30)',
        ),
    ),
    "missing category": Fails(
        {BAD: front(title="Tin", date="2026-11-20")},
        ('content/bad.md:1: "category" is missing from the front matter (one category (required))',),
    ),
    "empty front matter": Fails(
        {BAD: "---\n---\nx\n"},
        (
            'content/bad.md:1: "category" is missing from the front matter (one category (required))',
            'content/bad.md:1: "date" is missing from the front matter (publication time (required), e.g. 2024-07-16 14:30)',
            'content/bad.md:1: "title" is missing from the front matter (headline (required))',
        ),
    ),
    "empty title": Fails(
        {BAD: front(title="''", date="2026-11-20", category="X")}, ("content/bad.md:2: title is empty",)
    ),
    "blank title": Fails(
        {BAD: front(title="'   '", date="2026-11-20", category="X")}, ("content/bad.md:2: title is empty",)
    ),
    "title of zero-width characters": Fails(
        {BAD: front(title='"\u200b\u200d\ufeff"', date="2026-11-20", category="X")},
        ("content/bad.md:2: title is empty",),
    ),
    "null category": Fails(
        {BAD: front(title="Tin", date="2026-11-20", category="")},
        ("content/bad.md:4: category must be text, not empty",),
    ),
    "null date": Fails(
        {BAD: front(title="Tin", date="~", category="X")},
        ("content/bad.md:3: date must be a date like 2024-07-16 14:30, not empty",),
    ),
    # Wrong types.
    "title is a list": Fails(
        {BAD: front(title="[a, b]", date="2026-11-20", category="X")},
        ("content/bad.md:2: title must be text, not a list",),
    ),
    "title is a set of keys": Fails(
        {BAD: front(title="{vi: Tin}", date="2026-11-20", category="X")},
        ("content/bad.md:2: title must be text, not a set of keys",),
    ),
    "title is yes": Fails(
        {BAD: front(title="yes", date="2026-11-20", category="X")},
        ("content/bad.md:2: title must be text, not true/false",),
    ),
    "category is a number": Fails(
        {BAD: front(title="Tin", date="2026-11-20", category="42")},
        ("content/bad.md:4: category must be text, not a number (put it in quotes)",),
    ),
    "date is a number": Fails(
        {BAD: front(title="Tin", date="20261120", category="X")},
        ("content/bad.md:3: date must be a date like 2024-07-16 14:30, not a number",),
    ),
    "date is a list": Fails(
        {BAD: front(title="Tin", date="[2026-11-20]", category="X")},
        ("content/bad.md:3: date must be a date like 2024-07-16 14:30, not a list",),
    ),
    "tags are a set of keys": Fails(
        {BAD: HEAD + "tags: {a: 1}\n---\n"},
        ("content/bad.md:5: tags must be a list of words, e.g. [giao thông, an toàn]",),
    ),
    "tags hold a list": Fails(
        {BAD: HEAD + "tags: [[a]]\n---\n"},
        ("content/bad.md:5: tags must be a list of words, e.g. [giao thông, an toàn]",),
    ),
    "draft is a word": Fails(
        {BAD: HEAD + "draft: có\n---\n"}, ('content/bad.md:5: draft must be true or false, not "có"',)
    ),
    "summary is a number": Fails(
        {BAD: HEAD + "summary: 3.5\n---\n"},
        ("content/bad.md:5: summary must be text, not a number (put it in quotes)",),
    ),
    "author is a list": Fails(
        {BAD: HEAD + "author: [An, Bình]\n---\n"}, ("content/bad.md:5: author must be text, not a list",)
    ),
    "slug is a fraction": Fails(
        {BAD: HEAD + "slug: 1.5\n---\n"}, ("content/bad.md:5: slug must be text, not a number (put it in quotes)",)
    ),
    "slug is a whole number": Builds({BAD: HEAD + "slug: 2026\n---\n"}, has_page("bai-viet/2026/index.html", "Tin")),
    "image is a number": Fails(
        {BAD: HEAD + "image: 7\n---\n"}, ("content/bad.md:5: image must be text, not a number (put it in quotes)",)
    ),
    # Impossible and ambiguous dates.
    "30 February": Fails(
        {BAD: front(title="T", date="2026-02-30", category="X")},
        ('content/bad.md:3: date "2026-02-30" is not a real date (day is out of range for month)',),
    ),
    "29 February of a common year": Fails(
        {BAD: front(title="T", date="29/02/2026 08:00", category="X")},
        ('content/bad.md:3: date "29/02/2026 08:00" is not a real date (day is out of range for month)',),
    ),
    "29 February of a leap year": Builds(
        {BAD: front(title="Ngày nhuận", date="29/02/2024", category="X")},
        has_page("bai-viet/ngay-nhuan/index.html", "Thứ Năm, 29/02/2024 00:00"),
    ),
    "month 13": Fails(
        {BAD: front(title="T", date="2026-13-01", category="X")},
        ('content/bad.md:3: date "2026-13-01" is not a real date (month must be in 1..12)',),
    ),
    "hour 25": Fails(
        {BAD: front(title="T", date="2026-11-20 25:00", category="X")},
        ('content/bad.md:3: date "2026-11-20 25:00" is not a real date (hour must be in 0..23)',),
    ),
    "month-first date": Fails(
        {BAD: front(title="T", date="11/20/2026", category="X")},
        ('content/bad.md:3: date "11/20/2026" is not a real date (month must be in 1..12)',),
    ),
    "two-digit year": Fails(
        {BAD: front(title="T", date="3/4/26", category="X")},
        ('content/bad.md:3: date "3/4/26" is not a date; write it like 2024-07-16 14:30 or 16/07/2024 14:30',),
    ),
    "words for a date": Fails(
        {BAD: front(title="T", date="hôm qua", category="X")},
        ('content/bad.md:3: date "hôm qua" is not a date; write it like 2024-07-16 14:30 or 16/07/2024 14:30',),
    ),
    "year 0226 (typo)": Fails(
        {BAD: front(title="T", date="0226-11-20", category="X")},
        ('content/bad.md:3: date "0226-11-20" is before 1900; check the year',),
    ),
    "year 1 with an offset": Fails(
        {BAD: front(title="T", date="0001-01-01T00:00:00+14:00", category="X")},
        ('content/bad.md:3: date "0001-01-01 00:00:00+14:00" is before 1900; check the year',),
    ),
    "the last moment of year 9999": Fails(
        {BAD: front(title="T", date="9999-12-31T23:00:00-12:00", category="X")},
        ('content/bad.md:3: date "9999-12-31 23:00:00-12:00" is not a real date (it is out of range)',),
    ),
    "impossible update time": Fails(
        {BAD: HEAD + "updated: 2026-11-31\n---\n"},
        ('content/bad.md:5: updated "2026-11-31" is not a real date (day is out of range for month)',),
    ),
    "day/month read the Vietnamese way": Builds(
        {BAD: front(title="Ngày mười hai", date="12/11/2026 09:15", category="X")},
        has_page("bai-viet/ngay-muoi-hai/index.html", "Thứ Năm, 12/11/2026 09:15"),
    ),
    "ISO time without offset is local": Builds(
        {BAD: front(title="Giờ địa phương", date="2026-11-20T08:00", category="X")},
        has_page("bai-viet/gio-dia-phuong/index.html", 'datetime="2026-11-20T08:00:00+07:00"'),
    ),
    "UTC time is shown in Vietnam time": Builds(
        {BAD: front(title="Giờ quốc tế", date="2026-11-20T01:30:00Z", category="X")},
        has_page("bai-viet/gio-quoc-te/index.html", "Thứ Sáu, 20/11/2026 08:30"),
    ),
    # Unknown keys.
    "misspelt key": Fails(
        {BAD: HEAD + "catgory: X\n---\n"}, ('content/bad.md:5: unknown key "catgory" (did you mean "category"?)',)
    ),
    "capitalised key": Fails(
        {BAD: HEAD + "Summary: X\n---\n"}, ('content/bad.md:5: unknown key "Summary" (did you mean "summary"?)',)
    ),
    "key in Vietnamese": Fails({BAD: HEAD + "tiêu đề: X\n---\n"}, ('content/bad.md:5: unknown key "tiêu đề"',)),
    # Text that is not UTF-8.
    "Windows-1258 file": Fails(
        {
            BAD: windows_1258(
                "---\ntitle: Thông báo\ndate: 2026-11-20\ncategory: Thời sự\n---\n\nNgười dân phấn khởi.\n"
            )
        },
        (
            "content/bad.md:2: the file is not UTF-8 text (byte 0xf4 cannot be read; it may be saved as "
            "Windows-1258 or another old encoding); save it as UTF-8",
        ),
    ),
    "UTF-16 file with BOM": Fails(
        {BAD: article().encode("utf-16")}, ("content/bad.md:1: the file is saved as UTF-16; save it as UTF-8",)
    ),
    "UTF-16 big-endian file": Fails(
        {BAD: "\ufeff".encode("utf-16-be") + article().encode("utf-16-be")},
        ("content/bad.md:1: the file is saved as UTF-16; save it as UTF-8",),
    ),
    "UTF-16 file without BOM": Fails(
        {BAD: article().encode("utf-16-le")}, ("content/bad.md:1: the file is saved as UTF-16; save it as UTF-8",)
    ),
    "NUL byte": Fails(
        {BAD: HEAD + "---\nx\x00y\n"}, ("content/bad.md:6: the file contains a NUL byte; it is not text",)
    ),
    # Unicode forms, BOM, line ends, control characters.
    "decomposed (NFD) text": Builds(
        {BAD: unicodedata.normalize("NFD", article("Thanh Hóa đón tin vui", category="Thời sự", tags="[Sầm Sơn]"))},
        every(
            has_page("bai-viet/thanh-hoa-don-tin-vui/index.html", "Thanh Hóa đón tin vui"),
            has_page("chuyen-muc/thoi-su/index.html", "Thanh Hóa đón tin vui", "Tin tốt"),
            has_page("the/sam-son/index.html", "Sầm Sơn"),
            lambda site: [
                unicodedata.is_normalized("NFC", p.read_text("utf-8")) or pytest.fail(f"{p} is not NFC")
                for p in site.output.rglob("*.html")
            ],
        ),
    ),
    "BOM": Builds({BAD: "\ufeff" + article("Bài có BOM")}, has_page("bai-viet/bai-co-bom/index.html", "Bài có BOM")),
    "BOM, CRLF and NFD together": Builds(
        {
            BAD: (
                "\ufeff" + unicodedata.normalize("NFD", article("Bài từ Notepad", body="Dòng một.\n\nDòng hai."))
            ).replace("\n", "\r\n")
        },
        every(
            has_page("bai-viet/bai-tu-notepad/index.html", "<p>Dòng một.</p>\n<p>Dòng hai.</p>"),
            lacks_text("\r", "\ufeff"),
        ),
    ),
    "old Mac line ends (CR only)": Builds(
        {BAD: article("Dòng kiểu cũ", body="Một.\n\nHai.").replace("\n", "\r")},
        has_page("bai-viet/dong-kieu-cu/index.html", "<p>Một.</p>\n<p>Hai.</p>"),
    ),
    "control characters pasted from a word processor": Builds(
        {
            BAD: front(title='"Tin\x1b có\x08 ký tự lạ"', date="2026-11-20", category="X").replace(
                "Nội dung.", "Dòng\x0bmới\x1b, hết\ufffe."
            )
        },
        every(
            has_page("bai-viet/tin-co-ky-tu-la/index.html", "Tin có ký tự lạ", "Dòng mới, hết."),
            lacks_text("\x1b", "\x08", "\x0b", "\ufffe"),
        ),
    ),
    "control characters written as YAML escapes": Builds(
        {BAD: front(title='"Tin\\e có\\x08 lạ\\0"', date="2026-11-20", category='"Thời\\x1f sự"')},
        has_page("bai-viet/tin-co-la/index.html", "<h1>Tin có lạ</h1>"),
    ),
    "control characters written as HTML entities": Builds(
        {
            BAD: article(
                "Thực thể lạ", body='Một&#x1b; hai&#0; ba&#xffff; bốn&#x85;năm [liên kết](https://a.vn "x&#x1b;")'
            )
        },
        has_page("bai-viet/thuc-the-la/index.html", "Một hai� ba bốn…năm"),
    ),
    "control characters in site.toml": Builds(
        {"site.toml": 'title = "Bản tin\\u001b thử"\nbase_url = "https://bantin.example.vn/"\n'},
        has_page("index.html", "<title>Bản tin thử</title>"),
    ),
    "line separators in the front matter": Builds(
        {BAD: front(title="Tin\u2028 tách\u2029 dòng", date="2026-11-20", category="X")},
        has_page("bai-viet/tin-tach-dong/index.html", "Tin tách dòng"),
    ),
    # Size.
    "10 MB article": Builds(
        {BAD: TEN_MB},
        lambda site: (site.output / "bai-viet/tin/index.html").stat().st_size > 10_000_000 or pytest.fail("body lost"),
    ),
    "empty file": Fails({BAD: ""}, ("content/bad.md:1: the file is empty; an article needs front matter and a body",)),
    "only blank lines": Fails(
        {BAD: "\n\n  \n"}, ("content/bad.md:1: the file is empty; an article needs front matter and a body",)
    ),
    "front matter only": Builds({BAD: HEAD + "---\n"}, has_page("bai-viet/tin/index.html", "<h1>Tin</h1>")),
    "front matter only, no last newline": Builds(
        {BAD: HEAD + "---"}, has_page("bai-viet/tin/index.html", "<h1>Tin</h1>")
    ),
    "title of 2 000 characters": Fails(
        {BAD: front(title="Thanh Hóa " * 199 + "Thanh Hóa!", date="2026-11-20", category="X")},
        ("content/bad.md:2: title is 2000 characters long; a headline must be at most 250",),
    ),
    "title of exactly 250 characters": Builds(
        {BAD: front(title="a" * 250, date="2026-11-20", category="X")},
        has_page(f"bai-viet/{'a' * 80}/index.html", "a" * 250),
    ),
    # Emoji and zero-width characters.
    "emoji and zero-width characters": Builds(
        {
            BAD: front(
                title='"Lễ hội\u200b pháo\u00ad hoa 🎆 Sầm\u2060 Sơn\u200c"',
                date="2026-11-20",
                category='"Văn hóa 🎭"',
                tags="[🎆 pháo hoa]",
            )
        },
        every(
            has_page("bai-viet/le-hoi-phao-hoa-sam-son/index.html", "<h1>Lễ hội pháo hoa 🎆 Sầm Sơn</h1>"),
            has_page("chuyen-muc/van-hoa/index.html", "Văn hóa 🎭"),
            has_page("the/phao-hoa/index.html", "🎆 pháo hoa"),
        ),
    ),
    "title of emoji only": Fails(
        {BAD: front(title="🎆🎇", date="2026-11-20", category="X")},
        ("content/bad.md:2: title has no letters or digits to make an address from",),
    ),
    "category of emoji only": Fails(
        {BAD: front(title="Tin", date="2026-11-20", category="🎭")},
        ('content/bad.md:4: category "🎭" has no letters or digits to make an address from',),
    ),
    "tag of punctuation only": Fails(
        {BAD: HEAD + "tags: [giao thông, '!!!']\n---\n"},
        ('content/bad.md:5: tag "!!!" has no letters or digits to make an address from',),
    ),
    # Markup and javascript:/data: in every field.
    **{
        f"markup in {key}": Builds(
            {BAD: front(**{"title": "Tin", "date": "2026-11-20", "category": "X", key: quoted(PAYLOAD)})},
            has_page(page, SHOWN),
        )
        for key, page in [
            ("title", "index.html"),
            ("summary", "bai-viet/tin/index.html"),
            ("author", "bai-viet/tin/index.html"),
            ("category", "index.html"),
        ]
    },
    "markup in tags": Builds(
        {BAD: front(title="Tin", date="2026-11-20", category="X", tags="[" + quoted(PAYLOAD) + "]")},
        has_page("bai-viet/tin/index.html", SHOWN),
    ),
    "markup in image_caption": Builds(
        {"content/anh.png": TINY_PNG, BAD: HEAD + "image: anh.png\nimage_caption: " + quoted(PAYLOAD) + "\n---\n"},
        has_page("bai-viet/tin/index.html", f"<figcaption>{SHOWN}</figcaption>"),
    ),
    "markup in slug": Builds(
        {BAD: HEAD + "slug: " + quoted(PAYLOAD) + "\n---\n"},
        has_page("bai-viet/script-alert-1-script-img-src-x-onerror-alert-1-javascript-alert-1-data-text-x/index.html"),
    ),
    "markup in an image address": Builds(
        {BAD: HEAD + "image: 'https://anh.example.vn/a.jpg\"><script>alert(1)</script>'\n---\n"},
        has_page(
            "bai-viet/tin/index.html",
            'src="https://anh.example.vn/a.jpg&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"',
        ),
    ),
    **{
        f"image address {address!r}": Fails(
            {BAD: HEAD + f"image: {quoted(address)}\n---\n"},
            (f'content/bad.md:5: image must be a path beside the article or an http(s) address, not "{shown}"',),
        )
        for address, shown in [
            ("javascript:alert(1)", "javascript:alert(1)"),
            ("JaVaScRiPt:alert(1)", "JaVaScRiPt:alert(1)"),
            ("  javascript:alert(1)", "javascript:alert(1)"),
            (
                "data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+",
                "data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3",
            ),
            ("vbscript:msgbox(1)", "vbscript:msgbox(1)"),
            ("//evil.example/a.png", "//evil.example/a.png"),
        ]
    },
    **{
        f"image address {address!r}": Fails(
            {BAD: HEAD + f"image: {quoted(address)}\n---\n"},
            (f'content/bad.md:5: image "{shown}" is not a file in the content folder',),
        )
        for address, shown in [
            ("jav&#x61;script:alert(1)", "jav&#x61;script:alert(1)"),
            ("java\tscript:alert(1)", "java script:alert(1)"),
            ("../../site.toml", "../../site.toml"),
        ]
    },
    # Markdown links and images: every one ends up inert (no href, or a safe address).
    **{
        f"body: {body[:40]!r}": Builds({BAD: article("Tin", body=body)}, lambda site: None)
        for body in [
            "[bấm](javascript:alert(1))",
            "[bấm](JaVaScRiPt:alert(1))",
            "[bấm](jav&#x61;script:alert(1))",
            "[bấm](&#106;avascript:alert(1))",
            "[bấm](java\tscript:alert(1))",
            "[bấm]( javascript:alert(1))",
            "[bấm](<javascript:alert(1)>)",
            "[bấm](\x01javascript:alert(1))",
            "[bấm](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[bấm](vbscript:msgbox(1))",
            "<javascript:alert(1)>",
            "[bấm][x]\n\n[x]: javascript:alert(1)",
            "[bấm][x]\n\n[x]: <jav&#x61;script:alert(1)>",
            '[bấm][x]\n\n[x]: javascript:alert(1) "tiêu đề"',
            "![ảnh](javascript:alert(1))",
            "![ảnh](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
            "![ảnh][x]\n\n[x]: data:image/png;base64,AAAA",
            '<a href="javascript:alert(1)">bấm</a>',
            '<a href="jav&#x09;ascript:alert(1)">bấm</a>',
            '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">bấm</a>',
            '<a href=" &#14;  javascript:alert(1)">bấm</a>',
            "<img src=x onerror=alert(1)>",
            "<svg onload=alert(1)><script>alert(1)</script></svg>",
            "<script>alert(1)</script>",
            "<iframe src=javascript:alert(1)></iframe>",
            "<object data=x.swf></object><embed src=x.swf>",
            "<style>body{display:none}</style><link rel=stylesheet href=//evil.example/x.css>",
            "<form action=javascript:alert(1)><button>gửi</button></form>",
            "<base href=//evil.example/>",
            "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
            '<div style="background:url(javascript:alert(1))" onclick="alert(1)">khối</div>',
            "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
            '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
            '<img srcset="javascript:alert(1) 1x">',
            'Đoạn\n{: onclick="alert(1)" style="color:red" }',
            "[bấm](https://thanhhoa.gov.vn){: onmouseover=alert(1) href=javascript:alert(1) }",
            "<!-- <script>alert(1)</script> -->",
            "```html\n<script>alert(1)</script>\n```",
            '[bấm](https://a.vn "x\\"><script>alert(1)</script>")',
            '[bấm](https://a.vn "]]></content:encoded><script>alert(1)</script>")',
        ]
    },
    # An explicit slug that tries to leave the output folder.
    **{
        f"slug {slug!r}": Builds(
            {BAD: HEAD + f"slug: {quoted(slug)}\n---\n"},
            every(has_page(f"bai-viet/{page}/index.html", "<h1>Tin</h1>"), lacks_text("mật khẩu")),
        )
        for slug, page in [
            ("../../../etc/passwd", "etc-passwd"),
            ("/etc/passwd", "etc-passwd"),
            ("%2e%2e/%2e%2e/x", "2e-2e-2e-2e-x"),
            ("..\\..\\windows", "windows"),
            ("~/.ssh/id_rsa", "ssh-id-rsa"),
            ("C:/Windows", "c-windows"),
        ]
    },
    "slug of dots only": Fails(
        {BAD: HEAD + "slug: '../..'\n---\n"},
        ("content/bad.md:5: slug has no letters or digits to make an address from",),
    ),
    # Symbolic links under content/.
    "link to a file outside": Fails(
        {},
        ("content/link:1: this is a link to a file outside the content folder; copy the file in instead",),
        link("mat-khau.txt"),
    ),
    "link to a folder outside": Fails(
        {},
        ("content/link:1: this is a link to a folder outside the content folder; copy the folder in instead",),
        link("ngoai/"),
    ),
    "link to an article outside": Fails(
        {},
        ("content/link:1: this is a link to a file outside the content folder; copy the file in instead",),
        link("bai.md"),
    ),
    "link in a loop": Fails(
        {},
        ("content/link:1: this link leads nowhere (its target is missing or links back to itself); delete it",),
        link("loop"),
    ),
    "link to nothing": Fails(
        {},
        ("content/link:1: this link leads nowhere (its target is missing or links back to itself); delete it",),
        link("missing.md"),
    ),
    "link to a picture inside": Builds(
        {},
        lambda site: (site.output / "link").read_bytes() == b"m\xe1\xba\xadt kh\xe1\xba\xa9u" or pytest.fail(),
        link("anh.png", inside=True),
    ),
    # Two files claiming the same address.
    "a page where an article page goes": Fails(
        {BAD: article("Tin"), "content/bai-viet/tin/index.html": "<p>giả</p>"},
        (
            "content/bai-viet/tin/index.html:1: .html files are not published from the content folder (a page or script there would run as the site's own); put pages and scripts in layouts/",
        ),
    ),
    "a file where an article folder goes": Fails(
        {BAD: article("Tin"), "content/bai-viet/tin": "giả"},
        (
            "content/bai-viet/tin:1: /bai-viet/tin must be a folder for /bai-viet/tin/index.html, made by content/bad.md; change one of them",
        ),
    ),
    "a file named rss.xml": Fails(
        {"content/rss.xml": "<rss/>"},
        ("content/rss.xml:1: /rss.xml is also made by feed of the whole site; change one of them",),
    ),
    "a folder named rss.xml": Fails(
        {"content/rss.xml/anh.png": "x"},
        (
            "content/rss.xml/anh.png:1: /rss.xml is a file made by feed of the whole site, so /rss.xml/anh.png cannot be written inside it; change one of them",
        ),
    ),
    "a file named like a category feed": Fails(
        {"content/chuyen-muc/thoi-su/rss.xml": "<rss/>"},
        (
            "content/chuyen-muc/thoi-su/rss.xml:1: /chuyen-muc/thoi-su/rss.xml is also made by feed of category Thời sự; change one of them",
        ),
    ),
    "a file named _headers": Fails(
        {"content/_headers": "/*\n  X-Frame-Options: ALLOWALL\n"},
        ("content/_headers:1: /_headers is also made by security headers; change one of them",),
    ),
    "a page named index.html": Fails(
        {"content/index.html": "<p>giả</p>"},
        (
            "content/index.html:1: .html files are not published from the content folder (a page or script there would run as the site's own); put pages and scripts in layouts/",
        ),
    ),
    "a script beside the articles": Fails(
        {"content/tien-ich.js": "alert(1)", "content/bai/trang.HTM": "<script>alert(1)</script>"},
        (
            "content/bai/trang.HTM:1: .htm files are not published from the content folder (a page or script there would run as the site's own); put pages and scripts in layouts/",
            "content/tien-ich.js:1: .js files are not published from the content folder (a page or script there would run as the site's own); put pages and scripts in layouts/",
        ),
    ),
    **{
        f"an SVG picture with {name}": Fails(
            {"content/anh/hinh.svg": f'<svg xmlns="http://www.w3.org/2000/svg">{inside}</svg>'},
            (
                "content/anh/hinh.svg:1: this SVG picture holds a script, an event handler, a javascript: link or a link with encoded characters that could hide one; save it again as a plain picture",
            ),
        )
        for name, inside in {
            "a script": "<SCRIPT>alert(1)</SCRIPT>",
            "an event handler": '<rect width="9" height="9" onload="alert(1)"/>',
            "a javascript: link": '<a href="JavaScript:alert(1)"><text>x</text></a>',
            "an encoded link": '<a xlink:href="&#106;avascript:alert(1)"><text>x</text></a>',
            "HTML inside": "<foreignObject><p>x</p></foreignObject>",
        }.items()
    },
    "a plain SVG picture with Vietnamese text": Builds(
        {"content/anh/hinh.svg": '<svg xmlns="http://www.w3.org/2000/svg"><text>Thanh H&#243;a</text></svg>'},
        lambda site: (site.output / "anh/hinh.svg").is_file() or pytest.fail(),
    ),
    "a stylesheet over the site's": Fails(
        {"content/static/style.css": "body{display:none}"},
        ("content/static/style.css:1: /static/style.css is also made by layouts/static/style.css; change one of them",),
    ),
    "two equal explicit slugs": Fails(
        {"content/a.md": article("Một", slug="trung"), "content/b.md": article("Hai", slug="Trùng")},
        ('content/b.md:5: slug "trung" is already used by content/a.md',),
    ),
    "two equal titles": Builds(
        {
            "content/a.md": article("Trùng tên", date="2026-11-19 08:00", body="Cũ."),
            "content/b.md": article("Trùng tên", body="Mới."),
        },
        every(has_page("bai-viet/trung-ten/index.html", "Cũ."), has_page("bai-viet/trung-ten-2/index.html", "Mới.")),
    ),
    "two spellings of one category address": Fails(
        {"content/a.md": article("A", category="Thanh Hóa"), "content/b.md": article("B", category="Thanh Hoa")},
        (
            'content/b.md:4: category "Thanh Hoa" and "Thanh Hóa" would share the address /chuyen-muc/thanh-hoa/; use one spelling',
        ),
    ),
    "two spellings of one tag address": Fails(
        {"content/a.md": article("A", tags="[giao thông]"), "content/b.md": article("B", tags="[Giao-thông]")},
        (
            'content/b.md:5: tag "Giao-thông" and "giao thông" would share the address /the/giao-thong/; use one spelling',
        ),
    ),
    # Templates with mistakes, reported with the template's file and line.
    "template syntax error": Fails(
        {"layouts/404.html": '{% extends "base.html" %}\n{% block content %}\n{% if %}\n{% endblock %}\n'},
        ("layouts/404.html:3: template error: Expected an expression, got 'end of statement block'",),
    ),
    "unclosed block in the base template": Fails(
        {"layouts/base.html": "<!doctype html>\n<title>x</title>\n{% block content %}\n"},
        (
            "layouts/base.html:3: template error: Unexpected end of template. Jinja was looking for the following "
            "tags: 'endblock'. The innermost block that needs to be closed is 'block'.",
        ),
    ),
    "syntax error in an imported macro file": Fails(
        {"layouts/macros.html": "{% macro when(moment) %}\n{{ moment| }}\n{% endmacro %}\n"},
        ("layouts/macros.html:2: template error: expected token 'name', got 'end of print statement'",),
    ),
    "unknown variable in a template": Fails(
        {"layouts/404.html": "<!doctype html>\n<title>404</title>\n<p>{{ khong_co }}</p>\n"},
        ("layouts/404.html:3: template error: 'khong_co' is undefined",),
    ),
}


def _summary(problems: tuple[str, ...]) -> str:
    files = len({p.split(":")[0] for p in problems})
    return (
        f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {files} "
        f"file{'s' if files != 1 else ''}; nothing was written."
    )


class _Addresses(HTMLParser):
    """Every address in a page that a browser would follow or load."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "srcset", "action", "formaction", "poster", "xlink:href", "data") and value:
                self.found.append(value)


def unsafe_addresses(page: str) -> list[str]:
    """Addresses with a scheme other than http(s), mailto or tel, however they are disguised."""
    parser = _Addresses()
    parser.feed(page)
    unsafe = []
    for value in parser.found:
        plain = re.sub(r"[\x00-\x20]", "", html.unescape(value)).lower()
        scheme = re.match(r"^([a-z][a-z0-9+.-]*):", plain)
        if scheme and scheme.group(1) not in ("http", "https", "mailto", "tel"):
            unsafe.append(value)
    return unsafe


def _clean_site(site: SiteDir) -> None:
    """What every successful build must give, whatever went in."""
    for path in site.output.rglob("*"):
        assert not path.name.startswith(".tmp-"), path
        if path.suffix == ".html":
            page = path.read_text("utf-8")
            assert live_markup(page) == [], path
            assert unsafe_addresses(page) == [], path
            assert "alert(1)</script>" not in page.replace("&lt;script&gt;alert(1)&lt;/script&gt;", ""), path
        elif path.suffix == ".xml" and path.name == "rss.xml":
            feed = feedparser.parse(path.read_bytes())
            assert not feed.bozo, f"{path}: {feed.get('bozo_exception')}"
            for entry in feed.entries:
                assert live_markup(entry.get("content", [{}])[0].get("value", "")) == [], path


@pytest.mark.parametrize("name", CASES)
def test_hostile_input(make_site, name):
    case = CASES[name]
    site = make_site({"content/ok.md": article("Tin tốt", date="2026-11-19 08:00")})
    assert site.run("build").code == 0
    before = site.snapshot()
    site.write(case.files)
    if case.setup:
        case.setup(site.root)
    outside = sorted(p.name for p in site.root.parent.iterdir())
    result = site.run("build")
    assert "Traceback" not in result.err
    if isinstance(case, Fails):
        shown = [line.replace(f"{site.root}/", "") for line in result.err.splitlines()]
        assert result.code == 1, result.out
        assert shown == [*case.problems, _summary(case.problems)]
        assert site.snapshot() == before, "a failed build changed output/"
    else:
        assert result.code == 0, result.err
        assert result.err == ""
        _clean_site(site)
        case.check(site)
    assert sorted(p.name for p in site.root.parent.iterdir()) == outside, "something was written outside the site"


def test_every_field_reaches_the_pages_as_text(make_site):
    """The markup cases above prove something: each field really is shown, escaped, on the pages."""
    values = {key: quoted(f"{key} {PAYLOAD}") for key in ("title", "summary", "author", "image_caption", "category")}
    site = make_site(
        {
            "content/anh.png": TINY_PNG,
            BAD: front(date="2026-11-20", image="anh.png", tags="[" + quoted("tag " + PAYLOAD) + "]", **values),
        }
    )
    assert site.run("build").code == 0
    _clean_site(site)
    pages = "".join(p.read_text("utf-8") for p in site.output.rglob("*.html"))
    feeds = "".join(p.read_text("utf-8") for p in site.output.rglob("rss.xml"))
    for key in ("title", "summary", "author", "image_caption", "category", "tag"):
        assert str(escape(f"{key} {PAYLOAD}")) in pages, key
    for key in ("title", "summary", "category"):
        assert html.escape(f"{key} {PAYLOAD}", quote=False) in feeds, key


def test_readme_states_the_number_of_hostile_cases():
    readme = (REPO / "README.md").read_text("utf-8")
    assert f"{len(CASES)} hostile inputs" in readme
