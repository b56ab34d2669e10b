"""Documents are hostile input: script and event-handler payloads in a stored document, a review
and the request itself render as text on every page, never as markup.

Each page is checked twice: its HTML as parsed (no script but the report's own, no ``on*``
attribute, no ``javascript:`` URL, and the payloads present as text), and, where Chromium is
installed, in the browser (no dialog opens, and the live DOM holds no injected element).
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest

from tests.web.conftest import (
    HOSTILE,
    IMG,
    JS,
    NOTE,
    PAYLOADS,
    SCRIPT,
    SVG,
    Console,
    LiveServer,
    form_token,
)

BARE = "<svg onload=alert`1`>"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "data"}


class Markup(HTMLParser):
    """A page as parsed: its start tags with attributes, script bodies and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def report_script() -> str:
    from claimscope.report.html import _asset

    return _asset("report.js")


def assert_inert(html: str, *, shown: tuple[str, ...] = (SCRIPT,)) -> None:
    """No payload became markup, and each of ``shown`` is on the page as text."""
    parsed = Markup()
    parsed.feed(html)
    parsed.close()
    assert "<script>alert" not in html.lower()
    for tag, attrs in parsed.tags:
        for name, value in attrs:
            assert not name.lower().startswith("on"), f"<{tag} {name}={value!r}>"
            if name.lower() in URL_ATTRIBUTES and value:
                squeezed = "".join(value.split()).lower()
                assert not squeezed.startswith("javascript:"), f"<{tag} {name}={value!r}>"
        assert not (tag == "img" and dict(attrs).get("src") == "x"), "an injected <img>"
        assert tag != "svg" or dict(attrs).get("onload") is None
    for tag, attrs in parsed.tags:
        if tag == "script":
            assert dict(attrs).get("src") is None, "a script from elsewhere"
    # The only script on any page is the HTML report's, byte for byte (the CSP allows it by hash).
    assert all(body == report_script() for body in parsed.scripts), "an injected script"
    # Shown: in the page's text, or as a form field's value (a query or a title sent back).
    values = [
        v
        for tag, attrs in parsed.tags
        if tag in ("input", "option")
        for n, v in attrs
        if n == "value" and v
    ]
    text = "".join(parsed.text) + "\n".join(values)
    for payload in shown:
        assert payload in text, f"{payload!r} is not shown as text"


@pytest.fixture(scope="module")
def hostile(live_server: LiveServer) -> dict[str, Any]:
    """The hostile document's id and claims, with a hostile review on its first claim."""
    doc_id = live_server.hostile_doc_id()
    claims = live_server.get("/api/v1/claims", params={"doc_id": doc_id, "limit": 100}).json()
    assert claims["total"] >= 4
    first = claims["items"][0]["claim"]
    review = {
        "doc_id": doc_id,
        "claim": first,
        "reviewer": f"Eve {IMG}",
        "assignee": SVG,
        "verdict": "false",
        "note": NOTE,
    }
    assert live_server.post("/api/v1/reviews", json=review).status_code == 201
    # The form route too, which also sets the reviewer cookie the claim page reflects.
    form = {"reviewer": f"Mallory {SVG}", "checkworthy": "yes", "note": NOTE}
    form["csrf_token"] = form_token(live_server.client, f"/claims/{doc_id}/{first}")
    reply = live_server.post(f"/claims/{doc_id}/{first}/review", data=form)
    assert reply.status_code == 303
    return {"doc_id": doc_id, "claims": [c["claim"] for c in claims["items"]], "first": first}


def pages(hostile: dict[str, Any]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every page that shows the hostile document or a request's text, and the payloads that
    each must show as text."""
    doc_id = hostile["doc_id"]
    yield "/corpus?q=audit", (SCRIPT, IMG, SVG)
    yield f"/corpus?q={quote(SCRIPT)}&outlet={quote(IMG)}", (SCRIPT, IMG)
    yield "/corpus?q=terminal", (SCRIPT,)  # the coverage rows and the contradiction list
    yield f"/documents/{doc_id}", PAYLOADS
    for claim in hostile["claims"]:
        yield f"/claims/{doc_id}/{claim}", ()
    # With the hostile reviews, and the hostile reviewer's name (a cookie the server set when
    # the form was sent) back in the form.
    yield f"/claims/{doc_id}/{hostile['first']}", (SCRIPT, IMG, SVG, JS, f"Mallory {SVG}")
    yield "/review", (SCRIPT, IMG)
    # The search language refuses ( and an odd ": this one reaches the search itself.
    yield f"/review?q={quote(BARE)}&assignee={quote(IMG)}", (BARE, IMG)
    yield f"/documents/{quote(IMG, safe='')}", (IMG,)  # the 404 page names it


def test_xss_payloads_stored_and_shown_as_text(live_server: LiveServer, hostile) -> None:
    checked = 0
    for path, shown in pages(hostile):
        reply = live_server.get(path)
        # 400: a query the search language refuses, shown again with the error.
        assert reply.status_code in (200, 400, 404), path
        assert reply.headers["content-type"].startswith("text/html"), path
        assert_inert(reply.text, shown=shown)
        checked += 1
    assert checked >= 8


def test_xss_the_claim_page_escapes_its_contradictions(live_server: LiveServer, hostile) -> None:
    contradictions = live_server.get(
        "/api/v1/contradictions", params={"doc": hostile["doc_id"]}
    ).json()["items"]
    assert contradictions, "the hostile document contradicts itself (the Calder Bay terminal)"
    sentences = {c[side]["sentence"] for c in contradictions for side in ("a", "b")}
    claims = live_server.get(
        "/api/v1/claims", params={"doc_id": hostile["doc_id"], "limit": 100}
    ).json()["items"]
    touched = [c["claim"] for c in claims if c["sentence"] in sentences]
    assert touched, "a side of the contradiction is a claim"
    page = live_server.get(f"/claims/{hostile['doc_id']}/{touched[0]}")
    assert "Calder Bay" in page.text
    assert_inert(page.text, shown=(SCRIPT,))


def test_xss_analyze_result_is_escaped(live_server: LiveServer) -> None:
    form = {"text": HOSTILE["text"], "title": HOSTILE["title"], "outlet": HOSTILE["outlet"]}
    form["csrf_token"] = form_token(live_server.client, "/analyze")
    reply = live_server.post("/analyze", data=form)
    assert reply.status_code == 200
    assert_inert(reply.text, shown=PAYLOADS)
    # A title alone, with no text, is refused with the form shown again, still escaped.
    empty = live_server.post(
        "/analyze", data={"text": " ", "title": SCRIPT, "csrf_token": form["csrf_token"]}
    )
    assert empty.status_code == 400
    assert_inert(empty.text, shown=(SCRIPT,))


def test_xss_api_answers_are_json_not_html(live_server: LiveServer, hostile) -> None:
    doc_id = hostile["doc_id"]
    for path in (f"/api/v1/documents/{doc_id}", f"/api/v1/claims?doc_id={doc_id}"):
        reply = live_server.get(path)
        assert reply.headers["content-type"] == "application/json"
        assert reply.headers["x-content-type-options"] == "nosniff"
    export = live_server.get("/api/v1/reviews/export", params={"format": "csv"})
    assert export.headers["content-disposition"].startswith("attachment")


INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      const value = a.value.replace(/\\s+/g, '').toLowerCase();
      const url = ['href', 'src', 'action', 'formaction', 'xlink:href'].includes(a.name);
      if (a.name.startsWith('on') || (url && value.startsWith('javascript:'))) {
        found.push(el.tagName + ' ' + a.name + '=' + a.value);
      }
    }
  }
  for (const el of document.querySelectorAll('img[src="x"], script')) {
    if (el.tagName === 'IMG' || el.textContent.includes('alert(')) { found.push(el.outerHTML); }
  }
  return found;
}"""


def test_xss_no_dialog_in_the_browser(
    live_server: LiveServer, hostile, page: tuple[Any, Console]
) -> None:
    tab, console = page
    # A hostile review sent from the browser: the server sets the reviewer cookie, which the
    # claim page puts back into its form.
    tab.goto(f"{live_server.url}/claims/{hostile['doc_id']}/{hostile['first']}")
    tab.fill("input[name=reviewer]", f"Mallory {SVG}")
    tab.fill("textarea[name=note]", NOTE)
    tab.get_by_role("button", name="Save review").click()
    tab.wait_for_url("**#reviews")
    assert tab.input_value("input[name=reviewer]") == f"Mallory {SVG}"
    for path, _ in pages(hostile):
        tab.goto(f"{live_server.url}{path}")
        assert tab.evaluate(INJECTED) == [], path
    # The analyze form, submitted in the browser with the hostile text.
    tab.goto(f"{live_server.url}/analyze")
    tab.fill("textarea[name=text]", HOSTILE["text"])
    tab.fill("input[name=title]", HOSTILE["title"])
    tab.get_by_role("button", name="Analyze").click()
    tab.locator("#result").wait_for(timeout=60_000)
    assert tab.evaluate(INJECTED) == []
    assert tab.locator("figure.cs-post").count() == 1
    tab.wait_for_timeout(300)  # an onerror fires on load: give it the chance
    assert console.dialogs == []
    assert console.errors == []
