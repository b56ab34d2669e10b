"""Which language a document is in, so that English-only models run only on English text.

A page that declares its language (``<html lang>``, a record's ``lang``) is taken at its word.
Otherwise the text decides: English news is a quarter or more English function words ("the",
"of", "and", "said"...), which a count over the first few thousand words tells at no cost.
Only text that fails that test goes to py3langid, which names the language (its model takes
about two seconds to load, so English text never loads it).
"""

from __future__ import annotations

import functools
import re
from typing import Any

# Function words that make up a large share of any English prose and little of other languages'
# (words shared with them, "a", "in", "de", "die", "son", are left out on purpose).
_ENGLISH = frozenset(
    """the of and to is was that for with are were be by has have had it its this from
    which who will would said says not but they their there been he she his her an or than
    what when also after about more into after over""".split()
)
_WORD = re.compile(r"[^\W\d_]+")
# The words read to decide, and the share of them English function words must reach.
_SAMPLE_WORDS = 3000
_ENGLISH_SHARE = 0.12
# Fewer words than this say too little: the text is taken as English (the default).
_MIN_WORDS = 8

LANGUAGE_NAMES = {
    "en": "English",
    "de": "German",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ru": "Russian",
    "uk": "Ukrainian",
    "pl": "Polish",
    "tr": "Turkish",
    "ar": "Arabic",
    "zh": "Chinese",
    "ja": "Japanese",
}


def english_share(text: str) -> tuple[float, int]:
    """The share of English function words among the first words of ``text``, and how many
    words were read."""
    words = [
        m.group().lower() for _, m in zip(range(_SAMPLE_WORDS), _WORD.finditer(text), strict=False)
    ]
    if not words:
        return 0.0, 0
    return sum(w in _ENGLISH for w in words) / len(words), len(words)


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language: ``en`` when it reads as English (or is too
    short to tell), else py3langid's answer; None for text with no words."""
    share, words = english_share(text)
    if words == 0:
        return None
    if words < _MIN_WORDS or share >= _ENGLISH_SHARE:
        return "en"
    code, _ = _identifier().classify(text[:20_000])
    return str(code)


# What each English-only stage would have given, for the line that says what was skipped.
_SKIPPED_WHAT = {
    "claimscope.entities.v1": "entities",
    "claimscope.quantities.v1": "numbers",
    "claimscope.attribution.v1": "speakers",
    "claimscope.scores.v1": "claim, subjectivity and persuasion scores",
    "claimscope.claims.v1": "claims",
    "claimscope.contradictions.v1": "contradictions",
    "claimscope.factcheck_matches.v1": "fact-check matches",
}


def skipped_note(language: str | None, skipped: list[str]) -> str | None:
    """One line saying which English-only stages a document in another language skipped
    ("German text: claim and persuasion models are English-only; skipped: ..."), or None."""
    if not skipped:
        return None
    what = ", ".join(_SKIPPED_WHAT.get(name, name) for name in skipped)
    name = language_name(language) if language else "Non-English"
    return f"{name} text: claim and persuasion models are English-only; skipped: {what}"


def language_name(code: str) -> str:
    """A language's English name, or its code where none is known here."""
    return LANGUAGE_NAMES.get(code, code)


@functools.cache
def _identifier() -> Any:
    """py3langid's identifier with its shipped model, loaded once per process on first use."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE)
