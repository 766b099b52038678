"""Fuzzing: generated articles and content trees, valid and broken, never break a build.

Hypothesis writes front matter (valid values, wrong types, broken YAML), bodies (Markdown, raw HTML,
hostile links, control characters), encodings and file names into a site that was already built,
then runs the real `bulletin build`. Whatever it writes, the build either succeeds — and gives the
same bytes as a fresh build, with no live script — or exits 1 with `path:line: message` lines that
name files under content/ and leaves output/ byte-identical. A traceback fails the test.

CI runs FUZZ_EXAMPLES examples of each test. A long campaign (hypothesis keeps what it finds in
.hypothesis/ and replays it first next time):

    BULLETIN_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py -x
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import tempfile
import unicodedata
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
import yaml
from conftest import NOW, REPO, article, live_markup
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.cli import main

FUZZ_EXAMPLES = int(os.environ.get("BULLETIN_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

WORDS = ["Thanh", "Hóa", "tin", "mới", "Sầm", "Sơn", "đường", "cầu", "xã", "số", "ĐÔ", "thị", "5G", "2026"]
ODD = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "]]>", "&#x61;", "{{ x }}"]
ODD += ["\u200b", "\u200d", "\ufeff", "\x1b", "\x0b", "\u2028", "🎆", "e\u0301", ": ", "#", "'", '"', "\\", "---", "\t"]
CATEGORIES = ["Thời sự", "thời sự", "Thoi su", "Chuyển đổi số", "Giao thông", "!!!", ""]
TAGS = ["giao thông", "Giao Thông", "5G", "Sầm Sơn", "sam son", "🎆", ""]
REQUIRED = ("title", "date", "category")
URLS = ["https://thanhhoa.gov.vn/a?b=1&c=2", "anh/a.png", "/anh/a.png", "../a.png", "#muc", "mailto:a@b.vn"]
URLS += ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "jav&#x61;script:alert(1)", "java\tscript:x", " javascript:x"]
URLS += ["data:text/html,<script>alert(1)</script>", "//evil.example/x", "vbscript:x", "<javascript:x>", ""]


def words(min_size: int = 0, max_size: int = 8) -> st.SearchStrategy[str]:
    """Text from Vietnamese words, markup, control characters and other trouble."""
    piece = st.one_of(st.sampled_from(WORDS), st.sampled_from(ODD), st.text(max_size=4))
    return st.lists(piece, min_size=min_size, max_size=max_size).map(" ".join)


def dates(valid: bool) -> st.SearchStrategy[object]:
    """Dates as editors type them and as YAML gives them; when not `valid`, impossible ones too."""
    moments = st.datetimes(min_value=datetime(1890 if not valid else 1990, 1, 1), max_value=datetime(2030, 12, 31))
    typed = moments.flatmap(
        lambda m: st.sampled_from(
            [f"{m:%Y-%m-%d %H:%M}", f"{m:%Y-%m-%d}", f"{m:%d/%m/%Y %H:%M}", f"{m:%Y-%m-%dT%H:%M:%S}+07:00", m, m.date()]
        )
    )
    if valid:
        return typed
    broken = st.sampled_from(["2026-02-30", "31/04/2026", "3/4/26", "hôm qua", "2026-13-01", "0001-01-01T00:00+14:00"])
    return st.one_of(typed, typed, broken, st.integers(), st.none())


def anything() -> st.SearchStrategy[object]:
    """Any YAML value of the wrong kind."""
    leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), words(), dates(False))
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words(1, 2), inner, max_size=2),
        max_leaves=6,
    )


def field_values(valid: bool) -> st.SearchStrategy[dict[str, object]]:
    """Front matter values: `valid` ones (titles and names of any text), or any values at all."""
    good = {
        "title": words(1, 10).filter(lambda t: re.search(r"\w", t) is not None),
        "date": dates(True),
        "category": st.sampled_from(CATEGORIES[:5]),
        "summary": words(),
        "tags": st.lists(st.sampled_from(TAGS[:5]), max_size=4),
        "author": words(0, 3),
        "image": st.sampled_from(URLS[:2]),
        "image_caption": words(),
        "updated": dates(True),
        "slug": st.sampled_from(["trung", "Trùng", "../../x", "%2e%2e", "C:/x"]),
        "draft": st.booleans(),
    }
    wild = {
        **good,
        "category": st.sampled_from(CATEGORIES),
        "tags": st.lists(st.sampled_from(TAGS), max_size=4),
        "image": st.sampled_from(URLS),
        "slug": st.one_of(good["slug"], st.just("!!!"), words(0, 3)),
        "catgory": words(),
    }
    chosen = good if valid else {k: st.one_of(v, v, v, anything()) for k, v in wild.items()}
    required = 1.0 if valid else 0.95
    entries = [
        st.tuples(st.just(key), st.floats(0, 1), value, st.just(required if key in REQUIRED else 0.3))
        for key, value in chosen.items()
    ]
    return st.tuples(*entries).map(lambda items: {k: v for k, roll, v, chance in items if roll < chance})


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """YAML as a tool writes it, as a person types it, or damaged."""
    valid = draw(st.booleans())
    values = draw(field_values(valid))
    style = "dumped" if valid else draw(st.sampled_from(["dumped", "typed", "damaged"]))
    if style == "typed":
        text = "".join(f"{key}: {value}\n" for key, value in values.items())
    else:
        text = yaml.safe_dump(values, allow_unicode=True, sort_keys=False) if values else ""
    if style == "damaged" and text:
        at = draw(st.integers(0, len(text)))
        damage = ["\n  x: [", '"', ": :", "\t", "&a", "*b", "!!python/none", "\n---\n"]
        text = text[:at] + draw(st.sampled_from(damage)) + text[at:]
    return text


@st.composite
def bodies(draw: st.DrawFn) -> str:
    """Markdown with links, pictures, raw HTML, tables and notes, small enough to convert quickly."""
    link = st.sampled_from(URLS).map(lambda url: f"[liên kết]({url})")
    picture = st.sampled_from(URLS).map(lambda url: f"![ảnh]({url})")
    blocks = st.sampled_from(
        [
            "\n\n",
            "\n",
            "> ",
            "- ",
            "1. ",
            "## ",
            "**",
            "_",
            "`",
            "```\n",
            "| a | b |\n|:-|-:|\n| c | d |\n",
            "[^1]",
            "\n\n[^1]: chú thích\n",
            "{: .noi-bat onclick=x }",
            "<div onclick=alert(1) style=x>",
            "</div>",
            "<script>",
            "<a href='javascript:alert(1)'>",
            "<img src=x onerror=alert(1)>",
            "[x]: javascript:alert(1)\n",
            "[ref][x]",
        ]
    )
    pieces = draw(st.lists(st.one_of(words(1, 6), link, picture, blocks), max_size=30))
    return "".join(pieces)


@st.composite
def article_files(draw: st.DrawFn) -> bytes:
    """One article file: front matter and body, in an encoding and line ends an editor might use."""
    text = "---\n" + draw(front_matter()) + "---\n\n" + draw(bodies())
    form = draw(st.sampled_from(["utf-8"] * 6 + ["bom", "crlf", "nfd", "utf-16", "cut", "bytes"]))
    if form == "crlf":
        text = text.replace("\n", "\r\n")
    if form == "nfd":
        text = unicodedata.normalize("NFD", text)
    if form == "utf-16":
        return text.encode("utf-16")
    data = ("\ufeff" if form == "bom" else "").encode() + text.encode("utf-8", "surrogatepass")
    if form == "cut":  # saved half-way, maybe inside a character
        return data[: draw(st.integers(0, len(data)))]
    if form == "bytes":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


NAMES = st.sampled_from(["a.md", "b.md", "2026/c.md", "2026/11/d.md", "Tin mới.md", "e.MD", "tin.md"])
ASSETS = st.sampled_from(
    [
        "anh/a.png",
        "rss.xml",
        "_headers",
        "index.html",
        "404.html",
        "bai-viet/tin/index.html",
        "bai-viet/tin",
        "chuyen-muc/thoi-su/rss.xml",
        "the",
        "static/style.css",
        "tin.md/x.png",
        "sitemap.xml",
        "a b/ảnh.png",
    ]
)


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site with one good article, already built: each example starts from a copy of it."""
    root = tmp_path_factory.mktemp("fuzz-base")
    shutil.copytree(REPO / "layouts", root / "layouts")
    (root / "content").mkdir()
    (root / "content/ok.md").write_text(article("Tin tốt", category="Thời sự", tags="[giao thông]"), "utf-8")
    (root / "site.toml").write_text('title = "Bản tin thử"\nbase_url = "https://bantin.example.vn/"\n', "utf-8")
    assert build(root, root / "output")[0] == 0
    return root


def build(root: Path, output: Path) -> tuple[int, str]:
    """The real CLI in-process; returns the exit status and what it printed to stderr."""
    argv = ["build", "--content", str(root / "content"), "--layouts", str(root / "layouts")]
    argv += ["--config", str(root / "site.toml"), "--output", str(output), "--now", NOW]
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def check_outcome(root: Path, files: dict[str, bytes]) -> None:
    """Write `files` into a copy of the built site, build, and check the contract."""
    before = tree(root / "output")
    for name, data in files.items():
        path = root / "content" / name
        if any(parent.is_file() for parent in path.parents) or path.is_dir():
            continue  # the file system itself refuses this combination
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    code, err = build(root, root / "output")
    event(f"exit {code}")  # shown by --hypothesis-show-statistics: how often each outcome was tried
    assert "Traceback" not in err
    if code == 1:
        *problems, summary = err.splitlines()
        assert problems and re.fullmatch(r"\d+ problems? in \d+ files?; nothing was written\.", summary), err
        for line in problems:
            found = re.fullmatch(re.escape(str(root)) + r"/(content/[^:]+):(\d+): \S.*", line)
            assert found, f"not a path:line: message naming a content file: {line!r}"
            assert (root / found.group(1)).is_file(), line
        assert tree(root / "output") == before, "a failed build changed output/"
        return
    assert code == 0, err
    after = tree(root / "output")
    assert build(root, root / "fresh")[0] == 0
    assert after == tree(root / "fresh"), "building over the old site differs from a fresh build"
    copied = {f"{name}" for name in files if not name.lower().endswith(".md")}  # editors' own files, as they are
    for path, data in after.items():
        if path in copied:
            continue
        if path.endswith(".html"):
            assert live_markup(data.decode("utf-8")) == [], path
        elif path.endswith("rss.xml"):
            parsed = feedparser.parse(data)
            assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"


@FUZZ
@given(articles=st.dictionaries(NAMES, article_files(), min_size=1, max_size=3))
def test_generated_articles_build_or_are_reported(built_site: Path, articles: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "site"
        shutil.copytree(built_site, root)
        check_outcome(root, articles)


@FUZZ
@given(
    articles=st.dictionaries(NAMES, st.sampled_from(["Tin", "tin", "Tin mới", "Thời sự"]), max_size=3),
    assets=st.lists(ASSETS, max_size=4, unique=True),
)
def test_generated_content_trees_build_or_are_reported(
    built_site: Path, articles: dict[str, str], assets: list[str]
) -> None:
    files = {name: article(title).encode() for name, title in articles.items()}
    files |= {name: b"\x89PNG tep" for name in assets}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "site"
        shutil.copytree(built_site, root)
        check_outcome(root, files)


def test_readme_states_the_examples_per_run():
    readme = (REPO / "README.md").read_text("utf-8")
    if "BULLETIN_FUZZ_EXAMPLES" not in os.environ:
        assert f"{FUZZ_EXAMPLES} generated examples for each of 2 tests" in readme
