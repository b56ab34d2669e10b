"""Claim clusters: exact, near and semantic joins, incremental runs, the derived index, queries."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from claimscope.cli import app
from claimscope.clusters import (
    ClusterConfig,
    ClusterSession,
    ClusterStats,
    get_cluster,
    top_clusters,
    update_clusters,
)
from claimscope.clusters.claim_index import ClaimIndex, IndexState, index_path
from claimscope.clusters.read import summary_sql
from claimscope.corpus.ingest import ingest_paths
from claimscope.errors import SettingsError, StoreError
from claimscope.models.embedder import load_embedder
from claimscope.store import Store
from tests.corpus.builders import write_jsonl

ROOT = Path(__file__).resolve().parents[2]
PERU = ROOT / "src" / "claimscope" / "examples" / "peru_corpus.jsonl"
SEED = ROOT.parent / "shared" / "seed" / "article.txt"

# Short articles written for these tests; each sentence states a number, so each is a claim.
FERRY = "The ferry between Ostmark and Halvik carried 1,240 passengers on May 3, 2024."
RECORDS = [
    {
        "text": f"{FERRY}\nThe port authority said 46 crossings were cancelled in April.",
        "outlet": "Harbour Post",
        "published": "2024-05-04",
        "title": "Ferry numbers",
    },
    {
        # The same sentence, a day later in another outlet: an exact duplicate.
        "text": f"{FERRY}\nDravonia's parliament approved a budget of 4.5 billion euros.",
        "outlet": "Coastal Times",
        "published": "2024-05-05",
        "title": "Budget and ferries",
    },
    {
        # The ferry sentence reworded a little: a near duplicate.
        "text": "The ferry between Ostmark and Halvik carried 1,240 passengers on 3 May 2024.\n"
        "Teresa Dahl said that spending on schools would rise by 8% in 2025.",
        "outlet": "harbour post",
        "published": "2024-05-07",
        "title": "Schools",
    },
    {
        # The same claim with another number: it must stay apart.
        "text": "The ferry between Ostmark and Halvik carried 2,900 passengers on May 3, 2024.",
        "outlet": "Island Herald",
        "published": "2024-05-08",
        "title": "Ferry numbers again",
    },
]
# Two paraphrases, to be joined by meaning (with a threshold set for the test).
PARAPHRASES = [
    {
        "text": "The minister said 300 soldiers will be sent to the northern border next month.",
        "outlet": "Harbour Post",
        "published": "2024-06-01",
    },
    {
        "text": "About 300 troops are being deployed to the northern frontier, the minister said.",
        "outlet": "Coastal Times",
        "published": "2024-06-03",
    },
]


def _ingest(tmp_path: Path, name: str, records: list[dict], rules, db: Path) -> None:
    source = write_jsonl(tmp_path / name, records)
    stats = ingest_paths([source], db=db, settings=rules, cluster=False)
    assert stats.failed == 0


def _groups(db: Path) -> set[tuple[str, ...]]:
    """Each cluster as its member claims' texts, sorted (ids differ between stores)."""
    with Store.open(db, read_only=True) as store:
        rows = store.query(
            "SELECT m.cluster_id, list(c.text ORDER BY c.text) FROM cluster_members m "
            "JOIN claims c ON c.doc_id = m.doc_id AND c.id = m.claim GROUP BY m.cluster_id"
        ).rows
        return {tuple(texts) for _, texts in rows}


def _members(db: Path) -> list[tuple[str, str, float]]:
    """Every member claim's text, how it joined and its similarity, sorted."""
    with Store.open(db, read_only=True) as store:
        rows = store.query(
            "SELECT c.text, m.how, m.similarity FROM cluster_members m "
            "JOIN claims c ON c.doc_id = m.doc_id AND c.id = m.claim ORDER BY ALL"
        ).rows
        return list(rows)


def _cluster_of(groups: set[tuple[str, ...]], needle: str) -> tuple[str, ...]:
    return next(g for g in groups if any(needle in text for text in g))


@pytest.fixture
def db(tmp_path, rules):
    path = tmp_path / "c.duckdb"
    _ingest(tmp_path, "a.jsonl", RECORDS, rules, path)
    return path


def test_clusters_join_exact_and_near_duplicates_but_not_other_numbers(db):
    with Store.open(db) as store:
        stats = update_clusters(store)
    assert stats.claims == stats.total > 0
    groups = _groups(db)
    ferry = _cluster_of(groups, "carried 1,240 passengers on May 3")
    assert len(ferry) == 3  # the sentence twice, and its near duplicate
    assert all("1,240" in text for text in ferry)
    assert not any("2,900" in text for text in ferry)
    members = _members(db)
    reworded = "The ferry between Ostmark and Halvik carried 1,240 passengers on 3 May 2024."
    [(how, similarity)] = [(h, s) for text, h, s in members if text == reworded]
    assert how == "near" and 0.5 < similarity < 1
    assert sorted(h for text, h, _ in members if text in ferry) == ["exact", "near", "new"]
    assert [h for text, h, _ in members if "2,900" in text] == ["new"]


def test_clusters_rows_summarize_members(db):
    with Store.open(db) as store:
        update_clusters(store)
        top = top_clusters(store, top=1)[0]
        cluster, members = get_cluster(store, top.id)
    assert (top.size, top.documents) == (3, 3)
    assert top.outlets == ["Coastal Times", "Harbour Post", "harbour post"]
    assert (top.first_seen, top.last_seen) == (dt.date(2024, 5, 4), dt.date(2024, 5, 7))
    assert cluster == top
    assert [m.day for m in members] == sorted(m.day for m in members)
    assert top.text in {m.text for m in members}
    assert {(m.doc_id, m.claim) for m in members} >= {(top.doc_id, top.claim)}


def test_clusters_join_paraphrases_by_meaning(tmp_path, rules):
    path = tmp_path / "p.duckdb"
    _ingest(tmp_path, "p.jsonl", PARAPHRASES, rules, path)
    with Store.open(path) as store:
        apart = update_clusters(store, config=ClusterConfig(semantic=0.99, semantic_quantity=0.99))
    assert apart.joined["new"] == 2
    shutil.copy(path, tmp_path / "q.duckdb")
    with Store.open(tmp_path / "q.duckdb") as store:
        store.connection.execute("DELETE FROM cluster_members; DELETE FROM clusters")
    # With low enough thresholds they join, and the similarity recorded is their cosine (the
    # same-claim model gives the pair 0.73: the gate's 0.81 would keep them apart).
    with Store.open(tmp_path / "q.duckdb") as store:
        low = ClusterConfig(semantic=0.3, semantic_quantity=0.3, same_claim=0.7)
        stats = update_clusters(store, config=low)
    assert stats.joined["semantic"] == 1
    [(how, similarity)] = [(h, s) for _, h, s in _members(tmp_path / "q.duckdb") if h != "new"]
    assert how == "semantic" and 0.3 <= similarity < 1.0


def test_clusters_incremental_equals_all_at_once(tmp_path, rules):
    once = tmp_path / "once.duckdb"
    _ingest(tmp_path, "all.jsonl", RECORDS + PARAPHRASES, rules, once)
    with Store.open(once) as store:
        update_clusters(store)
    steps = tmp_path / "steps.duckdb"
    _ingest(tmp_path, "a.jsonl", RECORDS[:2], rules, steps)
    with Store.open(steps) as store:
        first = update_clusters(store)
    _ingest(tmp_path, "b.jsonl", RECORDS[2:] + PARAPHRASES, rules, steps)
    with Store.open(steps) as store:
        second = update_clusters(store, config=ClusterConfig(chunk_size=2))
    assert first.claims + second.claims == first.total + second.total
    assert _groups(steps) == _groups(once)
    stepwise, at_once = _members(steps), _members(once)
    assert [m[:2] for m in stepwise] == [m[:2] for m in at_once]
    assert [m[2] for m in stepwise] == pytest.approx([m[2] for m in at_once], abs=1e-3)


def test_clusters_second_run_does_nothing(db):
    with Store.open(db) as store:
        update_clusters(store)
        before = list(store.query("SELECT * FROM cluster_members ORDER BY ALL").rows)
        again = update_clusters(store)
        after = list(store.query("SELECT * FROM cluster_members ORDER BY ALL").rows)
    assert again.claims == 0 and before == after


def test_clusters_index_is_rebuilt_when_deleted_or_stale(tmp_path, rules, db):
    with Store.open(db) as store:
        update_clusters(store)
    index = index_path(db)
    assert index is not None and index.is_file()
    meta = json.loads(index.with_name(index.name + ".json").read_text())
    assert meta["count"] > 0
    reference = tmp_path / "reference.duckdb"
    shutil.copy(db, reference)
    shutil.copy(index, index_path(reference))
    description = index.with_name(index.name + ".json")
    shutil.copy(description, tmp_path / "reference.duckdb.claims.usearch.json")

    index.unlink()  # deleted: rebuilt from the store before the new claims join
    _ingest(tmp_path, "b.jsonl", PARAPHRASES, rules, db)
    _ingest(tmp_path, "b2.jsonl", PARAPHRASES, rules, reference)
    with Store.open(db) as store:
        rebuilt = update_clusters(store)
    with Store.open(reference) as store:
        kept = update_clusters(store)
    assert rebuilt.rebuilt_index and not kept.rebuilt_index
    assert _groups(db) == _groups(reference)

    # An index that does not match its store (here: described as another model's) is rebuilt.
    stale = json.loads(description.read_text())
    description.write_text(json.dumps({**stale, "model": "another v1"}))
    boats = [{**PARAPHRASES[0], "text": "Officials said 45 boats sank."}]
    _ingest(tmp_path, "c.jsonl", boats, rules, db)
    with Store.open(db) as store:
        assert update_clusters(store).rebuilt_index


def test_clusters_filters_since_and_outlet(db):
    with Store.open(db) as store:
        update_clusters(store)
        everything = top_clusters(store, top=50)
        assert top_clusters(store, top=50, since=dt.date(2000, 1, 1)) == everything
        recent = top_clusters(store, top=50, since=dt.date(2024, 5, 6))
        harbour = top_clusters(store, top=50, outlets=["HARBOUR POST"])
        big = top_clusters(store, top=50, min_size=2)
        spoken = store.fetch("SELECT DISTINCT speaker FROM claims WHERE speaker IS NOT NULL")
        said = top_clusters(store, top=50, speakers=[spoken[0][0].upper()])
        said_ids = {r[0] for r in store.fetch(
            "SELECT DISTINCT m.cluster_id FROM cluster_members m JOIN claims c "
            "ON c.doc_id = m.doc_id AND c.id = m.claim WHERE c.speaker = ?", [spoken[0][0]]
        )}  # fmt: skip
        assert top_clusters(store, top=50, speakers=["nobody at all"]) == []
    assert said and {c.id for c in said} == said_ids
    assert recent and all(c.first_seen >= dt.date(2024, 5, 6) for c in recent)
    ferry = next(c for c in recent if "1,240" in c.text)
    assert (ferry.size, ferry.first_seen) == (1, dt.date(2024, 5, 7))  # only the near duplicate
    assert {o.lower() for c in harbour for o in c.outlets} == {"harbour post"}
    assert next(c for c in harbour if "1,240" in c.text).size == 2
    assert [c.size for c in big] == [3]
    assert [c.size for c in everything] == sorted((c.size for c in everything), reverse=True)


def test_clusters_refuse_bad_settings_and_read_only_stores(db):
    with pytest.raises(SettingsError):
        ClusterConfig(semantic=1.5)
    with Store.open(db, read_only=True) as store, pytest.raises(StoreError, match="read-only"):
        update_clusters(store)
    with Store.open(db) as store, pytest.raises(StoreError, match="no cluster 999"):
        get_cluster(store, 999)


def test_ingest_clusters_new_claims_unless_told_not_to(tmp_path, rules):
    source = write_jsonl(tmp_path / "a.jsonl", RECORDS)
    skipped = ingest_paths([source], db=tmp_path / "no.duckdb", settings=rules, cluster=False)
    assert skipped.clusters is None
    stats = ingest_paths([source], db=tmp_path / "yes.duckdb", settings=rules)
    assert stats.clusters is not None and stats.clusters.claims > 0
    with Store.open(tmp_path / "no.duckdb", read_only=True) as store:
        assert store.counts()["cluster_members"] == 0
    with Store.open(tmp_path / "yes.duckdb", read_only=True) as store:
        counts = store.counts()
        assert counts["cluster_members"] == counts["claims"] > 0


def test_cli_claims_table_json_and_members(tmp_path, rules):
    source = write_jsonl(tmp_path / "a.jsonl", RECORDS)
    db = str(tmp_path / "c.duckdb")
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["ingest", str(source), "--db", db, "--profile", "rules"])
    assert result.exit_code == 0, result.output
    assert "claims clustered" in result.stderr
    result = runner.invoke(app, ["claims", "--db", db, "--top", "2"])
    assert result.exit_code == 0, result.output
    assert "1,240 passengers" in result.stdout and "2024-05-04" in result.stdout
    result = runner.invoke(app, ["claims", "--db", db, "--json", "-", "--min-size", "2"])
    data = json.loads(result.stdout)
    assert [c["size"] for c in data["clusters"]] == [3]
    cluster = data["clusters"][0]["id"]
    result = runner.invoke(app, ["claims", "--db", db, "--cluster", str(cluster), "--json", "-"])
    members = json.loads(result.stdout)["members"]
    assert [m["how"] for m in members] == ["new", "exact", "near"]
    result = runner.invoke(app, ["claims", "--db", db, "--cluster", str(cluster)])
    assert result.exit_code == 0 and "Coastal Times" in result.stdout
    missing = str(tmp_path / "missing.duckdb")
    for bad in (["--since", "May 5"], ["--cluster", "999"], ["--top", "0"], ["--db", missing]):
        result = runner.invoke(app, ["claims", "--db", db, *bad])
        assert result.exit_code == 2 and result.stderr.startswith("error:"), bad
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not Path(missing).exists()


def _troop_cluster(db: Path) -> tuple[str, ...]:
    groups = _groups(db)
    return max((g for g in groups if any("700" in t for t in g)), key=len)


def test_peru_corpus_clusters_the_700_troops_claim(tmp_path, rules):
    db = tmp_path / "peru.duckdb"
    stats = ingest_paths([PERU], db=db, settings=rules)
    assert stats.failed == 0 and stats.clusters is not None
    troops = _troop_cluster(db)
    assert all("700" in text and "troops" in text for text in troops)
    assert not any("1,000" in t or "ithium" in t for t in troops)
    with Store.open(db, read_only=True) as store:
        cluster = next(c for c in top_clusters(store, top=50) if c.text in troops)
    assert cluster.documents >= 3 and len(cluster.outlets) >= 2
    # A member list says who makes each claim, as the claim's own report does.
    with Store.open(db, read_only=True) as store:
        _, members = get_cluster(store, cluster.id)
    assert "Mexico's president" in {m.speaker for m in members}
    lithium = _cluster_of(_groups(db), "Lithium exports")
    assert not any("troops" in t for t in lithium)


@pytest.mark.shared
def test_peru_corpus_with_the_seed_article(tmp_path, rules):
    if not SEED.is_file():
        pytest.skip("../shared is absent")
    db = tmp_path / "seed.duckdb"
    seed = tmp_path / "seed.txt"
    seed.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    stats = ingest_paths([PERU, seed], db=db, settings=rules)
    assert stats.failed == 0
    troops = _troop_cluster(db)
    with Store.open(db, read_only=True) as store:
        cluster = next(c for c in top_clusters(store, top=100) if c.text in troops)
        docs = {
            row[0]
            for row in store.query(
                f"SELECT d.source FROM cluster_members m JOIN documents d ON d.id = m.doc_id "
                f"WHERE m.cluster_id = {cluster.id}"
            ).rows
        }
    assert str(seed) in docs and cluster.documents >= 4
    assert not any("1,000" in t for t in troops)


def test_clusters_recluster_starts_over(db):
    with Store.open(db) as store:
        update_clusters(store)
    groups = _groups(db)
    with Store.open(db) as store:
        strict = ClusterConfig(near_duplicate=1.0, semantic=1.0, semantic_quantity=1.0)
        apart = update_clusters(store, recluster=True, config=strict)
        assert apart.claims == apart.total == store.counts()["claims"]
    assert _groups(db) != groups  # the near duplicate now starts its own cluster
    with Store.open(db) as store:
        update_clusters(store, recluster=True)
    assert _groups(db) == groups


def test_clusters_do_not_chain_numbers_through_a_claim_without_any(tmp_path, rules):
    texts = [
        "The council vote on the harbour plan is scheduled for December 11, officials said.",
        "The council vote on the harbour plan is scheduled for next month, officials said.",
        "The council vote on the harbour plan is scheduled for December 18, officials said.",
    ]
    records = [
        {"text": t, "outlet": "Harbour Post", "published": f"2024-07-0{i + 1}"}
        for i, t in enumerate(texts)
    ]
    path = tmp_path / "chain.duckdb"
    _ingest(tmp_path, "chain.jsonl", records, rules, path)
    with Store.open(path) as store:
        loose = ClusterConfig(near_duplicate=0.99, semantic=0.3, semantic_quantity=0.3)
        update_clusters(store, config=loose)
    groups = _groups(path)
    assert _cluster_of(groups, "December 11") == tuple(sorted(texts[:2]))
    assert _cluster_of(groups, "December 18") == (texts[2],)


def test_clusters_window_bounds_the_index_but_not_exact_duplicates(tmp_path, rules):
    # Between the two paraphrases (by date), a document of two other claims.
    filler = {
        "text": "Officials said 45 boats sank.\nThe port handled 9,000 containers in May.",
        "outlet": "Island Herald",
        "published": "2024-06-02",
    }
    records = [RECORDS[0], RECORDS[1], PARAPHRASES[0], filler, PARAPHRASES[1]]
    low = {"semantic": 0.3, "semantic_quantity": 0.3, "same_claim": 0.7, "chunk_size": 1}
    joined = {}
    for window in (0, 1):
        path = tmp_path / f"w{window}.duckdb"
        _ingest(tmp_path, f"w{window}.jsonl", records, rules, path)
        with Store.open(path) as store:
            stats = update_clusters(store, config=ClusterConfig(window=window, **low))
        joined[window] = stats.joined
        index = index_path(path)
        assert index is not None
        meta = json.loads(index.with_name(index.name + ".json").read_text())
        assert meta["window"] == window and (window == 0 or meta["count"] == window)
    # The whole index: the second paraphrase meets the first by meaning. A window of one
    # claim: it meets only the filler's last claim, and starts a cluster of its own.
    assert joined[0]["semantic"] >= 1 and joined[1]["semantic"] == 0
    # Exact duplicates are found in the store, whatever the window.
    assert joined[0]["exact"] == joined[1]["exact"] == 1
    # Saved after claims were let go, the index is read back as it is, not rebuilt.
    boats = [{**filler, "text": "Officials said 52 boats sank.", "published": "2024-06-04"}]
    _ingest(tmp_path, "w1b.jsonl", boats, rules, tmp_path / "w1.duckdb")
    with Store.open(tmp_path / "w1.duckdb") as store:
        again = update_clusters(store, config=ClusterConfig(window=1, **low))
    assert again.claims == 1 and not again.rebuilt_index
    # Rebuilt from the store, the index holds the window's newest claims again.
    index = index_path(tmp_path / "w1.duckdb")
    assert index is not None
    index.unlink()
    with Store.open(tmp_path / "w1.duckdb") as store:
        rebuilt = ClaimIndex.open(store, load_embedder(ClusterConfig().model), 1)
    assert rebuilt.rebuilt and len(rebuilt) == 1


def test_the_neighbour_cache_holds_only_claims_the_index_holds(tmp_path, rules):
    # The cache is a ring of the newest keys, the window's and a chunk's worth: every claim a
    # search can find is in it. Here the last claim's nearest is the oldest held one, which the
    # index lets go right after: a cache kept in order of use alone would keep it, and drop a
    # claim the index still holds.
    filler = {
        "text": "Officials said 45 boats sank.\nThe port handled 9,000 containers in May.",
        "outlet": "Island Herald",
        "published": "2024-06-02",
    }
    path = tmp_path / "cache.duckdb"
    _ingest(tmp_path, "cache.jsonl", [PARAPHRASES[0], filler, PARAPHRASES[1]], rules, path)
    config = ClusterConfig(window=3, chunk_size=1, candidates=1, semantic=0.3, same_claim=0.7)
    with Store.open(path) as store:
        session = ClusterSession(store, config)
        stats = session.update()
        clusterer = session._clusterer
        assert clusterer is not None
        assert stats.claims == 4 and stats.joined["semantic"] == 1
        held = {int(k) for k in clusterer.index.index.keys}
        assert held == {2, 3, 4} and held <= clusterer._seen.keys()
        assert clusterer._seen.capacity == 4  # the window and a chunk
        session.close()


def test_cluster_config_refuses_a_negative_window():
    with pytest.raises(SettingsError, match="window"):
        ClusterConfig(window=-1)


def test_ingest_clustering_as_it_goes_misses_no_claim(tmp_path, rules, monkeypatch):
    # Clustered after every stored document, each update looks only at documents stored since
    # the last one (the watermark); the clusters equal those of one update at the end.
    records = RECORDS + PARAPHRASES
    once = tmp_path / "once.duckdb"
    _ingest(tmp_path, "all.jsonl", records, rules, once)
    with Store.open(once) as store:
        update_clusters(store)
    monkeypatch.setattr("claimscope.corpus.runner.CLUSTER_EVERY", 1)
    often = tmp_path / "often.duckdb"
    source = write_jsonl(tmp_path / "often.jsonl", records)
    stats = ingest_paths([source], db=often, settings=rules, chunk_size=1)
    assert stats.clusters is not None and stats.clusters.claims == stats.clusters.total
    with Store.open(often, read_only=True) as store:
        unclustered = list(
            store.query(
                "SELECT count(*) FROM claims c ANTI JOIN cluster_members m "
                "ON m.doc_id = c.doc_id AND m.claim = c.id"
            ).rows
        )
    assert unclustered == [(0,)]
    assert _groups(often) == _groups(once)


# A document that states the ferry claim twice (one cluster, one document), with no outlet, and
# a later ingest of an earlier article (it becomes the clusters' first day and representative).
REPEATS = [
    {"text": f"{FERRY}\nThe port authority said 46 crossings were cancelled in April.\n{FERRY}"},
    {
        "text": f"{FERRY}\nThe harbour master said 12 ferries were inspected in March.",
        "outlet": "Early Bird",
        "published": "2024-04-30",
    },
]
_ROW = "id, doc_id, claim, text, score, size, documents, outlets, first_seen, last_seen"


def test_cluster_rows_kept_chunk_by_chunk_equal_a_summary_of_all_members(tmp_path, rules):
    # Chunks of two split documents between chunks and runs; each cluster's row, updated from
    # its stored row and its new members only, must equal one computed from all its members.
    db = tmp_path / "c.duckdb"
    _ingest(tmp_path, "a.jsonl", RECORDS + PARAPHRASES, rules, db)
    small = ClusterConfig(chunk_size=2, semantic=0.6)
    with Store.open(db) as store:
        update_clusters(store, config=small)
    _ingest(tmp_path, "b.jsonl", REPEATS, rules, db)
    with Store.open(db) as store:
        update_clusters(store, config=ClusterConfig(chunk_size=3, semantic=0.6))
        kept = list(store.query(f"SELECT {_ROW}, numbers FROM clusters ORDER BY id").rows)
        full = list(
            store.query(
                f"SELECT s.*, coalesce(f.numbers, '') FROM ({summary_sql('true')} FROM ranked "
                f"GROUP BY cluster_id) AS s({_ROW}) LEFT JOIN (SELECT cluster_id, "
                "arg_min(numbers, seq) AS numbers FROM cluster_members WHERE numbers <> '' "
                "GROUP BY cluster_id) AS f ON f.cluster_id = s.id ORDER BY s.id"
            ).rows
        )
    assert kept == full
    ferry = next(row for row in kept if row[3] == FERRY)
    assert ferry[5] == 6 and ferry[6] == 5  # six claims in five documents
    assert ferry[7] == ["Coastal Times", "Early Bird", "Harbour Post", "harbour post"]
    assert ferry[8] == dt.date(2024, 4, 30)


def test_store_migration_6_fills_the_numbers_of_existing_clusters(db):
    with Store.open(db) as store:
        update_clusters(store)
        before = list(store.query("SELECT id, numbers FROM clusters ORDER BY id").rows)
        store.connection.execute("ALTER TABLE clusters DROP COLUMN numbers")
        store.connection.execute("DELETE FROM schema_migrations WHERE version = 6")
    assert any(numbers for _, numbers in before)
    with Store.open(db) as store:
        assert list(store.query("SELECT id, numbers FROM clusters ORDER BY id").rows) == before


def test_ctrl_c_inside_the_index_is_a_keyboard_interrupt(monkeypatch):
    # usearch catches SIGINT during a search and raises RuntimeError; an ingest must see Ctrl-C.
    index = ClaimIndex(
        None, IndexState(model="m", dim=4, dtype="bf16", window=0, count=0, max_key=0, checksum=0)
    )

    def terminated(*args, **kwargs):
        raise RuntimeError("Operation has been terminated")

    index.add(np.array([1], dtype=np.uint64), np.ones((1, 4), dtype=np.float32))
    monkeypatch.setattr(index.index, "search", terminated)
    with pytest.raises(KeyboardInterrupt):
        index.search(np.ones((1, 4), dtype=np.float32), 1)


def test_index_search_answers_nearest_first_with_exact_cosines_and_no_padding():
    index = ClaimIndex(
        None, IndexState(model="m", dim=8, dtype="bf16", window=0, count=0, max_key=0, checksum=0)
    )
    vectors = np.random.default_rng(3).normal(size=(12, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert index.search(vectors[:2], 4) == [[], []]  # nothing indexed yet
    index.add(np.arange(1, 11, dtype=np.uint64), vectors[:10])
    # More asked than held: each answer stops at what the index holds (usearch pads with NaN).
    batched = index.search(vectors[10:], 50)
    alone = index.search(vectors[10:11], 50)
    assert [len(found) for found in batched] == [10, 10] and alone == batched[:1]
    for query, found in zip(vectors[10:], batched, strict=True):
        assert all(isinstance(k, int) and isinstance(c, float) for k, c in found)
        assert [c for _, c in found] == sorted((c for _, c in found), reverse=True)
        stored = {k: v for k, v in zip(range(1, 11), vectors[:10], strict=True)}
        # bfloat16 storage: within a few thousandths of the float32 cosine.
        assert all(abs(c - float(stored[k] @ query)) < 0.01 for k, c in found)


def test_ingest_clusters_each_chunk_stored_once_the_input_is_read(tmp_path, rules, monkeypatch):
    # The workers are done when the last update runs, and nothing overlaps it: it should have
    # one chunk's claims to cluster, not up to CLUSTER_EVERY documents'. So the chunks still in
    # flight when the input is read through are clustered as each one is stored.
    monkeypatch.setattr("claimscope.corpus.runner.CLUSTER_EVERY", 10_000)
    stored_at: list[int] = []
    update = ClusterSession.update

    def spy(self: ClusterSession, *args: Any, **kwargs: Any) -> ClusterStats:
        row = self.store.connection.execute("SELECT count(*) FROM documents").fetchone()
        stored_at.append(int(row[0]) if row else 0)
        return update(self, *args, **kwargs)

    monkeypatch.setattr(ClusterSession, "update", spy)
    records = RECORDS + PARAPHRASES
    source = write_jsonl(tmp_path / "tail.jsonl", records)
    stats = ingest_paths([source], db=tmp_path / "tail.duckdb", settings=rules, chunk_size=1)
    # The chunks in flight when the input ended were clustered as they were stored, so the
    # closing update found every document clustered already (before: one update, at the end).
    assert len(stored_at) >= 3 and stored_at[-2:] == [len(records)] * 2
    assert stats.clusters is not None and stats.clusters.claims == stats.clusters.total


# A chain: B states A's claim with a clause added, C picks up B's clause. C is closer to B
# than to A by both models, and the same-claim model puts B~C above 0.65 and A~C under it.
CHAIN = [
    "The harbour authority said the new ferry terminal will open in March 2025.",
    "The new ferry terminal will open in March 2025, the harbour authority said, after two "
    "years of delays.",
    "Two years of delays at the ferry terminal, due to open in 2025, were caused by the "
    "builders, the harbour authority said.",
]


def test_clusters_do_not_chain_a_claim_close_only_to_the_last_member(tmp_path, rules):
    from claimscope.clusters.same_claim import same_claim_similarity

    records = [
        {"text": t, "outlet": "Harbour Post", "published": f"2024-08-0{i + 1}"}
        for i, t in enumerate(CHAIN)
    ]
    a_c, b_c, a_b = same_claim_similarity([*CHAIN[:2], CHAIN[0]], [CHAIN[2], CHAIN[2], CHAIN[1]])
    assert a_c < 0.65 <= b_c and a_b >= 0.65
    path = tmp_path / "chain.duckdb"
    _ingest(tmp_path, "chain.jsonl", records, rules, path)
    # Without the gate, the static stage chains them: C joins the cluster of B, its nearest.
    with Store.open(path) as store:
        update_clusters(store, config=ClusterConfig(near_duplicate=0.99, same_claim_model=None))
    assert len(_cluster_of(_groups(path), "ferry terminal will open")) == 3
    # With it, C must state the same claim as the cluster's founder (A) too: it starts its own.
    with Store.open(path) as store:
        gated = ClusterConfig(near_duplicate=0.99, same_claim=0.65)
        stats = update_clusters(store, recluster=True, config=gated)
    groups = _groups(path)
    assert _cluster_of(groups, "will open in March 2025.") == tuple(sorted(CHAIN[:2]))
    assert _cluster_of(groups, "caused by the builders") == (CHAIN[2],)
    assert stats.refused >= 1 and stats.compared >= 2


def test_the_peru_troops_cluster_passes_the_gate_as_one_claim(tmp_path, rules):
    # The three "700 troops" claims count the same thing with the same number: the gate's
    # same-quantity threshold lets them in, though one has 0.34 with the cluster's founder.
    db = tmp_path / "peru.duckdb"
    ingest_paths([PERU], db=db, settings=rules)
    troops = _troop_cluster(db)
    assert len(troops) == 3 and all("700" in t for t in troops)
    with Store.open(db, read_only=True) as store:
        rows = store.query(
            "SELECT count(*) FROM clusters WHERE size > 1 AND text LIKE '%killed%'"
        ).rows
        assert list(rows) == [(0,)]  # the wrong merge of the old clusterer (70 killed ~ protesters)


def test_recluster_is_resumable_and_keeps_everything_else(tmp_path, rules, db):
    with Store.open(db) as store:
        update_clusters(store, config=ClusterConfig(same_claim_model=None))
        counts = {k: v for k, v in store.counts().items() if k not in ("clusters",)}
    # Stopped after its first chunk (Ctrl-C), a re-cluster keeps that chunk and the claims
    # not clustered yet wait for the next run.

    def stop(stats: ClusterStats) -> None:
        raise KeyboardInterrupt

    with Store.open(db) as store, pytest.raises(KeyboardInterrupt):
        update_clusters(store, recluster=True, config=ClusterConfig(chunk_size=1), progress=stop)
    with Store.open(db) as store:
        assert list(store.query("SELECT count(*) FROM cluster_members").rows) == [(1,)]
        rest = update_clusters(store, config=ClusterConfig(chunk_size=1))
        assert rest.claims == counts["claims"] - 1
    resumed = _groups(db)
    with Store.open(db) as store:
        update_clusters(store, recluster=True)
        after = {k: v for k, v in store.counts().items() if k not in ("clusters",)}
    assert _groups(db) == resumed
    assert after == counts  # documents, claims and every other table untouched


def test_cli_claims_recluster(tmp_path, rules, db):
    with Store.open(db) as store:
        strict = ClusterConfig(near_duplicate=1.0, semantic=1.0, semantic_quantity=1.0)
        update_clusters(store, config=strict)
    before = _groups(db)
    result = CliRunner().invoke(app, ["claims", "--db", str(db), "--recluster", "--json", "-"])
    assert result.exit_code == 0, result.output
    assert _groups(db) != before  # the card's thresholds join the near duplicate again
    assert json.loads(result.stdout)["clusters"]
