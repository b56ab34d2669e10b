"""Whether two statements are about the same thing: the names and topic words they share.

A contradiction is only worth reporting when both sides talk about one thing, so every rule asks
for evidence of it: a name both sentences use (``US`` and ``American`` count as one), a topic
word both use (``troops`` and ``forces`` count as one; ``cost`` or ``project`` say too little to
count), the same paragraph of one document, or, across documents, names both documents use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from claimscope.consistency.statements import Statement
from claimscope.consistency.words import STOP, entity_key, stem, synonym, word_set

# Words too common in claims about amounts to say two sentences are about one thing.
_GENERIC = {
    stem(w)
    for w in word_set(
        """cost worth spend spent pay paid project figure amount total estimate value valued sum
        budget price deal plan"""
    )
}


# Stop words in other forms ("adding" for "add", "reporting" for "report").
_STOP_STEMS = {stem(w) for w in STOP}


def entity_keys(statement: Statement) -> set[str]:
    """The statement's named entities, one key per thing named."""
    return statement.memo("entity_keys", _entity_keys)


def _entity_keys(statement: Statement) -> set[str]:
    """The statement's named entities, one key per thing named."""
    return {entity_key(e) for e in statement.entities}


def written_names(statement: Statement) -> set[str]:
    """Keys of the capitalized word runs of the statement (``Ostmark``, ``Lena Varga``), so
    that a name the entity model tagged in one sentence and missed in another still counts."""
    return statement.memo("written_names", _written_names)


def _written_names(statement: Statement) -> set[str]:
    """Keys of the capitalized word runs of the statement (``Ostmark``, ``Lena Varga``), so
    that a name the entity model tagged in one sentence and missed in another still counts."""
    words = statement.words
    runs: list[list[str]] = [[]]
    for i, t in enumerate(words):
        raw = statement.text[t.start : t.end]
        joined = i > 0 and statement.text[words[i - 1].end : t.start] == " "
        if not raw[:1].isupper():
            runs.append([])
            continue
        if not joined:
            runs.append([])
        runs[-1].append(raw)
    keys = set()
    for run in runs:
        for lo in range(len(run)):
            for hi in range(lo + 1, min(len(run), lo + 4) + 1):
                keys.add(entity_key(" ".join(run[lo:hi])))
    return keys


def name_keys(statement: Statement) -> set[str]:
    """The names a statement uses, for blocking: its entities, and its capitalized words
    other than the first (names the entity model may have missed in this sentence)."""
    words = statement.words
    written = {
        entity_key(statement.text[t.start : t.end])
        for t in words[1:]
        if statement.text[t.start : t.start + 1].isupper() and t.word not in STOP
    }
    return entity_keys(statement) | written


def shared_names(a: Statement, b: Statement) -> list[str]:
    """The entities both statements name (tagged in one, at least written in the other)."""
    ka, kb = entity_keys(a), entity_keys(b)
    both = (ka & kb) | (ka & written_names(b)) | (kb & written_names(a))
    return sorted(both)


def topic_words(statement: Statement, *, nouns: bool = False) -> set[str]:
    """Stems of the statement's topic words (see ``_topic_words``), computed once."""
    if nouns:
        return statement.memo("topic_nouns", lambda st: _topic_words(st, nouns=True))
    return statement.memo("topic_words", _topic_words)


def _topic_words(statement: Statement, *, nouns: bool = False) -> set[str]:
    """Stems of the statement's topic words, synonyms folded (``troops``, ``forces``); the
    words of its names and words too common to tell topics apart are left out. ``nouns``
    leaves out words that look like verbs (``approved``, ``rising``) as well."""
    names = {w for e in statement.entities for w in e.lower().replace("’", "'").split()}
    words = {
        synonym(stem(t.word))
        for t in statement.words
        if t.word not in STOP
        and t.word[0].isalpha()
        and len(t.word) > 2
        and t.word not in names
        and not (nouns and t.word.endswith(("ed", "ing")))
    }
    return words - _GENERIC - _STOP_STEMS


@dataclass(frozen=True, slots=True)
class Context:
    """Where two statements come from: one document, or two documents, the entities both
    documents name (``shared_names``) and the days between their publication (None: unknown)."""

    same_doc: bool
    shared_names: frozenset[str] = frozenset()
    days_apart: int | None = None


@dataclass(frozen=True, slots=True)
class Shared:
    """What two statements share: names, topic words, and whether one paragraph holds both."""

    names: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    paragraph: bool = False
    # The shared words that do not look like verbs: the things both sentences are about.
    things: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        """How much evidence there is (each name, word and a shared paragraph count one)."""
        return len(self.names) + len(self.words) + int(self.paragraph)

    def __bool__(self) -> bool:
        return self.size > 0


def shared(a: Statement, b: Statement, context: Context, *, ignore: Iterable[str] = ()) -> Shared:
    """What ``a`` and ``b`` share that says they are about one thing (``ignore``: words that are
    what the rule compares, e.g. the counted noun)."""
    return Shared(
        names=shared_names(a, b),
        words=sorted((topic_words(a) & topic_words(b)) - set(ignore)),
        paragraph=context.same_doc and a.segment == b.segment,
        things=sorted((topic_words(a, nouns=True) & topic_words(b, nouns=True)) - set(ignore)),
    )
