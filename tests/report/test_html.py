"""The HTML report: self-contained, well formed, built from offsets, and safe with hostile text."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from claimscope.model import Analysis, Claim, Document, Segment, Sentence
from claimscope.report import render_html
from claimscope.report.html import Annotation, render_spans, safe_href
from tests.report.builder import Day, Ent, Qty, Said, Url, Who, Writer, add_technique

VOID = {"meta", "input", "br", "img", "hr", "link", "wbr", "col", "source"}


class Tree(HTMLParser):
    """Checks that tags balance, and keeps what the tests look at: tags, ids, text per class."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []
        self.text_by_class: dict[str, list[str]] = {}
        self.text: list[str] = []
        self.in_script_or_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.append(attributes["id"] or "")
        if tag in ("script", "style"):
            self.in_script_or_style = True
        if tag not in VOID:
            self.stack.append((tag, attributes))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.in_script_or_style = False
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"unexpected </{tag}> with {[t for t, _ in self.stack]} open")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_script_or_style:
            return
        self.text.append(data)
        for _, attributes in self.stack:
            for cls in (attributes.get("class") or "").split():
                self.text_by_class.setdefault(cls, []).append(data)


def parse(html: str) -> Tree:
    tree = Tree()
    tree.feed(html)
    tree.close()
    assert not tree.errors, tree.errors[:3]
    assert not tree.stack, [t for t, _ in tree.stack]
    return tree


def _classes(attrs: dict[str, str | None]) -> set[str]:
    return set((attrs.get("class") or "").split())


# -- render_spans --------------------------------------------------------------------------------


def test_render_spans_nests_overlapping_annotations() -> None:
    text = "Alpha beta gamma delta epsilon"
    anns = [
        Annotation(0, 16, "a"),  # Alpha beta gamma
        Annotation(6, 22, "b"),  # beta gamma delta: overlaps a without nesting
        Annotation(6, 10, "c"),  # beta: nested in both
        Annotation(11, 30, "d"),  # gamma ... epsilon: crosses the end of a
        Annotation(0, 30, "e", layer=5),  # everything
    ]
    html = render_spans(text, anns)
    tree = parse(f"<p>{html}</p>")
    assert "".join(tree.text) == text
    for ann in anns:
        assert "".join(tree.text_by_class[ann.classes]) == text[ann.start : ann.end]
    assert html.startswith('<span class="e"><span class="a">')


def test_render_spans_puts_longer_span_outside_and_layer_breaks_ties() -> None:
    html = render_spans(
        "The Town Council", [Annotation(4, 16, "inner", layer=3), Annotation(4, 16, "outer")]
    )
    assert str(html) == 'The <span class="outer"><span class="inner">Town Council</span></span>'


def test_render_spans_sets_anchor_on_first_piece_only() -> None:
    # x starts first, so it is outside s; s is split where x ends and keeps its id once.
    anns = [Annotation(4, 12, "s", anchor="s-d-1"), Annotation(0, 6, "x")]
    html = str(render_spans("one two three", anns))
    assert html == (
        '<span class="x">one <span class="s" id="s-d-1">tw</span></span>'
        '<span class="s">o thre</span>e'
    )


def test_render_spans_clips_to_segment_offset() -> None:
    # The segment starts at document offset 100; spans outside it are dropped or clipped.
    anns = [Annotation(90, 104, "left"), Annotation(108, 200, "right"), Annotation(0, 50, "gone")]
    html = str(render_spans("abcdefghij", anns, offset=100))
    assert html == '<span class="left">abcd</span>efgh<span class="right">ij</span>'


def test_render_spans_escapes_text_and_attributes() -> None:
    anns = [Annotation(0, 8, "m", tooltip='"><script>x</script>', data=(("ent", 'a"b'),))]
    html = str(render_spans("<b>&amp;</b>", anns))
    assert "<b>" not in html and "<script>" not in html
    assert "&lt;b&gt;&amp;amp;" in html
    assert 'title="&#34;&gt;&lt;script&gt;' in html
    assert 'data-ent="a&#34;b"' in html


@st.composite
def _text_and_annotations(draw: st.DrawFn) -> tuple[str, list[Annotation]]:
    text = draw(st.text(alphabet="ab <&>\"'\n", min_size=0, max_size=40))
    n = len(text)
    anns = []
    for i in range(draw(st.integers(0, 8))):
        start = draw(st.integers(-3, n + 3))
        end = draw(st.integers(start, n + 5))
        anns.append(Annotation(start, end, f"k{i}", layer=draw(st.integers(0, 3))))
    return text, anns


@settings(max_examples=300, deadline=None)
@given(_text_and_annotations())
def test_render_spans_is_well_formed_for_any_annotations(
    case: tuple[str, list[Annotation]],
) -> None:
    text, anns = case
    tree = parse(f"<div>{render_spans(text, anns)}</div>")
    assert "".join(tree.text) == text
    for ann in anns:
        covered = text[max(0, ann.start) : max(0, min(len(text), ann.end))]
        assert "".join(tree.text_by_class.get(ann.classes, [])) == covered


def test_safe_href_accepts_only_web_urls() -> None:
    assert safe_href("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_href(" http://example.org ") == "http://example.org"
    for bad in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "//evil.example/x",
        "/relative",
        "https:///nohost",
        "",
        None,
    ):
        assert safe_href(bad) is None, bad


# -- render_html ---------------------------------------------------------------------------------


def test_render_html_is_self_contained(newsroom: Analysis) -> None:
    html = render_html([newsroom])
    parse(html)
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"\bsrc\s*=", html)
    assert not re.search(r"<link\b", html)
    assert "@import" not in html and "url(" not in html
    assert "<style>" in html and "<script>" in html
    # The page's CSP allows exactly our script, by hash: a stale hash would silently disable it.
    script = html[html.index("<script>") + 8 : html.index("</script>")]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html


def test_render_html_renders_posts_as_cards(newsroom: Analysis) -> None:
    tree = parse(render_html([newsroom]))
    cards = [a for t, a in tree.tags if t == "figure" and "cs-post" in _classes(a)]
    assert len(cards) == 2
    handles = tree.text_by_class["cs-handle"]
    assert handles == ["@KellbyWatch", "@MaraOseiPort"]
    assert tree.text_by_class["cs-post-date"] == ["2024-04-10", "2024-04-11"]
    assert "Kellby Harbour Watch" in tree.text_by_class["cs-author"]
    chips = [a for t, a in tree.tags if t == "a" and "cs-chip" in _classes(a)]
    assert [c["href"] for c in chips] == [
        "https://pic.twitter.com/Ab12Cd",
        "https://example.org/survey.pdf",
    ]
    assert all(c["rel"] == "noopener noreferrer nofollow" for c in chips)
    body = "".join(tree.text_by_class["cs-post-body"])
    assert "Dredger spotted in the outer channel" in body


def test_render_html_highlights_claims_with_anchors(newsroom: Analysis) -> None:
    tree = parse(render_html([newsroom]))
    key = newsroom.document.id
    links = [a["href"] for t, a in tree.tags if t == "a" and "cs-claim-link" in _classes(a)]
    by_rank = sorted(newsroom.claims, key=lambda c: c.rank)
    assert links == [f"#s-{key}-{c.sentence}" for c in by_rank]
    marked = {a["id"]: a for t, a in tree.tags if "claim" in _classes(a) and a.get("id")}
    for claim in by_rank:
        attrs = marked[f"s-{key}-{claim.sentence}"]
        assert f"Claim #{claim.rank}" in (attrs["title"] or "")
        assert f"score {claim.score:.2f}" in (attrs["title"] or "")
    top = marked[f"s-{key}-{by_rank[0].sentence}"]
    assert "heat-4" in _classes(top) and "speaker: Mara Osei" in (top["title"] or "")
    assert "reasons: has_quantity, has_date, attributed" in (top["title"] or "")
    assert "Ranked by claim score" in "".join(tree.text_by_class["cs-ranking"])
    assert len(tree.ids) == len(set(tree.ids))


def test_render_html_marks_mentions_with_normalized_values(newsroom: Analysis) -> None:
    tree = parse(render_html([newsroom]))
    spans = [a for t, a in tree.tags if t == "span"]
    qty = [a.get("title") for a in spans if "qty" in _classes(a)]
    assert ">40,000,000 EUR (more than)" in qty
    dates = [a.get("title") for a in spans if "date" in _classes(a)]
    assert any(d and d.startswith("2024-04-09") and "anchor date" in d for d in dates)
    ents = [a for a in spans if "ent" in _classes(a)]
    kellby = [a for a in ents if "Port of Kellby" in (a.get("title") or "")]
    assert len(kellby) == 2 and len({a["data-ent"] for a in kellby}) == 1
    # The speaker span and the entity on exactly the same text nest in one order.
    assert "".join(tree.text_by_class["spk"]).count("the Kellby Town Council") == 1
    assert "the Kellby Town Council" in "".join(tree.text_by_class["ent-ORG"])


def test_render_html_rebuilds_article_text_from_offsets(newsroom: Analysis) -> None:
    tree = parse(render_html([newsroom]))
    article = "".join(tree.text_by_class["cs-article"])
    for seg in newsroom.segments:
        piece = newsroom.span_text(seg.start, seg.end)
        if seg.post is None:
            assert piece in article
        else:
            body = newsroom.span_text(seg.post.body_start, seg.post.body_end)
            assert body in article
    assert "".join(tree.text_by_class["cs-heading"]) == "Dredging costs under scrutiny"
    assert "We were never shown the survey" in "".join(tree.text_by_class["cs-quote"])


def test_render_html_side_panels_list_entities_numbers_timeline(newsroom: Analysis) -> None:
    tree = parse(render_html([newsroom]))
    assert tree.text_by_class["cs-ent-name"][0] == "Port of Kellby"
    numbers = [a for t, a in tree.tags if t == "td" and "cs-num" in _classes(a)]
    assert len(numbers) == len(newsroom.quantities)
    times = [t for t in tree.text_by_class["cs-timeline"] if re.fullmatch(r"[\d/*-]+", t)]
    assert times == ["2021", "2021-03", "2024-03-27/2024-04-10", "2024-04-09*"]


def test_render_html_shows_text_outside_segments() -> None:
    text = "Lead paragraph.\n\nStray line no segment covers."
    analysis = Analysis(document=Document(text=text), segments=[Segment(0, "paragraph", 0, 15)])
    tree = parse(render_html([analysis]))
    assert "".join(tree.text_by_class["cs-gap"]) == "\n\nStray line no segment covers."


def test_render_html_handles_empty_analysis() -> None:
    html = render_html([Analysis(document=Document(text=""))])
    tree = parse(html)
    empty = " ".join(tree.text_by_class["cs-empty"])
    assert "This document has no text." in empty
    assert "No check-worthy claims found." in empty
    assert "No entities found." in empty and "No dated events." in empty
    assert "Nothing to report." in render_html([])


def test_render_html_lists_contents_for_several_analyses(newsroom: Analysis) -> None:
    other = Writer(title="Ferry timetable cut")
    with other.segment("paragraph"):
        other.sentence("Two sailings a day were cut.", score=0.4)
    html = render_html([newsroom, other.build(), newsroom], title="Morning desk")
    tree = parse(html)
    toc = [
        a["href"] for t, a in tree.tags if t == "a" and (a.get("href") or "").startswith("#doc-")
    ]
    assert len(toc) == 3 and len(set(toc)) == 3
    assert all(href[1:] in tree.ids for href in toc)
    assert len(tree.ids) == len(set(tree.ids))
    assert "<title>Morning desk</title>" in html
    assert "Ferry timetable cut" in "".join(tree.text_by_class["cs-toc"])


def test_render_html_fragment_is_one_scoped_div(newsroom: Analysis) -> None:
    html = render_html([newsroom], fragment=True).strip()
    assert html.startswith('<div class="claimscope cs-fragment">') and html.endswith("</div>")
    assert not re.search(r"<(html|head|body)\b", html)
    tree = parse(html)
    assert tree.tags[0][0] == "div"
    style = html[html.index("<style>") + 7 : html.index("</style>")]
    style = re.sub(r"/\*.*?\*/", "", style, flags=re.S)
    style = re.sub(r"@keyframes[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", style)
    for selectors in re.findall(r"([^{}]+)\{[^{}]*\}", re.sub(r"@media[^{]*\{", "", style)):
        for selector in selectors.split(","):
            assert selector.strip().startswith(".claimscope"), selector


def test_render_html_escapes_hostile_document() -> None:
    script = "<script>alert(1)</script>"
    img = "<img src=x onerror=alert(1)>"
    quotes = "\"'><svg onload=alert(1)>"
    w = Writer(
        title=f"{script} title {img}",
        source=f"{quotes}.txt",
        url="javascript:alert(1)",
        outlet=img,
        published=script,
    )
    with w.segment("heading"):
        w.sentence(f"Head {script}")
    with w.segment("paragraph"):
        w.sentence(
            Who(f"Officials {img}", cue=f" said {quotes} "),
            Qty(f"{script} 12", 12, f"{img}", "approx"),
            " items on ",
            Day(f"May 1 {quotes}", f"2024-05-01{script}"),
            " at ",
            Ent(f"{img}Place", f'GPE" onmouseover="alert(1){img}', f"{script}place"),
            Said(f"“{script}”"),
            ".",
            score=0.9,
            reasons=(script, img),
        )
    with w.post(f"{script}Author{img}", f"@x{quotes}", f"2024-05-02{script}"):
        w.sentence(
            f"Post body {script} ",
            Url("javascript:alert(1)"),
            " ",
            Url('https://ok.example/"onmouseover="alert(1)"<b>'),
            " ",
            Url(" JaVaScRiPt:alert(document.domain)"),
        )
        w.signature(f"— {script} (@x) May 2, 2024")
    analysis = w.build(ranking=f"{script}{img}", anchor_date=script, anchor_source=img)
    add_technique(analysis, f"Post body {script}", "loaded_language")
    for html in (render_html([analysis], title=script), render_html([analysis], fragment=True)):
        lowered = html.lower()
        assert "<script>alert" not in lowered
        assert "<img" not in lowered and "<svg" not in lowered
        for tag in re.findall(r"<[^>]*>", lowered):
            # Document text is escaped, so every raw `<` opens one of our tags; outside its
            # quoted values, no tag may carry an event handler.
            assert not re.search(r"\son\w+\s*=", re.sub(r'"[^"]*"', '""', tag)), tag
        assert 'href="javascript:' not in lowered and "href=' javascript:" not in lowered
        assert not re.search(r'href="\s*javascript:', lowered)
        assert html.count("<script>") == 1
        tree = parse(html)
        tags = {t for t, _ in tree.tags}
        assert tags <= {
            "html", "head", "meta", "title", "style", "body", "div", "span", "label", "input",
            "section", "header", "h1", "h2", "h3", "dl", "dt", "dd", "p", "article", "figure",
            "time", "a", "figcaption", "blockquote", "aside", "ol", "ul", "li", "button",
            "table", "thead", "tbody", "tr", "th", "td", "b", "nav", "script", "h4",
        }  # fmt: skip
        for _, attrs in tree.tags:
            assert all(not name.startswith("on") for name in attrs)
            href = attrs.get("href")
            if href is not None:
                assert href.startswith(("#", "https://", "http://")), href
        text = "".join(tree.text)
        assert script in text and img in text  # shown as text, not dropped
    html = render_html([analysis])
    chips = [a for t, a in parse(html).tags if "cs-chip" in _classes(a)]
    assert [c.get("href") for c in chips] == [
        None,
        'https://ok.example/"onmouseover="alert(1)"<b>',
        None,
    ]
    assert 'href="https://ok.example/&#34;onmouseover=&#34;alert(1)&#34;&lt;b&gt;"' in html


def test_render_html_splits_span_crossing_segments_keeping_one_anchor() -> None:
    text = "First half of a sentence\nthat ends in the next block."
    analysis = Analysis(
        document=Document(text=text),
        segments=[Segment(0, "paragraph", 0, 24), Segment(1, "paragraph", 25, len(text))],
        sentences=[Sentence(0, 0, 0, len(text))],
        claims=[Claim(0, 0, 0, len(text), 0.7, 1)],
    )
    tree = parse(render_html([analysis]))
    key = analysis.document.id
    assert tree.ids.count(f"s-{key}-0") == 1
    assert "".join(tree.text_by_class["claim"]).count("First half") == 1
    assert "that ends in the next block." in "".join(tree.text_by_class["claim"])


def test_render_html_underlines_techniques_with_legend_filter_and_top_sentences(
    newsroom: Analysis,
) -> None:
    sentence = newsroom.sentences[1]
    phrase = newsroom.text[sentence.start : sentence.end].split()[0]
    first = add_technique(newsroom, phrase, "loaded_language", 0.91)
    add_technique(newsroom, newsroom.text[sentence.start : sentence.end], "doubt", 0.7)
    html = render_html([newsroom])
    tree = parse(html)
    marks = [a for t, a in tree.tags if "tq" in _classes(a)]
    assert {m.get("data-tq") for m in marks} == {"loaded_language", "doubt", None}  # + legend
    loaded = next(m for m in marks if m.get("data-tq") == "loaded_language")
    assert "tq-loaded_language" in _classes(loaded)
    assert (loaded.get("title") or "").startswith("Loaded language · 0.91\nWords picked")
    assert "".join(tree.text_by_class["tq-loaded_language"]).startswith(phrase)
    toggles = [a.get("data-tq-toggle") for t, a in tree.tags if t == "input"]
    assert toggles.count("loaded_language") == toggles.count("doubt") == 1
    summary = "".join(tree.text_by_class["cs-tq-summary"])
    assert summary.startswith("2 spans in 1 sentence")
    top = [a.get("href") for t, a in tree.tags if t == "a" and a.get("href", "").endswith("-1")]
    assert top and first.sentence == 1


def test_render_html_says_when_a_technique_model_found_nothing(newsroom: Analysis) -> None:
    assert "Persuasion techniques" not in render_html([newsroom])  # no technique model ran
    for s in newsroom.sentences:
        s.scores["persuasion"] = 0.01
    assert "No persuasion techniques found." in render_html([newsroom])


def test_render_html_shows_a_resolved_pronoun_and_its_name_escaped() -> None:
    name = "Ana <b>Ruiz</b> & Co"
    w = Writer(title="Port")
    with w.segment("paragraph"):
        w.sentence(Who(name, cue=" said the port would close. "))
        w.sentence(Who("She", name="she", cue=" said ", resolved=name), "40 jobs go.", score=0.9)
        w.sentence(Who("Officials", cue=" said "), "30 ships wait.", score=0.8)
    html = render_html([w.build()])
    assert "<b>Ruiz</b>" not in html
    shown = "she → Ana &lt;b&gt;Ruiz&lt;/b&gt; &amp; Co"
    tree = parse(html)
    titles = [a.get("title") for _, a in tree.tags if "cs-claim-speaker" in _classes(a)]
    assert titles == [
        "the text says “she”, resolved to Ana <b>Ruiz</b> & Co (the nearest earlier named source)",
        None,
    ]
    assert tree.text_by_class["cs-claim-speaker"] == ["she → Ana <b>Ruiz</b> & Co", "Officials"]
    assert f'title="speaker: {shown} (reporting verb)"' in html  # the source span's tooltip
