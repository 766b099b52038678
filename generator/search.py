"""The search index for /tim-kiem/: postings, a document store, prefixes, categories and a summary.

Every article becomes a document numbered by its place in the site (newest first). The client
(layouts/static/search.js) reads meta.json first, then only the files its query needs. The bytes
depend only on the site: the same articles give the same files.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import zlib
from array import array
from datetime import date
from itertools import pairwise

from .model import ARTICLE_PREFIX, Article, Site
from .output import OutputFile
from .parallel import core_free
from .search_postings import Collector, KeptPostings, collect, gaps
from .search_shards import compress, postings_files, shard_count
from .text import fold, words

INDEX = "tim-kiem/index"
FORMAT = 2
DOCS_FIRST = 8
DOCS_MOST_BYTES = 36_000
DOCUMENT_FILES = 250
GROWTHS = (1.01, 1.015, 1.02, 1.03, 1.05, 1.1, 1.2, 1.5, 2.0, 4.0)
VOCAB_TARGET = 12_000
LEAD_CHARS = 220
DATE_POINTS = 1024
_EPOCH = date(1970, 1, 1).toordinal()


def lead(article: Article) -> str:
    """The summary cut at a word near LEAD_CHARS, for the result excerpt."""
    text = " ".join(article.summary.split())
    if len(text) <= LEAD_CHARS:
        return text
    return text[:LEAD_CHARS].rsplit(" ", 1)[0] + " …"


@functools.lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> str:
    """fold() of one word of a title, remembered: titles say the same words over and over."""
    return fold(word)


def address(article: Article) -> int | str:
    """The article's address as the client rebuilds it: the length of its slug when the slug is the start of
    the title's folded words joined by hyphens (as it is unless two articles share a title), else the URL."""
    spelled = "-".join(map(_fold_word, words(article.title)))
    if article.url == f"{ARTICLE_PREFIX}{spelled[: len(article.slug)]}/":
        return len(article.slug)
    return article.url


def document_runs(count: int, most: int) -> list[int]:
    """How many documents each document file holds, newest first: few in the newest files, more as they age.

    The ranking's recency bonus puts recent articles first, so ten results mostly fall among the newest
    articles: their files are small, and a result costs little more than its own record. Older files
    grow by the smallest factor that keeps the files within DOCUMENT_FILES, up to `most` documents.
    """
    for growth in GROWTHS:
        runs: list[int] = []
        size, left = float(DOCS_FIRST), count
        while left > 0:
            runs.append(min(left, most, math.ceil(size)))
            left -= runs[-1]
            size *= growth
        if len(runs) <= DOCUMENT_FILES:
            break
    return runs


def record(article: Article, numbers: dict[str, int]) -> bytes:
    """The document store's JSON of an article: address, title, date, category number and lead."""
    fields = [address(article), article.title, article.date.isoformat(timespec="minutes"), numbers[article.category]]
    return json.dumps([*fields, lead(article)], ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def records(site: Site, kept: KeptPostings | None) -> list[bytes]:
    """The record of every document, in order; a watcher's `kept` gives back those of articles unchanged since."""
    numbers = {section.name: number for number, section in enumerate(site.categories)}
    before, numbered, made = kept.records if kept is not None else ((), {}, [])
    known = dict(zip(map(id, before), made, strict=True)) if numbered == numbers else {}
    articles = tuple(site.articles)  # held, so that the ids stay theirs
    encoded = [known.get(id(a)) or record(a, numbers) for a in articles]
    if kept is not None:
        kept.records = (articles, numbers, encoded)
    return encoded


def document_files(site: Site, kept: KeptPostings | None = None) -> tuple[list[int], list[tuple[str, bytes]]]:
    """(documents in each file, files): the records of the documents, newest first (see document_runs)."""
    encoded = records(site, kept)
    record_bytes = len(zlib.compress(b"\n".join(encoded), 1)) / max(1, len(encoded))
    runs = document_runs(len(encoded), max(DOCS_FIRST, round(DOCS_MOST_BYTES / max(1.0, record_bytes))))
    before = kept.documents_made if kept is not None else {}
    made, start = {}, 0
    for number, run in enumerate(runs):
        name, part = f"d/{number}.bin", encoded[start : start + run]
        known = before.get(name)  # the file of the last update, if it holds the same records
        same = known is not None and known[0] == part
        made[name] = (part, known[1] if same else compress(b"[" + b",".join(part) + b"]"))
        start += run
    if kept is not None:
        kept.documents_made = made
    return runs, [(name, data) for name, (_part, data) in made.items()]


def vocabulary_files(collector: Collector) -> tuple[list[str], list[tuple[str, bytes]]]:
    """(first term of each file, files): folded syllables in order with their document counts, for prefixes."""
    terms = sorted(collector.unigrams, key=lambda term: term.encode("utf-16-be"))  # the client's string order
    lines = [f"{term} {len(collector.unigrams[term].docs)}\n".encode() for term in terms]
    count = shard_count(b"".join(lines), VOCAB_TARGET)
    size = -(-len(lines) // count) if lines else 1
    starts = list(range(0, len(lines), size)) or [0]
    firsts = [terms[start] if start else "" for start in starts]
    files = [(f"v/{n}.bin", compress(b"".join(lines[start : start + size]))) for n, start in enumerate(starts)]
    return firsts, files


def category_files(site: Site) -> list[tuple[str, bytes]]:
    """The documents of each category, for the category filter."""
    number = {id(a): doc for doc, a in enumerate(site.articles)}
    return [
        (f"c/{n}.bin", compress(gaps(array("I", sorted(number[id(a)] for a in section.articles)))))
        for n, section in enumerate(site.categories)
        if section.articles
    ]


def render_search(site: Site, jobs: int = 1, kept: KeptPostings | None = None) -> list[OutputFile]:
    """Every file of the search index under /tim-kiem/index/ (the articles read in `jobs` processes, or only
    those that changed since the postings `kept` were read)."""
    collector = collect(site.articles, jobs, kept)
    summary, files = postings_files(collector, jobs if core_free() else 1)  # workers making pages have the cores
    runs, documents = document_files(site, kept)
    firsts, vocabulary = vocabulary_files(collector)
    files += documents + vocabulary + category_files(site)
    stride = max(1, -(-len(site.articles) // DATE_POINTS))
    days = [a.date.toordinal() - _EPOCH for a in site.articles[::stride]]
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode() + b"\0" + data)
    meta = {
        "format": FORMAT,
        "version": digest.hexdigest()[:16],
        "documents": len(site.articles),
        **summary,
        "documentRuns": runs,
        "address": ARTICLE_PREFIX,
        "vocabulary": firsts,
        "categories": [[s.name, s.slug, len(s.articles)] for s in site.categories],
        "dateStride": stride,
        "days": days[:1] + [a - b for a, b in pairwise(days)],
    }
    files.append(("meta.json", json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()))
    return [OutputFile(f"{INDEX}/{name}", data, "search index") for name, data in files]
