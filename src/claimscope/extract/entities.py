"""Named entities with spaCy's NER, plus rules for laws and resolutions and for @handles."""

from __future__ import annotations

import functools
import logging
import re
import sys
import threading
from collections.abc import Sequence
from typing import Any

from claimscope.errors import SettingsError

logger = logging.getLogger(__name__)

# spaCy's numeric labels are left to the quantity and date extractors, which normalize them.
KEPT_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "LAW", "EVENT", "FAC", "PRODUCT", "WORK_OF_ART"}
)
# Only NER runs: the tagger, parser and lemmatizer would triple the cost for nothing we use.
_EXCLUDED = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
_LAW_WORDS = ["Resolution", "Law", "Act", "Decree", "Bill", "Ordinance", "Amendment", "Article"]
_LAW_PATTERNS = [
    {
        "label": "LAW",
        "pattern": [
            {"TEXT": {"IN": _LAW_WORDS}},
            {"TEXT": {"IN": ["No", "No.", "N°", "Number", "#"]}, "OP": "?"},
            {"TEXT": {"REGEX": r"^\d[\d\-/.]*$"}},
        ],
    }
]
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_JUNK = "—–-·•:;,\"“”'‘’()[] "

Entity = tuple[int, int, str]
# Guards the shared pipeline's memory zones (see find_entities).
_PIPE_LOCK = threading.Lock()


@functools.cache
def load_nlp(name: str) -> Any:
    """The spaCy pipeline for entities, loaded once per process."""
    spacy = _import_spacy()
    try:
        nlp = spacy.load(name, exclude=_EXCLUDED)
    except OSError as exc:
        raise SettingsError(f"spaCy model {name!r} is not installed: {exc}") from None
    ruler: Any = nlp.add_pipe("entity_ruler", after="ner", config={"overwrite_ents": True})
    ruler.add_patterns(_LAW_PATTERNS)
    logger.debug("loaded spaCy model %s with %s", name, nlp.pipe_names)
    return nlp


def _import_spacy() -> Any:
    """spaCy, imported without torch. Its thinc backend imports torch whenever it can, and
    nothing claimscope runs through spaCy uses it: with the [train] extra installed, that was
    about 230 MB more in every process that finds entities (each ingest worker among them).
    A process that imported torch or thinc already is left as it is."""
    block = "torch" not in sys.modules and "thinc" not in sys.modules
    if block:
        sys.modules["torch"] = None  # type: ignore[assignment]  # an import of torch fails now
    try:
        import spacy
    finally:
        if block:
            del sys.modules["torch"]  # torch itself stays importable, for training
    return spacy


def normalize_name(name: str) -> str:
    """A mention's canonical name: no leading article, possessive or stray punctuation."""
    name = " ".join(name.split()).strip(_JUNK)
    name = _LEADING.sub("", name)
    return _POSSESSIVE.sub("", name).strip(_JUNK)


def find_entities(
    texts: Sequence[tuple[str, int, int]], *, model: str, batch_size: int
) -> list[list[Entity]]:
    """Entities in each ``(text, start, end)`` piece, as ``(start, end, label)`` into ``text``.

    Pieces from many documents go through spaCy in one stream so batching pays off.
    """
    nlp = load_nlp(model)
    # spaCy refuses a text over nlp.max_length (its error E088): a longer piece goes in as
    # parts cut on whitespace, each part's entities shifted by where the part starts.
    parts = [
        (i, s, e)
        for i, (text, start, end) in enumerate(texts)
        for s, e in _parts(text, start, end, nlp.max_length)
    ]
    pieces = (texts[i][0][s:e] for i, s, e in parts)
    out: list[list[Entity]] = [[] for _ in texts]
    # spaCy keeps every new word it reads in its vocabulary for the life of the process (some
    # 9,000 strings per 1,000 news articles: a long ingest's workers grew with the corpus); a
    # memory zone forgets them on exit. Nothing of the Docs outlives it but plain tuples.
    # The zone is not safe for threads: one thread's exit forgot strings another was still
    # reading (spaCy's E018), and the vocabulary stayed broken. One thread at a time, then.
    with _PIPE_LOCK, nlp.memory_zone():
        docs = nlp.pipe(pieces, batch_size=batch_size)
        for (i, start, _), doc in zip(parts, docs, strict=True):
            found = out[i]
            for ent in doc.ents:
                if ent.label_ not in KEPT_LABELS:
                    continue
                s, e = _trim(ent.text, ent.start_char, ent.end_char)
                if e > s:
                    found.append((start + s, start + e, ent.label_))
    return out


def _parts(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """``(start, end)`` cut into spans of at most ``limit`` characters, each ending after
    whitespace where the window has any (a word with none is cut at the limit)."""
    bounds = []
    while end - start > limit:
        cut = max(text.rfind(" ", start, start + limit), text.rfind("\n", start, start + limit))
        cut = cut + 1 if cut > start else start + limit
        bounds.append((start, cut))
        start = cut
    bounds.append((start, end))
    return bounds


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span past leading/trailing punctuation spaCy sometimes includes ("— Name")."""
    lead = len(text) - len(text.lstrip(_JUNK))
    trail = len(text) - len(text.rstrip(_JUNK))
    return start + lead, end - trail
