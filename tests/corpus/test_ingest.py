"""The ingest runner: every input kind into the store, idempotent, failures recorded."""

from __future__ import annotations

import csv

import pytest

from claimscope.corpus import Store, ingest_paths
from claimscope.errors import InputError, SettingsError
from claimscope.registry import STAGES
from tests.corpus.builders import TEXTS, articles, page, write_jsonl, write_warc
from tests.ingest.samples import ARTICLE_HTML, NO_ARTICLE_HTML


@pytest.fixture
def folder(tmp_path):
    """A folder of every input kind: texts, a page, JSONL records, a WARC; three bad inputs."""
    root = tmp_path / "inputs"
    (root / "texts").mkdir(parents=True)
    for name, text in TEXTS.items():
        (root / "texts" / name).write_text(text, encoding="utf-8")
    (root / "texts" / "empty.txt").write_text("", encoding="utf-8")
    (root / "page.html").write_text(ARTICLE_HTML, encoding="utf-8")
    write_jsonl(root / "feed.jsonl", list(articles(5, seed=2)), extra_lines=["{not json"])
    write_warc(
        root / "crawl.warc.gz",
        [
            ("https://news.example.com/x", "200 OK", "text/html", page("Port", TEXTS["ferry.txt"])),
            ("https://news.example.com/app", "200 OK", "text/html", NO_ARTICLE_HTML),
        ],
        gzip=True,
    )
    return root


def _rows(db, sql):
    with Store.open(db, read_only=True) as store:
        return list(store.query(sql).rows)


def test_ingest_stores_every_input_kind_and_records_failures(tmp_path, folder, rules):
    db = tmp_path / "corpus.duckdb"
    seen = []
    stats = ingest_paths([folder], db=db, settings=rules, progress=lambda s: seen.append(s.done))
    assert (stats.stored, stats.skipped, stats.failed) == (9, 0, 3)
    assert stats.total is None  # a record file: the count is only known by reading it
    assert seen and seen[-1] == 12
    failures = dict(_rows(db, "SELECT source, kind FROM failures"))
    assert failures == {
        str(folder / "texts" / "empty.txt"): "EmptyDocumentError",
        f"{folder / 'feed.jsonl'}#6": "RecordError",
        f"{folder / 'crawl.warc.gz'}#5": "EmptyDocumentError",
    }
    titles = dict(_rows(db, "SELECT source, title FROM documents"))
    assert titles[str(folder / "page.html")] == "Harbour town votes to rebuild sea wall"
    assert titles[f"{folder / 'feed.jsonl'}#1"] == next(articles(1, seed=2))["title"]
    with Store.open(db, read_only=True) as store:
        counts = store.counts()
    assert counts["documents"] == 9
    assert counts["sentences"] > 20 and counts["mentions"] > 20 and counts["claims"] > 0
    assert _rows(db, "SELECT DISTINCT profile FROM documents") == [("rules",)]


def test_ingest_again_adds_nothing(tmp_path, folder, rules):
    db = tmp_path / "corpus.duckdb"
    ingest_paths([folder], db=db, settings=rules)
    with Store.open(db, read_only=True) as store:
        before = store.counts()
    stats = ingest_paths([folder], db=db, settings=rules)
    assert (stats.stored, stats.skipped, stats.failed) == (0, 9, 3)
    with Store.open(db, read_only=True) as store:
        assert store.counts() == before


def test_ingest_a_fixed_input_is_stored_and_its_failure_forgotten(tmp_path, folder, rules):
    db = tmp_path / "corpus.duckdb"
    ingest_paths([folder], db=db, settings=rules)
    (folder / "texts" / "empty.txt").write_text("The bridge reopened on 4 May 2024.", "utf-8")
    stats = ingest_paths([folder], db=db, settings=rules)
    assert stats.stored == 1
    sources = {s for (s,) in _rows(db, "SELECT source FROM failures")}
    assert str(folder / "texts" / "empty.txt") not in sources and len(sources) == 2


def test_ingest_holds_duckdb_to_the_write_memory_limit(tmp_path, rules, monkeypatch):
    # A long ingest reads each page of the store once or twice: a larger buffer only grew it.
    monkeypatch.delenv("CLAIMSCOPE_DB_MEMORY", raising=False)
    limits = []
    opened = Store.open

    def spy(path, **kwargs):
        store = opened(path, **kwargs)
        row = store.connection.execute("SELECT current_setting('memory_limit')").fetchone()
        limits.append(row[0] if row else None)
        return store

    monkeypatch.setattr(Store, "open", spy)
    (tmp_path / "a.txt").write_text(TEXTS["ferry.txt"], encoding="utf-8")
    ingest_paths([tmp_path / "a.txt"], db=tmp_path / "c.duckdb", settings=rules, cluster=False)
    assert limits == ["244.1 MiB"]  # WRITE_MEMORY_LIMIT, 256MB; a reader's default is 1GB


def test_ingest_records_with_custom_fields(tmp_path, rules):
    path = tmp_path / "dump.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["story", "headline", "link", "day", "site", "section"])
        for i, record in enumerate(articles(3, seed=4)):
            writer.writerow(
                [
                    record["text"],
                    record["title"],
                    record["url"],
                    record["published"],
                    record["outlet"],
                    f"s{i}",
                ]
            )
    settings = rules.replace(
        text_field="story",
        title_field="headline",
        url_field="link",
        date_field="day",
        outlet_field="site",
    )
    stats = ingest_paths([path], db=tmp_path / "c.duckdb", settings=settings)
    assert stats.stored == 3 and not stats.failed
    rows = _rows(
        tmp_path / "c.duckdb",
        "SELECT title, url, strftime(published, '%Y-%m-%d'), outlet, meta->>'section' "
        "FROM documents ORDER BY source",
    )
    expected = [
        (r["title"], r["url"], r["published"], r["outlet"], f"s{i}")
        for i, r in enumerate(articles(3, seed=4))
    ]
    assert rows == expected


def test_ingest_same_text_twice_is_stored_once(tmp_path, rules):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(TEXTS["budget.txt"], encoding="utf-8")
    stats = ingest_paths(
        [tmp_path / "a.txt", tmp_path / "b.txt"], db=tmp_path / "c.duckdb", settings=rules
    )
    assert (stats.stored, stats.skipped, stats.total) == (1, 1, 2)
    assert _rows(tmp_path / "c.duckdb", "SELECT source FROM documents") == [
        (str(tmp_path / "a.txt"),)
    ]


def test_ingest_a_document_that_breaks_a_stage_fails_alone(tmp_path, rules, monkeypatch):
    stage = STAGES["claimscope.quantities.v1"]
    original = stage.func

    def flaky(batch, settings):
        if any("BOOM" in a.text for a in batch):
            raise RuntimeError("boom")
        original(batch, settings)

    monkeypatch.setitem(
        STAGES,
        stage.name,
        stage.__class__(stage.name, flaky, stage.requires, stage.assigns, stage.doc),
    )
    (tmp_path / "a.txt").write_text(TEXTS["ferry.txt"], encoding="utf-8")
    (tmp_path / "b.txt").write_text("BOOM: 4 buses caught fire.", encoding="utf-8")
    stats = ingest_paths([tmp_path], db=tmp_path / "c.duckdb", settings=rules)
    assert (stats.stored, stats.failed) == (1, 1)
    ((source, kind, error),) = _rows(
        tmp_path / "c.duckdb", "SELECT source, kind, error FROM failures"
    )
    assert source == str(tmp_path / "b.txt") and kind == "StageError" and "boom" in error


def test_ingest_refuses_missing_paths_and_bad_options(tmp_path, rules):
    with pytest.raises(InputError, match="no such file"):
        ingest_paths([tmp_path / "nope"], db=tmp_path / "c.duckdb", settings=rules)
    with pytest.raises(SettingsError, match="workers"):
        ingest_paths([tmp_path], db=tmp_path / "c.duckdb", settings=rules, workers=0)
    assert not (tmp_path / "c.duckdb").exists()  # nothing is created for a run that cannot start


def test_local_workers_run_below_the_parents_priority():
    # The parent (store writes, clustering) is the serial stage: its workers must not starve it.
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    from claimscope.corpus.runner import WORKER_NICENESS, _init_worker

    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn, initializer=_init_worker) as pool:
        worker = pool.submit(os.nice, 0).result()
    assert worker == min(os.nice(0) + WORKER_NICENESS, 19)
