"""A BM25 full-text index over short passages, in SQLite FTS5 (in the standard library).

The index is derived data: a file next to the store, rebuilt from the store when missing. Keys
are the caller's ids (a fact-check id, a passage id); adding a key again with another text
replaces it, and drops the passage's vector when a ``vectors`` table keeps them
(``verify.claim_vectors``).
DuckDB's own full-text extension is not used: it downloads at run time and fails offline.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Self

from claimscope.errors import StoreError

# Words too common to rank anything; dropping them keeps OR-queries fast on large indexes.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours rt via amp http https www com co pic
    twitter""".split()
)
# The table of the passages' vectors, by ``keys.id``, when a caller keeps them in the index file.
VECTORS = "vectors"
_WORD = re.compile(r"\w+", re.UNICODE)
_MAX_TERMS = 48


def query_terms(text: str) -> list[str]:
    """The distinct searchable words of ``text``, in order (stop words and 1-letter words out)."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) > 1 and word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)[:_MAX_TERMS]


class Closing:
    """``with`` for a class that holds a file open: the block's end calls its ``close()``."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TextIndex(Closing):
    """BM25 search over keyed passages; ``TextIndex.open(path)`` (``":memory:"`` for a temporary
    one)."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self.connection = connection
        self.path = path

    @classmethod
    def open(cls, path: str | Path) -> TextIndex:
        """Open or create the index file."""
        try:
            con = sqlite3.connect(str(path))
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("CREATE TABLE IF NOT EXISTS keys (id INTEGER PRIMARY KEY, key TEXT UNIQUE)")
            con.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS passages USING fts5("
                "text, tokenize = 'porter unicode61 remove_diacritics 2')"
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the text index: {exc}", source=str(path)) from None
        return cls(con, str(path))

    def close(self) -> None:
        """Close the index file."""
        self.connection.close()

    def __len__(self) -> int:
        row = self.connection.execute("SELECT count(*) FROM keys").fetchone()
        return int(row[0])

    def has_table(self, name: str) -> bool:
        """Whether the index file holds a table ``name``."""
        row = self.connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    def add(self, items: Iterable[tuple[str, str]]) -> int:
        """Index ``(key, text)`` pairs in one transaction (a known key's text is replaced)."""
        con = self.connection
        n = 0
        vectors = self.has_table(VECTORS)
        with con:
            for key, text in items:
                row = con.execute("SELECT id FROM keys WHERE key = ?", (key,)).fetchone()
                if row is None:
                    rowid = con.execute("INSERT INTO keys (key) VALUES (?)", (key,)).lastrowid
                else:
                    rowid = row[0]
                    old = con.execute(
                        "SELECT text FROM passages WHERE rowid = ?", (rowid,)
                    ).fetchone()
                    if old is not None and old[0] == text:
                        n += 1
                        continue
                    con.execute("DELETE FROM passages WHERE rowid = ?", (rowid,))
                    if vectors:
                        con.execute(f"DELETE FROM {VECTORS} WHERE id = ?", (rowid,))
                con.execute("INSERT INTO passages (rowid, text) VALUES (?, ?)", (rowid, text))
                n += 1
        return n

    def search(
        self, text: str, k: int = 10, *, only: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` best keys for ``text`` by BM25, with their scores (higher is better);
        ``only``: among these keys alone."""
        terms = query_terms(text)
        if not terms or (only is not None and not only):
            return []
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        among, params = "", []
        if only is not None:
            # On the full-text table's own rowids, so that FTS5 reads only these documents
            # (a filter on the joined keys would score every match first): half the time.
            among = (
                " AND passages.rowid IN "
                f"(SELECT id FROM keys WHERE key IN ({','.join('?' * len(only))}))"
            )
            params = list(only)
        rows = self.connection.execute(
            "SELECT keys.key, -bm25(passages) AS score FROM passages "
            f"JOIN keys ON keys.id = passages.rowid WHERE passages MATCH ?{among} "
            "ORDER BY bm25(passages) LIMIT ?",
            (match, *params, k),
        ).fetchall()
        return [(key, float(score)) for key, score in rows]
