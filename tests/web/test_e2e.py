"""End to end in a real headless Chromium: analyze the example article on the Analyze page and
keep it, see its highlighted claims and post cards, review a claim, reload, export the reviews.

Screenshots go to build/test-artifacts/e2e/. Skipped without /usr/bin/chromium.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from tests.web.conftest import Console, LiveServer

NOTE = "Concession value checked against the assembly record."


def _download(tab: Any, link_text: str) -> str:
    """Click an export link on the page and give the downloaded file's text."""
    with tab.expect_download() as info:
        tab.get_by_role("link", name=link_text, exact=True).click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_e2e_analyze_review_export(
    live_server: LiveServer,
    page: tuple[Any, Console],
    artifacts: Path,
    example_path: Path,
) -> None:
    tab, console = page

    # Analyze: upload the example article and keep it in the corpus.
    tab.goto(f"{live_server.url}/analyze")
    tab.set_input_files("input[name=file]", str(example_path))
    tab.check("input[name=store]")
    tab.get_by_role("button", name="Analyze").click()
    result = tab.locator("#result")
    result.wait_for(timeout=60_000)
    highlighted = result.locator(".claimscope .s.claim").count()
    assert highlighted >= 5, "the example's claims are highlighted"
    posts = result.locator("figure.cs-post")
    assert posts.count() == 2, "the example's two embedded posts show as cards"
    assert "Marisol Quintero" in posts.first.inner_text()
    tab.screenshot(path=str(artifacts / "analyze.png"), full_page=True)

    # The report's own script runs under the CSP: its marks toggle changes the report.
    report = result.locator(".claimscope").first
    tab.uncheck("[data-marks-toggle]")
    assert "cs-nomarks" in (report.get_attribute("class") or "")
    tab.check("[data-marks-toggle]")
    assert "cs-nomarks" not in (report.get_attribute("class") or "")

    # Follow the first claim link of the stored document to its claim page.
    stored = result.locator(".wb-note a[href^='/documents/']")
    doc_id = stored.inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{16}", doc_id)
    first = result.locator(".wb-note a[href^='/claims/']").first
    href = first.get_attribute("href") or ""
    first.click()
    tab.wait_for_url(f"**{href}")
    claim_text = tab.locator("blockquote.wb-claim").inner_text().strip()
    assert claim_text, "the claim page shows the claim"
    assert tab.locator("#reviews").inner_text().strip() == "Not reviewed yet."

    # Review it; the page comes back with the review in its history.
    tab.fill("input[name=reviewer]", "E2E Reviewer")
    tab.check("input[name=checkworthy][value=yes]")
    tab.select_option("select[name=verdict]", "misleading")
    tab.fill("input[name=assignee]", "desk-b")
    tab.fill("textarea[name=note]", NOTE)
    tab.get_by_role("button", name="Save review").click()
    tab.wait_for_url(re.compile(r".*#reviews$"))
    history = tab.locator("#reviews .wb-review")
    assert history.count() == 1
    assert NOTE in history.first.inner_text()

    # Reload: the review was stored, and the form remembers the reviewer.
    tab.reload()
    history = tab.locator("#reviews .wb-review")
    assert history.count() == 1
    text = history.first.inner_text()
    assert "E2E Reviewer" in text and "misleading" in text and "desk-b" in text
    assert tab.input_value("input[name=reviewer]") == "E2E Reviewer"
    tab.screenshot(path=str(artifacts / "claim-reviewed.png"), full_page=True)

    # The review queue shows it; its exports carry it.
    tab.goto(f"{live_server.url}/review?status=reviewed")
    row = tab.locator("table.wb-table tbody tr", has_text=claim_text[:60])
    assert "misleading" in row.inner_text()
    tab.screenshot(path=str(artifacts / "review.png"), full_page=True)

    rows = list(csv.DictReader(io.StringIO(_download(tab, "CSV"))))
    mine = [r for r in rows if r["doc_id"] == doc_id]
    assert len(mine) == 1
    assert mine[0]["note"] == NOTE
    assert mine[0]["verdict"] == "misleading"
    assert mine[0]["checkworthy"] == "True"
    assert mine[0]["claim_text"] == claim_text

    lines = [json.loads(x) for x in _download(tab, "JSONL").splitlines()]
    mine_json = [r for r in lines if r["doc_id"] == doc_id]
    assert [r["note"] for r in mine_json] == [NOTE]
    assert mine_json[0]["reviewer"] == "E2E Reviewer"

    # The stored document's page shows the same article, claims and posts.
    tab.goto(f"{live_server.url}/documents/{doc_id}")
    assert tab.locator(".claimscope .s.claim").count() == highlighted
    assert tab.locator("figure.cs-post").count() == 2
    assert "reviewed: misleading" in tab.locator("aside.wb-side").inner_text()
    tab.screenshot(path=str(artifacts / "document.png"), full_page=True)

    assert console.csp_violations() == [], console.messages
    assert console.errors == []
    assert console.dialogs == []


def test_e2e_every_nav_link_loads_without_console_errors(
    live_server: LiveServer, page: tuple[Any, Console], artifacts: Path
) -> None:
    """Every link of the navigation answers, and nothing on its page is refused by the CSP."""
    tab, console = page
    tab.goto(f"{live_server.url}/corpus?q=tramway")
    assert tab.locator("img.wb-chart").evaluate("img => img.naturalWidth") > 0
    tab.screenshot(path=str(artifacts / "corpus.png"), full_page=True)
    links = tab.locator("header nav a").evaluate_all("links => links.map(a => a.href)")
    assert len(links) == 4
    for link in links:
        response = tab.goto(link)
        assert response is not None and response.status == 200, link
        tab.wait_for_load_state("load")
    assert console.csp_violations() == [], console.messages
    assert console.errors == []
