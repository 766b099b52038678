"""Which files beside the articles may be published: pictures, documents and media, never pages or scripts.

Anything under content/ that is not an article is published as it is, under the site's own
address, where the site's Content-Security-Policy trusts it. So a web page or a script there would
run as the site's own: those are refused, and so is an SVG picture that carries a script.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePosixPath

from .content import shown_path
from .errors import Problem
from .sources import Source

ACTIVE = {".html", ".htm", ".xhtml", ".xht", ".shtml", ".js", ".mjs", ".cjs", ".wasm", ".swf", ".xsl", ".xslt"}
_SVG_SCRIPT = re.compile(rb"<script|<foreignobject|\son[a-z]+\s*=|javascript:|href\s*=\s*[\"'][^\"']*&#", re.IGNORECASE)


def asset_problems(assets: list[Source]) -> list[Problem]:
    """A problem for each file beside the articles that would bring a page or a script into the site."""
    problems = []
    for source in assets:
        suffix = PurePosixPath(source.relative).suffix.lower()
        where = shown_path(source.path)
        if suffix in ACTIVE:
            problems.append(
                Problem(
                    where,
                    1,
                    f"{suffix} files are not published from the content folder (a page or script "
                    "there would run as the site's own); put pages and scripts in layouts/",
                )
            )
        elif suffix == ".svg" and _has_script(source.digest, source.location):
            problems.append(
                Problem(
                    where,
                    1,
                    "this SVG picture holds a script, an event handler, a javascript: link or "
                    "a link with encoded characters that could hide one; save it again as a plain picture",
                )
            )
    return problems


@lru_cache(maxsize=4096)
def _has_script(digest: bytes, location: str) -> bool:
    """Whether an SVG file holds a script; looked at once per version of the file (a watcher builds often)."""
    with open(location, "rb") as handle:
        return _SVG_SCRIPT.search(handle.read()) is not None
