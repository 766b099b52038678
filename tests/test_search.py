"""The search normaliser and the index files, read back from a real build."""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
import signal
import tempfile
import time
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import accumulate, pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import REPO, article
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import SiteConfig
from generator.model import Article, make_site, pack
from generator.search import render_search
from generator.search_postings import KeptPostings, fnv1a
from generator.text import exact, fold, place_tone, words

VECTORS = json.loads((REPO / "tests/vectors/normalise.json").read_text("utf-8"))["cases"]


NOW = datetime(2030, 1, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # after every generated article


@pytest.mark.parametrize("case", VECTORS, ids=lambda c: c.get("note", c["input"]))
def test_normaliser_matches_the_shared_vectors(case):
    assert fold(case["input"]) == case["fold"]
    assert exact(case["input"]) == case["exact"]
    if "words" in case:
        assert [fold(w) for w in words(case["input"])] == case["words"]


def test_vectors_cover_every_precomposed_vietnamese_letter_composed_and_decomposed():
    inputs = {c["input"] for c in VECTORS}
    for code in range(0x1EA0, 0x1EFA):
        assert chr(code) in inputs and unicodedata.normalize("NFD", chr(code)) in inputs
    assert {"Đ", "đ"} <= inputs


VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
text_strategy = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " ,.-0123456789", max_size=40)


@given(text_strategy)
def test_fold_and_exact_agree_for_any_text_in_any_normal_form(text):
    for form in ("NFC", "NFD"):
        typed = unicodedata.normalize(form, text)
        assert fold(typed) == fold(text) == fold(fold(text))
        assert exact(typed) == exact(text) == exact(exact(text))
        assert fold(exact(text)) == fold(text)
    assert fold(text).isascii()  # every Vietnamese letter folds to a-z


@pytest.mark.parametrize(
    ("old", "new"),
    [("hòa", "hoà"), ("thủy", "thuỷ"), ("khỏe", "khoẻ"), ("thúy", "thuý"), ("tùy", "tuỳ"), ("lõa", "loã")],
)
def test_both_tone_placements_give_one_exact_form(old, new):
    assert place_tone(old) == place_tone(new) == new
    assert exact(old.upper()) == new


# ---- Reading the built index the way the client does.


def varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def gaps(data: bytes, at: int, count: int) -> tuple[list[int], int]:
    docs, doc = [], 0
    for _ in range(count):
        delta, at = varint(data, at)
        doc += delta
        docs.append(doc)
    return docs, at


@dataclass
class Syllable:
    docs: list[int]
    levels: list[int]
    titles: list[bool]
    forms: list[str]
    masks: list[int]


@dataclass
class BuiltIndex:
    root: Path

    @property
    def meta(self) -> dict:
        return json.loads((self.root / "meta.json").read_text("utf-8"))

    def unpack(self, name: str) -> bytes:
        data = (self.root / name).read_bytes()
        assert data[:2] == b"\x1f\x8b"
        return gzip.decompress(data)

    def terms(self, name: str) -> dict[str, tuple[int, bytes]]:
        """A shard file ("t/3.bin", or "x/0.bin" for one big list): term → (document count, block)."""
        data = self.unpack(name)
        count, at = varint(data, 0)
        heads = []
        for _ in range(count):
            length, at = varint(data, at)
            term = data[at : at + length].decode("utf-8")
            df, at = varint(data, at + length)
            size, at = varint(data, at)
            heads.append((term, df, size))
        terms = {}
        for term, df, size in heads:
            terms[term] = (df, data[at : at + size])
            at += size
        assert at == len(data)
        return terms

    def file_of(self, term: str) -> str:
        meta = self.meta
        if term in meta["big"]:
            return f"x/{meta['big'].index(term)}.bin"
        if term.endswith("*"):
            return f"f/{fnv1a(term) % meta['formShards']}.bin"
        first, space, _ = term.partition(" ")
        home = first if space and first not in meta["spread"] else term
        starts = list(accumulate(meta["shardStarts"]))
        return f"t/{bisect_right(starts, fnv1a(home) % meta['buckets']) - 1}.bin"

    def all_terms(self) -> dict[str, tuple[int, bytes]]:
        found: dict[str, tuple[int, bytes]] = {}
        for path in sorted(self.root.glob("[txf]/*.bin")):
            found.update(self.terms(path.relative_to(self.root).as_posix()))
        return found

    def syllable(self, term: str) -> Syllable | None:
        entry = self.terms(self.file_of(term)).get(term)
        if entry is None:
            return None
        df, block = entry
        total = self.meta["documents"]
        if df * 2 > total:  # the documents without it
            absent, at = gaps(block, 0, total - df)
            docs = sorted(set(range(total)) - set(absent))
        else:
            docs, at = gaps(block, 0, df)
        levels = list(block[at : at + df])
        count, at = varint(block, at + df)
        if count == 0:  # the forms are kept apart, as "term*"
            assert at == len(block)
            block = self.terms(self.file_of(f"{term}*"))[f"{term}*"][1]
            count, at = varint(block, 0)
        forms, masks = [], []
        if count > 1:
            for _ in range(count):
                length, at = varint(block, at)
                forms.append(block[at : at + length].decode("utf-8"))
                at += length
            for _ in range(df):
                mask, at = varint(block, at)
                masks.append(mask)
        assert at == len(block)
        return Syllable(docs, [v & 0x7F for v in levels], [bool(v & 0x80) for v in levels], forms, masks)

    def bigram(self, first: str, second: str) -> tuple[list[int], list[int], list[int]] | None:
        """(documents with the two words in a row, those where they are a capitalised name, those with them in the title)."""
        term = f"{first} {second}"
        entry = self.terms(self.file_of(term)).get(term)
        if entry is None:
            return None
        df, block = entry
        if block[0] == 1:  # a flag byte per document with both words
            a, b = self.syllable(first), self.syllable(second)
            assert a is not None and b is not None
            within = sorted(set(a.docs) & set(b.docs))
            flags = block[1:]
            assert len(flags) == len(within)
            picked = [[doc for doc, flag in zip(within, flags, strict=True) if flag & bit] for bit in (1, 2, 4)]
            assert len(picked[0]) == df
            return picked[0], picked[1], picked[2]
        assert block[0] == 0
        docs, at = gaps(block, 1, df)
        count, at = varint(block, at)
        names, at = gaps(block, at, count)
        count, at = varint(block, at)
        titled, at = gaps(block, at, count)
        assert at == len(block)
        return docs, names, titled

    def documents(self) -> list[list]:
        """The records, with the address rebuilt as the client does when it is stored as a slug length."""
        records: list[list] = []
        for number in range(len(self.meta["documentRuns"])):
            records += json.loads(self.unpack(f"d/{number}.bin"))
            assert len(records) == sum(self.meta["documentRuns"][: number + 1])
        for record in records:
            if isinstance(record[0], int):
                record[0] = self.meta["address"] + "-".join(map(fold, words(record[1])))[: record[0]] + "/"
        return records


SITE = {
    "content/a.md": article(
        "Thanh Hóa đẩy mạnh chuyển đổi số",
        date="2026-11-20 08:00",
        category="Chuyển đổi số",
        body="Chuyển đổi số ở cấp xã. Sở Thông tin chủ trì.",
        summary="Tỉnh đặt mục tiêu chuyển đổi số toàn diện.",
    ),
    "content/b.md": article(
        "Lễ hội ở Thanh Hoá", date="2026-11-21 08:00", category="Văn hóa", body="Người dân Thanh Hoá dự lễ."
    ),
    "content/c.md": article(
        "Đường mới qua sông Mã", date="2026-11-22 08:00", category="Giao thông", body="Con đường dài 5 km. Sơ đồ tuyến."
    ),
    "content/draft.md": article("Bản nháp quyzdraft", category="Chuyển đổi số", body="quyzdraft số", draft="true"),
    "content/later.md": article("Tin hẹn giờ quyzlater", date="2026-12-01 08:00", body="quyzlater"),
}


@pytest.fixture
def built(make_site) -> BuiltIndex:
    site = make_site(SITE)
    assert site.run("build").code == 0
    return BuiltIndex(site.output / "tim-kiem/index")


def test_search_page_and_index_are_built(built):
    page = (built.root.parents[1] / "tim-kiem/index.html").read_text("utf-8")
    assert 'name="q"' in page and '<script src="/static/search.js" defer></script>' in page
    assert 'option value="giao-thong"' in page
    assert (built.root.parents[2] / "output/static/search.js").is_file()
    meta = built.meta
    assert meta["documents"] == 3
    assert [c[1] for c in meta["categories"]] == ["chuyen-doi-so", "giao-thong", "van-hoa"]


def test_drafts_and_scheduled_articles_are_not_in_the_index(built):
    terms = built.all_terms()
    assert not any("quyz" in term for term in terms)
    records = built.documents()
    assert [r[1] for r in records] == [
        "Đường mới qua sông Mã",
        "Lễ hội ở Thanh Hoá",
        "Thanh Hóa đẩy mạnh chuyển đổi số",
    ]
    everything = b"".join(built.unpack(p.relative_to(built.root).as_posix()) for p in built.root.rglob("*.bin"))
    assert b"quyz" not in everything and "nháp".encode() not in everything


def test_documents_keep_address_title_date_category_and_lead(built):
    newest, _, oldest = built.documents()
    assert newest == [
        "/bai-viet/duong-moi-qua-song-ma/",
        "Đường mới qua sông Mã",
        "2026-11-22T08:00+07:00",
        1,
        "Con đường dài 5 km. Sơ đồ tuyến.",
    ]
    assert oldest[4] == "Tỉnh đặt mục tiêu chuyển đổi số toàn diện."


def test_syllables_are_folded_with_their_accented_forms_and_title_bit(built):
    thanh_hoa = built.syllable("hoa")
    assert thanh_hoa is not None and thanh_hoa.docs == [1, 2]  # "Hoá" and "Hóa": one syllable
    assert thanh_hoa.titles == [True, True]
    so = built.syllable("so")  # "số" in doc 2, "Sơ" in doc 0, "Sở" in doc 2
    assert so.docs == [0, 2]
    assert set(so.forms) == {"số", "sơ", "sở"}
    bit = {form: 1 << i for i, form in enumerate(so.forms)}
    assert so.masks == [bit["sơ"], bit["số"] | bit["sở"]]
    duong = built.syllable("duong")  # "Đường" and "đường"
    assert duong.docs == [0] and duong.forms == [] and duong.titles == [True]
    assert all(1 <= level <= built.meta["levels"] for level in so.levels)
    assert built.syllable("đường") is None and built.syllable("xyz") is None


def test_bigrams_keep_word_order_and_names_and_stop_at_punctuation(built):
    assert built.bigram("thanh", "hoa") == ([1, 2], [1, 2], [1, 2])
    assert built.bigram("chuyen", "doi") == ([2], [], [2])
    assert built.bigram("song", "ma") == ([0], [], [0])  # "sông Mã": not both capitalised
    assert built.bigram("cap", "xa") == ([2], [], [])  # in the body only
    assert built.bigram("hoa", "thanh") is None
    assert built.bigram("xa", "so") is None  # "cấp xã. Sở" has a full stop between


def test_a_common_bigram_is_stored_against_its_words_lists_with_the_same_meaning(make_site, monkeypatch):
    from generator import search_postings

    plain = make_site(SITE)
    assert plain.run("build").code == 0
    plain_index = BuiltIndex(plain.output / "tim-kiem/index")
    pairs = [term.split(" ") for term in plain_index.all_terms() if " " in term]
    answers = {tuple(pair): plain_index.bigram(*pair) for pair in pairs}
    monkeypatch.setattr(search_postings, "RELATIVE_MIN", 1)
    assert plain.run("build", "--output", str(plain.root / "relative")).code == 0
    relative = BuiltIndex(plain.root / "relative/tim-kiem/index")
    blocks = relative.all_terms()
    assert sum(blocks[" ".join(pair)][1][0] == 1 for pair in pairs) > len(pairs) // 2
    assert {tuple(pair): relative.bigram(*pair) for pair in pairs} == answers
    assert blocks["thanh hoa"][1] == b"\x01\x07\x07"  # both documents with "thanh" and "hoa": a name, in the title


def test_addresses_are_rebuilt_from_titles_or_kept_whole(make_site):
    site = make_site(
        {
            "content/a.md": article("Họp báo quý IV", date="2026-11-20 08:00"),
            "content/b.md": article("Họp báo quý IV", date="2026-11-21 08:00"),
            "content/c.md": article("Tin riêng", date="2026-11-22 08:00", slug="dia-chi-rieng"),
            "content/d.md": article("Một tiêu đề " + "rất dài " * 20, date="2026-11-23 08:00"),
        }
    )
    assert site.run("build").code == 0
    index = BuiltIndex(site.output / "tim-kiem/index")
    stored = [json.loads(index.unpack(f"d/{n}.bin")) for n in range(len(index.meta["documentRuns"]))]
    kinds = [type(record[0]) for records in stored for record in records]
    assert kinds == [int, str, str, int]  # the long title's slug is cut: still the start of its words
    addresses = [record[0] for record in index.documents()]
    assert addresses == [
        "/bai-viet/" + a
        for a in (
            "mot-tieu-de-rat-dai-rat-dai-rat-dai-rat-dai-rat-dai-rat-dai-rat-dai-rat-dai-rat/",
            "dia-chi-rieng/",
            "hop-bao-quy-iv-2/",
            "hop-bao-quy-iv/",
        )
    ]
    for url in addresses:
        assert (site.output / url.strip("/") / "index.html").is_file()


def test_rarer_frequency_gives_more_weight(built):
    # "so" is in two of three documents, "duong" in one: a single occurrence weighs more when rarer.
    assert built.syllable("duong").levels[0] > min(built.syllable("so").levels)


def test_index_bytes_are_the_same_on_every_build(make_site, tmp_path):
    site = make_site(SITE)
    assert site.run("build").code == 0
    first = site.snapshot()
    assert site.run("build", "--output", str(tmp_path / "again")).code == 0
    second = {
        p.relative_to(tmp_path / "again").as_posix(): p.read_bytes()
        for p in (tmp_path / "again").rglob("*")
        if p.is_file()
    }
    index = {k: v for k, v in first.items() if k.startswith("tim-kiem/")}
    assert index and all(k in second for k in index)
    import hashlib

    assert all(hashlib.sha256(second[k]).hexdigest() == v for k, v in index.items())


def many_articles(count: int) -> list[Article]:
    """`count` articles of varied Vietnamese words, built in memory for the pure index function."""
    syllables = [
        "ba",
        "bà",
        "bá",
        "bả",
        "bã",
        "bạ",
        "ca",
        "cà",
        "cá",
        "cả",
        "cã",
        "cạ",
        "da",
        "dà",
        "dá",
        "đa",
        "đà",
        "đá",
        "ma",
        "mà",
        "má",
        "mả",
        "mã",
        "mạ",
        "tan",
        "tân",
        "tấn",
        "tần",
    ]
    syllables += [f"{a}{b}" for a in "nghi ngo tru thu" for b in "ên ăng ông ười ào ép"]
    start = datetime(2020, 1, 1).astimezone()
    result = []
    for n in range(count):
        picked = [syllables[(n * 7 + i * i * 13 + n // (i + 1)) % len(syllables)] for i in range(120)]
        body = " ".join(picked) + f" số{n}"
        result.append(
            Article(
                source=f"{n}.md",
                shown=f"content/{n}.md",
                title=" ".join(picked[:6]) + f" {n}",
                date=start + timedelta(hours=n),
                category=("Thời sự", "Kinh tế", "Y tế")[n % 3],
                summary=body[:200],
                body=pack(f"<p>{body}</p>"),
                slug=f"bai-{n}",
            )
        )
    return result


A_FORMS = sorted({ch.lower() for ch in map(chr, range(0xC0, 0x1F00)) if ch.isalpha() and fold(ch) == "a"})


def with_body(articles: list[Article], bodies: dict[int, str]) -> list[Article]:
    return [replace(a, body=pack(f"<p>{bodies[n]}</p>")) if n in bodies else a for n, a in enumerate(articles)]


@pytest.mark.parametrize(
    "case",
    [
        "mixed forms",
        "more than 64 forms in all",
        "more forms than a mask tells apart",
        "the forked reader fails",
        "no temporary file can be made",
    ],
)
def test_two_processes_read_the_articles_into_the_same_index_as_one(monkeypatch, case):
    from generator import search_postings

    articles = many_articles(300)  # the newest (the first half of the index) is the last
    spellings = [a + b for a in A_FORMS[:10] for b in A_FORMS[:7]]  # 70 spellings of "aa"
    if case == "more than 64 forms in all":  # 62 in the first half, 8 more in the second: they share the last bit
        articles = with_body(articles, {299: " ".join(spellings[:62]), 0: " ".join(spellings[60:])})
    if case == "more forms than a mask tells apart":  # "aa" in the first half, and all 70 in the second
        articles = with_body(articles, {299: "aa", **{n: " ".join(spellings[n::3]) for n in range(3)}})
    site, _ = make_site(SiteConfig(), articles, NOW)
    monkeypatch.setattr(search_postings, "SPLIT_FROM", 10)
    if case == "the forked reader fails":  # only the forked process hands its half over
        monkeypatch.setattr(search_postings.Collector, "postings_only", lambda self: 1 / 0)
    refused = []

    def no_space() -> None:
        refused.append(1)
        raise OSError(28, "No space left on device")

    if case == "no temporary file can be made":  # no forked reader: this process reads both halves
        monkeypatch.setattr(tempfile, "TemporaryFile", no_space)
    joined = []
    join = search_postings.Collector.join
    monkeypatch.setattr(
        search_postings.Collector, "join", lambda self, later: joined.append(join(self, later)) or joined[-1]
    )
    one, two = render_search(site, jobs=1), render_search(site, jobs=2)
    assert [(f.path, f.data) for f in one] == [(f.path, f.data) for f in two]
    assert len(one) > 10
    assert joined == [case != "more forms than a mask tells apart"]  # else read again in one process
    assert refused == ([1] if case == "no temporary file can be made" else [])


def test_while_workers_make_pages_the_second_reader_waits_for_a_free_core(monkeypatch):
    from generator import search_postings
    from generator.parallel import core_free, ordered_map

    site, _ = make_site(SiteConfig(), many_articles(600), NOW)
    monkeypatch.setattr(search_postings, "SPLIT_FROM", 10)
    monkeypatch.setattr(search_postings, "STEP", 8)
    starts = []
    background = search_postings.in_background

    def recorded(work, jobs):
        starts.append(work.args[1])  # where the forked reader starts
        return background(work, jobs)

    monkeypatch.setattr(search_postings, "in_background", recorded)
    alone = render_search(site, jobs=1)
    assert starts == []

    read, pages_may_end = [], multiprocessing.get_context("fork").Event()
    text = search_postings.article_text

    def counted(article: Article) -> tuple[str, str]:
        read.append(1)
        if len(read) == 200:
            pages_may_end.set()
        while len(read) == 250 and not core_free() and time.monotonic() < deadline:
            time.sleep(0.001)  # however slowly the worker starts, the pages end before this reads on
        return text(article)

    monkeypatch.setattr(search_postings, "article_text", counted)

    def unit(number: int) -> object:  # the search index first, here, while a worker makes 32 "pages"
        if number == 0:
            return render_search(site, jobs=2)
        pages_may_end.wait(60)  # until this process has read 200 articles
        return None

    deadline = time.monotonic() + 60
    with_pages = ordered_map(unit, 33, 2, long=1)[0]
    assert [(f.path, f.data) for f in with_pages] == [(f.path, f.data) for f in alone]
    assert len(starts) == 1 and (200 + 600) // 2 <= starts[0] <= (256 + 600) // 2  # half of what was left then
    assert render_search(site, jobs=2) and starts[1] == 300  # nothing else to do: the halves are split at once


def test_a_core_is_free_only_once_the_page_workers_have_ended():
    """A worker on its last chunk still holds the pages it copied: a reader forked beside it would add
    its own memory to theirs at the build's peak."""
    from generator.parallel import core_free, ordered_map

    fork = multiprocessing.get_context("fork")
    started, finish = fork.Event(), fork.Event()
    seen = []

    def unit(number: int) -> None:
        if number == 0:  # here, while the worker makes the only chunk of "pages", numbers 1 to 24
            assert started.wait(60)
            seen.append(core_free())  # every chunk is taken, but the worker is still making it
            finish.set()
            deadline = time.monotonic() + 60
            while not core_free() and time.monotonic() < deadline:
                time.sleep(0.001)
            seen.append(core_free())
        elif number == 1:
            started.set()
            finish.wait(60)

    assert core_free()  # no workers at all
    ordered_map(unit, 25, 2, long=1, chunk=24)
    assert seen == [False, True]


def test_a_worker_killed_half_way_stops_the_work_with_a_message_instead_of_hanging():
    """The out-of-memory killer may take a worker: its chunk would never come back, and a build waiting
    for it would wait for ever."""
    from generator.parallel import WorkerLost, ordered_map

    here = os.getpid()

    def unit(number: int) -> int:
        if os.getpid() != here:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.005)  # this process takes its chunks slowly enough for the worker to take one
        return number

    started = time.monotonic()
    with pytest.raises(WorkerLost, match="killed, or out of memory"):
        ordered_map(unit, 200, 2)
    assert time.monotonic() - started < 30
    assert ordered_map(lambda n: n * 2, 200, 2) == [n * 2 for n in range(200)]  # and the next build works


def test_shards_grow_in_number_with_the_site_and_stay_small():
    counts = []
    for size in (30, 3000):
        site, problems = make_site(SiteConfig(), many_articles(size), NOW)
        assert problems == []
        files = {f.path: f.data for f in render_search(site)}
        meta = json.loads(files["tim-kiem/index/meta.json"])
        shards = [data for path, data in files.items() if "/t/" in path]
        assert len(shards) == meta["shards"]
        assert max(map(len, shards)) < 60_000
        counts.append(meta["shards"])
        assert meta["documents"] == size
    assert counts[0] == 1 and counts[1] > 1


def test_a_list_too_big_to_share_a_shard_gets_its_own_file(monkeypatch, tmp_path):
    from generator import search_shards
    from generator.output import write_tree

    monkeypatch.setattr(search_shards, "SHARD_TARGET", 200)
    site, _ = make_site(SiteConfig(), many_articles(600), NOW)
    write_tree(tmp_path, render_search(site))
    index = BuiltIndex(tmp_path / "tim-kiem/index")
    big = index.meta["big"]
    assert big and len(list((index.root / "x").glob("*.bin"))) == len(big)
    for number, term in enumerate(big):
        assert list(index.terms(f"x/{number}.bin")) == [term]
    every = index.all_terms()
    assert len(every) == len(set(every))  # each term in exactly one file
    common = next(term for term in big if " " not in term)
    assert index.syllable(common).docs == sorted(index.syllable(common).docs)
    assert len(index.syllable(common).docs) == every[common][0]


@pytest.mark.parametrize("count", [1, 7, 600, 10_000, 100_000])
def test_document_files_are_small_for_new_articles_and_grow_with_age(count):
    from generator.search import DOCS_FIRST, DOCUMENT_FILES, document_runs

    runs = document_runs(count, 500)
    assert sum(runs) == count and len(runs) <= DOCUMENT_FILES
    assert runs[0] == min(count, DOCS_FIRST) and max(runs) <= 500
    assert all(a <= b for a, b in pairwise(runs[:-1]))  # only the last, the remainder, may be smaller
    if count >= 10_000:
        assert runs[-2] > 4 * runs[0]


def test_document_records_come_back_in_site_order_across_files(tmp_path):
    from generator.output import write_tree

    site, _ = make_site(SiteConfig(), many_articles(600), NOW)
    write_tree(tmp_path, render_search(site))
    index = BuiltIndex(tmp_path / "tim-kiem/index")
    assert len(index.meta["documentRuns"]) > 3
    assert [r[0] for r in index.documents()] == [a.url for a in site.articles]


def test_long_lists_keep_their_accented_forms_apart_with_the_same_meaning(monkeypatch, tmp_path):
    from generator import search_postings
    from generator.output import write_tree

    site, _ = make_site(SiteConfig(), many_articles(300), NOW)
    write_tree(tmp_path / "together", render_search(site))
    monkeypatch.setattr(search_postings, "FORMS_APART", 2)
    write_tree(tmp_path / "apart", render_search(site))
    together, apart = BuiltIndex(tmp_path / "together/tim-kiem/index"), BuiltIndex(tmp_path / "apart/tim-kiem/index")
    kept_apart = [term for term in apart.all_terms() if term.endswith("*")]
    assert kept_apart and not any(term.endswith("*") for term in together.all_terms())
    for term in kept_apart:
        syllable = term[:-1]
        assert apart.syllable(syllable) == together.syllable(syllable)
        assert len(apart.syllable(syllable).forms) > 1
        assert apart.all_terms()[syllable][1][-1] == 0  # the postings end with a count of 0 forms


def test_a_site_with_nothing_published_has_an_empty_index(make_site):
    site = make_site({"content/draft.md": article("Bản nháp", draft="true")})
    assert site.run("build").code == 0
    index = BuiltIndex(site.output / "tim-kiem/index")
    assert index.meta["documents"] == 0 and index.all_terms() == {} and index.documents() == []


EDIT_WORDS = ["cầu", "Cầu", "mới", "sông", "Mã", "mã", "má", "Thanh", "Hóa", "hoá", "số", "sở", "sổ", "Đà", "Nẵng"]
EDIT_WORDS += ["đã", "nâng", "aa", "áa", "ảa", "Ãa", "tân", "tấn", ".", ",", "5G", "thu", "thư", "thừa", "Thứ"]


@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, 39),  # which article
            st.lists(st.sampled_from(EDIT_WORDS), max_size=40),  # its new text
            st.sampled_from(["body", "more", "title", "date", "category", "new", "delete"]),
        ),
        min_size=1,
        max_size=6,
    ),
    joined=st.booleans(),
)
@settings(max_examples=int(os.environ.get("BULLETIN_FUZZ_EXAMPLES", "60")), deadline=None)
def test_postings_kept_from_the_last_reading_and_brought_up_to_date_give_a_new_reading_s_index(edits, joined):
    """A watcher keeps the postings of its last reading of the site; when the next site has its articles in
    their places, only the changed ones are read and put in the place of the old. The index must be the one a
    reading of every article gives, accented forms numbered alike, whatever the edits, and whether the first
    reading was made in one process or in two and joined. A new article, or one deleted, renumbers the
    documents after it."""
    from generator import search_postings

    articles = many_articles(40)
    kept = search_postings.KeptPostings()
    site, _ = make_site(SiteConfig(), articles, NOW)
    split_from = search_postings.SPLIT_FROM
    search_postings.SPLIT_FROM = 10 if joined else split_from
    try:
        render_search(site, jobs=2, kept=kept)
    finally:
        search_postings.SPLIT_FROM = split_from
    for step, (number, text, what) in enumerate(edits):
        said = " ".join(text)
        number %= len(articles)
        if what == "new":  # dated among the others, or the newest
            date = articles[number].date + timedelta(minutes=30 if len(text) % 2 else 10_000)
            articles.append(replace(articles[number], source=f"new-{step}.md", body=pack(f"<p>{said}</p>"), date=date))
        elif what == "delete" and len(articles) > 1:
            del articles[number]
        elif what == "body":
            articles[number] = replace(articles[number], body=pack(f"<p>{said}</p>"))
        elif what == "more":  # a few words more: most of its syllables keep their weights
            articles[number] = replace(articles[number], body=pack(f"{articles[number].body_html}<p>{said}</p>"))
        elif what == "title":
            articles[number] = replace(articles[number], title=f"{said} {number}")
        elif what == "date":  # the article moves among the others: the places of two or more change
            articles[number] = replace(articles[number], date=articles[number].date + timedelta(hours=len(text)))
        else:
            articles[number] = replace(articles[number], category="Y tế" if len(text) % 2 else "Kinh tế")
        site, _ = make_site(SiteConfig(), articles, NOW)
        updated = render_search(site, kept=kept)
        assert [(f.path, f.data) for f in updated] == [(f.path, f.data) for f in render_search(site)]


def test_a_text_edit_reads_only_the_edited_article_again_when_postings_are_kept(monkeypatch):
    from generator import search_postings

    articles = many_articles(300)
    kept = search_postings.KeptPostings()
    site, _ = make_site(SiteConfig(), articles, NOW)
    render_search(site, kept=kept)
    read = []
    text = search_postings.article_text
    monkeypatch.setattr(search_postings, "article_text", lambda article: read.append(article.source) or text(article))
    edited = articles[150].body_html.replace("</p>", " Cầu mới qua sông Mã.</p>")
    articles[150] = replace(articles[150], body=pack(edited))
    site, _ = make_site(SiteConfig(), articles, NOW)
    updated = render_search(site, kept=kept)
    assert read == ["150.md", "150.md"]  # the old text and the new
    monkeypatch.undo()
    assert [(f.path, f.data) for f in updated] == [(f.path, f.data) for f in render_search(site)]


def test_a_new_or_deleted_article_is_the_only_one_read_when_postings_are_kept(monkeypatch):
    """A new article is put among the kept postings, and a deleted one taken out, the documents after it
    numbered again: neither reads the other articles again, and the index is the one a new reading gives."""
    from generator import search_postings

    articles = many_articles(300)
    kept = search_postings.KeptPostings()
    render_search(make_site(SiteConfig(), articles, NOW)[0], kept=kept)
    read = []
    text = search_postings.article_text
    monkeypatch.setattr(search_postings, "article_text", lambda article: read.append(article.source) or text(article))
    newest = articles[-1].date + timedelta(hours=1)
    for change in ("new", "delete"):
        if change == "new":
            articles.append(
                replace(articles[10], source="new.md", slug="bai-moi", date=newest, body=pack("<p>Cầu mới.</p>"))
            )
        else:
            del articles[150]
        site, _ = make_site(SiteConfig(), articles, NOW)
        updated = render_search(site, kept=kept)
        assert read == (["new.md"] if change == "new" else ["150.md"])
        read.clear()
        with monkeypatch.context() as plain:
            plain.setattr(search_postings, "article_text", text)
            assert [(f.path, f.data) for f in updated] == [(f.path, f.data) for f in render_search(site)]


def test_deleting_the_first_article_to_use_accented_forms_reads_the_next_one_that_does(monkeypatch):
    """Accented forms are numbered by first use, and forms first used in one article in the order of its
    tokens. When the newest article goes, the next one may be the first to use several of its forms: that
    one's words are read to number them, not every article."""
    from generator import search_postings

    articles = many_articles(60)
    later = articles[-1].date
    articles += [
        replace(articles[0], source="b.md", slug="b", date=later + timedelta(hours=1), body=pack("<p>khuể khuê.</p>")),
        replace(articles[0], source="a.md", slug="a", date=later + timedelta(hours=2), body=pack("<p>Khuê khuế.</p>")),
    ]
    kept = search_postings.KeptPostings()
    render_search(make_site(SiteConfig(), articles, NOW)[0], kept=kept)
    collector, read = kept.collector, []
    text = search_postings.article_text
    monkeypatch.setattr(search_postings, "article_text", lambda article: read.append(article.source) or text(article))
    del articles[-1]
    site, _ = make_site(SiteConfig(), articles, NOW)
    updated = render_search(site, kept=kept)
    assert kept.collector is collector and read == ["a.md", "b.md"]
    monkeypatch.undo()
    assert [(f.path, f.data) for f in updated] == [(f.path, f.data) for f in render_search(site)]


def test_a_small_edit_encodes_again_only_the_lists_it_changes_when_postings_are_kept(monkeypatch):
    """After a sentence is added to one article, the lists of the syllables whose weight in it stays are
    not encoded again (nor the bigrams it already had): the update costs what the edit changed."""
    from generator import search_shards

    articles = many_articles(300)
    kept = KeptPostings()
    site, _ = make_site(SiteConfig(), articles, NOW)
    render_search(site, kept=kept)
    encoded = []
    unigram_blocks, bigram_block = search_shards.unigram_blocks, search_shards.bigram_block
    monkeypatch.setattr(search_shards, "unigram_blocks", lambda *a: encoded.append(a[0]) or unigram_blocks(*a))
    monkeypatch.setattr(search_shards, "bigram_block", lambda *a: encoded.append(a[0]) or bigram_block(*a))
    edited = articles[150].body_html.replace("</p>", " Cầu mới qua sông Mã.</p>", 1)
    articles[150] = replace(articles[150], body=pack(edited))
    site, _ = make_site(SiteConfig(), articles, NOW)
    updated = render_search(site, kept=kept)
    lists = len(kept.collector.unigrams) + len(kept.collector.bigrams)
    assert 0 < len(encoded) < lists // 20, (len(encoded), lists)
    monkeypatch.undo()
    assert [(f.path, f.data) for f in updated] == [(f.path, f.data) for f in render_search(site)]
