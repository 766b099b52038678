"""Search shards: the encoded postings lists put in files a query can fetch few of.

Terms go to buckets by a hash (a bigram by its first word, so a phrase's words come together) and
runs of buckets make shards of even size; a list too big to share a shard gets a file of its own,
and accented forms kept apart have shards of their own. The client finds every file from the
summary (meta.json) and the term alone.
"""

from __future__ import annotations

import gzip
import math
import operator
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import pairwise

from .parallel import ordered_map
from .search_postings import (
    K1,
    LEVELS,
    B,
    Collector,
    Entry,
    bigram_block,
    idf,
    level,
    level_unit,
    unigram_blocks,
    varint,
)

SHARD_TARGET = 10_000
POSTINGS_FILES = 500
BUCKETS = 1 << 16
ALONE_SHARE = 75  # a list bigger than this per cent of a shard gets a file of its own
GZIP_LEVEL = 5  # of the index's gzipped files (see compress)
ENCODE_CHUNK = 1024  # lists encoded together in one process (most take microseconds)
SAMPLE_BYTES = 4 << 20  # of the lists, compressed to judge how well all of them compress
GRID = 32  # steps per doubling that the compression ratio and the shards' size are rounded to


def pack(entries: list[Entry]) -> bytes:
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
    """gzip without a time stamp, so the same data always gives the same bytes, at GZIP_LEVEL: on
    postings, level 6 (zlib's default) takes twice level 5's time for files 4 % smaller."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def on_grid(value: float) -> float:
    """`value` rounded to one of GRID steps per doubling: a figure that one edit seldom moves, so that the
    shards keep their bounds, and most of them their bytes, from one update of a watcher to the next."""
    return float(2 ** (round(math.log2(value) * GRID) / GRID))


def shard_count(data: bytes, target: int) -> int:
    """Enough files that each holds about `target` compressed bytes of `data`, judged by a quick compression."""
    return max(1, round(len(zlib.compress(data, 1)) / target))


def encoded(collector: Collector, jobs: int = 1) -> list[Entry]:
    """(term, document count, block) of every syllable, accented forms kept apart and bigram, in `jobs` processes.

    Blocks are kept in the collector: after an edit (Collector.replace) only the lists that changed are
    encoded again. The weights depend on the number of documents and their average length, rounded to a
    word so that an edit seldom changes it (and with it every weight).
    """
    total = max(1, len(collector.lengths))
    average = max(1, round(sum(collector.lengths) / total))
    saturation = [K1 * (1 - B + B * (bucket * 4 + 2) / average) for bucket in range(0x1000)]
    unit = level_unit(total)
    if collector.weighed != (total, average):
        collector.syllable_entries.clear()
        collector.weighed = (total, average)
    for term, changes in collector.reweigh.items():  # a document's weight keys changed: do its levels?
        scale = idf(len(collector.unigrams[term].docs), total) / unit
        if any(level(old, scale, saturation) != level(new, scale, saturation) for old, new in changes):
            collector.syllable_entries.pop(term, None)
    collector.reweigh.clear()
    syllables = [item for item in collector.unigrams.items() if item[0] not in collector.syllable_entries]
    pairs = sorted(pair for pair in collector.bigrams if pair[0] and pair[1] and pair not in collector.pair_entries)
    members: dict[str, set[int]] = {}

    def both(a: str, b: str) -> Callable[[], list[int]]:
        """The documents with both words, in order (computed only when asked)."""

        def within() -> list[int]:
            if a not in members:
                members.clear()  # bigrams come grouped by their first word: keep one set at a time
                members[a] = set(collector.unigrams[a].docs)
            return list(filter(members[a].__contains__, collector.unigrams[b].docs))  # in order, as b's are

        return within

    def encode(number: int) -> tuple[Entry, ...]:
        if number < len(syllables):
            term, postings = syllables[number]
            df = len(postings.docs)
            block, accents = unigram_blocks(postings, idf(df, total) / unit, saturation, total)
            return ((term, df, block), (f"{term}*", df, accents)) if accents else ((term, df, block),)
        a, b = pair = pairs[number - len(syllables)]
        docs, names, titled = collector.bigrams[pair], collector.names.get(pair, []), collector.titled.get(pair, [])
        return ((f"{a} {b}", len(docs), bigram_block(docs, names, titled, both(a, b))),)

    made = ordered_map(encode, len(syllables) + len(pairs), jobs, chunk=ENCODE_CHUNK)
    collector.syllable_entries.update(zip((term for term, _postings in syllables), made[: len(syllables)], strict=True))
    collector.pair_entries.update(zip(pairs, (entry for (entry,) in made[len(syllables) :]), strict=True))
    entries = [entry for term in collector.unigrams for entry in collector.syllable_entries[term]]
    entries += [collector.pair_entries[pair] for pair in collector.bigrams if pair[0] and pair[1]]
    return entries


def postings_files(collector: Collector, jobs: int = 1) -> tuple[dict[str, object], list[tuple[str, bytes]]]:
    """(summary for the client, files), the lists encoded and the files compressed in `jobs` processes.

    A syllable lives in the shard of its hash, and a bigram in the shard of its first word's hash, so
    the words of a phrase arrive together: a three-word query reads three shards. A word whose
    bigrams would overfill that shard has them spread by the hash of the whole bigram instead, and a
    list too big to share any shard gets a file of its own. The summary names both kinds. Accented
    forms kept apart ("term*") have shards of their own, twice as big, read only for diacritics.
    """
    total = max(1, len(collector.lengths))
    unit = level_unit(total)
    entries = encoded(collector, jobs)
    entries.sort(key=operator.itemgetter(0))
    apart = [entry for entry in entries if entry[0].endswith("*")]
    entries = [entry for entry in entries if not entry[0].endswith("*")]
    size = sum(len(text) + len(block) for text, _df, block in entries)
    step = max(1, size // SAMPLE_BYTES)
    sample = b"".join(
        text.encode() + block
        for text, _df, block in entries
        if step == 1 or collector.hash(text.partition(" ")[0]) % step == 0  # a word with its bigrams
    )
    ratio = on_grid(max(1, len(zlib.compress(sample, 1))) / max(1, len(sample)))
    target = max(SHARD_TARGET, round(on_grid(max(1.0, size * ratio / POSTINGS_FILES))))
    half = target * ALONE_SHARE // 100
    long = (entry for entry in entries if len(entry[2]) > half)
    sizes = {entry: collector.sizes.get(entry) or len(zlib.compress(entry[2], 1)) for entry in long}
    collector.sizes = sizes  # compressed sizes of the long lists, for the next update
    alone = [entry for entry in entries if sizes.get(entry, 0) > half]
    big = {entry[0] for entry in alone}
    shared = [entry for entry in entries if entry[0] not in big]
    family: Counter[str] = Counter()
    for text, _df, block in shared:
        if " " in text:
            family[text.split(" ", 1)[0]] += len(text) + len(block)
    spread = {word for word, size in family.items() if size * ratio > half}
    starts, shards = balanced_shards(shared, spread, target / ratio, collector.hash)
    forms_size = sum(len(block) for _text, _df, block in apart) * ratio
    forms_count = max(1, round(forms_size / (2 * target))) if apart else 0
    forms: list[list[Entry]] = [[] for _ in range(forms_count)]
    for entry in apart:
        forms[collector.hash(entry[0]) % forms_count].append(entry)
    named = [(f"t/{number}.bin", shard) for number, shard in enumerate(shards)]
    named += [(f"x/{number}.bin", [entry]) for number, entry in enumerate(alone)]
    named += [(f"f/{number}.bin", shard) for number, shard in enumerate(forms)]
    before = collector.shards_made

    def make(number: int) -> bytes:
        name, shard = named[number]
        known = before.get(name)
        return known[1] if known is not None and known[0] == shard else compress(pack(shard))

    packed = ordered_map(make, len(named), jobs, chunk=4)
    collector.shards_made = {name: (shard, data) for (name, shard), data in zip(named, packed, strict=True)}
    files = [(name, data) for (name, _shard), data in zip(named, packed, strict=True)]
    summary = {
        "shards": len(shards),
        "shardStarts": starts[:1] + [b - a for a, b in pairwise(starts)],
        "buckets": BUCKETS,
        "formShards": forms_count,
        "big": [text for text, _df, _block in alone],
        "spread": sorted(spread),
        "unit": round(unit, 6),
        "levels": LEVELS,
    }
    return summary, files


def balanced_shards(
    shared: list[Entry], spread: set[str], size: float, hashed: Callable[[str], int]
) -> tuple[list[int], list[list[Entry]]]:
    """(first bucket of each shard, shards): terms hashed into BUCKETS buckets, and runs of buckets cut into
    shards of about `size` uncompressed bytes, so that no shard is much bigger than another (the client
    finds a term's shard from its bucket and the list of first buckets)."""
    buckets: defaultdict[int, list[Entry]] = defaultdict(list)
    for entry in shared:
        buckets[hashed(home(entry[0], spread)) % BUCKETS].append(entry)
    starts: list[int] = [0]
    shards: list[list[Entry]] = [[]]
    filled = 0
    for bucket in sorted(buckets):
        weight = sum(len(text) + len(block) for text, _df, block in buckets[bucket])
        if filled and filled + weight > size:
            starts.append(bucket)
            shards.append([])
            filled = 0
        shards[-1] += buckets[bucket]
        filled += weight
    if len(shards) > 1 and filled < size / 2:  # a small remainder joins the shard before it
        starts.pop()
        tail = shards.pop()
        shards[-1] += tail
    return starts, shards


def home(term: str, spread: set[str]) -> str:
    """What a term is hashed by: a bigram by its first word, unless that word's bigrams are spread."""
    first, space, _second = term.partition(" ")
    return first if space and first not in spread else term
