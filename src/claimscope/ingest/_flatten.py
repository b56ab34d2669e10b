"""HTML nested too deeply for lxml, flattened: tags past a depth are dropped, the text kept.

libxml2 stops building a tree about 255 elements down (2,048 with its "huge" option) and drops
what lies deeper, article text included, so a page wrapped in hundreds of ``<div>``s read as
"no article text". The page is re-read here with the standard library's tokenizer, which has no
depth limit: tags deeper than ``limit`` are left out, except one level of paragraph-like blocks
(``<p>``, headings, list items...) so that the article keeps its paragraphs. Only pages that hit
the limit come here; the result goes through the usual parser and extractor.
"""

from __future__ import annotations

from html.parser import HTMLParser

# Elements with no content and no end tag.
_VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr")
)
# Blocks kept past the limit (one level of them), so that paragraphs stay paragraphs.
_BLOCKS = frozenset(
    ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dt", "dd", "figcaption")
)
# Elements whose content is not text: when they are dropped, so is their content.
_RAW = frozenset(("script", "style", "template", "noscript", "textarea", "title"))
# A start tag of these closes an open one of the same name (as HTML's parser does), up to the
# nearest container; without this, 300 unclosed <p>s would count as 300 levels.
_IMPLIED_END = frozenset(("p", "li", "dt", "dd", "option", "tr", "td", "th"))
_SCOPES = frozenset(
    ("ul", "ol", "dl", "table", "select", "div", "article", "section", "main", "body", "html")
)


class _Flattener(HTMLParser):
    def __init__(self, limit: int) -> None:
        super().__init__(convert_charrefs=False)
        self.limit = limit
        self.out: list[str] = []
        # Each open element: its tag, and whether its tags are written out.
        self.stack: list[tuple[str, bool]] = []
        self.deep_at = -1  # the stack index of the block open past the limit
        self.depth = 0  # open elements written out

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}>"
        if tag in _VOID:
            if self.depth < self.limit:
                self.out.append(raw)
            elif tag == "br":
                self.out.append("<br>" if self.deep_at >= 0 else "\n")
            return
        if tag in _IMPLIED_END:
            self._close_open(tag)
        if self.depth < self.limit:
            keep = True
        elif tag in _BLOCKS and self.deep_at < 0:
            keep = True
            self.deep_at = len(self.stack)
        else:
            keep = False
        self.stack.append((tag, keep))
        if keep:
            self.depth += 1
            self.out.append(raw)
        elif tag in _BLOCKS:
            self.out.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth < self.limit:
            self.out.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if any(open_tag == tag for open_tag, _ in self.stack):
            self._pop_through(tag)

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] in _RAW and not self.stack[-1][1]:
            return
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def _close_open(self, tag: str) -> None:
        for open_tag, _ in reversed(self.stack):
            if open_tag == tag:
                self._pop_through(tag)
                return
            if open_tag in _SCOPES:
                return

    def _pop_through(self, tag: str) -> None:
        while self.stack:
            open_tag, keep = self.stack.pop()
            if len(self.stack) == self.deep_at:
                self.deep_at = -1
            if keep:
                self.depth -= 1
                self.out.append(f"</{open_tag}>")
            if open_tag == tag:
                return


def flatten_html(html: str, *, limit: int = 128) -> str:
    """``html`` with no element nested more than ``limit`` (+1 paragraph-like) levels deep."""
    parser = _Flattener(limit)
    parser.feed(html)
    parser.close()
    return "".join(parser.out)
