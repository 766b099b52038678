"""`bulletin new`: a new article file with valid front matter, ready for the editor to write."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import yaml

from .errors import BuildFailed, Problem
from .frontmatter import MAX_TITLE
from .text import clean_line, make_slug


def article_text(title: str, category: str, moment: datetime) -> str:
    """Front matter for a new draft and a line telling the editor what to do next."""
    front = {"title": title, "date": f"{moment:%Y-%m-%d %H:%M}", "category": category, "draft": True}
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return f"---\n{header}---\n\nViết nội dung bài ở đây. Đổi `draft: true` thành `draft: false` để đăng.\n"


def new_article(content: Path, title: str, category: str, moment: datetime) -> Path:
    """Write content/<year>/<slug>.md; refuse to overwrite an existing article."""
    title, category = clean_line(title), clean_line(category)
    slug = make_slug(title)
    if not slug or not make_slug(category):
        raise BuildFailed([Problem("bulletin new", 1, "the title and the category need letters or digits")])
    if len(title) > MAX_TITLE:
        raise BuildFailed([Problem("bulletin new", 1, f"the title is {len(title)} characters; at most {MAX_TITLE}")])
    path = content / f"{moment:%Y}" / f"{slug}.md"
    if path.exists():
        raise BuildFailed(
            [Problem(path.as_posix(), 1, "an article with this title already exists; choose another title")]
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article_text(title, category, moment), encoding="utf-8")
    except OSError as error:
        raise BuildFailed([Problem(path.as_posix(), 1, f"cannot be written: {error.strerror}")]) from error
    return path
