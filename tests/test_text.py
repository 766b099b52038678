"""Vietnamese text helpers: folding, slugs, dates."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from generator.text import clean_line, fold, identity, make_slug, vietnamese_date


def test_fold_removes_every_diacritic_and_d_bar():
    assert fold("Chuyển đổi số") == "chuyen doi so"
    assert fold("ĐƯỜNG") == "duong"
    assert fold(unicodedata.normalize("NFD", "Thanh Hoá")) == fold("Thanh Hóa") == "thanh hoa"


def test_slugs_from_vietnamese():
    assert make_slug("Thanh Hóa") == "thanh-hoa"
    assert make_slug("Đường") == "duong"
    assert make_slug(unicodedata.normalize("NFD", "Chuyển đổi số")) == "chuyen-doi-so"
    assert len(make_slug("Tin " * 200)) <= 80


def test_identity_makes_one_name_of_every_spelling():
    assert (
        identity("chuyển  đổi số")
        == identity(unicodedata.normalize("NFD", "Chuyển Đổi Số"))
        == identity("CHUYỂN ĐỔI SỐ")
    )
    assert identity("Thanh Hóa") != identity("Thanh Hoa")


def test_clean_line_drops_zero_width_characters():
    assert clean_line("Tin\u200b mới\u200d  nhất\ufeff") == "Tin mới nhất"


def test_vietnamese_dates():
    assert vietnamese_date(datetime(2026, 11, 27, 14, 30)) == "Thứ Sáu, 27/11/2026 14:30"
    assert vietnamese_date(datetime(2026, 11, 29, 7, 5)) == "Chủ Nhật, 29/11/2026 07:05"
