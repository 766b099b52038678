"""site.toml → a frozen SiteConfig; every bad key is reported at once, with its line."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import Problem
from .text import clean_line, printable


@dataclass(frozen=True, slots=True)
class Option:
    """One site.toml key: its type, default and what it means (the README table is made from these)."""

    kind: type
    default: Any
    doc: str


OPTIONS: dict[str, Option] = {
    "title": Option(str, "Bản tin", "the bulletin's name, shown in every page header and feed"),
    "description": Option(str, "", "one sentence about the bulletin, for feeds and search engines"),
    "base_url": Option(str, "http://localhost:8000/", "the public address; absolute links in feeds and sitemap use it"),
    "timezone": Option(str, "Asia/Ho_Chi_Minh", "dates written without an offset are read in this zone"),
    "author": Option(str, "", "byline used when an article names no author"),
    "categories": Option(
        list, [], "category names in the order the home page shows them, with their official spelling"
    ),
    "per_page": Option(int, 10, "articles per listing page"),
    "home_latest": Option(int, 10, "how many latest articles the home page lists"),
    "feed_limit": Option(int, 50, "how many articles each feed carries"),
    "related": Option(int, 5, "how many related articles an article page lists"),
    "logo": Option(
        str, "/static/logo.png", "the logo news search and feeds show: a file under layouts/static, or an address"
    ),
}


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """The site settings every renderer reads."""

    title: str = OPTIONS["title"].default
    description: str = OPTIONS["description"].default
    base_url: str = OPTIONS["base_url"].default
    timezone: str = OPTIONS["timezone"].default
    author: str = OPTIONS["author"].default
    categories: tuple[str, ...] = ()
    per_page: int = OPTIONS["per_page"].default
    home_latest: int = OPTIONS["home_latest"].default
    feed_limit: int = OPTIONS["feed_limit"].default
    related: int = OPTIONS["related"].default
    logo: str = OPTIONS["logo"].default
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))

    def absolute(self, url: str) -> str:
        """An absolute URL for a site path such as '/bai-viet/x/'."""
        return url if "://" in url else self.base_url.rstrip("/") + url


def did_you_mean(word: str, choices: list[str]) -> str:
    """' (did you mean "x"?)' when a close spelling exists, else ''."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _key_line(source: str, key: str) -> int:
    match = re.search(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", source, re.MULTILINE)
    return source[: match.start()].count("\n") + 1 if match else 1


def _check(key: str, value: Any) -> str | None:
    """What is wrong with one value, or None."""
    option = OPTIONS[key]
    if option.kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return f"{key} must be a whole number of at least 1"
    elif not isinstance(value, option.kind):
        return f"{key} must be {'a list of names' if option.kind is list else 'text'}"
    if key == "categories" and not all(isinstance(v, str) and v.strip() for v in value):
        return "categories must be a list of non-empty names"
    if key == "base_url":
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return f'base_url must be an address starting with http:// or https://, not "{value}"'
        if parts.query or parts.fragment or "?" in value or "#" in value:
            return f'base_url must be the site\'s address without "?" or "#", not "{value}"'
    if key == "logo" and not value.startswith(("/static/", "http://", "https://")):
        return f'logo must be a file under layouts/static (written /static/logo.png) or an address, not "{value}"'
    if key == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return f'timezone "{value}" is not a known time zone (try "Asia/Ho_Chi_Minh")'
    return None


def load_config(path: Path, shown: str) -> tuple[SiteConfig, list[Problem]]:
    """Read site.toml (a missing file means all defaults); `shown` is the path used in messages."""
    if not path.exists():
        return SiteConfig(), []
    try:
        source = path.read_bytes().decode("utf-8-sig")
        raw = tomllib.loads(source)
    except OSError as error:  # a folder, or unreadable
        return SiteConfig(), [Problem(shown, 1, f"the settings file cannot be read: {error.strerror}")]
    except UnicodeDecodeError:
        return SiteConfig(), [Problem(shown, 1, "the file is not UTF-8 text; save it as UTF-8")]
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"line (\d+)", str(error))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        return SiteConfig(), [Problem(shown, int(found.group(1)) if found else 1, f"not valid TOML: {reason}")]
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in OPTIONS:
            hint = did_you_mean(key, list(OPTIONS))
            problems.append(Problem(shown, _key_line(source, key), f'unknown setting "{key}"{hint}'))
        elif (wrong := _check(key, value)) is not None:
            problems.append(Problem(shown, _key_line(source, key), wrong))
        else:
            values[key] = printable(value) if isinstance(value, str) else value  # escapes like "\u001b" too
    if "categories" in values:
        values["categories"] = tuple(clean_line(name) for name in values["categories"])
    if "base_url" in values:
        values["base_url"] = values["base_url"].rstrip("/") + "/"
    config = SiteConfig(**values, tz=ZoneInfo(values.get("timezone", OPTIONS["timezone"].default)))
    return config, problems
