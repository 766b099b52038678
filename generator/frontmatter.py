"""Front matter: split it from the body, parse the YAML with line numbers, check the schema."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import yaml

from .config import did_you_mean
from .errors import Problem
from .text import clean_line, make_slug

FIELDS = {
    "title": "headline (required)",
    "date": "publication time (required), e.g. 2024-07-16 14:30",
    "category": "one category (required)",
    "summary": "the lead (sapo); defaults to the first paragraph",
    "tags": "a list of tags",
    "author": "byline",
    "image": "lead image: a path beside the article or an http(s) address",
    "image_caption": "caption of the lead image",
    "image_alt": "what the lead image shows, for readers who cannot see it; defaults to the caption",
    "updated": "time of the last significant update",
    "slug": "the last part of the article's address; made from the title when absent",
    "draft": "true keeps the article unpublished",
    "expires": "time after which the article is taken off the site, feeds and sitemaps",
    "aliases": "old addresses of the article (e.g. [/tin-tuc/cau-moi.html]); each becomes a redirect",
}
REQUIRED = ("title", "date", "category")
MAX_TITLE = 250
FIRST_YEAR = 1900  # an earlier year is a typo in a news bulletin, e.g. 0226 for 2026
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2}))?$")


@dataclass(frozen=True, slots=True)
class Invalid:
    """What is wrong with one value, in plain words."""

    message: str


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """Checked front matter values, plus where each key stood (for later messages)."""

    values: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int


def split(text: str, path: str) -> tuple[str, str, int] | Problem:
    """(yaml text, body, line the body starts on) or the problem that stops it."""
    if not text.strip():
        return Problem(path, 1, "the file is empty; an article needs front matter and a body")
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return Problem(path, 1, 'the file must start with a line "---", then the front matter, then "---"')
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[1 : number - 1]), "\n".join(lines[number:]), number + 1
    return Problem(path, 1, 'the front matter that starts on line 1 is never closed by a line "---"')


def _yaml_problem(error: yaml.YAMLError, path: str) -> Problem:
    """One line naming where the YAML broke, in words an editor can act on."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    opened = getattr(error, "context_mark", None)
    line = mark.line + 2 if mark is not None else 2
    reason = getattr(error, "problem", None) or str(error).split("\n")[0]
    if "quoted scalar" in (getattr(error, "context", None) or "") and "end of stream" in reason and opened:
        line, reason = opened.line + 2, "a quotation mark opened on this line is never closed"
    elif reason == "mapping values are not allowed here":
        reason = 'a ":" is not allowed here (put a value that contains ": " in quotes; start each key at the left edge)'
    return Problem(path, line, f"the front matter is not valid YAML: {reason}")


def _compose(source: str) -> yaml.Node | None:
    """The YAML node tree: libyaml's fast parser when present, PyYAML's own to word an error clearly."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(source, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(source, Loader=yaml.SafeLoader)


def parse(text: str, path: str, tz: ZoneInfo) -> FrontMatter | list[Problem]:
    """Front matter and body of one article, or every problem found in its front matter."""
    parts = split(text, path)
    if isinstance(parts, Problem):
        return [parts]
    source, body, body_line = parts
    try:
        root = _compose(source)
    except yaml.YAMLError as error:
        return [_yaml_problem(error, path)]
    if root is None:
        root = yaml.MappingNode("tag:yaml.org,2002:map", [])
    if not isinstance(root, yaml.MappingNode):
        return [Problem(path, 2, 'the front matter must be lines of "key: value"')]
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    constructor = yaml.SafeLoader("")
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 2
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(
                Problem(path, line, 'a key must be a plain word such as "title", not a list or a set of keys')
            )
            continue
        key = str(key_node.value)
        if key in lines:
            problems.append(Problem(path, line, f'"{key}" is given twice (first on line {lines[key]})'))
            continue
        lines[key] = line
        if key not in FIELDS:
            problems.append(Problem(path, line, f'unknown key "{key}"{did_you_mean(key, list(FIELDS))}'))
            continue
        try:
            raw = constructor.construct_object(value_node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError) as error:
            problems.append(Problem(path, line, _bad_value(key, value_node, error)))
            continue
        checked = _check(key, raw, value_node, tz)
        if isinstance(checked, Invalid):
            problems.append(Problem(path, line, checked.message))
        elif checked is not None:
            values[key] = checked
    for key in REQUIRED:
        if key not in lines:
            problems.append(Problem(path, 1, f'"{key}" is missing from the front matter ({FIELDS[key]})'))
    return problems or FrontMatter(values, lines, body, body_line)


def _bad_value(key: str, node: yaml.Node, error: Exception) -> str:
    reason = (getattr(error, "problem", None) or str(error)).split("\n")[0]
    if key in ("date", "updated", "expires"):
        return f'{key} "{node.value}" is not a real date ({_date_reason(reason)})'
    return f"{key} could not be read: {reason}"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of keys"
    if value is None:
        return "empty"
    if isinstance(value, str):
        return f'"{value}"'
    return "a date" if isinstance(value, date) else type(value).__name__


def _check(key: str, value: Any, node: yaml.Node, tz: ZoneInfo) -> Any:
    """The cleaned value, None to drop it, or a message saying what is wrong."""
    if key in ("date", "updated", "expires"):
        return _moment(key, value, tz)
    if key == "aliases":
        return _aliases(value)
    if key == "draft":
        return value if isinstance(value, bool) else Invalid(f"draft must be true or false, not {_kind(value)}")
    if key == "tags":
        return _tags(value)
    if key == "slug" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        if value is None and key not in REQUIRED:
            return None
        quote = " (put it in quotes)" if _kind(value) == "a number" else ""
        return Invalid(f"{key} must be text, not {_kind(value)}{quote}")
    text = clean_line(value)
    if not text:
        return Invalid(f"{key} is empty") if key in REQUIRED else None
    if key == "category" and not make_slug(text):
        return Invalid(f'category "{text}" has no letters or digits to make an address from')
    if key == "title" and len(text) > MAX_TITLE:
        return Invalid(f"title is {len(text)} characters long; a headline must be at most {MAX_TITLE}")
    if key == "image" and not _safe_address(text):
        return Invalid(f'image must be a path beside the article or an http(s) address, not "{text[:60]}"')
    return text


def _safe_address(address: str) -> bool:
    scheme = urlsplit(address).scheme.lower()
    return scheme in ("", "http", "https") and not address.startswith("//")


def _tags(value: Any) -> tuple[str, ...] | Invalid:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(t, (str, int)) and not isinstance(t, bool) for t in items):
        return Invalid("tags must be a list of words, e.g. [giao thông, an toàn]")
    tags = tuple(dict.fromkeys(t for t in (clean_line(str(t)) for t in items) if t))
    if unusable := next((t for t in tags if not make_slug(t)), None):
        return Invalid(f'tag "{unusable}" has no letters or digits to make an address from')
    return tags


def _aliases(value: Any) -> tuple[str, ...] | Invalid:
    """Old addresses as site paths ('/tin-tuc/cau.html'); a full URL keeps only its path."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        return Invalid("aliases must be a list of old addresses, e.g. [/tin-tuc/cau-moi.html]")
    paths: list[str] = []
    for item in items:
        path = alias_path(item)
        if isinstance(path, Invalid):
            return path
        paths.append(path)
    return tuple(dict.fromkeys(paths))


def alias_path(address: str) -> str | Invalid:
    """'/tin-tuc/c%E1%BA%A7u.html' → '/tin-tuc/cầu.html'; anything that is not a plain path is refused."""
    text = address.strip()
    parts = urlsplit(text)
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        return Invalid(f'alias "{text[:60]}" must be an old address of this site, such as /tin-tuc/cau-moi.html')
    path = unquote(parts.path)
    segments = [s for s in path.split("/") if s]
    bad = (
        not text
        or (not parts.scheme and not text.startswith("/"))
        or parts.query
        or parts.fragment
        or not segments
        or any(s.startswith(".") for s in segments)
        or any(ord(ch) < 32 or ch in '\\"<>' for ch in path)
    )
    if bad:
        return Invalid(
            f'alias "{text[:60]}" must be an old address of this site starting with "/", '
            "such as /tin-tuc/cau-moi.html (no ?query, #part, .. or hidden names)"
        )
    return "/" + "/".join(segments) + ("/" if path.endswith("/") else "")


def _moment(key: str, value: Any, tz: ZoneInfo) -> datetime | Invalid:
    """A date or time from YAML or text, in the site's timezone when no offset is given."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        parsed = _parse_text_date(value.strip())
        if parsed is None:
            return Invalid(f'{key} "{value}" is not a date; write it like 2024-07-16 14:30 or 16/07/2024 14:30')
        if isinstance(parsed, str):
            return Invalid(f'{key} "{value}" is not a real date ({parsed})')
        moment = parsed
    else:
        return Invalid(f"{key} must be a date like 2024-07-16 14:30, not {_kind(value)}")
    if moment.year < FIRST_YEAR:
        return Invalid(f'{key} "{value}" is before {FIRST_YEAR}; check the year')
    try:
        moment = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
    except OverflowError:
        return Invalid(f'{key} "{value}" is not a real date (it is out of range)')
    offset = moment.utcoffset()
    if offset is not None and offset.total_seconds() % 60:  # local mean time, before standard time zones
        return Invalid(f'{key} "{value}" is earlier than the time zone\'s standard time; check the year')
    return moment


def _parse_text_date(text: str) -> datetime | str | None:
    """ISO 8601 or the Vietnamese day/month/year; None if neither, a reason if impossible."""
    found = _DMY.match(text)
    try:
        if found:
            day, month, year, hour, minute = found.groups()
            return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))
        if re.match(r"^\d{4}-\d{2}-\d{2}", text):
            return datetime.fromisoformat(text)
    except ValueError as error:
        return _date_reason(str(error))
    return None


def _date_reason(reason: str) -> str:
    """Why a date is impossible, in plain words where Python's are not ("day is out of range for month" are)."""
    if "offset" in reason:  # +25:00
        return "the time offset must lie between -23:59 and +23:59"
    return reason
