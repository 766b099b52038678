"""Markdown → HTML a reader can trust: newsroom extensions, figures with captions, sanitised."""

from __future__ import annotations

import html
import posixpath
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .images import Picture, Unreadable
from .text import printable
from .triggered import only_where_needed

EXTENSIONS = ["tables", "attr_list", "footnotes", "smarty", "fenced_code", "sane_lists", "def_list", "abbr"]
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
}
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_FOOTNOTE_MARK = re.compile(r'<sup id="fnref[^"]*">.*?</sup>', re.DOTALL)
# A tag of sanitised HTML, where "<" and ">" mark tags only (text and attribute values hold &lt; and &gt;).
_TAG = re.compile(r"<[^>]*>")
BODY_SIZES = "(min-width: 752px) 720px, calc(100vw - 32px)"  # the article column of style.css


@dataclass(frozen=True, slots=True)
class ImageUse:
    """An image the body shows: the address as the editor wrote it, and the site address it resolves to."""

    written: str
    address: str


class FigureProcessor(Treeprocessor):
    """Resolves links and images; a paragraph made of an image and the line after it becomes a captioned figure."""

    def __init__(self, md: markdown.Markdown, base: str, pictures: Mapping[str, Picture | Unreadable]) -> None:
        super().__init__(md)
        self.base = base
        self.pictures = pictures
        self.used: list[ImageUse] = []

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            written = element.get("src", "")
            for attribute in ("src", "href"):
                if element.get(attribute):
                    element.set(attribute, site_address(element.get(attribute, ""), self.base))
            if element.tag == "img" and written:
                self.describe(element, written)
        for index, paragraph in enumerate(list(root)):
            if paragraph.tag != "p" or len(paragraph) == 0 or (paragraph.text or "").strip():
                continue
            image = paragraph[0]
            if image.tag != "img":
                continue
            caption_parts = list(paragraph)[1:]
            figure = etree.Element("figure")
            figure.append(image)
            caption_text = (image.tail or "").strip()
            image.tail = None
            if caption_parts and caption_parts[0].tag == "br":
                caption_text = (caption_parts.pop(0).tail or "").strip() or caption_text
            if not caption_text and not caption_parts and image.get("title"):
                caption_text = image.get("title", "")
            if caption_text or caption_parts:
                caption = etree.SubElement(figure, "figcaption")
                caption.text = caption_text
                caption.extend(caption_parts)
            root.remove(paragraph)
            root.insert(index, figure)

    def describe(self, image: etree.Element, written: str) -> None:
        """Note the image, and give a known picture its size and narrower copies; all wait until scrolled to."""
        image.set("loading", "lazy")
        image.set("decoding", "async")
        address = image.get("src", "")
        if urlsplit(address).scheme or address.startswith("//"):
            return
        self.used.append(ImageUse(written, unquote(address)))
        picture = self.pictures.get(unquote(address))
        if isinstance(picture, Picture):
            if picture.width and picture.height:
                image.set("width", str(picture.width))
                image.set("height", str(picture.height))
            if picture.srcset:
                image.set("srcset", picture.srcset)
                image.set("sizes", BODY_SIZES)


class Figures(Extension):
    """Registers FigureProcessor; `base` is the article's folder inside content/."""

    def __init__(self, base: str, pictures: Mapping[str, Picture | Unreadable]) -> None:
        super().__init__()
        self.processor: FigureProcessor | None = None
        self.base, self.pictures = base, pictures

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's name)
        self.processor = FigureProcessor(md, self.base, self.pictures)
        md.treeprocessors.register(self.processor, "figures", 5)


def site_address(address: str, base: str) -> str:
    """A relative link or image path written beside the article, as an address from the site root."""
    parts = urlsplit(address)
    if parts.scheme or address.startswith(("/", "#", "//")) or not address.strip():
        return address
    return "/" + posixpath.normpath(posixpath.join(base, address)).lstrip("./")


AttributeFilter = Callable[[str, str, str], str | None]


def _site_srcset(element: str, attribute: str, value: str) -> str | None:
    """Keep a srcset only when every candidate is an address on this site (the ones figures write)."""
    if attribute != "srcset":
        return value
    addresses = [candidate.split()[0] for candidate in value.split(",") if candidate.strip()]
    return value if addresses and all(a.startswith("/") and not a.startswith("//") for a in addresses) else None


def sanitise(fragment: str, attribute_filter: AttributeFilter = _site_srcset) -> str:
    """Keep the markup articles need; drop scripts, event handlers, styles and unsafe URLs."""
    return nh3.clean(
        fragment,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SAFE_SCHEMES,
        link_rel=None,
        strip_comments=True,
        attribute_filter=attribute_filter,
    )


class Converter:
    """A Markdown converter made once and reused: setting one up costs more than converting an article."""

    def __init__(self) -> None:
        self.md = markdown.Markdown(
            extensions=[*EXTENSIONS, Figures("", {})],
            extension_configs={
                "footnotes": {"BACKLINK_TITLE": "Quay lại chỗ chú thích %d"},
                "tables": {"use_align_attribute": True},  # a style attribute would be dropped (and break the CSP)
            },
            output_format="html",
        )
        only_where_needed(self.md)

    def render(
        self, source: str, base: str, pictures: Mapping[str, Picture | Unreadable]
    ) -> tuple[str, tuple[ImageUse, ...]]:
        """Markdown of one article body → sanitised HTML, and the images it shows from the site."""
        figures = self.md.treeprocessors["figures"]
        assert isinstance(figures, FigureProcessor)
        figures.base, figures.pictures, figures.used = base, pictures, []
        self.md.reset()
        html_text = printable(sanitise(self.md.convert(source)))  # entities such as &#x1b; must not reach the feeds
        return html_text, tuple(figures.used)

    def html(self, source: str, base: str) -> str:
        """Markdown of one article body → sanitised HTML; `base` resolves its relative links."""
        return self.render(source, base, {})[0]


def to_html(source: str, base: str) -> str:
    """Markdown of one article body → sanitised HTML (a fresh converter; loaders reuse one)."""
    return Converter().html(source, base)


def text_of(safe: str) -> str:
    """The text of sanitised HTML (what sanitise() gives), tags dropped and entities read: what
    nh3.clean(safe, tags=set()) then html.unescape give, four times faster (tests/test_fast_paths.py)."""
    return html.unescape(_TAG.sub("", safe))


def plain_text(fragment: str) -> str:
    """The text of a fragment of sanitised HTML as one line, for a summary or a search excerpt."""
    return " ".join(text_of(fragment).split())


def first_paragraph(body_html: str) -> str:
    """The text of the first paragraph: the default lead when the editor wrote none."""
    for match in _FIRST_PARAGRAPH.finditer(body_html):
        text = plain_text(_FOOTNOTE_MARK.sub("", match.group(1)))
        if text:
            return text
    return ""
