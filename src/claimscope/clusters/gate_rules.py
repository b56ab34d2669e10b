"""What the same-claim gate reads of two claims besides their vectors (issue 30).

The same-claim model weighs names little and reads a correction as the sentence it corrects, and
a quantity two claims share lets in pairs far apart in meaning. On the PolNeAR dev articles this
mixed "The Clinton campaign and DNC did not immediately respond" with "The Trump campaign did not
immediately respond" (cosine 0.85), a correction notice with the sentence it corrected (0.88),
and, through the lenient same-quantity threshold, claims that only mention the same amount at
their end. So, whatever the cosine, two claims are not one when:

- **their actors differ**: both name people or organisations (the document's PERSON and ORG
  mentions) and no name of one is a name of the other, part of it, or begins as it does
  ("Trump", "Donald Trump's" and "the Trump administration" are one actor; "Hillary Clinton"
  and "Bill Clinton", or "the Halvik Ferry Company" and "the Ostmark Ferry Company", are two);
- **one is an editorial notice** ("Correction: ...", "An earlier version of this article ...",
  "This story has been updated ...") and the other is not: a notice restates the claim it
  corrects, it does not state it again.

And the lenient threshold (``same_claim_quantity``) is only for two claims that share a quantity
**that leads both**: its number comes in the first half of each claim's words, where a claim
says what it is about ("700 US troops will take part..."), not in a clause at its end ("...
if he does not secure the 1,237 delegates needed to win").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from claimscope.clusters.claim_text import lead_quantities
from claimscope.extract.entities import find_entities
from claimscope.settings import Settings

# The entity labels that name an actor: who did or said something. Places, nationalities, laws
# and events are left out: "700 US troops" and "700 American troops" are one claim.
ACTOR_LABELS = frozenset({"PERSON", "ORG"})
# Words of a name that say nothing of who it is ("the Commission on Presidential Debates").
_NAME_FILLER = frozenset({"the", "of", "on", "and", "for", "in", "at", "a", "an", "to", "&"})
_NAME_WORD = re.compile(r"[^\W_]+(?:[.'’-][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s?$")
# An editorial notice about the article itself, not a claim of it: a correction, a
# clarification, an update. ("Editor's note:" is not one: such notes state claims of their own.)
_NOTICE = re.compile(
    r"""^\W*(?:correction|clarification|update|updated)s?\b\s*[:.—–-]"""
    r"""|\b(?:an?|the)\s+(?:earlier|previous|prior)\s+version\s+of\s+this\s+"""
    r"""(?:article|story|report|post|piece|headline)"""
    r"""|\bthis\s+(?:article|story|report|post|piece)\s+(?:has\s+been|was)\s+"""
    r"""(?:updated|revised|corrected|amended)""",
    re.IGNORECASE,
)


# A verb of saying after a name (one or two words between: "has said", "also told"), or what
# introduces a source before it ("according to", "said").
_SAY = (
    r"(?:said|says|say|told|tells|tell|announced|announces|reported|reports|claimed|claims|"
    r"stated|states|wrote|writes|tweeted|argued|argues|added|adds|noted|notes|insisted|"
    r"insists|confirmed|confirms|estimated|estimates)"
)
_SAYS_AFTER = re.compile(rf"(?:['’]s?)?,?(?:\s+\w+){{0,2}}?\s+{_SAY}\b", re.IGNORECASE)
_SAYS_BEFORE = re.compile(
    r"(?:according\s+to|said|says)\s+(?:the\s+|a\s+)?(?:\w+\s+)?$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class GateFacts:
    """What the gate's rules read of a claim: the quantities that lead it, the words of the
    actors it names (each name as its set of words), whether it is an editorial notice."""

    quantities: frozenset[tuple[str, str]]
    actors: frozenset[tuple[str, ...]]
    notice: bool


def gate_facts(text: str, actors: Iterable[str] = ()) -> GateFacts:
    """A claim's facts, from its text and the names of the actors it mentions (the texts of its
    PERSON and ORG mentions; none known: no actor rule for it). A name the text gives as the
    source of what it says ("X said", "according to X") is not an actor: the same claim is
    told by many. (The analysis's attributed speaker is not used for this: it also names who
    "did not respond to requests for comment", the very actor that tells such claims apart.)"""
    names = [n for n in actors if not is_source(text, n)]
    return GateFacts(lead_quantities(text), actor_names(names), is_notice(text))


def is_source(text: str, name: str) -> bool:
    """Whether ``name`` is given in ``text`` as the source of what it says: followed by a verb of
    saying ("the ministry said", "Varga has told reporters") or after "according to" or "said"
    ("according to the ministry", "said Varga"), at every place it occurs."""
    places = [m.start() for m in re.finditer(re.escape(name), text)]
    if not places:
        return False
    for start in places:
        after = text[start + len(name) :]
        if not (_SAYS_AFTER.match(after) or _SAYS_BEFORE.search(text[:start])):
            return False
    return True


def text_actors(texts: Sequence[str], settings: Settings | None = None) -> list[list[str]]:
    """The actor names of each text read on its own by the entity model (a clustered claim's
    come from its document's analysis instead, in context)."""
    settings = settings or Settings()
    found = find_entities(
        [(t, 0, len(t)) for t in texts], model=settings.spacy_model, batch_size=settings.batch_size
    )
    return [
        [text[s:e] for s, e, label in entities if label in ACTOR_LABELS]
        for text, entities in zip(texts, found, strict=True)
    ]


def actor_names(names: Iterable[str]) -> frozenset[tuple[str, ...]]:
    """Each name as the words that tell it apart, in order: case-folded, without possessives and
    filler ("the Commission on Port Safety's" gives "commission", "port", "safety")."""
    out = set()
    for name in names:
        words = []
        for word in _NAME_WORD.findall(name.casefold()):
            word = _POSSESSIVE.sub("", word)
            if len(word) > 1 and word not in _NAME_FILLER:
                words.append(word)
        if words:
            out.add(tuple(words))
    return frozenset(out)


def same_actor(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> bool:
    """Whether two claims' actor names share one: a name of one that is a name of the other,
    part of it, or begins with the same word ("Trump" and "Donald Trump"; "the Obama
    administration" and a name the entity model cut short, "Obama Hid"; not "Hillary Clinton" and
    "Bill Clinton", nor "the Halvik Ferry Company" and "the Ostmark Ferry Company")."""
    return any(_one_name(x, y) for x in a for y in b)


def _one_name(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    return x[0] == y[0] or set(x) <= set(y) or set(y) <= set(x)


def is_notice(text: str) -> bool:
    """Whether a claim is an editorial notice about its article (a correction, an update)."""
    return _NOTICE.search(text) is not None


def refusal(a: GateFacts, b: GateFacts) -> str | None:
    """Why two claims cannot state the same claim whatever their cosine (None: they may)."""
    if a.notice != b.notice:
        return "notice"
    if a.actors and b.actors and not same_actor(a.actors, b.actors):
        return "actors"
    return None
