"""Python-Markdown's inline passes, each pattern run only on documents that hold the character it needs.

Python-Markdown tries every inline pattern (links, emphasis, smart quotes…) on every run of text,
and that loop is most of the cost of converting an article. A pattern cannot match text that
lacks its trigger (a link needs "[", a dash needs "--"; the trigger is part of what the pattern
consumes), so each pass first looks at the document's text once and keeps only the patterns that
could match, and each kept pattern looks for its trigger in a run of text before it runs its
expression there. The output is the library's own output, byte for byte (tests/test_fast_paths.py
compares both on generated Markdown).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from typing import Any

import markdown
from markdown.treeprocessors import InlineProcessor
from markdown.util import Registry

# Pattern name → the strings one of which must occur in the text for the pattern to match.
# Patterns missing from this table always run.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "footnote": ("[",),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("[",),
    "image_reference": ("[",),
    "short_reference": ("[",),
    "short_image_ref": ("[",),
    "autolink": ("<",),
    "automail": ("<",),
    "linebreak": ("\n",),
    "html": ("<",),
    "entity": ("&",),
    "em_strong": ("*", "_"),  # one processor for both delimiters in Markdown 3.4+
    "em_strong2": ("_",),
    "not_strong": ("*", "_"),
    "smarty-ellipses": ("...",),
    "smarty-em-dashes": ("--",),
    "smarty-en-dashes": ("--",),
    "smarty-left-angle-quotes": ("<<",),
    "smarty-right-angle-quotes": (">>",),
}
# Documented priorities of the two inline passes (Python-Markdown's tree processor table).
PASSES = {"inline": 20, "smarty": 6}


def _needs(registry: Registry[Any]) -> dict[int, tuple[str, ...]]:
    """Pattern identity → its triggers; smart-quote patterns need a quote that their expression holds."""
    needs = {id(registry[name]): found for name, found in TRIGGERS.items() if name in registry}
    number = 0
    while (name := f"smarty-quotes-{number}") in registry:
        expression = getattr(registry[name], "compiled_re", None)
        quotes = tuple(q for q in "'\"" if expression is not None and q in expression.pattern)
        if quotes:
            needs[id(registry[name])] = quotes
        number += 1
    return needs


class Guarded:
    """A pattern's compiled expression that searches a text only if the text holds a trigger from where the
    search starts (Python-Markdown's inline pass asks only for `finditer`; anything else goes to the expression)."""

    def __init__(self, expression: re.Pattern[str], triggers: tuple[str, ...]) -> None:
        self.expression, self.triggers = expression, triggers

    def finditer(self, text: str, start: int = 0) -> Iterator[re.Match[str]]:
        if any(text.find(trigger, start) >= 0 for trigger in self.triggers):
            return self.expression.finditer(text, start)
        return iter(())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.expression, name)


class TriggeredInline(InlineProcessor):
    """One of Markdown's inline passes, run with only the patterns the document can match."""

    def __init__(self, md: markdown.Markdown, patterns: Registry[Any]) -> None:
        super().__init__(md)
        self.everything = patterns
        self.inlinePatterns = patterns
        needs = _needs(patterns)
        self.patterns = [(pattern, needs.get(id(pattern))) for pattern in patterns]
        for pattern, triggers in self.patterns:
            expression = getattr(pattern, "compiled_re", None)
            if triggers and isinstance(expression, re.Pattern):
                pattern.compiled_re = Guarded(expression, triggers)

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        text = "".join(tree.itertext())
        kept = [pattern for pattern, needs in self.patterns if needs is None or any(n in text for n in needs)]
        chosen: Registry[Any] = Registry()
        for rank, pattern in enumerate(kept):
            chosen.register(pattern, str(rank), len(kept) - rank)
        self.inlinePatterns = chosen
        try:
            return super().run(tree, ancestors)
        finally:
            self.inlinePatterns = self.everything


def only_where_needed(md: markdown.Markdown) -> None:
    """Replace the inline passes of `md` (after its extensions are loaded) with triggered ones."""
    for name, priority in PASSES.items():
        if name in md.treeprocessors:
            inner = md.treeprocessors[name]
            if type(inner) is InlineProcessor:
                md.treeprocessors.register(TriggeredInline(md, inner.inlinePatterns), name, priority)
