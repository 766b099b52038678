"""A deterministic Vietnamese corpus for benchmarks, built from the seed bulletin's sentences.

    python bench/corpus.py 10000 /tmp/corpus-10k     # writes content/ and site.toml there

The same count always gives the same bytes. Articles are about 6 KB of Markdown, spread over 12
categories and 50 tags (1 site feed + 12 + 50 = 63 feeds) and ten years of dates.
"""

from __future__ import annotations

import argparse
import random
import re
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = (
    "Chuyển đổi số",
    "Thời sự",
    "Kinh tế",
    "Nông nghiệp – Môi trường",
    "Giao thông",
    "Y tế",
    "Xã hội",
    "Công nghệ",
    "Giáo dục",
    "Văn hóa",
    "Du lịch",
    "Pháp luật",
)
TAGS = (
    "Thanh Hóa",
    "Sầm Sơn",
    "Yên Định",
    "Bỉm Sơn",
    "Nghi Sơn",
    "Đông Sơn",
    "Quảng Xương",
    "Hoằng Hóa",
    "Thọ Xuân",
    "Triệu Sơn",
    "Hậu Lộc",
    "Nga Sơn",
    "Tĩnh Gia",
    "Như Thanh",
    "Ngọc Lặc",
    "Cẩm Thủy",
    "chính quyền số",
    "kinh tế số",
    "xã hội số",
    "dịch vụ công",
    "5G",
    "an toàn giao thông",
    "nước sạch",
    "nông thôn mới",
    "y tế cơ sở",
    "giáo dục",
    "du lịch biển",
    "di tích",
    "thủ tục hành chính",
    "ngân hàng",
    "doanh nghiệp",
    "đầu tư",
    "xuất khẩu",
    "lúa gạo",
    "thủy lợi",
    "môi trường",
    "thanh niên",
    "phụ nữ",
    "công an",
    "quốc phòng",
    "lễ hội",
    "thể thao",
    "báo chí",
    "viễn thông",
    "dữ liệu",
    "trí tuệ nhân tạo",
    "an ninh mạng",
    "khởi nghiệp",
    "việc làm",
    "bảo hiểm",
)


def sentences() -> list[str]:
    """Every sentence of the seed bulletins, as the vocabulary of the corpus."""
    text = " ".join(p.read_text("utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    found = re.split(r"(?<=[.!?…])\s+", " ".join(text.split()))
    return [s for s in found if 30 <= len(s) <= 400]


def article(number: int, pool: list[str], rng: random.Random, start: datetime) -> str:
    """One article of about 6 KB; its title is a fragment of a sentence plus its number."""
    words = rng.choice(pool).rstrip(".!?…").split()
    title = " ".join(words[: rng.randint(6, 12)]) + f" (số {number})"
    paragraphs: list[str] = []
    while sum(len(p.encode()) for p in paragraphs) < 5800:
        paragraphs.append(" ".join(rng.choice(pool) for _ in range(rng.randint(2, 4))))
    tags = rng.sample(TAGS, rng.randint(1, 3))
    moment = start + timedelta(minutes=number * 37 + rng.randint(0, 30))
    front = [
        "---",
        f'title: "{title.replace(chr(34), "")}"',
        f"date: {moment:%Y-%m-%d %H:%M}",
        f"category: {rng.choice(CATEGORIES)}",
        "tags: [" + ", ".join(tags) + "]",
        "author: Phóng viên Bản tin",
        "---",
        "",
    ]
    return "\n".join(front) + "\n\n".join(paragraphs) + "\n"


def write_corpus(count: int, target: Path) -> Path:
    """content/ and site.toml for `count` articles under `target`; returns the content folder."""
    rng = random.Random(20261127)
    pool = sentences()
    content = target / "content"
    start = datetime(2016, 1, 1, 7, 0)
    for number in range(count):
        path = content / f"{number // 1000:03}" / f"bai-{number:06}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article(number, pool, rng, start), encoding="utf-8")
    names = ", ".join(f'"{c}"' for c in CATEGORIES)
    (target / "site.toml").write_text(
        f'title = "Bản tin thử tải"\nbase_url = "https://bantin.example.vn/"\ncategories = [{names}]\n',
        encoding="utf-8",
    )
    return content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    write_corpus(args.count, args.target)
    print(f"{args.count} articles written under {args.target}")


if __name__ == "__main__":
    main()
