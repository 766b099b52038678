"""The search index for /tim-kiem/: folded syllables and bigrams in hashed shards, and a document store.

Every article becomes a document numbered by its place in the site (newest first). A folded
syllable ("so") keeps, per document, its BM25 weight quantised on one scale for the whole index,
whether it is in the title, and which accented forms ("số", "sở"…) the document uses; a folded
bigram ("doi so") keeps only the documents that have those two words in a row. Terms go to shards
by a hash of the term, so the client fetches only the shards its query needs. The bytes depend
only on the site: same articles, same files.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import math
import operator
import re
import zlib
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

import nh3

from .model import Article, Site
from .output import OutputFile
from .text import fold, nfc, place_tone, search_tokens

INDEX = "tim-kiem/index"
FORMAT = 1
K1, B = 1.2, 0.75
LEVELS = 63
MAX_FORMS = 30
SHARD_TARGET = 24_000
DOCS_TARGET = 6_000
VOCAB_TARGET = 12_000
LEAD_CHARS = 220
DATE_POINTS = 1024
_BLOCK = re.compile(r"<(?=/?(?:p|div|li|h\d|br|td|th|tr|blockquote|figure|figcaption|pre|dd|dt|hr|table)\b)")


@dataclass(slots=True)
class Postings:
    """One folded syllable while the index is built: documents, weight keys, accented forms used."""

    docs: array = field(default_factory=lambda: array("I"))
    keys: array = field(default_factory=lambda: array("I"))
    masks: array = field(default_factory=lambda: array("Q"))
    forms: dict[str, int] = field(default_factory=dict)


def article_text(article: Article) -> tuple[str, str]:
    """The words search reads: the title, then the lead, tags, caption and body text."""
    body = html.unescape(nh3.clean(_BLOCK.sub(" <", article.body_html), tags=set()))
    return article.title, "\n".join([article.lead, " ; ".join(article.tags), article.image_caption, body])


def varint(value: int, out: bytearray) -> None:
    """LEB128: seven bits a byte, the high bit set on all but the last."""
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)


def gaps(docs: array | list[int]) -> bytes:
    """Ascending document numbers as varint gaps (the first one as it is)."""
    deltas = [docs[0], *map(operator.sub, docs[1:], docs)]
    if max(deltas) < 0x80:
        return bytes(deltas)
    out = bytearray()
    for delta in deltas:
        varint(delta, out)
    return bytes(out)


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes; the client computes the same to find a term's shard."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def idf(df: int, total: int) -> float:
    """BM25's inverse document frequency, never negative."""
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


class Collector:
    """Reads every document once and gathers postings (one per build, never shared)."""

    def __init__(self) -> None:
        self.unigrams: dict[str, Postings] = {}
        self.bigrams: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
        self.names: defaultdict[tuple[str, str], list[int]] = defaultdict(list)
        self.lengths = array("I")
        self.term_of: dict[str, str] = {}
        self.bit_of: dict[str, int] = {}
        self.capital: dict[str, int] = {}

    def learn(self, new: set[str]) -> None:
        """For each new token: its folded term, the bit of its accented form, and whether it is capitalised."""
        for token in sorted(new):
            self.capital[token] = int(token[0].isupper() and not token[1:].isupper())
            if not token[0].isalnum():
                self.term_of[token], self.bit_of[token] = "", 0
                continue
            term = self.term_of[token] = fold(token)
            entry = self.unigrams.get(term)
            if entry is None:
                entry = self.unigrams[term] = Postings()
            form = place_tone(nfc(token.lower()))
            self.bit_of[token] = 1 << min(entry.forms.setdefault(form, len(entry.forms)), 63)

    def add(self, doc: int, title: str, rest: str) -> None:
        """Document `doc`; numbers must come in ascending order."""
        title_tokens = search_tokens(title)
        found = search_tokens(f"{title}\n.\n{rest}")
        distinct = set(found)
        if new := distinct.difference(self.term_of):
            self.learn(new)
        term_of, bit_of = self.term_of, self.bit_of
        folded = list(map(term_of.__getitem__, found))
        counts = Counter(folded)
        counts.pop("", None)
        length = sum(counts.values())
        self.lengths.append(length)
        masks: dict[str, int] = {}
        for token in distinct:
            term = term_of[token]
            masks[term] = masks.get(term, 0) | bit_of[token]
        in_title = set(map(term_of.__getitem__, title_tokens))
        bucket = min(length >> 2, 0xFFF)
        unigrams = self.unigrams
        for term, count in counts.items():
            entry = unigrams[term]
            entry.docs.append(doc)
            entry.keys.append((term in in_title) << 20 | min(count, 0xFF) << 12 | bucket)
            entry.masks.append(masks[term])
        bigrams = self.bigrams
        for pair in set(pairwise(folded)):
            bigrams[pair].append(doc)
        capitals = bytes(map(self.capital.__getitem__, found))
        names = set()
        at = capitals.find(b"\1\1")
        while at >= 0:
            names.add((folded[at], folded[at + 1]))
            at = capitals.find(b"\1\1", at + 1)
        for pair in names:
            self.names[pair].append(doc)


def unigram_block(entry: Postings, scale: float, saturation: list[float]) -> bytes:
    """Gaps, one byte per document (weight level, title bit), then the accented forms and their masks."""
    levels = {}
    for key in set(entry.keys):
        count, bucket = key >> 12 & 0xFF, key & 0xFFF
        weight = round(scale * count * (K1 + 1) / (count + saturation[bucket]))
        levels[key] = max(1, min(LEVELS, weight)) | (key >> 20) << 7
    out = bytearray(gaps(entry.docs))
    out += bytes(map(levels.__getitem__, entry.keys))
    forms = sorted(entry.forms, key=entry.forms.__getitem__)[:MAX_FORMS]
    varint(len(forms), out)
    if len(forms) > 1:
        for form in forms:
            encoded = form.encode("utf-8")
            varint(len(encoded), out)
            out += encoded
        masks = list(map(((1 << len(forms)) - 1).__and__, entry.masks))
        if max(masks) < 0x80:
            out += bytes(masks)
        else:
            for mask in masks:
                varint(mask, out)
    return bytes(out)


def bigram_block(docs: list[int], names: list[int]) -> bytes:
    """Gaps of the documents with the two words in a row, then of those where both are capitalised (a name)."""
    out = bytearray(gaps(docs))
    varint(len(names), out)
    if names:
        out += gaps(names)
    return bytes(out)


def pack(entries: list[tuple[str, int, bytes]]) -> bytes:
    """A shard: the count, then each term with its document count and block length, then the blocks."""
    out = bytearray()
    varint(len(entries), out)
    for text, df, block in entries:
        encoded = text.encode("utf-8")
        varint(len(encoded), out)
        out += encoded
        varint(df, out)
        varint(len(block), out)
    for _text, _df, block in entries:
        out += block
    return bytes(out)


def compress(data: bytes) -> bytes:
    """gzip without a time stamp, so the same data always gives the same bytes."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def shard_count(sizes: int, sample: bytes, target: int) -> int:
    """Enough shards that each holds about `target` compressed bytes, judged by a quick compression."""
    ratio = len(zlib.compress(sample, 1)) / max(1, len(sample))
    return max(1, round(sizes * ratio / target))


def owner(first: str, second: str, df: dict[str, int]) -> str:
    """The word whose shard holds a bigram: the rarer one (then the first in order), which the query fetches anyway."""
    return min((df[first], first), (df[second], second))[1]


def postings_files(collector: Collector) -> tuple[int, float, list[tuple[str, bytes]]]:
    """(shard count, weight unit, files): each syllable in the shard of its hash, each bigram with its rarer word."""
    total = len(collector.lengths)
    average = max(1.0, sum(collector.lengths) / max(1, total))
    saturation = [K1 * (1 - B + B * (bucket * 4 + 2) / average) for bucket in range(0x1000)]
    unit = idf(1, total) * (K1 + 1) / LEVELS
    df = {term: len(entry.docs) for term, entry in collector.unigrams.items()}
    entries = [
        (term, term, df[term], unigram_block(entry, idf(df[term], total) / unit, saturation))
        for term, entry in collector.unigrams.items()
    ]
    entries += [
        (owner(a, b, df), f"{a} {b}", len(docs), bigram_block(docs, collector.names.get((a, b), [])))
        for (a, b), docs in collector.bigrams.items()
        if a and b
    ]
    entries.sort(key=operator.itemgetter(1))
    sample = b"".join(entry[3] for entry in entries[:: max(1, len(entries) // 2000)])
    count = shard_count(sum(len(e[3]) + len(e[1]) + 6 for e in entries), sample, SHARD_TARGET)
    shards: list[list[tuple[str, int, bytes]]] = [[] for _ in range(count)]
    for home, text, documents, block in entries:
        shards[fnv1a(home) % count].append((text, documents, block))
    return count, unit, [(f"t/{number}.bin", compress(pack(shard))) for number, shard in enumerate(shards)]


def lead(article: Article) -> str:
    """The summary cut at a word near LEAD_CHARS, for the result excerpt."""
    text = " ".join(article.summary.split())
    if len(text) <= LEAD_CHARS:
        return text
    return text[:LEAD_CHARS].rsplit(" ", 1)[0] + " …"


def document_files(site: Site) -> tuple[int, list[tuple[str, bytes]]]:
    """(documents per file, files): URL, title, date, category number and lead of each document."""
    numbers = {section.name: number for number, section in enumerate(site.categories)}
    records = [
        [a.url, a.title, a.date.isoformat(timespec="minutes"), numbers[a.category], lead(a)] for a in site.articles
    ]
    encoded = [json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode("utf-8") for r in records]
    count = shard_count(sum(map(len, encoded)), b"\n".join(encoded[:: max(1, len(encoded) // 500)]), DOCS_TARGET)
    per_file = max(8, -(-len(records) // count))
    files = [
        (f"d/{start // per_file}.bin", compress(b"[" + b",".join(encoded[start : start + per_file]) + b"]"))
        for start in range(0, len(records), per_file)
    ]
    return per_file, files


def vocabulary_files(collector: Collector) -> tuple[list[str], list[tuple[str, bytes]]]:
    """(first term of each file, files): folded syllables in order with their document counts, for prefixes."""
    lines = [f"{term} {len(entry.docs)}\n".encode() for term, entry in sorted(collector.unigrams.items())]
    terms = sorted(collector.unigrams)
    count = shard_count(sum(map(len, lines)), b"".join(lines), VOCAB_TARGET)
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


def day(moment_ordinal: int) -> int:
    """Days since 1970-01-01 from a proleptic ordinal."""
    return moment_ordinal - 719163


def render_search(site: Site) -> list[OutputFile]:
    """Every file of the search index under /tim-kiem/index/."""
    collector = Collector()
    for doc, article in enumerate(site.articles):
        collector.add(doc, *article_text(article))
    shards, unit, files = postings_files(collector)
    per_file, documents = document_files(site)
    firsts, vocabulary = vocabulary_files(collector)
    files += documents + vocabulary + category_files(site)
    stride = max(1, -(-len(site.articles) // DATE_POINTS))
    days = [day(a.date.toordinal()) for a in site.articles[::stride]]
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode() + b"\0" + data)
    meta = {
        "format": FORMAT,
        "version": digest.hexdigest()[:16],
        "documents": len(site.articles),
        "shards": shards,
        "perFile": per_file,
        "unit": round(unit, 6),
        "levels": LEVELS,
        "vocabulary": firsts,
        "categories": [[s.name, s.slug, len(s.articles)] for s in site.categories],
        "dateStride": stride,
        "days": days,
    }
    files.append(("meta.json", json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()))
    return [OutputFile(f"{INDEX}/{name}", data, "search index") for name, data in files]
