"""Symmetric synthetic stance pairs: one fact of a sentence changed, each claim with both labels.

From a factual sentence S we take a shortened restatement C (entailed by S) and change one fact
in it (a number, a named entity, a negation or an antonym) to get C'; the same edit applied to S
gives S'. The quadruple (C, S, supports), (C', S, refutes), (C', S', supports), (C, S', refutes)
shows every claim with both labels, so no cue in the claim alone predicts the label (the
shortcut FEVER-Symmetric punishes). Pure Python: no torch, so it is cheap to test.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from claimscope.training.stance_edits import (
    Edit,
    antonym_edits,
    entity_edits,
    entity_pool,
    negation_edits,
    number_edits,
)
from claimscope.verify.stance_data import StancePair

KINDS = ("number", "entity", "negation", "antonym")
MIN_WORDS, MAX_WORDS = 8, 60
# Clause boundaries where the text before is a main clause the whole sentence entails.
_CUTS = (", which ", ", who ", "; ", " - ", " – ", " — ", ", while ", ", but ", ", although ")
_MIN_CLAIM_WORDS = 5
_BRACKETS = re.compile(r"\s*(?:\([^()\[\]]*\)|\[[^()\[\]]*\])")
_WORD = re.compile(r"[A-Za-z]+(?:n't)?")


@dataclass(slots=True, frozen=True)
class Perturbation:
    """One changed fact: ``claim[start:end]`` became ``replacement`` (in the passage too)."""

    kind: str
    group: str
    claim: str
    passage: str
    start: int
    end: int
    replacement: str
    claim_edit: str
    passage_edit: str


@dataclass(slots=True)
class Synthesis:
    """The synthetic pairs (shuffled), the edits behind them, how many sentences were unusable."""

    pairs: list[StancePair]
    perturbations: list[Perturbation] = field(default_factory=list)
    skipped: int = 0


def synthetic_pairs(
    sentences: Sequence[tuple[str, str]], *, seed: int = 0, per_sentence: int = 1
) -> list[StancePair]:
    """Symmetric supports/refutes quadruples, plus some neutral pairs, from (group, sentence)."""
    return synthesize(sentences, seed=seed, per_sentence=per_sentence).pairs


def synthesize(
    sentences: Sequence[tuple[str, str]], *, seed: int = 0, per_sentence: int = 1
) -> Synthesis:
    """Like :func:`synthetic_pairs`, keeping the perturbations (for ``describe`` and review)."""
    rng = random.Random(seed)
    items = _unique(sentences)
    by_group: dict[str, list[str]] = {}
    for group, text in items:
        by_group.setdefault(group, []).append(text)
    usable = [(g, s) for g, s in items if MIN_WORDS <= len(s.split()) <= MAX_WORDS]
    pool = entity_pool([s for _, s in usable])
    result = Synthesis(pairs=[], skipped=len(items) - len(usable))
    seen: set[tuple[str, str, str]] = set()
    claims_used: set[str] = set()

    def emit(claim: str, passage: str, label: str, group: str) -> None:
        if (claim, passage, label) not in seen:
            seen.add((claim, passage, label))
            result.pairs.append(StancePair(claim, passage, label, f"synth:{group}"))

    for group, sentence in usable:
        restated = _restate(sentence)
        if restated is None or restated[0] in claims_used:
            continue
        claim, index = restated
        candidates = _candidates(claim, index, sentence, pool, rng)
        family: set[str] = {claim}
        neutral_done = False
        for _ in range(per_sentence):
            edit = _pick(candidates, rng, claim, claims_used | family)
            if edit is None:
                break
            kind, start, end, replacement = edit
            claim_edit = _apply(claim, start, end, replacement)
            s_start = index[start]
            s_end = s_start + (end - start)
            passage_edit = sentence[:s_start] + replacement + sentence[s_end:]
            family.add(claim_edit)
            result.perturbations.append(
                Perturbation(
                    kind, group, claim, sentence, start, end, replacement, claim_edit, passage_edit
                )
            )
            emit(claim, sentence, "supports", group)
            emit(claim_edit, sentence, "refutes", group)
            emit(claim_edit, passage_edit, "supports", group)
            emit(claim, passage_edit, "refutes", group)
            if rng.random() < 0.5:
                other = _other_passage(
                    group, claim, (claim[start:end], replacement), by_group, items, rng
                )
                if other is not None:
                    if not neutral_done:
                        emit(claim, other, "neutral", group)
                        neutral_done = True
                    emit(claim_edit, other, "neutral", group)
        if len(family) > 1:
            claims_used |= family
    rng.shuffle(result.pairs)
    return result


def describe(synthesis: Synthesis) -> dict[str, Any]:
    """Counts of a synthesis: pairs by label, perturbations by kind, sentences skipped."""
    return {
        "pairs": len(synthesis.pairs),
        "labels": dict(sorted(Counter(p.label for p in synthesis.pairs).items())),
        "kinds": {k: sum(p.kind == k for p in synthesis.perturbations) for k in KINDS},
        "sentences_used": len({(p.group, p.passage) for p in synthesis.perturbations}),
        "sentences_skipped": synthesis.skipped,
    }


# -- the restatement -----------------------------------------------------------------------------


def _unique(sentences: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Stripped, non-empty sentences, each text once (the first group that has it keeps it)."""
    seen: set[str] = set()
    items = []
    for group, text in sentences:
        text = " ".join(text.split())
        if text and text not in seen:
            seen.add(text)
            items.append((group, text))
    return items


def _restate(sentence: str) -> tuple[str, list[int]] | None:
    """The claim C and, per character of C, its index in the sentence (-1 for the added '.')."""
    chars = list(enumerate(sentence))
    while True:
        text = "".join(c for _, c in chars)
        spans = [m.span() for m in _BRACKETS.finditer(text)]
        if not spans:
            break
        drop = {i for a, b in spans for i in range(a, b)}
        chars = [pair for i, pair in enumerate(chars) if i not in drop]
    text = "".join(c for _, c in chars)
    if any(c in text for c in "()[]"):
        return None  # unbalanced brackets: no clean restatement
    cuts = sorted(i for cut in _CUTS for i in _find_all(text, cut))
    end = next((i for i in cuts if len(text[:i].split()) >= _MIN_CLAIM_WORDS), len(text))
    while end > 0 and text[end - 1] in " ,;:.!?-–—":
        end -= 1
    start = len(text) - len(text.lstrip(" :;,.-–—"))
    claim = text[start:end]
    if len(claim.split()) < _MIN_CLAIM_WORDS:
        return None
    index = [i for i, _ in chars[start:end]]
    if claim[-1].isalnum():
        return claim + ".", [*index, -1]
    return claim, index


def _find_all(text: str, needle: str) -> Iterator[int]:
    at = text.find(needle)
    while at != -1:
        yield at
        at = text.find(needle, at + 1)


# -- choosing one edit ---------------------------------------------------------------------------


def _candidates(
    claim: str,
    index: list[int],
    sentence: str,
    pool: dict[str, list[str]],
    rng: random.Random,
) -> dict[str, list[Edit]]:
    """Every edit of C that maps onto one contiguous span of S, by kind."""
    found: dict[str, list[Edit]] = {}
    finders: dict[str, Callable[[], Iterator[Edit]]] = {
        "number": lambda: number_edits(claim, rng),
        "entity": lambda: entity_edits(claim, sentence, pool, rng),
        "negation": lambda: negation_edits(claim),
        "antonym": lambda: antonym_edits(claim),
    }
    for kind, finder in finders.items():
        for start, end, replacement in ((e[1], e[2], e[3]) for e in finder()):
            start, end, replacement = _fix_article(claim, start, end, replacement)
            mapped = index[start:end]
            if not mapped or -1 in mapped or mapped[-1] - mapped[0] != end - start - 1:
                continue  # the span crosses a removed parenthetical or the added '.'
            if kind in ("number", "entity") and _count(sentence, claim[start:end]) != 1:
                continue  # a repeated number or name: one copy changed would not be one fact
            found.setdefault(kind, []).append((kind, start, end, replacement))
    return found


def _pick(
    candidates: dict[str, list[Edit]], rng: random.Random, claim: str, taken: set[str]
) -> Edit | None:
    """A random kind among those that apply, then a random edit of it; used edits are removed.

    An edit whose C' is already some claim is passed over, so no claim gets two families' labels.
    """
    while candidates:
        kind = rng.choice(sorted(candidates))
        options = candidates[kind]
        edit = options.pop(rng.randrange(len(options)))
        if not options:
            del candidates[kind]
        if _apply(claim, edit[1], edit[2], edit[3]) not in taken:
            return edit
    return None


def _apply(text: str, start: int, end: int, replacement: str) -> str:
    return text[:start] + replacement + text[end:]


def _count(text: str, span: str) -> int:
    return len(re.findall(rf"(?<![\w.,]){re.escape(span)}(?![\w]|[.,]\d)", text))


def _fix_article(claim: str, start: int, end: int, replacement: str) -> tuple[int, int, str]:
    """Extend the edit over a preceding 'a'/'an' when the new word needs the other article."""
    before = re.search(r"(?<![\w])(a|an|A|An) $", claim[:start])
    if before is None or not replacement:
        return start, end, replacement
    article = before.group(1)
    wanted = "an" if _vowel_sound(replacement) else "a"
    if article.lower() == wanted:
        return start, end, replacement
    wanted = wanted.capitalize() if article[0].isupper() else wanted
    return before.start(), end, f"{wanted} {replacement}"


def _vowel_sound(word: str) -> bool:
    if word[:1].isdigit():
        return word.startswith("8") or re.match(r"1[18](?:\D|$|,\d{3}(?!,))", word) is not None
    if len(word) > 1 and word[:2].isupper():
        return word[0] in "AEFHILMNORSX"
    return word[:1].lower() in "aeio" or word.lower().startswith(("un", "im", "il"))


# -- neutral passages ----------------------------------------------------------------------------

_STOP = frozenset(
    "that this with from have were which their there been than they also into more most such "
    "about over other these those when what some only were will would could should".split()
)


def _content(text: str) -> set[str]:
    return {w for w in (x.lower() for x in _WORD.findall(text)) if len(w) > 3 and w not in _STOP}


def _other_passage(
    group: str,
    claim: str,
    spans: tuple[str, str],
    by_group: dict[str, list[str]],
    items: list[tuple[str, str]],
    rng: random.Random,
) -> str | None:
    """A sentence that neither supports nor refutes C: same group first, else a random one."""
    words = _content(claim)

    def neutral(text: str) -> bool:
        if any(span.strip() and span.lower() in text.lower() for span in spans):
            return False  # it speaks about the changed fact
        if claim.rstrip(".") in text:
            return False
        return not words or len(words & _content(text)) / len(words) <= 0.5

    same = [t for t in by_group.get(group, []) if neutral(t)]
    if same:
        return rng.choice(same)
    for _ in range(10):
        other_group, text = items[rng.randrange(len(items))]
        if other_group != group and neutral(text):
            return text
    return None
