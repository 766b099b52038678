"""Search postings: every article read once into folded syllables and bigrams, and each list encoded.

A folded syllable ("so") keeps, per article, its BM25 weight quantised on one scale for the whole
index, whether it is in the title, and which accented forms ("số", "sở"…) the article uses. A
folded bigram ("doi so") keeps the articles that have the two words in a row, those where both
are capitalised (a name, such as "Đà Nẵng") and those where they are in the title, written
against the two words' lists when that is shorter. search_shards.py puts the lists in files.
"""

from __future__ import annotations

import contextlib
import gc
import math
import operator
import re
from array import array
from bisect import bisect_left, insort
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial, reduce
from itertools import islice, pairwise, repeat
from typing import cast

from .markup import text_of
from .model import Article
from .parallel import core_free, in_background
from .text import fold, nfc, place_tone, search_tokens

K1, B = 1.2, 0.75
LEVELS = 63
MAX_FORMS = 30
RELATIVE_MIN = 32
FORMS_APART = 512
SPLIT_FROM = 200  # articles: fewer are read faster in one process than split and joined
STEP = 64  # articles read between two looks for a free core
Entry = tuple[str, int, bytes]  # a list of the index: its term, document count and block
TokensOf = Callable[[int], list[str]]  # a document's tokens, by its number
_DOCS, _KEYS = operator.attrgetter("docs"), operator.attrgetter("keys")
_BLOCK = re.compile(r"<(?=/?(?:p|div|li|h\d|br|td|th|tr|blockquote|figure|figcaption|pre|dd|dt|hr|table)\b)")


@dataclass(slots=True)
class Postings:
    """One folded syllable while the index is built: documents, weight keys, accented forms used."""

    docs: array = field(default_factory=lambda: array("I"))
    keys: array = field(default_factory=lambda: array("I"))
    masks: array = field(default_factory=lambda: array("B"))  # widened as forms come (mask_type)
    forms: dict[str, int] = field(default_factory=dict)

    def fit_masks(self, before: int) -> None:
        """After accented forms were added (`before` of them until then): a mask for every document so
        far, in the smallest type that holds the forms. With one form no masks are kept: all use it."""
        if len(self.forms) < 2:
            return
        kind = mask_type(len(self.forms))
        if before < 2:
            self.masks = array(kind, [1]) * len(self.docs)
        elif self.masks.typecode != kind:
            self.masks = array(kind, self.masks)


@dataclass(slots=True)
class Reading:
    """What one document adds to the postings: its length, its syllables with their weight keys and masks of
    accented forms, and its bigrams: in a row, as a name, in the title."""

    length: int
    terms: list[str]
    keys: list[int]
    masks: dict[str, int]
    pairs: set[tuple[str, str]]
    names: set[tuple[str, str]]
    titled: set[tuple[str, str]]
    found: list[str]  # its tokens, in order


NOTHING = Reading(0, [], [], {}, set(), set(), set(), [])  # what a document that is not there adds


def _bits(mask: int) -> Iterator[int]:
    """Each bit set in `mask`, alone."""
    while mask:
        low = mask & -mask
        yield low
        mask ^= low


def article_text(article: Article) -> tuple[str, str]:
    """(title, the rest as plain text): lead, tags, caption and body, with block ends as spaces."""
    body = text_of(_BLOCK.sub(" <", article.body_html))
    return article.title, "\n".join([article.lead, " ; ".join(article.tags), article.image_caption, body])


def document_tokens(title: str, rest: str) -> list[str]:
    """A document's tokens in order, the title's first (a full stop between, so no bigram spans them)."""
    return search_tokens(f"{title}\n.\n{rest}")


def mask_type(forms: int) -> str:
    """The smallest array type with a bit for each of `forms` accented forms (the 64th and later share one):
    most syllables have a few forms, and a byte a document is an eighth of the memory of the widest."""
    return next(kind for kind in "BHIQ" if array(kind).itemsize * 8 >= min(forms, 64))


def varint(value: int, out: bytearray) -> None:
    """LEB128: seven bits a byte, the high bit set on all but the last."""
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)


def gaps(docs: array | list[int]) -> bytes:
    """Ascending document numbers as varint gaps (the first one as it is)."""
    if isinstance(docs, array):
        docs = docs.tolist()  # each number made into an object once, not twice
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


def level_unit(total: int) -> float:
    """The BM25 weight of one of the LEVELS weights are quantised to: the highest weight of the index
    (a syllable in one document of `total`, saturated) divided into LEVELS."""
    return idf(1, total) * (K1 + 1) / LEVELS


class Collector:
    """Reads every document once and gathers postings (one per build, never shared)."""

    def __init__(self) -> None:
        self.unigrams: dict[str, Postings] = {}
        self.bigrams: defaultdict[tuple[str, str], array] = defaultdict(partial(array, "I"))  # 4 bytes a posting
        self.names: defaultdict[tuple[str, str], array] = defaultdict(partial(array, "I"))
        self.titled: defaultdict[tuple[str, str], array] = defaultdict(partial(array, "I"))
        self.lengths = array("I")
        self.term_of: dict[str, str] = {}
        self.bit_of: dict[str, int] = {}
        self.capital: dict[str, int] = {}
        self.tokens_of: defaultdict[str, list[str]] = defaultdict(list)
        self.several: set[str] = set()  # tokens of syllables written in more than one accented form
        # what the last encoding made that stays true while the lists stay as they are (kept postings)
        self.syllable_entries: dict[str, tuple[Entry, ...]] = {}  # syllable → its lists (see unigram_blocks)
        self.weighed: tuple[int, int] = (0, 0)  # (documents, average length) the unigram blocks were weighed for
        self.reweigh: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)  # syllable → (old, new) keys
        self.pair_entries: dict[tuple[str, str], Entry] = {}  # bigram → its list (see bigram_block)
        self.shards_made: dict[str, tuple[list[Entry], bytes]] = {}  # shard's file → (its lists, the file)
        self.sizes: dict[Entry, int] = {}  # a long list → its size compressed (see search_shards.postings_files)
        self.hashes: dict[str, int] = {}  # term → fnv1a(term), for the terms that decide a shard

    def hash(self, term: str) -> int:
        """fnv1a(term), remembered: a term's shard is looked for at every update."""
        value = self.hashes.get(term)
        if value is None:
            value = self.hashes[term] = fnv1a(term)
        return value

    def postings_only(self) -> Collector:
        """This collector without what it learnt of tokens (a joined collector needs only its postings)."""
        self.term_of, self.bit_of, self.capital, self.tokens_of, self.several = {}, {}, {}, defaultdict(list), set()
        return self

    def join(self, later: Collector) -> bool:
        """Append the postings of `later`, read from the documents after these, as if read after them here.

        An accented form is numbered by its first use: the later collector's forms that are new here
        come after these in the order it found them, and its masks are renumbered to match. False
        (and this collector spoiled) when a syllable of `later` has more forms than a mask tells apart.
        """
        for term, entry in later.unigrams.items():
            mine = self.unigrams.get(term)
            if mine is None:
                self.unigrams[term] = entry
                continue
            if len(entry.forms) > 63:
                return False
            before = len(mine.forms)
            bits = [1 << min(mine.forms.setdefault(form, len(mine.forms)), 63) for form in entry.forms]
            mine.fit_masks(before)
            if before == 1 < len(mine.forms):  # its tokens read here now need their bits, as learn() does
                self.several.update(self.tokens_of[term])
            if len(mine.forms) > 1:
                kind = mine.masks.typecode
                if len(entry.forms) == 1:
                    mine.masks += array(kind, bits) * len(entry.docs)
                else:
                    renumbered = {  # or-ed, not added: forms from the 64th on share the last bit
                        mask: reduce(operator.or_, (bit for number, bit in enumerate(bits) if mask >> number & 1), 0)
                        for mask in set(entry.masks)
                    }
                    mine.masks += array(kind, map(renumbered.__getitem__, entry.masks))
            mine.docs += entry.docs
            mine.keys += entry.keys
        for pair, docs in later.bigrams.items():
            if pair in self.bigrams:
                self.bigrams[pair] += docs
            else:
                self.bigrams[pair] = docs
        for pair, listed in later.names.items():
            self.names[pair] += listed
        for pair, listed in later.titled.items():
            self.titled[pair] += listed
        self.lengths += later.lengths
        return True

    def learn(self, new: set[str]) -> None:
        """For each new token: its folded term, its accented form's bit in that term, whether it is capitalised."""
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
            if form not in entry.forms:
                entry.forms[form] = len(entry.forms)
                entry.fit_masks(len(entry.forms) - 1)
                if len(entry.forms) == 2:  # its tokens seen so far now need their bits
                    self.several.update(self.tokens_of[term])
            self.bit_of[token] = 1 << min(entry.forms[form], 63)
            self.tokens_of[term].append(token)
            if len(entry.forms) > 1:
                self.several.add(token)

    def read(self, title: str, rest: str) -> Reading:
        """What one document adds to the postings (new tokens are learnt: their terms and accented forms)."""
        title_tokens = search_tokens(title)
        found = document_tokens(title, rest)
        term_of, bit_of = self.term_of, self.bit_of
        looked_up = list(map(term_of.get, found))
        if None in looked_up:
            self.learn(set(found).difference(term_of))
            looked_up = list(map(term_of.get, found))
        folded = cast("list[str]", looked_up)
        counts = Counter(folded)
        counts.pop("", None)
        length = sum(counts.values())
        masks: dict[str, int] = {}
        for token in self.several.intersection(found):
            term = term_of[token]
            masks[term] = masks.get(term, 0) | bit_of[token]
        # This runs for every word of every article, so the loops are map() calls that stay in C.
        terms = list(counts)
        in_title = map(set(folded[: len(title_tokens)]).__contains__, terms)
        counted = map(operator.lshift, map(min, counts.values(), repeat(0xFF)), repeat(12))
        keys = map(operator.or_, map(operator.lshift, in_title, repeat(20)), counted)
        capitals = bytes(map(self.capital.__getitem__, found))
        names = set()
        at = capitals.find(b"\1\1")
        while at >= 0:
            names.add((folded[at], folded[at + 1]))
            at = capitals.find(b"\1\1", at + 1)
        return Reading(
            length,
            terms,
            list(map(operator.or_, keys, repeat(min(length >> 2, 0xFFF)))),
            masks,
            set(pairwise(folded)),
            names,
            set(pairwise(folded[: len(title_tokens)])),
            found,
        )

    def add(self, doc: int, title: str, rest: str) -> None:
        """Document `doc`; numbers must come in ascending order."""
        reading = self.read(title, rest)
        drain: Callable[[Iterable[object]], None] = deque[object](maxlen=0).extend
        self.lengths.append(reading.length)
        entries = list(map(self.unigrams.__getitem__, reading.terms))
        drain(map(array.append, map(_DOCS, entries), repeat(doc)))
        drain(map(array.append, map(_KEYS, entries), reading.keys))
        for term, mask in reading.masks.items():
            self.unigrams[term].masks.append(mask)
        drain(map(array.append, map(self.bigrams.__getitem__, reading.pairs), repeat(doc)))
        for pair in reading.names:
            self.names[pair].append(doc)
        for pair in reading.titled:
            self.titled[pair].append(doc)

    def replace(self, doc: int, old: Reading, new: Reading, found_of: TokensOf | None = None) -> bool:
        """Put `new` in the place of document `doc`, read before as `old`, as if every document were read again.

        The accented forms of a syllable are numbered by their first use; where the document is, or was,
        the first to use one, they are numbered again (see renumber: `found_of` gives the tokens of another
        document when needed). A syllable or a form no document uses any more is forgotten. False, and the
        collector spoiled, when the order of the forms cannot be told here.
        """
        had, has = set(old.terms), set(new.terms)
        renumber, gone = [], []
        for term in had | has:
            entry = self.unigrams[term]
            if term not in has and len(entry.docs) == 1:
                gone.append(term)  # only this document used it
                continue
            if len(entry.forms) == 1:
                continue
            bits = (old.masks.get(term, 1) if term in had else 0) | (new.masks.get(term, 1) if term in has else 0)
            if len(entry.forms) > 63:
                return False
            if not _used_before(entry, doc, bits):
                renumber.append((term, old.masks.get(term, 1) if term in had else 0))
        for term in old.terms:
            entry = self.unigrams[term]
            at = bisect_left(entry.docs, doc)
            del entry.docs[at], entry.keys[at]
            if len(entry.forms) > 1:
                del entry.masks[at]
        for term, key in zip(new.terms, new.keys, strict=True):
            entry = self.unigrams[term]
            at = bisect_left(entry.docs, doc)
            entry.docs.insert(at, doc)
            entry.keys.insert(at, key)
            if len(entry.forms) > 1:
                entry.masks.insert(at, new.masks[term])
        for lists, before, after in (
            (self.bigrams, old.pairs, new.pairs),
            (self.names, old.names, new.names),
            (self.titled, old.titled, new.titled),
        ):
            for pair in before:
                listed = lists[pair]
                del listed[bisect_left(listed, doc)]
                if not listed:
                    del lists[pair]
            for pair in after:
                insort(lists[pair], doc)
        self.lengths[doc] = new.length
        self._forget_blocks(old, new)
        for term in gone:
            self._drop(term)
        return all(self.renumber(term, doc, was, new, found_of) for term, was in renumber)

    def _drop(self, term: str) -> None:
        """Forget a syllable no document uses any more, and its tokens, as a reading without it would not know them."""
        del self.unigrams[term]
        for token in self.tokens_of.pop(term, ()):
            self.term_of.pop(token, None)
            self.bit_of.pop(token, None)
            self.several.discard(token)
        self.syllable_entries.pop(term, None)

    def insert(self, doc: int, new: Reading, found_of: TokensOf | None = None) -> bool:
        """Put a new document at number `doc`, those from `doc` on numbered one more, as if every document were
        read again (False, and the collector spoiled, as for replace)."""
        self._shift(doc, 1)
        self.lengths.insert(doc, 0)
        return self.replace(doc, NOTHING, new, found_of)

    def remove(self, doc: int, old: Reading, found_of: TokensOf | None = None) -> bool:
        """Take out document `doc`, read as `old`, those after it numbered one less (False as for replace)."""
        if not self.replace(doc, old, NOTHING, found_of):
            return False
        del self.lengths[doc]
        self._shift(doc + 1, -1)
        return True

    def _shift(self, start: int, by: int) -> None:
        """Number every document from `start` on `by` more, in every list; every list's block is encoded again."""
        step = by.__add__
        for lists in (
            map(_DOCS, self.unigrams.values()),
            self.bigrams.values(),
            self.names.values(),
            self.titled.values(),
        ):
            for docs in lists:
                at = bisect_left(docs, start)
                if at < len(docs):
                    docs[at:] = array("I", map(step, docs[at:]))
        self.syllable_entries.clear()
        self.pair_entries.clear()
        self.reweigh.clear()

    def _forget_blocks(self, old: Reading, new: Reading) -> None:
        """Let go of the blocks that a document read as `old`, now `new`, changes: of the syllables it gained
        or lost or uses in other forms, of the bigrams whose lists changed, and of the bigrams whose documents
        with both words changed (a block may be written against them). A syllable whose weight key changed
        keeps its block if the weight level stays (see search_shards.encoded)."""
        had, has = set(old.terms), set(new.terms)
        words = had ^ has
        changed = set(words)
        keys = dict(zip(old.terms, old.keys, strict=True))
        for term, key in zip(new.terms, new.keys, strict=True):
            if term in words:
                continue
            if old.masks.get(term) != new.masks.get(term):
                changed.add(term)
            elif keys[term] != key and term in self.syllable_entries:
                self.reweigh[term].append((keys[term], key))
        for term in changed:
            self.syllable_entries.pop(term, None)
        for pair in (old.pairs ^ new.pairs) | (old.names ^ new.names) | (old.titled ^ new.titled):
            self.pair_entries.pop(pair, None)
        present = had | has
        for word in words:
            for other in present:
                self.pair_entries.pop((word, other), None)
                self.pair_entries.pop((other, word), None)

    def renumber(self, term: str, doc: int, was: int, new: Reading, found_of: TokensOf | None = None) -> bool:
        """Number the accented forms of `term` by their first use again, after document `doc` (which used the
        forms `was` before) was read as `new`; a form no document uses any more is forgotten.

        Forms first used in one document are numbered in the order of their smallest tokens (a reading learns
        a document's new tokens in order). When a form the document used first now comes first in another
        that also uses another form first, that document's tokens are needed (`found_of`: the tokens of a
        document); without them, False: the order cannot be told here."""
        entry = self.unigrams[term]
        first = _first_uses(entry.masks, len(entry.forms))
        used = [number for number, index in enumerate(first) if index is not None]
        at = {number: entry.docs[first[number]] for number in used}
        moved = [number for number in used if was >> number & 1 and at[number] > doc]  # was first here
        shared = {at[number] for number in moved if sum(at[other] == at[number] for other in used) > 1}
        if shared and found_of is None:
            return False
        smallest = {where: self._smallest(term, found_of(where)) for where in shared} if found_of else {}
        smallest[doc] = self._smallest(term, new.found)
        order = sorted(used, key=lambda n: (at[n], smallest[at[n]][n] if at[n] in smallest else "", n))
        if order == list(range(len(entry.forms))):
            return True
        place = {number: new_number for new_number, number in enumerate(order)}
        self.syllable_entries.pop(term, None)  # its forms in another order, or fewer
        forms = sorted(entry.forms, key=entry.forms.__getitem__)
        entry.forms = {forms[number]: new_number for new_number, number in enumerate(order)}
        if len(order) == 1:
            entry.masks = array("B")  # one form: no masks, as a reading keeps none
        else:
            moved_bits = {
                mask: reduce(operator.or_, (1 << place[n] for n in used if mask >> n & 1), 0)
                for mask in set(entry.masks)
            }
            entry.masks = array(mask_type(len(order)), map(moved_bits.__getitem__, entry.masks))
        tokens = []
        for token in self.tokens_of[term]:
            number = self.bit_of[token].bit_length() - 1
            if number in place:
                self.bit_of[token] = 1 << place[number]
                tokens.append(token)
            else:  # of a form gone
                self.term_of.pop(token, None)
                self.bit_of.pop(token, None)
                self.several.discard(token)
        self.tokens_of[term] = tokens
        if len(order) == 1:
            self.several.difference_update(tokens)
        return True

    def _smallest(self, term: str, found: list[str]) -> dict[int, str]:
        """Form number of `term` → the smallest of its tokens among `found` (the one a reading learns first)."""
        entry, smallest = self.unigrams[term], {}
        for token in found:
            if (self.term_of.get(token) or fold(token)) == term:
                number = entry.forms.get(place_tone(nfc(token.lower())))
                if number is not None:
                    smallest[number] = min(smallest.get(number, token), token)
        return smallest


def _first_uses(masks: array, count: int) -> list[int | None]:
    """The place of the first mask with each of the `count` bits set, None for a bit never set (looked for in
    growing runs, each first or-ed together in C)."""
    first: list[int | None] = [None] * count
    missing, start, run = (1 << count) - 1, 0, 64
    while missing and start < len(masks):
        chunk = masks[start : start + run]
        if reduce(operator.or_, set(chunk), 0) & missing:
            for index, mask in enumerate(chunk, start):
                for bit in _bits(mask & missing):
                    first[bit.bit_length() - 1] = index
                    missing ^= bit
        start, run = start + run, run * 2
    return first


def _used_before(entry: Postings, doc: int, bits: int) -> bool:
    """Whether each accented form among `bits` is used by a document before `doc`, which then numbers none."""
    before = bisect_left(entry.docs, doc)
    return all(any(mask & bit for mask in islice(entry.masks, before)) for bit in _bits(bits))


class KeptPostings:
    """The postings of a site's last reading, kept by a watcher: only the articles that changed are read again.

    An article edited in place (or moved: the articles at two places or more change) is put in the place of the
    old one; a deleted article is taken out and a new one put in, the documents after it numbered again."""

    MOST_CHANGED = 20  # an article in so many at most (or 8): beyond that, reading every article costs about as much

    def __init__(self) -> None:
        self.articles: tuple[Article, ...] = ()
        self.collector: Collector | None = None
        # the document store's records of the last update, by article (its articles kept, so ids stay theirs)
        self.records: tuple[tuple[Article, ...], dict[str, int], list[bytes]] = ((), {}, [])
        self.documents_made: dict[str, tuple[list[bytes], bytes]] = {}  # document file → (its records, the file)

    def updated(self, articles: tuple[Article, ...]) -> Collector | None:
        """The postings of `articles`, if those kept can be brought to them; they are let go either way, and kept
        again only when brought up to date (a build stopped half-way leaves nothing half-changed)."""
        collector, self.collector = self.collector, None
        if collector is None:
            return None
        now = {a.source for a in articles}
        gone = [doc for doc, a in enumerate(self.articles) if a.source not in now]
        before = {a.source for a in self.articles}
        came = [doc for doc, a in enumerate(articles) if a.source not in before]
        staying = [a for a in self.articles if a.source in now]  # the old articles once those gone are taken out
        final = [a for a in articles if a.source in before]
        changed = [doc for doc, (a, b) in enumerate(zip(staying, final, strict=True)) if a is not b]
        if len(gone) + len(came) + len(changed) > max(8, len(articles) // self.MOST_CHANGED):
            return None
        current = list(self.articles)  # the documents as the collector has them, step by step

        def found_of(doc: int) -> list[str]:
            return document_tokens(*article_text(current[doc]))

        for doc in reversed(gone):
            if not collector.remove(doc, collector.read(*article_text(current[doc])), found_of):
                return None
            del current[doc]
        for doc in changed:
            old = collector.read(*article_text(current[doc]))
            current[doc] = final[doc]
            if not collector.replace(doc, old, collector.read(*article_text(final[doc])), found_of):
                return None
        for doc in came:  # in order: the documents before each one are already those of `articles`
            current.insert(doc, articles[doc])
            if not collector.insert(doc, collector.read(*article_text(articles[doc])), found_of):
                return None
        self.keep(articles, collector)
        return collector

    def keep(self, articles: tuple[Article, ...], collector: Collector) -> None:
        self.articles, self.collector = articles, collector


def collect(articles: Sequence[Article], jobs: int = 1, kept: KeptPostings | None = None) -> Collector:
    """Postings of the articles, numbered in their order (the site's: newest first).

    With a second core, this process reads from the first article on; as soon as a core is free (at
    once, unless workers are still making pages) a forked process reads the second half of what is
    left, and the two parts are joined: the same postings as one reading, in less time, and with no
    third process copying the articles' memory beside the page workers. `kept`: the postings of the
    last reading, brought up to date when they can be, else replaced by this one's.
    """
    articles = tuple(articles)  # read here, whole, whichever process reads each article's text
    if kept is not None and (collector := kept.updated(articles)) is not None:
        return collector
    with _no_cycle_collection(), contextlib.ExitStack() as stack:
        collector, doc, end, later = Collector(), 0, len(articles), None
        while doc < end:
            if later is None and jobs > 1 and end - doc >= SPLIT_FROM and core_free():
                end = doc + (end - doc) // 2
                later = stack.enter_context(in_background(partial(_read_later, articles, end), jobs))
            doc = _read(collector, articles, doc, min(doc + STEP, end))
        if later is not None:
            rest = later() or _collect(articles, end)  # the process failed: read its part here
            if not collector.join(rest):  # too many forms of a syllable to join
                collector = _collect(articles, 0)
    if kept is not None:
        kept.keep(articles, collector)
    return collector


def _read(collector: Collector, articles: Sequence[Article], start: int, stop: int) -> int:
    """Add the articles numbered from `start` to `stop` (not included) to the collector; returns `stop`."""
    for doc in range(start, stop):
        collector.add(doc, *article_text(articles[doc]))
    return stop


def _collect(articles: Sequence[Article], start: int) -> Collector:
    """Postings of the articles from number `start` on."""
    collector = Collector()
    with _no_cycle_collection():
        _read(collector, articles, start, len(articles))
    return collector


def _read_later(articles: Sequence[Article], start: int) -> Collector:
    """In the forked process: the postings from `start` on, to be joined after the others."""
    return _collect(articles, start).postings_only()


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Millions of short-lived containers and no cycles: the cycle collector would only slow the reading."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def level(key: int, scale: float, saturation: list[float]) -> int:
    """The byte of a document in a syllable's list: the BM25 weight of the key's count of the syllable in a
    document of the key's length, quantised on `scale` (1 to LEVELS), and the title bit."""
    count, bucket = key >> 12 & 0xFF, key & 0xFFF
    weight = round(scale * count * (K1 + 1) / (count + saturation[bucket]))
    return max(1, min(LEVELS, weight)) | (key >> 20) << 7


def unigram_blocks(entry: Postings, scale: float, saturation: list[float], total: int) -> tuple[bytes, bytes]:
    """(postings, accented forms): gaps, one byte per document (weight level, title bit), then the accented
    forms and each document's mask of them, or a 0 when these are too many to keep here.

    A syllable in more than half the documents lists the documents without it instead (the client
    knows both counts): "thanh" on a Thanh Hóa bulletin costs its few absences, not every article.
    The forms and masks count only when a reader types diacritics, which most do not, so a long list
    keeps them apart (returned second, stored as the term followed by "*") for the client to fetch
    only then.
    """
    levels = {key: level(key, scale, saturation) for key in set(entry.keys)}
    if len(entry.docs) * 2 > total:
        absent = sorted(set(range(total)).difference(entry.docs))
        out = bytearray(gaps(absent) if absent else b"")
    else:
        out = bytearray(gaps(entry.docs))
    out += bytes(map(levels.__getitem__, entry.keys))
    forms = sorted(entry.forms, key=entry.forms.__getitem__)[:MAX_FORMS]
    extra = bytearray()
    varint(len(forms), extra)
    if len(forms) > 1:
        for form in forms:
            encoded = form.encode("utf-8")
            varint(len(encoded), extra)
            extra += encoded
        masks = list(map(((1 << len(forms)) - 1).__and__, entry.masks))
        if max(masks) < 0x80:
            extra += bytes(masks)
        else:
            for mask in masks:
                varint(mask, extra)
    if len(extra) > FORMS_APART:
        return bytes(out + b"\0"), bytes(extra)
    return bytes(out + extra), b""


def bigram_block(docs: array, names: Sequence[int], titled: Sequence[int], both: Callable[[], list[int]]) -> bytes:
    """A bigram's postings in the smaller of two forms, told apart by the first byte.

    0: gaps of the documents with the two words in a row, then of those where both words are
    capitalised (a name), then of those where they are in the title. 1: one byte (bit 0 in a row,
    bit 1 a name, bit 2 in the title) per document that has both words, in order, so a list is
    spelled relative to its words' lists, which the client has already: a common phrase such as
    "thanh hoa" costs a few bytes, not a list as long as its words'.
    """
    if len(docs) >= RELATIVE_MIN:
        within = both()
        if len(docs) * 8 >= len(within):
            flags = bytearray(map(set(docs).__contains__, within))
            for bit, subset in ((2, names), (4, titled)):
                for doc in subset:
                    flags[bisect_left(within, doc)] |= bit
            return b"\1" + flags
    out = bytearray(b"\0")
    out += gaps(docs)
    for subset in (names, titled):
        varint(len(subset), out)
        if subset:
            out += gaps(subset)
    return bytes(out)
