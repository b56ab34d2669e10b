"""Attribution: who says a sentence, found by cue rules over the sentence and its entities.

Three forms are recognized (see docs/extraction.md):

- ``According to [descriptor] SPEAKER, CONTENT`` and ``CONTENT, according to SPEAKER.``;
- ``SPEAKER [has] [adverb] VERB [that] CONTENT`` with a reporting verb (said, reported,
  clarified...), the speaker being the subject before the verb, or the first name of an
  appositive subject (``Alfredo Azurín, the secretary of ..., has clarified that``);
- ``"CONTENT," said SPEAKER.`` / ``"CONTENT," SPEAKER said.``

Sentences inside an embedded post are attributed to the post's author by the stage itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from claimscope.extract.entities import normalize_name

SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})

_VERBS = (
    "said|says|say|reported|reports|stated|states|claimed|claims|clarified|clarifies|"
    "announced|announces|told|tells|warned|warns|confirmed|confirms|denied|denies|"
    "emphasized|emphasised|emphasizes|stressed|stresses|argued|argues|noted|notes|added|adds|"
    "explained|explains|insisted|insists|alleged|alleges|tweeted|tweets|wrote|writes|"
    "revealed|reveals|estimated|estimates|acknowledged|acknowledges|admitted|admits|"
    "declared|declares|asserted|asserts|maintained|maintains|testified|disclosed|discloses|"
    "predicted|predicts|concluded|concludes|showed|shows|posted"
)
_CUE = re.compile(
    rf"\b(?:(?:has|have|had|also|later|previously|recently|publicly|repeatedly|officially)\s+)*"
    rf"(?:[a-z]+ly\s+)?(?P<verb>{_VERBS})\b"
)
_ACCORDING = re.compile(r"\b[Aa]ccording to\s+")
_DESCRIPTOR = re.compile(
    r"^(?:(?:the|a|an)\s+)?(?:(?:news|media|local|state|independent|investigative)\s+)?"
    r"(?:outlet|newspaper|website|agency|broadcaster|site|magazine|daily|report by|"
    r"reports by|data from|figures from|a statement by|statements by)\s+",
    re.IGNORECASE,
)
_AUX_TAIL = re.compile(
    r"^(?:\s|has|have|had|also|later|previously|recently|publicly|repeatedly|officially|"
    r"[a-z]+ly)*$"
)
_LEAD_CONNECTIVE = re.compile(r"^(?:and|but|while|as|so|yet|then|meanwhile)\s+", re.IGNORECASE)
_PRONOUNS = frozenset(
    {"he", "she", "they", "it", "we", "i", "you", "this", "that", "which", "who"}
    | {"my", "our", "his", "her", "their", "its", "your"}
)
# Verbs that report speech only when a clause follows ("adds another layer" reports nothing).
_WEAK = frozenset(
    {"added", "adds", "noted", "notes", "showed", "shows", "maintained", "maintains"}
    | {"estimated", "estimates", "posted"}
)
_PASSIVE = re.compile(r"\b(?:been|be|being|is|was|were|are)\s+(?:[a-z]+ly\s+)?$")
_QUOTE_OPEN = '"“«'


@dataclass(slots=True)
class Found:
    """An attribution found in one sentence, offsets into the document text."""

    kind: str
    speaker: str
    speaker_start: int
    speaker_end: int
    cue_start: int
    cue_end: int
    content_start: int | None
    content_end: int | None


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;:—–"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:.—–"):
        end -= 1
    return start, end


def _is_person(ents: Sequence[tuple[int, int, str]], span: tuple[int, int]) -> bool:
    return any((s, e) == span and label == "PERSON" for s, e, label in ents)


def _entity_in(
    ents: Sequence[tuple[int, int, str]],
    start: int,
    end: int,
    *,
    last: bool = False,
    person: bool = False,
) -> tuple[int, int] | None:
    labels = {"PERSON"} if person else SPEAKER_LABELS
    inside = [(s, e) for s, e, label in ents if s >= start and e <= end and label in labels]
    if not inside:
        return None
    return inside[-1] if last else inside[0]


def _speaker(
    text: str,
    span: tuple[int, int],
    kind: str,
    cue: tuple[int, int],
    content: tuple[int, int] | None,
) -> Found | None:
    s, e = _strip(text, *span)
    name = normalize_name(text[s:e])
    if not name or name.lower() in _PRONOUNS or len(name.split()) > 12:
        return None
    c_start, c_end = content if content else (None, None)
    if content:
        c_start, c_end = _strip(text, *content)
    return Found(kind, name, s, e, cue[0], cue[1], c_start, c_end)


def _according(
    text: str, start: int, end: int, ents: Sequence[tuple[int, int, str]]
) -> Found | None:
    m = _ACCORDING.search(text, start, end)
    if not m:
        return None
    cue = (m.start(), m.end() - len(m.group()) + len("according to"))
    after = m.end()
    comma = text.find(",", after, end)
    region_end = comma if comma != -1 else end
    desc = _DESCRIPTOR.match(text, after, region_end)
    region_start = desc.end() if desc else after
    ent = _entity_in(ents, region_start, region_end)
    span = ent or (region_start, region_end)
    if m.start() - start <= 1:  # sentence-initial: content follows the comma
        content = (region_end + 1, end) if comma != -1 else None
    else:  # sentence-final: content precedes the cue
        content = (start, m.start())
    return _speaker(text, span, "according_to", cue, content)


def _reporting(
    text: str, start: int, end: int, ents: Sequence[tuple[int, int, str]]
) -> Found | None:
    for m in _CUE.finditer(text, start, end):
        verb = (m.start("verb"), m.end("verb"))
        cue = (m.start(), m.end())
        before = text[start : m.start()]
        after_start = m.end()
        after = text[after_start:end].lstrip()
        content_start = after_start + (len(text[after_start:end]) - len(after))
        has_that = after.lower().startswith("that ")
        if has_that:
            content_start += 5
        if _PASSIVE.search(text, start, m.start("verb")):
            continue  # "it has been confirmed that": no speaker named
        # Quote first, speaker after or just before the verb: '"...," said X.' / '"...," X said.'
        stripped = before.rstrip()
        if stripped.endswith((',"', ",”", "”", '"')) or (
            before.lstrip()[:1] in _QUOTE_OPEN and re.search(r"[,”\"]\s*$", before)
        ):
            quote_end = start + len(stripped)
            ent = _entity_in(ents, after_start, end)
            if ent:
                return _speaker(text, ent, "reporting_verb", verb, (start, quote_end))
            continue
        if m.group("verb") in _WEAK and not (has_that or after.startswith(":")):
            continue
        last_comma = before.rfind(",")
        tail_start = start + last_comma + 1 if last_comma != -1 else start
        tail = text[tail_start : m.start()]
        if _AUX_TAIL.match(tail) and last_comma != -1:
            # Appositive subject: the name comes first, its description between commas.
            first_comma = before.find(",")
            ent = _entity_in(ents, start, start + first_comma)
            if ent is None or not _is_person(ents, ent):
                # "A spokesperson for X, Jane Doe, said": the name is the appositive.
                person = _entity_in(ents, start + first_comma, start + last_comma, person=True)
                ent = person or ent
            span = ent or (start, start + first_comma)
        else:
            lead = _LEAD_CONNECTIVE.match(text, tail_start, m.start())
            tail_start = lead.end() if lead else tail_start
            if not text[tail_start : m.start()].strip():
                continue
            ent = _entity_in(ents, tail_start, m.start(), last=True)
            span = ent or (tail_start, m.start())
            # A subject is a short noun phrase, not a clause.
            if not ent and len(text[span[0] : span[1]].split()) > 6:
                continue
        found = _speaker(text, span, "reporting_verb", cue, (content_start, end))
        if found:
            return found
    return None


def find_attribution(
    text: str, start: int, end: int, ents: Sequence[tuple[int, int, str]]
) -> Found | None:
    """The attribution of the sentence ``text[start:end]``, if it names a speaker.

    ``ents`` are the sentence's entities as ``(start, end, label)`` document offsets.
    """
    return _according(text, start, end, ents) or _reporting(text, start, end, ents)
