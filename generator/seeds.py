"""Seed importer: a bulletin page saved as plain text → Markdown articles under content/.

Seed layout: line 1 is the main headline, then the body, one paragraph per line (blank lines separate sections).
A line immediately followed by a line that starts with the same text is a photo caption: it becomes a figure
(placeholder image + caption) and the longer line stays a paragraph. After two blank lines comes the related-news
list: items separated by blank lines, each a headline line then its lead line; each item becomes a short article
(its lead is its body and so its summary). CHROME lines ("Bình luận", "Thông báo", …) are dropped.

Dates, in Asia/Ho_Chi_Minh, written "YYYY-MM-DD HH:MM" without an offset:
  item whose lead starts       that day/month; Sáng 08:00, Trưa 11:30, Chiều 15:00, Tối 19:30, else 07:00;
    "(Sáng|Trưa|Chiều|Tối)     year as written (D/M/YYYY), else the latest 20xx year mentioned anywhere in
    (ngày) D/M"                the related-news list
  other items                  the nearest dated item above (else the first dated item below) minus the signed
                               distance in minutes (1 below: -1 min; 1 above: +1 min): list order = newest first
  no dated item in the list    the main story's date minus the item's position (1, 2, …) in minutes
  main story                   1 January 08:00 of the latest "năm YYYY" in its body, targets ("đến/tới năm") aside
  no year found                the list year and the main-story year stand in for each other, else FALLBACK_YEAR
Category: the first CATEGORIES row with a keyword in the headline, else in the body, else "Thời sự"; keywords
match whole words of folded text (no case, no diacritics). Tags: the TAGS rows that match (at most 3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from .content import decode, shown_path
from .errors import BuildFailed, Problem
from .output import atomic_write
from .text import clean_line, fold, make_slug

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FALLBACK_YEAR = 2024
DEFAULT_CATEGORY = "Thời sự"
CHROME = ("Bình luận", "Thông báo", "Bạn đã gửi thành công.", "Gửi bình luận", "Chia sẻ", "Tin liên quan")
IMAGE_FILE = "anh/anh-minh-hoa.svg"  # relative to content/
IMAGE_LINK = "../" + IMAGE_FILE  # as written in content/<year>/<slug>.md
PLACEHOLDER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 450" role="img" aria-label="Ảnh minh họa">\n'
    '<rect width="800" height="450" fill="#e5e7eb"/>\n'
    '<text x="400" y="238" text-anchor="middle" font-family="sans-serif" font-size="40" fill="#6b7280">'
    "Ảnh minh họa</text>\n</svg>\n"
)
# Time word at the start of a lead (folded; "" = none) → hour, minute.  The main story gets MAIN_TIME.
TIMES = {"sang": (8, 0), "trua": (11, 30), "chieu": (15, 0), "toi": (19, 30), "": (7, 0)}
MAIN_TIME = (8, 0)
# Ordered: the first category with a matching keyword wins.
CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Chuyển đổi số",
        ("chuyen doi so", "chinh quyen so", "chinh phu so", "hanh chinh so", "cong nghe so", "dich vu cong truc tuyen"),
    ),
    ("Xã hội", ("liet si", "adn", "nguoi co cong", "bao tro xa hoi")),
    ("Y tế", ("y te", "y duoc", "benh vien", "kham chua benh")),
    ("Giao thông", ("giao thong", "lai xe", "dang kiem")),
    ("Công nghệ", ("5g", "vien thong", "internet", "tri tue nhan tao")),
    ("Kinh tế", ("ngan hang", "tai khoan", "tin dung")),
    ("Nông nghiệp – Môi trường", ("kenh", "thuy loi", "nuoc sach", "nong thon", "nong nghiep", "moi truong")),
    ("Thời sự", ("mat tran to quoc", "to chuc can bo", "can bo")),
)
TAGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Mặt trận Tổ quốc", ("mat tran to quoc",)),
    ("Chính quyền 2 cấp", ("chinh quyen dia phuong 2 cap",)),
    ("Thủ tục hành chính", ("thu tuc hanh chinh",)),
    ("An toàn giao thông", ("an toan giao thong",)),
    ("Nước sạch", ("nuoc sach",)),
    ("Ngân hàng", ("ngan hang",)),
    ("Liệt sĩ", ("liet si",)),
    ("5G", ("5g",)),
)
MAX_TAGS = 3

_CHROME = {fold(line) for line in CHROME}
_LEAD_DATE = re.compile(r"^(?:(sang|trua|chieu|toi)\s+)?(?:ngay\s+)?(\d{1,2})/(\d{1,2})(?:/(20\d{2}))?(?![\d/])")
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_NAM_YEAR = re.compile(r"(?:\b(đến|tới)\s+)?\bnăm\s+(20\d{2})(?!\d)", re.IGNORECASE)
_INLINE = re.compile(r"([\\`*_\[\]{}])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_ORDERED = re.compile(r"^(\d+)\.(?=\s|$)")
_LINE_START = {c: "\\" + c for c in "#>+-|"} | {"=": "&#61;", "~": "&#126;", ":": "&#58;"}


def _words(keywords: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keywords) + r")\b")


_CATEGORY_RULES = tuple((name, _words(keys)) for name, keys in CATEGORIES)
_TAG_RULES = tuple((name, _words(keys)) for name, keys in TAGS)


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph of body text, or (figure=True) a photo caption shown under the placeholder image."""

    text: str
    figure: bool = False


@dataclass(frozen=True, slots=True)
class SeedArticle:
    """One article read from a seed: everything its Markdown file will hold."""

    title: str
    date: datetime
    category: str
    blocks: tuple[Block, ...]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did, for the summary line."""

    seeds: int
    articles: int
    written: int
    unchanged: int

    def __str__(self) -> str:
        return (
            f"{self.articles} articles from {self.seeds} seed file(s): "
            f"{self.written} files written, {self.unchanged} unchanged."
        )


def _body_blocks(lines: list[str]) -> tuple[Block, ...]:
    """Body lines (blank = paragraph break) → paragraphs and figures; the repeated caption line is kept once."""
    blocks: list[Block] = []
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not line or (index and lines[index - 1] == line and blocks and blocks[-1].figure):
            continue
        rest = following[len(line) :]  # a caption starts the very next line, ending on a word boundary
        blocks.append(Block(line, figure=bool(following) and following.startswith(line) and not rest[:1].isalnum()))
    return tuple(blocks)


def _groups(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines."""
    return [group.split("\n") for group in re.split(r"\n{2,}", "\n".join(lines).strip("\n")) if group]


def _category(title: str, body: str) -> str:
    """The first CATEGORIES row matching the headline, else the body, else DEFAULT_CATEGORY."""
    for text in (fold(title), fold(body)):
        for name, pattern in _CATEGORY_RULES:
            if pattern.search(text):
                return name
    return DEFAULT_CATEGORY


def _tags(text: str) -> tuple[str, ...]:
    folded = fold(text)
    return tuple(name for name, pattern in _TAG_RULES if pattern.search(folded))[:MAX_TAGS]


def _lead_date(lead: str, year: int) -> datetime | None:
    """The day a lead starts with ("Chiều ngày 16/7, …"), or None."""
    if not (found := _LEAD_DATE.match(fold(lead))):
        return None
    word, day, month, written_year = found.groups()
    hour, minute = TIMES[word or ""]
    try:
        return datetime(int(written_year or year), int(month), int(day), hour, minute, tzinfo=TZ)
    except ValueError:  # 31/2 and the like: treat the item as undated
        return None


def _spread(dates: list[datetime | None], fallback: datetime) -> list[datetime]:
    """Undated items take the nearest dated item (above first) minus their signed distance in minutes."""
    known = [(i, d) for i, d in enumerate(dates) if d is not None] or [(-1, fallback)]
    result: list[datetime] = []
    for index, moment in enumerate(dates):
        if moment is None:
            above = [k for k in known if k[0] < index]
            anchor, base = above[-1] if above else known[0]
            moment = base - timedelta(minutes=index - anchor)
        result.append(moment)
    return result


def parse_bulletin(text: str) -> list[SeedArticle]:
    """A seed's text → the main story, then one short article per related-news item."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line for line in (clean_line(r) for r in raw) if fold(line) not in _CHROME]
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        return []
    split = next((i for i in range(len(lines) - 1) if not lines[i] and not lines[i + 1]), len(lines))
    main, listing = lines[:split], _groups(lines[split:])
    body = "\n".join(main[1:])
    main_year = max((int(y) for target, y in _NAM_YEAR.findall(body) if not target), default=None)
    list_year = max((int(y) for y in _YEAR.findall("\n".join(map("\n".join, listing)))), default=None)
    year = list_year or main_year or FALLBACK_YEAR
    main_date = datetime(main_year or year, 1, 1, *MAIN_TIME, tzinfo=TZ)
    articles = [
        SeedArticle(
            main[0], main_date, _category(main[0], body), _body_blocks(main[1:]), tags=_tags(main[0] + "\n" + body)
        )
    ]
    dates = _spread([_lead_date(g[1], year) if len(g) > 1 else None for g in listing], main_date)
    for group, moment in zip(listing, dates, strict=True):
        title, rest = group[0], group[1:]
        articles.append(
            SeedArticle(
                title,
                moment,
                _category(title, "\n".join(rest)),
                tuple(Block(r) for r in rest),
                tags=_tags("\n".join(group)),
            )
        )
    return articles


def escape_markdown(text: str) -> str:
    """Text → Markdown that renders as the same text (no emphasis, links, lists or headings by accident)."""
    text = _ENTITY.sub("&amp;", _INLINE.sub(r"\\\1", text)).replace("<", "&lt;")
    text = _ORDERED.sub(r"\1\\.", text, count=1)
    return _LINE_START.get(text[:1], text[:1]) + text[1:]


def render_markdown(article: SeedArticle) -> str:
    """Front matter (PyYAML safe_dump) between --- lines, a blank line, then the body paragraphs."""
    front: dict[str, object] = {
        "title": article.title,
        "date": f"{article.date:%Y-%m-%d %H:%M}",
        "category": article.category,
    }
    if article.tags:
        front["tags"] = list(article.tags)
    head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1_000_000)
    parts = []
    for block in article.blocks:
        text = escape_markdown(block.text)
        parts.append(f"![Ảnh minh họa]({IMAGE_LINK})\n{text}" if block.figure else text)
    return f"---\n{head}---\n\n" + "\n\n".join(parts) + "\n"


def _write_if_changed(target: Path, data: bytes) -> bool:
    """Write atomically unless the file already holds exactly these bytes; True if written."""
    if target.is_file() and target.read_bytes() == data:
        return False
    atomic_write(target, data)
    return True


def _read_seeds(seeds_dir: Path) -> tuple[list[tuple[str, list[SeedArticle]]], list[Problem]]:
    """Every *.txt seed parsed, sorted by name, with every problem found."""
    shown = shown_path(seeds_dir)
    try:
        paths = sorted(p for p in seeds_dir.iterdir() if p.suffix.lower() == ".txt" and p.is_file())
    except OSError as error:
        return [], [Problem(shown, 1, f"the seeds folder cannot be read: {error.strerror or error}")]
    if not paths:
        return [], [Problem(shown, 1, "the seeds folder holds no .txt seed files")]
    parsed, problems = [], []
    for path in paths:
        name = shown_path(path)
        try:
            text = decode(path.read_bytes(), name)
        except OSError as error:
            text = Problem(name, 1, f"the seed cannot be read: {error.strerror or error}")
        if isinstance(text, Problem):
            problems.append(text)
        elif not (articles := parse_bulletin(text)):
            problems.append(Problem(name, 1, "the seed is empty; line 1 must be the main headline"))
        else:
            parsed.append((name, articles))
    return parsed, problems


def import_seeds(seeds_dir: Path, content_dir: Path) -> ImportReport:
    """Write every seed's articles to content/<year>/<slug>.md (and the placeholder image); raises BuildFailed."""
    parsed, problems = _read_seeds(seeds_dir)
    files: dict[str, bytes] = {IMAGE_FILE: PLACEHOLDER_SVG.encode()}
    for name, articles in parsed:
        for article in articles:
            slug = make_slug(article.title)
            if not slug:
                problems.append(Problem(name, 1, f'the headline "{article.title}" has no letters or digits'))
                continue
            relative, number = f"{article.date.year}/{slug}.md", 1
            while relative in files:
                number += 1
                relative = f"{article.date.year}/{slug}-{number}.md"
            files[relative] = render_markdown(article).encode()
    written = 0
    for relative, data in [] if problems else sorted(files.items()):
        try:
            written += _write_if_changed(content_dir / relative, data)
        except OSError as error:
            problems.append(Problem(shown_path(content_dir / relative), 1, f"cannot be written: {error.strerror}"))
    if problems:
        raise BuildFailed(problems)
    count = sum(len(articles) for _, articles in parsed)
    return ImportReport(len(parsed), count, written, len(files) - written)
