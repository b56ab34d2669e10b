"""The store's history: an ordered list of migrations, applied in order when a store opens.

A migration is never edited once released: a later change (clusters, contradictions, new
columns) appends one, and declares the table's new shape in ``schema.py``, which is the schema
the migrations lead to (``tests/store/test_schema.py`` checks that they agree).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: a version number, a name, and the statements it runs."""

    version: int
    name: str
    statements: tuple[str, ...]


# The columns every annotation of a span within one sentence starts with (``schema._IN_SENTENCE``),
# as the statements below were released with them (their text is unchanged).
_IN_SENTENCE = """doc_id VARCHAR NOT NULL,
        id INTEGER NOT NULL,
        sentence INTEGER NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        text VARCHAR NOT NULL"""

_INITIAL = (
    """
    CREATE TABLE documents (
        id VARCHAR PRIMARY KEY,
        source VARCHAR NOT NULL,
        url VARCHAR,
        title VARCHAR,
        published DATE,
        outlet VARCHAR,
        lang VARCHAR,
        encoding VARCHAR,
        repairs VARCHAR[],
        meta JSON,
        text VARCHAR NOT NULL,
        anchor_date DATE,
        anchor_source VARCHAR,
        ranking VARCHAR,
        pipeline VARCHAR[],
        profile VARCHAR,
        schema_version VARCHAR,
        ingested_at TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE segments (
        doc_id VARCHAR NOT NULL,
        id INTEGER NOT NULL,
        kind VARCHAR NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        post_author VARCHAR,
        post_handle VARCHAR,
        post_date DATE,
        post_platform VARCHAR,
        post JSON,
        PRIMARY KEY (doc_id, id)
    )
    """,
    """
    CREATE TABLE sentences (
        doc_id VARCHAR NOT NULL,
        id INTEGER NOT NULL,
        segment INTEGER NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        text VARCHAR NOT NULL,
        speaker VARCHAR,
        attribution INTEGER,
        checkworthiness DOUBLE,
        subjectivity DOUBLE,
        subjectivity_label VARCHAR,
        persuasion DOUBLE,
        claim_score DOUBLE,
        scores JSON,
        labels JSON,
        features JSON,
        PRIMARY KEY (doc_id, id)
    )
    """,
    """
    CREATE TABLE mentions (
        doc_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        id INTEGER NOT NULL,
        sentence INTEGER NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        text VARCHAR NOT NULL,
        label VARCHAR,
        norm VARCHAR,
        value DOUBLE,
        unit VARCHAR,
        qualifier VARCHAR,
        noun VARCHAR,
        date_kind VARCHAR,
        start_date DATE,
        end_date DATE,
        granularity VARCHAR,
        iso VARCHAR,
        anchored BOOLEAN,
        PRIMARY KEY (doc_id, kind, id)
    )
    """,
    """
    CREATE TABLE attributions (
        doc_id VARCHAR NOT NULL,
        id INTEGER NOT NULL,
        sentence INTEGER NOT NULL,
        kind VARCHAR NOT NULL,
        speaker VARCHAR NOT NULL,
        speaker_start INTEGER NOT NULL,
        speaker_end INTEGER NOT NULL,
        cue_start INTEGER,
        cue_end INTEGER,
        content_start INTEGER,
        content_end INTEGER,
        PRIMARY KEY (doc_id, id)
    )
    """,
    f"""
    CREATE TABLE quotes (
        {_IN_SENTENCE},
        PRIMARY KEY (doc_id, id)
    )
    """,
    f"""
    CREATE TABLE claims (
        {_IN_SENTENCE},
        score DOUBLE NOT NULL,
        rank INTEGER NOT NULL,
        speaker VARCHAR,
        entities INTEGER[],
        quantities INTEGER[],
        dates INTEGER[],
        reasons VARCHAR[],
        PRIMARY KEY (doc_id, id)
    )
    """,
    f"""
    CREATE TABLE techniques (
        {_IN_SENTENCE},
        technique VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        score DOUBLE NOT NULL,
        explanation VARCHAR,
        PRIMARY KEY (doc_id, id)
    )
    """,
    """
    CREATE TABLE failures (
        source VARCHAR PRIMARY KEY,
        error VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        failed_at TIMESTAMP NOT NULL
    )
    """,
    # Reserved for the cross-document issues; empty until a later migration fills its shape in.
    """
    CREATE TABLE clusters (
        cluster_id INTEGER NOT NULL,
        doc_id VARCHAR NOT NULL,
        claim INTEGER NOT NULL,
        score DOUBLE
    )
    """,
    """
    CREATE TABLE contradictions (
        id INTEGER NOT NULL,
        doc_a VARCHAR NOT NULL,
        claim_a INTEGER NOT NULL,
        doc_b VARCHAR NOT NULL,
        claim_b INTEGER NOT NULL,
        kind VARCHAR,
        reason VARCHAR,
        score DOUBLE
    )
    """,
)

# Claim clusters (#5 part 4): the reserved table gets its shape; members are kept apart so a
# new document joins a cluster by inserting rows, never by rewriting the cluster's history.
# A cluster row is a summary of its members (claimscope.clusters recomputes it); the
# usearch index next to the database is derived from the members' ``vector_key``s.
_CLUSTERS = (
    "DROP TABLE clusters",
    """
    CREATE TABLE clusters (
        id INTEGER PRIMARY KEY,
        doc_id VARCHAR NOT NULL,
        claim INTEGER NOT NULL,
        text VARCHAR NOT NULL,
        score DOUBLE NOT NULL,
        size INTEGER NOT NULL,
        documents INTEGER NOT NULL,
        outlets VARCHAR[],
        first_seen DATE,
        last_seen DATE,
        updated_at TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE cluster_members (
        cluster_id INTEGER NOT NULL,
        doc_id VARCHAR NOT NULL,
        claim INTEGER NOT NULL,
        similarity DOUBLE NOT NULL,
        how VARCHAR NOT NULL,
        text_hash BIGINT NOT NULL,
        numbers VARCHAR NOT NULL,
        vector_key BIGINT,
        seq BIGINT NOT NULL,
        joined_at TIMESTAMP NOT NULL,
        PRIMARY KEY (doc_id, claim)
    )
    """,
)

# Contradictions (#5 part 5): both sides as spans into their documents, with the reason. Rows
# are keyed by the document that found them: its own analysis (scope 'document', written at
# ingest) or its comparison with the documents stored before it (scope 'corpus'). The blocking
# keys of compared documents are kept (a sentence meets the sentences whose key is one of its
# probes), so a new document is compared with the corpus by a join; the documents already
# compared are listed, so each pair is compared once.
_CONTRADICTIONS = (
    "DROP TABLE contradictions",
    """
    CREATE TABLE contradictions (
        doc_id VARCHAR NOT NULL,
        id INTEGER NOT NULL,
        scope VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        doc_a VARCHAR NOT NULL,
        sentence_a INTEGER NOT NULL,
        a_start INTEGER NOT NULL,
        a_end INTEGER NOT NULL,
        a_text VARCHAR NOT NULL,
        doc_b VARCHAR NOT NULL,
        sentence_b INTEGER NOT NULL,
        b_start INTEGER NOT NULL,
        b_end INTEGER NOT NULL,
        b_text VARCHAR NOT NULL,
        explanation VARCHAR NOT NULL,
        score DOUBLE NOT NULL,
        PRIMARY KEY (doc_id, scope, id)
    )
    """,
    """
    CREATE TABLE contradiction_keys (
        doc_id VARCHAR NOT NULL,
        sentence INTEGER NOT NULL,
        key VARCHAR NOT NULL,
        probe VARCHAR NOT NULL
    )
    """,
    """
    CREATE TABLE contradiction_checked (
        doc_id VARCHAR PRIMARY KEY,
        keys INTEGER NOT NULL,
        found INTEGER NOT NULL,
        checked_at TIMESTAMP NOT NULL
    )
    """,
)

# Fact-check collections (#6): imported ClaimReviews and CheckThat! verified claims. The
# search indexes over them are derived files next to the database, rebuilt from this table.
_FACTCHECKS = (
    """
    CREATE TABLE factchecks (
        id VARCHAR PRIMARY KEY,
        claim VARCHAR NOT NULL,
        rating VARCHAR,
        verdict VARCHAR,
        url VARCHAR,
        publisher VARCHAR,
        reviewed DATE,
        claimant VARCHAR,
        claim_date DATE,
        title VARCHAR,
        lang VARCHAR,
        source VARCHAR NOT NULL,
        imported_at TIMESTAMP NOT NULL
    )
    """,
)

# Reviews (#7): what a person decided about a claim, from the workbench. Every decision is a new
# row (who and when), never an update, so the history of a claim's review stays; the latest row
# of a claim is its current state. Keyed by the claim's span, not only its id, so a review
# still names the text it was about after the claim's document is re-ingested.
_REVIEWS = (
    "CREATE SEQUENCE review_ids START 1",
    """
    CREATE TABLE reviews (
        id BIGINT PRIMARY KEY DEFAULT nextval('review_ids'),
        doc_id VARCHAR NOT NULL,
        claim INTEGER NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        claim_text VARCHAR NOT NULL,
        checkworthy BOOLEAN,
        verdict VARCHAR,
        note VARCHAR,
        assignee VARCHAR,
        reviewer VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL
    )
    """,
)

# Clusters keep the numbers of their first claim that states any (as ``cluster_members.numbers``
# holds them), so that clustering reads them from the cluster's row: finding them among all the
# members at every chunk made a chunk's cost grow with the store.
_CLUSTER_NUMBERS = (
    "ALTER TABLE clusters ADD COLUMN numbers VARCHAR DEFAULT ''",
    """
    UPDATE clusters SET numbers = f.numbers
    FROM (
        SELECT cluster_id, arg_min(numbers, seq) AS numbers FROM cluster_members
        WHERE numbers <> '' GROUP BY cluster_id
    ) AS f
    WHERE clusters.id = f.cluster_id
    """,
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial corpus store", _INITIAL),
    Migration(2, "claim clusters", _CLUSTERS),
    Migration(3, "contradictions", _CONTRADICTIONS),
    Migration(4, "fact-check collections", _FACTCHECKS),
    Migration(5, "claim reviews", _REVIEWS),
    Migration(6, "cluster numbers", _CLUSTER_NUMBERS),
)


def _rebuilt_without_primary_key(table: str) -> tuple[str, ...]:
    """Statements that rebuild ``table`` as the migrations so far made it (its latest CREATE and
    the columns added since), without its primary key, keeping its rows. A column that was the
    key alone stays NOT NULL."""
    made: list[str] = []
    for migration in MIGRATIONS:
        for statement in migration.statements:
            if f"CREATE TABLE {table} (" in statement:
                made = [statement]
            elif statement.startswith(f"ALTER TABLE {table} ADD COLUMN "):
                made.append(statement)
    create = re.sub(r",\s*PRIMARY KEY \([^)]*\)", "", made[0])
    create = create.replace(" PRIMARY KEY,", " NOT NULL,")
    rebuilt = f"{table}_rebuilt"
    return (
        create.replace(f"CREATE TABLE {table} (", f"CREATE TABLE {rebuilt} ("),
        *(s.replace(f"ALTER TABLE {table} ", f"ALTER TABLE {rebuilt} ", 1) for s in made[1:]),
        f"INSERT INTO {rebuilt} SELECT * FROM {table}",
        f"DROP TABLE {table}",
        f"ALTER TABLE {rebuilt} RENAME TO {table}",
    )


# The tables written for every document lose their primary keys: a document's rows are written
# in one transaction and ``documents.id`` keeps each document once, while the keys' indexes
# made every insert cost more as the store grew (1.07 s per 300 writes of 400 rows into an
# empty table, 1.65 s at 4.5 million rows; 0.78 and 0.82 s without a key).
_UNKEYED = (
    "segments",
    "sentences",
    "mentions",
    "attributions",
    "quotes",
    "claims",
    "techniques",
    "cluster_members",
    "contradictions",
)
MIGRATIONS += (
    Migration(
        7,
        "document rows without primary keys",
        tuple(s for table in _UNKEYED for s in _rebuilt_without_primary_key(table)),
    ),
)

# The tables that grow with the corpus lose their last primary keys. DuckDB holds a key's index
# (an ART) whole in its memory, not paged out, and counts it against the memory limit: some 46
# bytes a document id and a few a cluster id (about 21 clusters a document), about 105 bytes a
# document: under 64 MB the keys alone filled the limit by some 500,000 documents
# (benchmarks/store_keys.py), and the index only grows. Nothing needs them:
# ``documents.id`` is kept unique by ``Store.known_ids`` (a key's index served none of its
# lookups, which join), cluster ids are given by the one clustering writer, and
# ``contradiction_checked`` is filled with the documents not in it.
_GROWING = ("documents", "clusters", "contradiction_checked")
MIGRATIONS += (
    Migration(
        8,
        "no primary keys on the tables that grow with the corpus",
        tuple(s for table in _GROWING for s in _rebuilt_without_primary_key(table)),
    ),
)

# A pronoun source keeps the name it stands for ("he" -> "Jane Doe"), as the analysis JSON
# does. Attributions stored before get it where the store already knows it: a sentence's speaker
# is its main attribution's resolved name, so a main attribution whose speaker differs from its
# sentence's was resolved to that name. The others stay NULL until their document is stored again.
_RESOLVED = (
    "ALTER TABLE attributions ADD COLUMN resolved VARCHAR",
    """
    UPDATE attributions SET resolved = s.speaker
    FROM sentences AS s
    WHERE s.doc_id = attributions.doc_id AND s.attribution = attributions.id
      AND s.speaker IS NOT NULL AND s.speaker <> attributions.speaker
    """,
)
MIGRATIONS += (Migration(9, "resolved pronoun sources", _RESOLVED),)


def latest_version() -> int:
    """The schema version this claimscope writes (the last migration's)."""
    return MIGRATIONS[-1].version
