"""Tests for the HTML reader: article text, one paragraph per line, and page metadata."""

from __future__ import annotations

import pytest

from claimscope.errors import EmptyDocumentError
from claimscope.ingest.html import lang_code, read_html
from claimscope.settings import Settings

from .samples import ARTICLE_HTML, NO_ARTICLE_HTML

SETTINGS = Settings()


def test_read_html_article_text_one_paragraph_per_line() -> None:
    doc = read_html(ARTICLE_HTML, source="page.html", settings=SETTINGS)
    lines = doc.text.split("\n")
    assert lines[0] == "Harbour town votes to rebuild sea wall"
    assert lines[1].startswith("The council of Port Elvy voted 7 to 2")
    assert lines[1].endswith("about €4.2 million.")
    assert lines[2].startswith("“We cannot wait for the next storm,”")
    assert len(lines) == 5
    # Navigation and footer are not article text.
    assert "Sport" not in doc.text
    assert "©" not in doc.text


def test_read_html_metadata() -> None:
    doc = read_html(ARTICLE_HTML, source="page.html", settings=SETTINGS)
    assert doc.source == "page.html"
    assert doc.title == "Harbour town votes to rebuild sea wall"
    assert doc.url == "https://ledger.example.org/news/sea-wall"
    assert doc.published == "2024-03-05"
    assert doc.outlet == "The Coastal Ledger"
    assert doc.lang == "en"
    assert doc.meta["author"] == "Mara Quint"
    assert doc.repairs == []


def test_read_html_outlet_falls_back_to_host() -> None:
    html = ARTICLE_HTML.replace(
        '<meta property="og:site_name" content="The Coastal Ledger">', ""
    ).replace(" | The Coastal Ledger", "")
    doc = read_html(html, source="page.html", settings=SETTINGS)
    # trafilatura names the site after the URL's host when the page gives no site name.
    assert doc.outlet == "ledger.example.org"


def test_read_html_date_not_taken_from_body_text() -> None:
    html = (
        "<html><head><title>Wall</title></head><body><article><h1>Wall</h1>"
        + "<p>The council said on 12 January 2021 that the wall, built on 4 June 1962, "
        "would be rebuilt, and the mayor agreed with that view in a long statement.</p>"
        * 3
        + "</article></body></html>"
    )
    assert read_html(html, source="p.html", settings=SETTINGS).published is None


def test_read_html_no_article() -> None:
    with pytest.raises(EmptyDocumentError) as info:
        read_html(NO_ARTICLE_HTML, source="app.html", settings=SETTINGS)
    assert str(info.value) == "app.html: no article text found in HTML"


def test_read_html_empty_string() -> None:
    with pytest.raises(EmptyDocumentError, match="no article text found in HTML"):
        read_html("", source="x.html", settings=SETTINGS)


def test_read_html_mojibake_in_article_repaired() -> None:
    html = ARTICLE_HTML.replace("the town’s sea wall", "the townâ€™s sea wall")
    doc = read_html(html, source="page.html", settings=SETTINGS)
    assert "the town’s sea wall" in doc.text
    assert doc.repairs and doc.repairs[0].startswith("mojibake repaired")


def test_lang_code_forms() -> None:
    assert [lang_code(v) for v in ("en", "en-GB", "pt_BR", " FR ", "english", "", None)] == [
        "en",
        "en",
        "pt",
        "fr",
        None,
        None,
        None,
    ]


@pytest.mark.parametrize("depth", [255, 300, 2100, 20_000])
def test_read_html_article_nested_past_lxmls_depth_limit_is_found(depth: int) -> None:
    """libxml2 drops everything below about 255 levels: such a page said "no article text
    found in HTML" though its article was there. It is read flattened instead."""
    plain = read_html(ARTICLE_HTML, source="page.html", settings=SETTINGS)
    deep = ARTICLE_HTML.replace("<article>", "<article>" + "<div>" * depth).replace(
        "</article>", "</div>" * depth + "</article>"
    )
    doc = read_html(deep, source="page.html", settings=SETTINGS)
    assert doc.text == plain.text
    assert (doc.title, doc.published, doc.lang) == (plain.title, plain.published, plain.lang)


def test_read_html_flattened_keeps_paragraphs_and_drops_scripts() -> None:
    from claimscope.ingest._flatten import flatten_html

    deep = "<p>a<p>b" * 200 + "<div>" * 20 + "<script>var x = 1;</script><p>deep</p>"
    flat = flatten_html(f"<html><body>{deep}</body></html>", limit=10)
    assert flat.count("<p>") == 400 + 1  # unclosed <p>s close each other, and do not nest
    assert "var x" not in flat and "deep</p>" in flat
