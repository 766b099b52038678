"""Files under content/ → Articles (checked, rendered) and the other files to copy as they are."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from .config import SiteConfig
from .errors import Problem
from .frontmatter import FrontMatter, parse
from .images import MIME, Picture, Unreadable, measure
from .markup import Converter, first_paragraph, site_address, text_of
from .model import Article, pack
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


def bad_link(path: Path, real_root: Path) -> str | None:
    """Why a symbolic link under content/ (or layouts/) must not be followed, or None when it stays inside."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing target, or a loop (RuntimeError before Python 3.13)
        return "this link leads nowhere (its target is missing or links back to itself); delete it"
    if target.is_relative_to(real_root):
        return None
    kind = "folder" if target.is_dir() else "file"
    return f"this is a link to a {kind} outside the {real_root.name} folder; copy the {kind} in instead"


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
            if path.is_symlink() and (wrong := bad_link(path, real_root)):
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


class ContentFiles(Mapping[str, "Picture | Unreadable"]):
    """The other files of the content folder by site address; as a mapping, the pictures among them.

    A picture is measured only when an article shows it, once per process, so a build that
    finds every article in its cache reads no picture at all.
    """

    def __init__(self, digests: Mapping[str, bytes], read: Callable[[str], bytes]) -> None:
        self.digests = digests  # site address → digest of the file's bytes
        self.read = read
        self.measured: dict[str, Picture | Unreadable] = {}

    def exists(self, address: str) -> bool:
        return address in self.digests

    def _is_picture(self, address: object) -> bool:
        return isinstance(address, str) and address in self.digests and PurePosixPath(address).suffix.lower() in MIME

    def __getitem__(self, address: str) -> Picture | Unreadable:
        if not self._is_picture(address):
            raise KeyError(address)
        if address not in self.measured:
            found = measure(address, self.read(address))
            assert found is not None  # every name with a picture's suffix is measured
            self.measured[address] = found
        return self.measured[address]

    def __iter__(self) -> Iterator[str]:
        return (address for address in self.digests if self._is_picture(address))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _line_of(written: str, front: FrontMatter) -> int:
    """The line of the body that names an image (the Markdown image or its reference), else the body's first.

    The image's own address, as Markdown writes one, is looked for first: "do.jpg" is also inside "anh/do.jpg".
    """
    lines = front.body.split("\n")
    for form in (f"({written})", f"({written} ", f"<{written}>", f"]: {written}", written):
        for offset, line in enumerate(lines):
            if form in line:
                return front.body_line + offset
    return front.body_line


def _picture_problem(written: str, found: Picture | Unreadable | None, exists: bool) -> str | None:
    """What is wrong with an image the article names, in plain words, or None."""
    if not exists:
        return f'image "{written}" is not a file in the content folder'
    if isinstance(found, Unreadable):
        return f'image "{written}" cannot be used: {found.reason}'
    return None


@dataclass(frozen=True, slots=True)
class Parsed:
    """One article file, parsed: the article or its problems, and the content files it looked at.

    `looked_at` holds (site address, digest of the file or None if missing) for the lead image and
    every image of the body: the rendered body depends on them (sizes, srcset) and so do the
    problems, so a cached result holds only while those files are as they were.
    """

    article: Article | None
    problems: tuple[Problem, ...] = ()
    looked_at: tuple[tuple[str, bytes | None], ...] = ()

    def shown_as(self, shown: str) -> Parsed:
        """The same result with its file named `shown` in messages (the cache keeps results wherever the
        command ran: the path a message shows depends on the folder it runs in, the rest does not)."""
        if self.article is not None and self.article.shown != shown:
            return replace(self, article=replace(self.article, shown=shown))
        if any(problem.path != shown for problem in self.problems):
            return replace(self, problems=tuple(replace(p, path=shown) for p in self.problems))
        return self

    def still_true(self, files: ContentFiles) -> bool:
        """Whether every file this result looked at is still there with the same bytes (or still missing)."""
        return all(files.digests.get(address) == known for address, known in self.looked_at)


def make_article(
    front: FrontMatter, relative: str, shown: str, author: str, converter: Converter, files: ContentFiles
) -> Parsed:
    """Front matter and body → Article; every picture it names must be a readable file of the content folder."""
    values = front.values
    folder = str(PurePosixPath(relative).parent)
    base = "" if folder == "." else folder
    problems: list[Problem] = []
    image = values.get("image", "")
    lead: Picture | None = None
    looked: list[str] = []
    if image and "://" not in image:
        image = unquote(site_address(image, base))
        looked.append(image)
        found = files.get(image)
        wrong = _picture_problem(values["image"], found, files.exists(image))
        if wrong:
            problems.append(Problem(shown, front.lines["image"], wrong))
        lead = found if isinstance(found, Picture) else None
    body_html, used = converter.render(front.body, base, files)
    body_pictures: list[Picture] = []
    for use in used:
        looked.append(use.address)
        found = files.get(use.address)
        wrong = _picture_problem(use.written, found, files.exists(use.address))
        if wrong:
            problems.append(Problem(shown, _line_of(use.written, front), wrong))
        elif isinstance(found, Picture):
            body_pictures.append(found)
    looked_at = tuple((address, files.digests.get(address)) for address in dict.fromkeys(looked))
    expires = values.get("expires")
    if expires is not None and expires <= values["date"]:
        problems.append(Problem(shown, front.lines["expires"], "expires must be later than date"))
    slug = make_slug(values.get("slug") or values["title"])
    if not slug:
        which = "slug" if "slug" in values else "title"
        problems.append(Problem(shown, front.lines[which], f"{which} has no letters or digits to make an address from"))
    if problems:
        return Parsed(None, tuple(problems), looked_at)
    article = Article(
        source=relative,
        shown=shown,
        title=values["title"],
        date=values["date"],
        category=values["category"],
        summary=values.get("summary") or first_paragraph(body_html),
        lead=values.get("summary", ""),
        body=pack(body_html),
        tags=values.get("tags", ()),
        author=values.get("author", author),
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
        words=len(text_of(body_html).split()),
        expires=expires,
        aliases=values.get("aliases", ()),
        aliases_line=front.lines.get("aliases", 1),
        category_line=front.lines.get("category", 1),
        tags_line=front.lines.get("tags", 1),
    )
    return Parsed(article, (), looked_at)


def read_article(
    relative: str, data: bytes, shown: str, tz: ZoneInfo, author: str, converter: Converter, files: ContentFiles
) -> Parsed:
    """One article file's bytes → Parsed: a pure function of these arguments and of the files in Parsed.looked_at."""
    text = decode(data, shown)
    if isinstance(text, Problem):
        return Parsed(None, (text,))
    front = parse(text, shown, tz)
    if isinstance(front, list):
        return Parsed(None, tuple(front))
    try:
        return make_article(front, relative, shown, author, converter, files)
    except (RecursionError, ValueError) as error:  # Markdown giving up on pathological input
        return Parsed(None, (Problem(shown, front.body_line, f"the body could not be converted: {error}"),))


def load_content(root: Path, config: SiteConfig) -> tuple[list[Article], list[SourceFile], list[Problem]]:
    """All articles and assets under `root`, with every problem found on the way (no cache: for tools and tests)."""
    files, problems = scan(root)
    parsed: list[Parsed] = []
    assets = [f for f in files if not f.relative.lower().endswith(".md")]
    data = {f"/{f.relative}": f.data for f in assets}
    others = ContentFiles({address: hashlib.sha256(b).digest() for address, b in data.items()}, data.__getitem__)
    converter = Converter()
    for source in files:
        if not source.relative.lower().endswith(".md"):
            continue
        shown = shown_path(root / source.relative)
        parsed.append(read_article(source.relative, source.data, shown, config.tz, config.author, converter, others))
    problems += [p for item in parsed for p in item.problems]
    return [p.article for p in parsed if p.article is not None], assets, problems
