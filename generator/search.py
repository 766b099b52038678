"""The search index for /tim-kiem/: postings, a document store, prefixes, categories and a summary.

Every article becomes a document numbered by its place in the site (newest first). The client
(layouts/static/search.js) reads meta.json first, then only the files its query needs. The bytes
depend only on the site: the same articles give the same files.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from datetime import date
from itertools import pairwise

from .model import ARTICLE_PREFIX, Article, Site
from .output import OutputFile
from .search_postings import Collector, collect, compress, gaps, postings_files, shard_count
from .text import fold, words

INDEX = "tim-kiem/index"
FORMAT = 1
DOCS_TARGET = 4_000
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


def address(article: Article) -> int | str:
    """The article's address as the client rebuilds it: the length of its slug when the slug is the start of
    the title's folded words joined by hyphens (as it is unless two articles share a title), else the URL."""
    spelled = "-".join(map(fold, words(article.title)))
    if article.url == f"{ARTICLE_PREFIX}{spelled[: len(article.slug)]}/":
        return len(article.slug)
    return article.url


def document_files(site: Site) -> tuple[int, list[tuple[str, bytes]]]:
    """(documents per file, files): address, title, date, category number and lead of each document."""
    numbers = {section.name: number for number, section in enumerate(site.categories)}
    records = [
        [address(a), a.title, a.date.isoformat(timespec="minutes"), numbers[a.category], lead(a)] for a in site.articles
    ]
    encoded = [json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode("utf-8") for r in records]
    count = shard_count(b"\n".join(encoded), DOCS_TARGET)
    per_file = max(8, -(-len(records) // count))
    files = [
        (f"d/{start // per_file}.bin", compress(b"[" + b",".join(encoded[start : start + per_file]) + b"]"))
        for start in range(0, len(records), per_file)
    ]
    return per_file, files


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


def render_search(site: Site) -> list[OutputFile]:
    """Every file of the search index under /tim-kiem/index/."""
    collector = collect(site.articles)
    summary, files = postings_files(collector)
    per_file, documents = document_files(site)
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
        "perFile": per_file,
        "address": ARTICLE_PREFIX,
        "vocabulary": firsts,
        "categories": [[s.name, s.slug, len(s.articles)] for s in site.categories],
        "dateStride": stride,
        "days": days[:1] + [a - b for a, b in pairwise(days)],
    }
    files.append(("meta.json", json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()))
    return [OutputFile(f"{INDEX}/{name}", data, "search index") for name, data in files]
