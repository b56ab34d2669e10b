"""Contradictions across the documents of a corpus store, found incrementally and by blocking.

``update_contradictions`` compares the documents not compared yet with every document compared
before them (and with each other), a chunk at a time, one transaction per chunk. Each sentence's
blocking keys (``claimscope.consistency.statement_keys``: what it counts, the days its periods
end, the verb and object it asserts or denies) are stored in ``contradiction_keys``; a new
document is compared only with the sentences that share a key with one of its own, found by a
join, so the work grows with the pairs that could clash, never with all pairs of the corpus. Keys
shared by more than ``Rules.max_key_statements`` sentences are too common to block on and are
skipped. ``contradiction_checked`` lists the documents compared; a run that stops midway leaves
whole chunks done, and the next run goes on from there.

Findings are written with scope ``corpus``, keyed by the newer document. Documents stored by a
claimscope without the contradictions stage get their within-document contradictions (scope
``document``) on the way.

``list_contradictions`` reads them back as plain records (each side: document, outlet, date,
title, the sentence and where the conflicting part sits in it).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from claimscope.consistency import (
    DEFAULT_RULES,
    KINDS,
    Context,
    Count,
    Finding,
    Rules,
    Side,
    Statement,
    When,
    compare,
    find_in_document,
    statement_keys,
)
from claimscope.consistency.confirm import Confirmer, load_confirmer
from claimscope.consistency.statements import NAMED_LABELS, Named
from claimscope.consistency.words import entity_key
from claimscope.errors import QueryError, StoreError
from claimscope.model.corpus import ContradictionSide, CorpusContradiction
from claimscope.store import Store
from claimscope.store.schema import CONTRADICTION_CHECKED, CONTRADICTION_KEYS, CONTRADICTIONS, Row
from claimscope.store.sql import duckdb_message, insert_rows, transaction, utc_now

STAGE = "claimscope.contradictions.v1"
# Documents compared per transaction.
CHUNK = 1000


@dataclass(slots=True)
class CheckStats:
    """What an update did: documents compared, sentence pairs compared, contradictions found
    (across documents, and within documents stored before the stage existed), keys skipped."""

    documents: int = 0
    pairs: int = 0
    found: int = 0
    within: int = 0
    skipped_keys: set[str] = field(default_factory=set)
    seconds: float = 0.0


def update_contradictions(
    store: Store,
    *,
    rules: Rules = DEFAULT_RULES,
    chunk: int = CHUNK,
    confirmer: Confirmer | None = None,
) -> CheckStats:
    """Compare the documents not compared yet with the rest of the corpus; store what clashes
    and the models confirm (``confirmer``; default: the shipped models, when installed)."""
    if store.read_only:
        raise StoreError("opened read-only: cannot record contradictions", source=str(store.path))
    began = time.monotonic()
    stats = CheckStats()
    con = store.connection
    confirmer = confirmer or load_confirmer(rules=rules)
    pending = [
        row[0]
        for row in _fetch(
            con,
            "SELECT id FROM documents WHERE id NOT IN (SELECT doc_id FROM contradiction_checked) "
            "ORDER BY published NULLS LAST, ingested_at, id",
        )
    ]
    for i in range(0, len(pending), max(1, chunk)):
        ids = pending[i : i + max(1, chunk)]
        try:
            with transaction(con):
                _compare_chunk(con, ids, rules, confirmer, stats)
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot record contradictions: {duckdb_message(exc)}", source=str(store.path)
            ) from None
        stats.documents += len(ids)
    stats.seconds = time.monotonic() - began
    return stats


def _compare_chunk(
    con: duckdb.DuckDBPyConnection,
    ids: list[str],
    rules: Rules,
    confirmer: Confirmer,
    stats: CheckStats,
) -> None:
    """Key, compare and mark one chunk of new documents (in the caller's transaction)."""
    # Leftovers of an interrupted run would be written twice: start the chunk clean.
    for table in ("contradiction_keys", "contradictions"):
        scope = " AND scope = 'corpus'" if table == "contradictions" else ""
        con.execute(
            f"DELETE FROM {table} WHERE doc_id IN (SELECT unnest(?::VARCHAR[])){scope}", [ids]
        )
    statements = _load_statements(con, [(d, None) for d in ids])
    by_doc: dict[str, list[Statement]] = {}
    for st in statements.values():
        by_doc.setdefault(st.doc, []).append(st)
    _within_for_old_documents(con, ids, by_doc, rules, confirmer, stats)
    keys = {(st.doc, st.sentence): statement_keys(st) for st in statements.values()}
    insert_rows(
        con,
        CONTRADICTION_KEYS,
        [
            CONTRADICTION_KEYS.row(doc_id=doc, sentence=sentence, key=k, probe=p)
            for (doc, sentence), ks in keys.items()
            for k, p in sorted(ks)
        ],
    )
    pairs, hot = _candidate_pairs(con, ids, rules.max_key_statements)
    stats.skipped_keys |= hot
    stats.pairs += len(pairs)
    others = {(d, s) for _, _, d, s in pairs} - set(statements)
    statements |= _load_statements(con, sorted(others))
    meta = _document_meta(con, {st.doc for st in statements.values()})
    names = _document_names(con, set(meta))
    found: dict[str, list[Finding]] = {d: [] for d in ids}
    for new_doc, new_sentence, old_doc, old_sentence in pairs:
        new = statements.get((new_doc, new_sentence))
        old = statements.get((old_doc, old_sentence))
        if new is None or old is None:
            continue
        context = Context(
            same_doc=False,
            shared_names=frozenset(names[new_doc] & names[old_doc]),
            days_apart=_days_apart(meta[new_doc], meta[old_doc]),
        )
        # The side published first comes first.
        a, b = sorted((old, new), key=lambda st: (meta[st.doc], st.doc, st.start))
        found[new_doc].extend(compare(a, b, context, rules))
    found = _confirmed(con, found, statements, confirmer)
    rows = []
    for doc, findings in found.items():
        findings.sort(key=lambda f: (-f.score, f.a.doc, f.a.start, f.b.doc, f.b.start))
        for n, f in enumerate(findings):
            rows.append(_row(doc, n, "corpus", f, statements))
    _insert_contradictions(con, rows)
    stats.found += len(rows)
    insert_rows(
        con,
        CONTRADICTION_CHECKED,
        [
            CONTRADICTION_CHECKED.row(
                doc_id=d,
                keys=sum(len(keys[(d, st.sentence)]) for st in by_doc.get(d, [])),
                found=len(found[d]),
            )
            for d in ids
        ],
        now=utc_now(),
    )


def _confirmed(
    con: duckdb.DuckDBPyConnection,
    found: dict[str, list[Finding]],
    statements: dict[tuple[str, int], Statement],
    confirmer: Confirmer,
) -> dict[str, list[Finding]]:
    """The findings the models confirm, all documents of the chunk in one batch; two sentences
    in one claim cluster are the same claim whatever their similarity."""
    clusters = _clusters(con, sorted(statements))

    def same_cluster(x: Side, y: Side) -> bool:
        return bool(
            clusters.get((x.doc, x.sentence), set()) & clusters.get((y.doc, y.sentence), set())
        )

    confirmed = set(
        confirmer.keep([f for fs in found.values() for f in fs], statements, same_cluster)
    )
    return {d: [f for f in fs if f in confirmed] for d, fs in found.items()}


def _within_for_old_documents(
    con: duckdb.DuckDBPyConnection,
    ids: list[str],
    by_doc: dict[str, list[Statement]],
    rules: Rules,
    confirmer: Confirmer,
    stats: CheckStats,
) -> None:
    """Within-document contradictions for documents analyzed without the stage (stored by an
    earlier claimscope); the others got theirs at ingest."""
    rows = _fetch(
        con,
        "SELECT id FROM documents WHERE id IN (SELECT unnest(?::VARCHAR[])) "
        "AND NOT list_contains(coalesce(pipeline, []), ?)",
        [ids, STAGE],
    )
    for (doc,) in rows:
        statements = sorted(by_doc.get(doc, []), key=lambda st: st.sentence)
        by_key = {(st.doc, st.sentence): st for st in statements}
        findings = confirmer.keep(find_in_document(statements, rules), by_key)
        con.execute("DELETE FROM contradictions WHERE doc_id = ? AND scope = 'document'", [doc])
        _insert_contradictions(
            con, [_row(doc, n, "document", f, by_key) for n, f in enumerate(findings)]
        )
        stats.within += len(findings)


def _candidate_pairs(
    con: duckdb.DuckDBPyConnection, ids: list[str], max_statements: int
) -> tuple[list[tuple[str, int, str, int]], set[str]]:
    """``(new doc, sentence, other doc, sentence)`` for each new sentence whose probe is a key
    of another sentence, of a document compared before or earlier in this chunk; and the keys
    too common to block on."""
    hot = {
        row[0]
        for row in _fetch(
            con,
            """
            SELECT key FROM contradiction_keys
            WHERE key IN (SELECT probe FROM contradiction_keys
                          WHERE doc_id IN (SELECT unnest(?::VARCHAR[])))
            GROUP BY key HAVING count(*) > ?
            """,
            [ids, max_statements],
        )
    }
    rows = _fetch(
        con,
        """
        WITH chunk AS (SELECT unnest(?::VARCHAR[]) AS doc_id),
        fresh AS (
            SELECT k.* FROM contradiction_keys k JOIN chunk USING (doc_id)
            WHERE k.probe NOT IN (SELECT unnest(?::VARCHAR[]))
        )
        SELECT DISTINCT n.doc_id, n.sentence, o.doc_id, o.sentence
        FROM fresh n JOIN contradiction_keys o ON o.key = n.probe AND o.doc_id <> n.doc_id
        WHERE o.doc_id IN (SELECT doc_id FROM contradiction_checked)
           OR (o.doc_id IN (SELECT doc_id FROM chunk) AND o.doc_id < n.doc_id)
        ORDER BY ALL
        """,
        [ids, sorted(hot)],
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows], hot


def _load_statements(
    con: duckdb.DuckDBPyConnection, wanted: Sequence[tuple[str, int | None]]
) -> dict[tuple[str, int], Statement]:
    """Statements from the store: whole documents (sentence None) or single sentences."""
    if not wanted:
        return {}
    docs = [d for d, _ in wanted]
    sentences = [-1 if s is None else s for _, s in wanted]
    selection = """
        WITH wanted AS (SELECT unnest(?::VARCHAR[]) AS doc_id, unnest(?::INTEGER[]) AS sentence)
    """
    rows = _fetch(
        con,
        selection
        + """
        SELECT s.doc_id, s.id, s.segment, s.start_char, s.text, s.features
        FROM sentences s
        JOIN wanted w ON w.doc_id = s.doc_id AND (w.sentence = -1 OR w.sentence = s.id)
        JOIN segments g ON g.doc_id = s.doc_id AND g.id = s.segment
        WHERE g.kind <> 'furniture'
        """,
        [docs, sentences],
    )
    mentions = _fetch(
        con,
        selection
        + """
        SELECT m.doc_id, m.sentence, m.kind, m.start_char, m.end_char, m.norm, m.label, m.value,
               m.unit, m.qualifier, m.noun, m.date_kind, m.start_date, m.end_date, m.granularity
        FROM mentions m
        JOIN wanted w ON w.doc_id = m.doc_id AND (w.sentence = -1 OR w.sentence = m.sentence)
        ORDER BY m.doc_id, m.sentence, m.kind, m.id
        """,
        [docs, sentences],
    )
    entities, counts, dates, agents = _mentions(mentions)
    out = {}
    for doc, sentence, segment, start, text, features in rows:
        key = (doc, sentence)
        out[key] = Statement(
            doc=doc,
            sentence=sentence,
            segment=segment,
            start=start,
            text=text,
            entities=tuple(entities.get(key, ())),
            counts=tuple(counts.get(key, ())),
            dates=tuple(dates.get(key, ())),
            question=bool(json.loads(features or "{}").get("is_question", False)),
            agents=tuple(agents.get(key, ())),
        )
    return out


def _days_apart(a: str, b: str) -> int | None:
    """Days between two publication dates as ``_document_meta`` gives them (None: unknown)."""
    try:
        return abs((dt.date.fromisoformat(a[:10]) - dt.date.fromisoformat(b[:10])).days)
    except ValueError:
        return None


def _mentions(mentions: list[tuple[Any, ...]]) -> tuple[dict[tuple[str, int], Any], ...]:
    """A sentence's entities, counts, dates and named people and places, from mention rows."""
    entities: dict[tuple[str, int], list[str]] = {}
    counts: dict[tuple[str, int], list[Count]] = {}
    dates: dict[tuple[str, int], list[When]] = {}
    agents: dict[tuple[str, int], list[Named]] = {}
    for (
        doc,
        sentence,
        kind,
        start,
        end,
        norm,
        label,
        value,
        unit,
        qualifier,
        noun,
        *when,
    ) in mentions:
        key = (doc, sentence)
        if kind == "entity":
            entities.setdefault(key, []).append(norm)
            if label in NAMED_LABELS:
                agents.setdefault(key, []).append(Named(start, end, norm, label))
        elif kind == "quantity":
            counts.setdefault(key, []).append(
                Count(start, end, float(value), unit, qualifier, noun)
            )
        elif kind == "date":
            date_kind, first, last, granularity = when
            dates.setdefault(key, []).append(
                When(start, end, date_kind, first.isoformat(), last.isoformat(), granularity)
            )
    return entities, counts, dates, agents


def _clusters(
    con: duckdb.DuckDBPyConnection, wanted: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], set[int]]:
    """The claim clusters each sentence's claims are in (none for a sentence that is no claim)."""
    if not wanted:
        return {}
    rows = _fetch(
        con,
        """
        WITH wanted AS (SELECT unnest(?::VARCHAR[]) AS doc_id, unnest(?::INTEGER[]) AS sentence)
        SELECT c.doc_id, c.sentence, m.cluster_id
        FROM claims c
        JOIN wanted w ON w.doc_id = c.doc_id AND w.sentence = c.sentence
        JOIN cluster_members m ON m.doc_id = c.doc_id AND m.claim = c.id
        """,
        [[d for d, _ in wanted], [s for _, s in wanted]],
    )
    out: dict[tuple[str, int], set[int]] = {}
    for doc, sentence, cluster in rows:
        out.setdefault((doc, sentence), set()).add(cluster)
    return out


def _document_meta(con: duckdb.DuckDBPyConnection, docs: Iterable[str]) -> dict[str, str]:
    """Each document's publication date (ISO; empty when unknown), to put the older side first."""
    rows = _fetch(
        con,
        "SELECT id, published FROM documents WHERE id IN (SELECT unnest(?::VARCHAR[]))",
        [sorted(docs)],
    )
    return {doc: published.isoformat() if published else "9999" for doc, published in rows}


def _document_names(con: duckdb.DuckDBPyConnection, docs: set[str]) -> dict[str, set[str]]:
    """The entities each document names, as entity keys."""
    rows = _fetch(
        con,
        "SELECT doc_id, list(DISTINCT norm) FROM mentions WHERE kind = 'entity' "
        "AND doc_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY doc_id",
        [sorted(docs)],
    )
    names: dict[str, set[str]] = {d: set() for d in docs}
    for doc, norms in rows:
        names[doc] = {entity_key(n) for n in norms}
    return names


def _row(
    doc: str, n: int, scope: str, f: Finding, statements: dict[tuple[str, int], Statement]
) -> Row:
    a = statements[(f.a.doc, f.a.sentence)]
    b = statements[(f.b.doc, f.b.sentence)]
    return CONTRADICTIONS.row(
        doc_id=doc,
        id=n,
        scope=scope,
        kind=f.kind,
        **f.sentence_spans(),
        doc_a=f.a.doc,
        a_text=a.part(f.a.start, f.a.end),
        doc_b=f.b.doc,
        b_text=b.part(f.b.start, f.b.end),
        explanation=f.explanation,
        score=float(f.score),
    )


def _insert_contradictions(con: duckdb.DuckDBPyConnection, rows: list[Row]) -> None:
    insert_rows(con, CONTRADICTIONS, rows)


def _fetch(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
) -> list[tuple[Any, ...]]:
    return con.execute(sql, params or []).fetchall()


# -- reading ---------------------------------------------------------------------------------


# The data model's name for a stored contradiction; ``ContradictionView`` is its older name.
ContradictionView = CorpusContradiction


_SIDE = """
    d{x}.outlet, d{x}.published, d{x}.title, d{x}.source, c.sentence_{x}, s{x}.text,
    c.{x}_start - s{x}.start_char, c.{x}_end - s{x}.start_char
"""


def list_contradictions(
    store: Store,
    *,
    doc: str | None = None,
    kind: str | None = None,
    scope: str | None = None,
    limit: int | None = None,
) -> list[CorpusContradiction]:
    """The stored contradictions, best scored first: those involving document ``doc`` (an id
    or the start of one), of one ``kind`` and ``scope`` (``document`` or ``corpus``)."""
    if kind is not None and kind not in KINDS:
        raise QueryError(f"unknown kind {kind!r}: {', '.join(KINDS)}")
    if scope is not None and scope not in ("document", "corpus"):
        raise QueryError(f"unknown scope {scope!r}: document or corpus")
    if limit is not None and limit < 1:
        raise QueryError(f"--limit must be at least 1, got {limit}")
    if doc is not None:
        doc = doc.strip()
        found = store.connection.execute(
            "SELECT count(*) FROM documents WHERE starts_with(id, ?)", [doc]
        ).fetchone()
        if not doc or not found or not found[0]:
            raise QueryError(f"no document id starts with {doc!r}")
    sql = f"""
        SELECT c.scope, c.kind, c.score, c.explanation,
               c.doc_a, {_SIDE.format(x="a")}, c.doc_b, {_SIDE.format(x="b")}
        FROM contradictions c
        JOIN documents da ON da.id = c.doc_a
        JOIN documents db ON db.id = c.doc_b
        JOIN sentences sa ON sa.doc_id = c.doc_a AND sa.id = c.sentence_a
        JOIN sentences sb ON sb.doc_id = c.doc_b AND sb.id = c.sentence_b
        WHERE (?::VARCHAR IS NULL OR starts_with(c.doc_a, ?) OR starts_with(c.doc_b, ?))
          AND (?::VARCHAR IS NULL OR c.kind = ?)
          AND (?::VARCHAR IS NULL OR c.scope = ?)
        ORDER BY c.score DESC, c.kind, da.published NULLS LAST, c.doc_a, c.a_start, c.doc_b,
                 c.b_start
        LIMIT ?
    """
    params = [doc, doc, doc, kind, kind, scope, scope, limit if limit is not None else 2**62]
    rows = store.connection.execute(sql, params).fetchall()
    return [
        CorpusContradiction(
            scope=row[0],
            kind=row[1],
            score=float(row[2]),
            explanation=row[3],
            a=_side(row[4:13]),
            b=_side(row[13:22]),
        )
        for row in rows
    ]


def _side(row: tuple[Any, ...]) -> ContradictionSide:
    doc_id, outlet, published, title, source, sentence, text, start, end = row
    return ContradictionSide(
        doc_id=doc_id,
        outlet=outlet,
        published=published.isoformat() if isinstance(published, dt.date) else published,
        title=title,
        source=source,
        sentence=sentence,
        sentence_text=text,
        start=start,
        end=end,
    )


__all__ = [
    "KINDS",
    "CheckStats",
    "ContradictionSide",
    "ContradictionView",
    "CorpusContradiction",
    "list_contradictions",
    "update_contradictions",
]
