"""Attribution: who says what, found by cue rules over the sentence's words and its entities.

Each attribution has a source span (the speaker as written: the whole noun phrase), a cue span
(``said``, ``according to``) and a content span (what is said). The forms recognized (see
docs/extraction.md):

- ``According to SOURCE, CONTENT`` and ``CONTENT, according to SOURCE.``;
- ``SOURCE [has] [adverb] VERB [ADDRESSEE] [that] CONTENT`` with a reporting verb (said, told,
  reported, warned...). The source is the noun phrase before the verb: determiner, modifiers,
  head and the phrases after it (``officials in Lima``, ``the head of the port authority``),
  with an appositive between commas (``Mara Vell, the secretary of Ports, Fisheries and
  Customs, has clarified``, ``A spokesperson for X, Jane Doe, said``), or a pronoun (``he
  said``, ``who said``);
- ``"CONTENT," SOURCE said.``, ``"CONTENT," said SOURCE.`` and ``CONTENT, SOURCE said.``;
- ``..., saying/adding CONTENT``: the source is the sentence's earlier source or its subject.

A sentence may hold several attributions. The speaker is the readable name of the source: the
name when the source is a name with a description (``the news outlet La Lupa``: ``La Lupa``;
``Jane Doe, the chair of ...``: ``Jane Doe``), else the phrase as written. Pronouns are
resolved against earlier sources by the stage (``extract/stages.py``); sentences inside an
embedded post are attributed to the post's author by the stage itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from claimscope.extract.attribution_lexicon import (
    ACCORDING,
    ADDRESSEE_VERBS,
    ADDRESSEE_WORDS,
    AND,
    BREAKS,
    CLAUSE_BREAKS,
    CLAUSE_SUBJECTS,
    CLOSE_QUOTES,
    CUE_WORDS,
    DETERMINERS,
    ING,
    LETTERS,
    MAX_APPOSITIVE,
    NAME_LABELS,
    NOT_SUBJECT,
    NOUNISH,
    OBJECT_PRONOUNS,
    OPENERS,
    PARENTHETICAL,
    PASSIVE,
    PREPOSITIONS,
    PRONOUNS,
    QUOTES,
    SPEAKER_LABELS,
    STOP,
    STRONG,
    SUBJECT_PRONOUNS,
    VERBS,
    WEAK,
)
from claimscope.extract.attribution_phrases import (
    Found,
    Sentence,
    adverb,
    base,
    capitalized,
    is_time,
    is_word,
    make_found,
    noun_phrase_left,
    noun_phrase_right,
    skip_adverbials,
    strip,
)

__all__ = [
    "NAME_LABELS",
    "SPEAKER_LABELS",
    "Found",
    "SentenceCache",
    "find_attribution",
    "find_attributions",
    "found_from_spans",
]


def _according(s: Sentence) -> list[Found]:
    toks, out = s.toks, []
    for m in ACCORDING.finditer(s.text, s.start, s.end):
        i = j = s.index_at(m.end())
        while j < len(toks) and toks[j].text not in BREAKS and toks[j].text not in ".!?":
            j += 1
        if j == i or j - i > MAX_APPOSITIVE:
            continue
        lead = s.text[s.start : m.start()].strip(" \t\n\u00a0\"“”'‘’")
        if not lead or lead.endswith(("—", "–", "(", ";", ":")):
            # "According to X, CONTENT"
            content = (toks[j].end, s.end) if j < len(toks) else None
        else:  # "CONTENT, according to X."
            content = (s.start, m.start())
        source = (toks[i].start, toks[j - 1].end)
        found = make_found(
            s, "according_to", source, (m.start(), m.end()), content, descriptor=True
        )
        if found:
            out.append(found)
    return out


def _content_after(s: Sentence, k: int, verb: str) -> tuple[tuple[int, int] | None, bool]:
    """What the verb before token ``k`` reports: the rest of the sentence after an addressee
    (``told reporters``), adverbials (``in a statement``) and ``that``; and whether a clause
    is marked (``that``, a colon or a quotation follows)."""
    toks = s.toks
    k = skip_adverbials(s, k)
    if verb in ADDRESSEE_VERBS and k < len(toks):
        if toks[k].low in OBJECT_PRONOUNS or toks[k].low in ("her", "you"):
            k += 1
        else:
            j = k
            while (
                j < len(toks)
                and j - k < 6
                and is_word(toks[j])
                and toks[j].low != "that"
                and (
                    capitalized(toks[j])
                    or s.in_entity(toks[j].start)
                    or toks[j].low in ADDRESSEE_WORDS
                )
                and (j == k or toks[j].low not in DETERMINERS)
            ):
                j += 1
            k = j
        k = skip_adverbials(s, k)
    if k < len(toks) and toks[k].low in PREPOSITIONS:
        # "said in Ohio that ...": the clause after a short phrase.
        for j in range(k + 1, min(len(toks), k + 8)):
            if not is_word(toks[j]):
                break
            if toks[j].low == "that":
                k = j
                break
    clause = False
    that = None  # the content is the that-clause, "that" included (as PolNeAR marks it)
    while k < len(toks) and (toks[k].low == "that" or toks[k].text in (",", ":", "—", "–")):
        if toks[k].low == "that" and that is None:
            that = toks[k].start
        clause = clause or toks[k].low == "that" or toks[k].text == ":"
        k += 1
    if k >= len(toks):
        return None, clause
    # A quotation, or a subject pronoun ("thinks he will"), opens a clause too.
    clause = clause or toks[k].text in QUOTES or base(toks[k]) in CLAUSE_SUBJECTS
    start, end = strip(s.text, toks[k].start if that is None else that, s.end)
    return ((start, end) if end > start else None), clause


def _content_before(s: Sentence, source_start: int) -> tuple[int, int] | None:
    """For a source after a comma or a closing quotation mark (``"CONTENT," X said``,
    ``CONTENT, X said``), the sentence up to there."""
    before = [t for t in s.toks if t.end <= source_start]
    if len(before) < 2 or not (before[-1].text in (",", "—") or before[-1].text in CLOSE_QUOTES):
        return None
    if not any(is_word(t) for t in before):
        return None
    return s.start, before[-1].end


def _subject(s: Sentence, stop: int) -> tuple[int, int] | None:
    """The sentence's subject when it opens the sentence: a pronoun, or a name after its
    titles (``Cleveland Police Chief Jane Doe``), after a fronted phrase ("Before the vote,")."""
    toks = s.toks
    first = 0
    while first < stop and not is_word(toks[first]):
        first += 1
    comma = next((i for i in range(first, min(stop, first + 8)) if toks[i].text == ","), None)
    if comma is not None and not s.in_entity(toks[first].start):
        first = comma + 1  # "Before the vote, X ...", "Eight years ago, he ..."
    elif first < stop and toks[first].low in OPENERS:
        return None
    if first >= stop:
        return None
    if toks[first].low in SUBJECT_PRONOUNS - {"who", "which"}:
        return toks[first].start, toks[first].end
    ent = next((e for e in s.ents if e[2] in NAME_LABELS and e[0] >= toks[first].start), None)
    if ent is None or ent[1] > toks[stop - 1].end:
        return None
    titles = [t for t in toks[first:stop] if t.end <= ent[0]]
    if len(titles) > 6 or any(not (capitalized(t) or t.low in ("the", "a", "an")) for t in titles):
        return None
    return toks[first].start, ent[1]


def _appositive(s: Sentence, close: int) -> tuple[int, int] | None:
    """The subject ``NAME, DESCRIPTION`` (or ``NAME — DESCRIPTION``) that ends at token
    ``close``, its closing comma or dash. A description may hold commas itself (``Jane Doe,
    58, who lives in Lima,``; ``Jane Doe, the secretary of Defence, Order and Drugs,``): the
    nearest opening whose phrase before is a person's name wins, else the nearest one."""
    toks = s.toks
    if close < 1 or toks[close].text not in (",", "—", "–"):
        return None
    mark = toks[close].text
    openings = []
    j = close - 1
    while j >= 1 and close - j <= 2 * MAX_APPOSITIVE:
        if toks[j].text in CLAUSE_BREAKS:
            if toks[j].text != mark:
                break
            openings.append(j)
        j -= 1
    if not openings or openings[0] == close - 1 or close - openings[0] - 1 > MAX_APPOSITIVE:
        return None
    chosen = None
    for opening in openings:
        if any(t.low in VERBS for t in toks[opening + 1 : close]):
            break
        np = noun_phrase_left(s, opening)
        if np is None:
            continue
        if chosen is None:
            chosen = (opening, np)
        head = s.entity(toks[np[0]].start, toks[opening - 1].end, frozenset({"PERSON"}))
        if head is not None and head[1] == toks[opening - 1].end:
            chosen = (opening, np)
            break
    if chosen is None:
        return None
    opening, np = chosen
    middle = toks[opening + 1 : close]
    begin = toks[np[0]].start
    if (
        middle[0].low in PARENTHETICAL
        or middle[0].low in PREPOSITIONS
        or middle[0].low in ("without", "referring", "speaking", "citing", "after", "before")
        or middle[0].low.endswith("ing")
    ):
        return begin, toks[opening - 1].end  # "Clinton, however, said", "X, in contrast,"
    return begin, toks[close - 1].end


def _headline(s: Sentence) -> bool:
    """Whether the sentence is written in title case (a headline: "Jane Doe Says ...")."""
    words = [t for t in s.toks if is_word(t) and len(t.text) > 3]
    return len(words) >= 3 and sum(1 for t in words if capitalized(t)) >= 0.7 * len(words)


def _reporting(s: Sentence, found: list[Found]) -> list[Found]:
    toks = s.toks
    out: list[Found] = []
    taken = [(f.speaker_start, f.speaker_end) for f in found]
    headline: bool | None = None
    for k, tok in enumerate(toks):
        verb = tok.low
        if verb not in VERBS:
            continue
        titled = not tok.text.islower()
        if titled:
            if verb not in STRONG or not tok.text[1:].islower():
                continue
            if headline is None:
                headline = _headline(s)
            if not headline:
                continue
        if any(a <= tok.start < b for a, b in taken):
            continue
        c = _cue_start(s, k, verb)
        if c is None:
            continue
        prior = out[-1] if out else (found[-1] if found else None)
        picked = _source_and_content(s, k, c, titled, prior)
        if picked is None:
            continue
        f = make_found(s, "reporting_verb", picked[0], (toks[c].start, tok.end), picked[1])
        if f:
            out.append(f)
            taken.append((f.speaker_start, f.speaker_end))
    return out


def _cue_start(s: Sentence, k: int, verb: str) -> int | None:
    """The first token of the cue of the verb at token ``k`` (the auxiliaries and adverbs
    before it are part of it); None when the verb reports nothing there."""
    toks = s.toks
    c = k
    while c > 0 and adverb(toks[c - 1]):
        c -= 1
    prev = toks[c - 1] if c > 0 else None
    if prev is not None and prev.low in PASSIVE:
        return None  # "it has been confirmed that", "he was told": no speaker named
    if prev is not None and prev.low in NOT_SUBJECT:
        return None  # "refused to say", "have a say", "his claims"
    if verb == "learned" and c == k:
        return None  # only "has learned"
    if verb in ING and not (prev is not None and (prev.text == "," or prev.low in AND)):
        return None  # "data showing that", "Sanders vowing to fight": not a report
    return c


Spans = tuple[tuple[int, int], tuple[int, int] | None]


def _source_and_content(
    s: Sentence, k: int, c: int, titled: bool, prior: Found | None
) -> Spans | None:
    """The source and content of the verb at token ``k`` whose cue starts at token ``c``."""
    toks = s.toks
    verb = toks[k].low
    prev = toks[c - 1] if c > 0 else None
    after, clause = _content_after(s, k + 1, verb)
    if titled:
        # "Jane Doe Says No To Debates": the name, or the words, before the verb.
        words = 0
        while words < c and is_word(toks[c - 1 - words]) and words < 6:
            words += 1
        ent = next((e for e in s.ents if prev and e[1] == prev.end and e[2] in NAME_LABELS), None)
        if words == c:
            return (toks[0].start, toks[c - 1].end), after
        return ((ent[0], ent[1]), after) if ent is not None else None
    if prev is not None and (prev.low in AND or (prev.text == "," and verb in ING)):
        # "..., saying CONTENT" / "X did Y and said CONTENT": the earlier subject speaks.
        if verb in WEAK and not clause:
            return None
        if prior is not None:
            return (prior.speaker_start, prior.speaker_end), after
        subject = _subject(s, c - 1)
        return (subject, after) if subject is not None else None
    if prev is not None and (prev.text in (",", "—", "–") or prev.text in CLOSE_QUOTES):
        return _after_comma(s, k, c, after, clause)
    np = noun_phrase_left(s, c)
    if np is None:
        return None
    source = (toks[np[0]].start, toks[np[1]].end)
    ok, content = _pick_content(s, source[0], after, clause, verb)
    return (source, content) if ok else None


def _after_comma(
    s: Sentence, k: int, c: int, after: tuple[int, int] | None, clause: bool
) -> Spans | None:
    """A verb after a comma, a dash or a closing quotation: the source after the verb
    ('"CONTENT," said X.') or an appositive subject before it ('X, the Y of Z, said')."""
    toks = s.toks
    verb, prev = toks[k].low, toks[c - 1]
    nxt = toks[k + 1] if k + 1 < len(toks) else None
    end = None
    if (
        nxt is not None
        and verb not in ADDRESSEE_VERBS
        and is_word(nxt)
        and nxt.low not in STOP
        and nxt.low not in PREPOSITIONS
        and nxt.low not in PRONOUNS
        and not is_time(s, nxt)
    ):
        end = noun_phrase_right(s, k + 1, to_end=True)
    if end is not None and nxt is not None:
        # '"CONTENT," said X.' / 'CONTENT, said X, the Y of Z.'
        return (nxt.start, toks[end - 1].end), (s.start, prev.end)
    # 'X, the Y of Z, said CONTENT' / '"CONTENT," X, the Y of Z, said.'
    source = _appositive(s, c - 1)
    if source is None:
        return None
    ok, content = _pick_content(s, source[0], after, clause, verb)
    return (source, content) if ok else None


def _pick_content(
    s: Sentence,
    source_start: int,
    after: tuple[int, int] | None,
    clause: bool,
    verb: str,
) -> tuple[bool, tuple[int, int] | None]:
    """The content of a subject-verb attribution: before the source (``"CONTENT," X said``,
    ``CONTENT, X said.``) or after the verb; first False when the verb reports nothing."""
    before = _content_before(s, source_start)
    if before is not None and not clause:
        quoted = s.text[before[1] - 1] in "\"”»'"
        if (
            quoted
            or after is None
            or s.text[after[0] : after[1]].split()[0].lower() in PREPOSITIONS
        ):
            return True, before
    if (verb in WEAK or verb in NOUNISH) and not clause:
        return False, None
    return True, after


# Sentences of one document already read into tokens, by span and the entities inside: the
# tagger's attributions mostly fall in sentences the rules have read (a per-document dict).
SentenceCache = dict[tuple[int, int, tuple[tuple[int, int, str], ...]], Sentence]


def _sentence(
    text: str,
    start: int,
    end: int,
    ents: Sequence[tuple[int, int, str]],
    cache: SentenceCache | None,
) -> Sentence:
    inside = tuple(e for e in ents if e[0] >= start and e[1] <= end)
    if cache is None:
        return Sentence(text, start, end, inside)
    key = (start, end, inside)
    sentence = cache.get(key)
    if sentence is None:
        sentence = cache[key] = Sentence(text, start, end, inside)
    return sentence


def find_attributions(
    text: str,
    start: int,
    end: int,
    ents: Sequence[tuple[int, int, str]],
    cache: SentenceCache | None = None,
) -> list[Found]:
    """The attributions of the sentence ``text[start:end]``, in the order of their cues.

    ``ents`` are the sentence's entities as ``(start, end, label)`` document offsets;
    ``cache`` keeps the sentence's tokens for ``found_from_spans`` on the same document.
    """
    if CUE_WORDS.isdisjoint(LETTERS.findall(text[start:end].lower())):
        return []
    s = _sentence(text, start, end, ents, cache)
    found = _according(s)
    found += _reporting(s, found)
    return sorted(found, key=lambda f: f.cue_start)


def find_attribution(
    text: str, start: int, end: int, ents: Sequence[tuple[int, int, str]]
) -> Found | None:
    """The first attribution of the sentence ``text[start:end]``, if it names a speaker."""
    found = find_attributions(text, start, end, ents)
    return found[0] if found else None


def found_from_spans(
    text: str,
    sentence: tuple[int, int],
    ents: Sequence[tuple[int, int, str]],
    source: tuple[int, int],
    cue: tuple[int, int],
    content: tuple[int, int] | None,
    cache: SentenceCache | None = None,
) -> Found | None:
    """An attribution from spans found elsewhere (the learned tagger), its speaker read as the
    rules read theirs. ``sentence`` holds the cue; it is widened to hold the source too.
    ``cache``: as ``find_attributions`` took it for the same document."""
    start, end = min(sentence[0], source[0]), max(sentence[1], source[1])
    s = _sentence(text, start, end, ents, cache)
    according = text[cue[0] : cue[1]].lower().startswith("according")
    kind = "according_to" if according else "reporting_verb"
    # A description before a name gives the name ("news outlet La Lupa": "La Lupa") wherever
    # the tagger's source stands, as after "according to" for the rules.
    return make_found(s, kind, source, cue, content, descriptor=True)
