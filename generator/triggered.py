"""Python-Markdown's passes, each pattern tried only on text that holds the characters it needs.

Python-Markdown tries every inline pattern (links, emphasis, smart quotes…) on every run of text,
and every block pattern (headings, quotes, rules…) on every block; those loops are most of the
cost of converting an article. A pattern cannot match text that lacks its trigger (a link needs
"[", a dash needs "--", a quote ">"; the trigger is part of what the pattern consumes), so each
inline pass first looks at the document's text once and keeps only the patterns that could
match, each kept pattern looks for its trigger in a run of text before it is tried there, and a
block pattern looks for its trigger in the block. The output is the library's own output, byte
for byte (tests/test_fast_paths.py compares both on generated Markdown).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Any

import markdown
from markdown.inlinepatterns import InlineProcessor as Processor
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString, Registry

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
# Block processor name → the attribute holding its expression, and the strings one of which every match holds.
BLOCK_TRIGGERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "hashheader": ("RE", ("#",)),
    "setextheader": ("RE", ("\n=", "\n-")),
    "hr": ("SEARCH_RE", ("-", "_", "*")),
    "deflist": ("RE", (":",)),
    "quote": ("RE", (">",)),
    "footnote": ("RE", ("[^",)),
    "abbr": ("RE", ("*[",)),
    "reference": ("RE", ("]:",)),
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


class TriggeredInline(InlineProcessor):
    """One of Markdown's inline passes, run with only the patterns the document can match, each tried
    on a run of text only when the text holds one of its triggers from where the search starts."""

    def __init__(self, md: markdown.Markdown, patterns: Registry[Any]) -> None:
        super().__init__(md)
        self.inlinePatterns = patterns
        needs = _needs(patterns)
        self.patterns = [
            (pattern, needs.get(id(pattern)) if isinstance(pattern, Processor) else None) for pattern in patterns
        ]
        self.chosen: list[tuple[Any, tuple[str, ...] | None]] = self.patterns

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        text = "".join(tree.itertext())
        self.chosen = [(p, needs) for p, needs in self.patterns if needs is None or any(n in text for n in needs)]
        try:
            return super().run(tree, ancestors)
        finally:
            self.chosen = self.patterns

    def _InlineProcessor__handleInline(self, data: str, first: int = 0) -> str:  # noqa: N802
        """Python-Markdown's own loop over the patterns (InlineProcessor.__handleInline), which calls this
        by its private name, but a pattern whose trigger is not in the text left to search counts as
        not matching without being tried: that is what trying it would find."""
        if isinstance(data, AtomicString):
            return data
        number, start = first, 0
        chosen = self.chosen
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        while number < len(chosen):
            pattern, triggers = chosen[number]
            if triggers is not None and all(data.find(trigger, start) < 0 for trigger in triggers):
                matched, start = False, 0
            else:
                data, matched, start = apply(pattern, data, number, start)
            if not matched:
                number += 1
        return data


class Searched:
    """A block pattern's compiled expression whose search and match give None at once when the text holds
    none of the triggers (what the expression would find); anything else goes to the expression."""

    def __init__(self, expression: re.Pattern[str], triggers: tuple[str, ...]) -> None:
        self.expression, self.triggers = expression, triggers

    def search(self, text: str, *where: int) -> re.Match[str] | None:
        return self.expression.search(text, *where) if any(t in text for t in self.triggers) else None

    def match(self, text: str, *where: int) -> re.Match[str] | None:
        return self.expression.match(text, *where) if any(t in text for t in self.triggers) else None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.expression, name)


def only_where_needed(md: markdown.Markdown) -> None:
    """Make the inline passes and block patterns of `md` (after its extensions are loaded) triggered ones."""
    for name, (attribute, triggers) in BLOCK_TRIGGERS.items():
        if name in md.parser.blockprocessors:
            processor = md.parser.blockprocessors[name]
            expression = getattr(processor, attribute, None)
            if isinstance(expression, re.Pattern):
                setattr(processor, attribute, Searched(expression, triggers))
    for name, priority in PASSES.items():
        if name in md.treeprocessors:
            inner = md.treeprocessors[name]
            if type(inner) is InlineProcessor:
                md.treeprocessors.register(TriggeredInline(md, inner.inlinePatterns), name, priority)
