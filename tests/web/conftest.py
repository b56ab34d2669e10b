"""Fixtures for the workbench's end-to-end, XSS and schemathesis tests: a corpus store built
from articles written here (one of them hostile), a live server on loopback, and a headless
Chromium (Debian's, at /usr/bin/chromium) driven by Playwright when it is installed."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "build" / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# No sandbox: CI runs as root, where Chromium refuses to start sandboxed; no /dev/shm, which
# containers keep small. The rest keep a headless browser from calling home (updates, sync).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# What a hostile document carries: script, event-handler and javascript: injections.
PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
)
SCRIPT, IMG, SVG, JS = PAYLOADS

# Fictional articles written for these tests. The hostile one has a payload in its title,
# outlet, url, body, a claim of every kind and an embedded post (the pic.twitter.com line).
ARTICLES: list[dict[str, Any]] = [
    {
        "title": "Tramway extension approved",
        "outlet": "Riverside Courier",
        "published": "2024-03-04",
        "url": "https://courier.example/2024/03/04/tramway",
        "text": (
            "Tramway extension approved\n"
            "The city council of Dornfeld approved a 6.4-kilometre tramway extension on "
            "Monday, with 31 votes for and 9 against.\n"
            "Mayor Ilse Brandt said the line would carry 18,000 passengers a day by 2027.\n"
            "The transport agency estimates the cost at 212 million euros."
        ),
    },
    {
        "title": "Dornfeld tram costs questioned",
        "outlet": "Valley Herald",
        "published": "2024-03-06",
        "url": "https://herald.example/news/tram-costs",
        "text": (
            "Dornfeld tram costs questioned\n"
            "The transport agency estimates the cost of the tramway extension at 260 million "
            "euros, according to documents seen by the Herald.\n"
            "Opposition councillors said the vote on Monday passed with 29 votes for and 11 "
            "against."
        ),
    },
]
HOSTILE: dict[str, Any] = {
    "title": f"Port audit {SCRIPT} {SVG}",
    "outlet": f"Harbour Ledger {IMG}",
    "published": "2024-03-06",
    "url": JS,
    "text": (
        f"Port audit finds missing {SCRIPT} funds\n"
        f"The port authority said on March 4, 2024 that 4,200 containers {SCRIPT} were "
        "handled in February.\n"
        f"Finance Minister Lena Varga said the terminal cost $310 million {IMG} and created "
        "900 jobs.\n"
        f"Auditors reported that 17% of the budget {SVG} was never accounted for, according "
        "to the audit office.\n"
        f'Read the audit at {JS} or <a href="{JS}">here</a> before the vote on April 2, 2024.\n'
        f"Nobody told the crews that 300 contracts end in June {IMG} {SCRIPT} "
        "pic.twitter.com/Xy12Ab34Cd\n"
        "— Ana Ruiz (@ana_ruiz) March 5, 2024\n"
        "The ministry denied the figures and said 4,000 containers were handled in February.\n"
        f"The harbour authority will open a second terminal in Calder Bay {SCRIPT}, the mayor "
        "said.\n"
        "The ministry said the harbour authority will not open a second terminal in Calder Bay."
    ),
}
NOTE = f"Checked with the port {SCRIPT} {IMG} {SVG} {JS}"


@pytest.fixture(scope="session")
def web_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of ARTICLES and HOSTILE, ingested once; tests serve copies of it."""
    from claimscope.corpus.contradictions import update_contradictions
    from claimscope.corpus.ingest import ingest_paths
    from claimscope.store import Store

    folder = tmp_path_factory.mktemp("web-corpus")
    records = folder / "articles.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in [*ARTICLES, HOSTILE]]
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = folder / "store" / "corpus.duckdb"
    store.parent.mkdir()
    stats = ingest_paths([records], db=store)
    assert (stats.stored, stats.failed) == (3, 0), "the web fixtures must ingest cleanly"
    with Store.open(store) as opened:
        update_contradictions(opened)  # what `claimscope contradictions` does first
    return store


def form_token(client: Any, path: str) -> str:
    """The CSRF token of the form on page ``path``, as a browser gets it (the client keeps the
    cookie that goes with it)."""
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"{path} has no form with a CSRF token"
    return found.group(1)


def copy_store(store: Path, folder: Path) -> Path:
    """A private copy of ``store`` and the files kept next to it (its claim index)."""
    target = folder / "store"
    shutil.copytree(store.parent, target)
    return target / store.name


@dataclass(slots=True)
class LiveServer:
    """A workbench served by uvicorn on 127.0.0.1 from a thread of the test process."""

    url: str
    db: Path
    client: httpx.Client = field(repr=False)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.post(path, **kwargs)

    def hostile_doc_id(self) -> str:
        """The id of the stored HOSTILE document."""
        found = self.get("/api/v1/documents", params={"q": "audit", "limit": 10}).json()
        ids = [d["id"] for d in found["items"] if d["url"] == HOSTILE["url"]]
        assert ids, "the hostile document is not in the store"
        return str(ids[0])


@contextmanager
def serve(db: Path, **config: Any) -> Iterator[LiveServer]:
    """Serve the workbench over ``db`` on a free loopback port until the block ends."""
    import uvicorn

    from claimscope.web import create_app
    from claimscope.web.service import ServerConfig

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(ServerConfig(db=db, **config))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the workbench did not start")
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            yield LiveServer(url=url, db=db, client=client)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="module")
def live_server(web_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server per test module, on its own copy of the web corpus."""
    db = copy_store(web_corpus, tmp_path_factory.mktemp("web-served"))
    with serve(db) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium under Playwright; the test is skipped where it is absent.

    Per module, so Playwright's event loop is gone before tests elsewhere run their own."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (as root, make test installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run the browser tests")
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass(slots=True)
class Console:
    """What the page said: console messages, uncaught errors, dialogs (none is accepted)."""

    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        words = ("content security policy", "refused to")
        return [m for m in self.messages + self.errors if any(w in m.lower() for w in words)]


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Console]]:
    """A fresh browser context and page, and a record of its console and dialogs."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    tab = context.new_page()
    console = Console()
    tab.on("console", lambda m: console.messages.append(f"{m.type}: {m.text}"))
    tab.on("pageerror", lambda e: console.errors.append(str(e)))

    def dialog(d: Any) -> None:
        console.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    tab.on("dialog", dialog)
    try:
        yield tab, console
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """build/test-artifacts/e2e: screenshots of the end-to-end run (gitignored)."""
    folder = ARTIFACTS / "e2e"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
