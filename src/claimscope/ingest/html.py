"""The HTML reader: an article's text and metadata out of a web page, with trafilatura, offline."""

from __future__ import annotations

import datetime as dt
import logging
import re

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from claimscope.errors import EmptyDocumentError
from claimscope.ingest._flatten import flatten_html
from claimscope.ingest.dates import parse_date
from claimscope.ingest.decode import repair_mojibake
from claimscope.model import Document
from claimscope.settings import Settings

log = logging.getLogger(__name__)

_LANG = re.compile(r"([a-z]{2})(?:$|[-_])", re.IGNORECASE)
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# libxml2 builds no element deeper than about 255 levels (the rest of the page, article text
# included, is dropped); a tree that comes close may have been cut, and is read flattened.
_MAX_DEPTH = 240


def _date_params() -> dict[str, object]:
    """htmldate options: the publication date, from markup only.

    ``original_date`` prefers publication over last modification; ``extensive_search`` is off
    because it takes any date in the body text (``on 12 January 2021 the council said``) for
    the publication date, and a wrong date would misplace every year-less date in the article.
    """
    return {
        "original_date": True,
        "extensive_search": False,
        "max_date": dt.date.today().isoformat(),
    }


def read_html(html: str, *, source: str, settings: Settings) -> Document:
    """The article in a web page as a Document: a paragraph per line, with title, date, site."""
    tree = _load(html, source)
    if tree is None:
        raise EmptyDocumentError("no article text found in HTML", source=source)
    lang = _page_lang(tree)
    if not _has_content(_load(html, source)):
        raise EmptyDocumentError("no article text found in HTML", source=source)
    result = _extract(tree)
    text = getattr(result, "text", None)
    if not isinstance(text, str) or not text.strip():
        raise EmptyDocumentError("no article text found in HTML", source=source)

    log.debug("%s: %d characters of article text extracted", source, len(text))
    repairs: list[str] = []
    if settings.repair_mojibake:
        text, repairs = repair_mojibake(text)

    meta = {
        key: value
        for key in ("author", "description", "hostname", "sitename")
        if isinstance(value := getattr(result, key, None), str) and value.strip()
    }
    return Document(
        text=text,
        source=source,
        url=_str(getattr(result, "url", None)),
        title=_str(getattr(result, "title", None)),
        published=parse_date(getattr(result, "date", None)),
        outlet=_str(getattr(result, "sitename", None)) or _str(getattr(result, "hostname", None)),
        lang=lang,
        repairs=repairs,
        meta=meta,
    )


def _load(html: str, source: str) -> HtmlElement | None:
    """The page's tree, flattened first when it is nested past what lxml builds."""
    tree = load_html(html)
    if tree is None or _depth(tree) < _MAX_DEPTH:
        return tree
    log.info("%s: HTML nested past %d levels, read flattened", source, _MAX_DEPTH)
    return load_html(flatten_html(html))


def _depth(tree: HtmlElement) -> int:
    """How many elements deep the tree goes (the root is 1)."""
    depth = deepest = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def _has_content(tree: HtmlElement | None) -> bool:
    """Whether any text is left once navigation and page furniture are dropped.

    trafilatura falls back to whatever text a page has, so a page of menus would otherwise
    come back as an "article" made of its menu.
    """
    if tree is None:
        return False
    furniture = tree.xpath(
        "//nav|//header|//footer|//aside|//menu|//form|//script|//style|//noscript|//template"
        "|//*[@role='navigation' or @role='banner' or @role='contentinfo']"
    )
    for element in furniture:
        if element.getparent() is not None:
            element.drop_tree()  # keeps the tail text that follows the element
    body = tree.find(".//body")
    return bool((body if body is not None else tree).text_content().strip())


def _extract(tree: HtmlElement) -> object:
    # A parsed tree is handed over, never a URL: trafilatura only fetches when asked to, and
    # bare_extraction does no I/O on a tree (the tests run it with sockets disabled).
    return trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        include_comments=False,
        include_formatting=False,
        include_links=False,
        include_images=False,
        deduplicate=False,
        date_extraction_params=_date_params(),
    )


def _page_lang(tree: HtmlElement) -> str | None:
    """The page's declared language, ISO 639-1 (trafilatura only reports a detected one)."""
    root = tree.getroottree().getroot()
    candidates = [root.get("lang"), root.get(_XML_LANG)]
    for meta in root.iter("meta"):
        name = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if name in ("content-language", "og:locale", "language"):
            candidates.append(meta.get("content"))
    for value in candidates:
        code = lang_code(value)
        if code:
            return code
    return None


def lang_code(value: object) -> str | None:
    """``en`` from ``en``, ``en-GB`` or ``en_US``; None for anything else."""
    if not isinstance(value, str):
        return None
    match = _LANG.match(value.strip())
    return match[1].lower() if match else None


def _str(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
