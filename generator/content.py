"""Files under content/ → Articles (checked, rendered) and the other files to copy as they are."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from .config import SiteConfig
from .errors import Problem
from .frontmatter import FrontMatter, parse
from .images import Picture, Unreadable, measure_all
from .markup import first_paragraph, plain_text, render_body, site_address
from .model import Article
from .text import make_slug, nfc, printable

SKIPPED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part", ".crdownload")


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file found under content/: its path relative to content/, and its bytes."""

    relative: str
    data: bytes


def shown_path(path: Path) -> str:
    """The path as an editor wants to read it: relative to the current folder when inside it.

    Links are not followed: a link is named as itself, and a link that loops can still be named.
    """
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def is_source_name(name: str) -> bool:
    """Hidden files and editors' temporary files are not content."""
    return not name.startswith((".", "#", "~$")) and not name.endswith(SKIPPED_SUFFIXES)


def _bad_link(path: Path, real_root: Path) -> str | None:
    """Why a symbolic link under content/ must not be followed, or None when it stays inside."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing target, or a loop (RuntimeError before Python 3.13)
        return "this link leads nowhere (its target is missing or links back to itself); delete it"
    if target.is_relative_to(real_root):
        return None
    kind = "folder" if target.is_dir() else "file"
    return f"this is a link to a {kind} outside the content folder; copy the {kind} in instead"


def scan(root: Path) -> tuple[list[SourceFile], list[Problem]]:
    """Every content file, sorted; a link that leads outside content/ is a problem, never followed."""
    files: list[SourceFile] = []
    problems: list[Problem] = []
    if not root.is_dir():
        return [], [Problem(shown_path(root), 1, "the content folder does not exist")]
    real_root = root.resolve()
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if is_source_name(d))
        for name in sorted(n for n in [*names, *dirs] if is_source_name(n)):
            path = Path(folder) / name
            if path.is_symlink() and (wrong := _bad_link(path, real_root)):
                problems.append(Problem(shown_path(path), 1, wrong))
            elif name in names and path.is_file():
                try:
                    files.append(SourceFile(path.relative_to(root).as_posix(), path.read_bytes()))
                except OSError as error:
                    problems.append(Problem(shown_path(path), 1, f"the file cannot be read: {error.strerror}"))
    return sorted(files, key=lambda f: f.relative), problems


def decode(data: bytes, shown: str) -> str | Problem:
    """UTF-8 (with or without BOM, CRLF or LF) → NFC text with LF line ends."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and data.count(b"\x00") > len(data) // 4):
        return Problem(shown, 1, "the file is saved as UTF-16; save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return Problem(
            shown,
            line,
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} cannot be read; it may be saved as "
            "Windows-1258 or another old encoding); save it as UTF-8",
        )
    if "\x00" in text:
        return Problem(
            shown, text[: text.index("\x00")].count("\n") + 1, "the file contains a NUL byte; it is not text"
        )
    return nfc(printable(text.replace("\r\n", "\n").replace("\r", "\n")))


def _line_of(written: str, front: FrontMatter) -> int:
    """The line of the body that names an image (the Markdown image or its reference), else the body's first."""
    for offset, line in enumerate(front.body.split("\n")):
        if written in line:
            return front.body_line + offset
    return front.body_line


def _picture_problem(written: str, found: Picture | Unreadable | None, exists: bool) -> str | None:
    """What is wrong with an image the article names, in plain words, or None."""
    if not exists:
        return f'image "{written}" is not a file in the content folder'
    if isinstance(found, Unreadable):
        return f'image "{written}" cannot be used: {found.reason}'
    return None


def make_article(
    front: FrontMatter,
    relative: str,
    shown: str,
    files: Mapping[str, bytes],
    pictures: Mapping[str, Picture | Unreadable],
    config: SiteConfig,
) -> Article | list[Problem]:
    """Front matter and body → Article; every picture it names must be a readable file of the content folder.

    `files` are the other content files and `pictures` the pictures among them, both by site address.
    """
    values = front.values
    folder = str(PurePosixPath(relative).parent)
    base = "" if folder == "." else folder
    problems: list[Problem] = []
    image = values.get("image", "")
    lead: Picture | None = None
    if image and "://" not in image:
        image = unquote(site_address(image, base))
        found = pictures.get(image)
        wrong = _picture_problem(values["image"], found, image in files)
        if wrong:
            problems.append(Problem(shown, front.lines["image"], wrong))
        lead = found if isinstance(found, Picture) else None
    body_html, used = render_body(front.body, base, pictures)
    body_pictures: list[Picture] = []
    for use in used:
        found = pictures.get(use.address)
        wrong = _picture_problem(use.written, found, use.address in files)
        if wrong:
            problems.append(Problem(shown, _line_of(use.written, front), wrong))
        elif isinstance(found, Picture):
            body_pictures.append(found)
    expires = values.get("expires")
    if expires is not None and expires <= values["date"]:
        problems.append(Problem(shown, front.lines["expires"], "expires must be later than date"))
    slug = make_slug(values.get("slug") or values["title"])
    if not slug:
        which = "slug" if "slug" in values else "title"
        problems.append(Problem(shown, front.lines[which], f"{which} has no letters or digits to make an address from"))
    if problems:
        return problems
    return Article(
        source=shown,
        title=values["title"],
        date=values["date"],
        category=values["category"],
        summary=values.get("summary") or first_paragraph(body_html),
        lead=values.get("summary", ""),
        body_html=body_html,
        tags=values.get("tags", ()),
        author=values.get("author", config.author),
        image=image,
        image_caption=values.get("image_caption", ""),
        updated=values.get("updated"),
        slug=slug,
        explicit_slug="slug" in values,
        draft=values.get("draft", False),
        slug_line=front.lines.get("slug", 1),
        image_alt=values.get("image_alt", values.get("image_caption", "")),
        picture=lead,
        pictures=tuple(dict.fromkeys(body_pictures)),
        words=len(plain_text(body_html).split()),
        expires=expires,
        aliases=values.get("aliases", ()),
        aliases_line=front.lines.get("aliases", 1),
    )


def load_content(root: Path, config: SiteConfig) -> tuple[list[Article], list[SourceFile], list[Problem]]:
    """All articles and assets under `root`, with every problem found on the way."""
    files, problems = scan(root)
    articles: list[Article] = []
    assets = [f for f in files if not f.relative.lower().endswith(".md")]
    by_address = {f"/{f.relative}": f.data for f in assets}
    pictures = measure_all(by_address)
    for source in files:
        if not source.relative.lower().endswith(".md"):
            continue
        shown = shown_path(root / source.relative)
        text = decode(source.data, shown)
        if isinstance(text, Problem):
            problems.append(text)
            continue
        front = parse(text, shown, config.tz)
        if isinstance(front, list):
            problems.extend(front)
            continue
        try:
            article = make_article(front, source.relative, shown, by_address, pictures, config)
        except (RecursionError, ValueError) as error:  # Markdown giving up on pathological input
            article = [Problem(shown, front.body_line, f"the body could not be converted: {error}")]
        if isinstance(article, list):
            problems.extend(article)
        else:
            articles.append(article)
    return articles, assets, problems
