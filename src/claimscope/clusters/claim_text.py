"""How two claims' texts compare without a model: the same text, a near-duplicate, the numbers.

Claim clusters (``claimscope.clusters``) join a claim to a cluster by the same normalized
text, then by a near-duplicate text (character shingles), then by embedding similarity; the
numbers a claim states must agree with those of the claim it joins, so that "700 troops" and
"1,000 troops" stay apart however alike the sentences are.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import overload

import numpy as np
from numpy.typing import NDArray

# Characters per shingle: long enough that shared shingles mean shared words, short enough that
# an inflection ("troop" / "troops") changes few of them.
SHINGLE = 5

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"'})
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACE = re.compile(r"\s+")
# Punctuation and quotes at either end of a text: "700 troops." and "700 troops" are one claim.
_EDGES = re.compile(r"""^[\s"'(\[«]+|[\s"'.,;:!?)\]»…]+$""")
_NON_WORD = re.compile(r"[^\w%$€£]+")
# A number: digits with thousands separators or a decimal part, and an optional scale word.
_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?!\d)"
    r"(?:\s*(thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)
# A shingle's code points packed 12 bits each (5 x 12 = 60 bits): exact, no collision, for every
# shingle whose characters are all below U+1000 (Latin, Greek, Cyrillic, Arabic, Hebrew, Indic...).
_PACK_BITS = 12
_PACK_LIMIT = 1 << _PACK_BITS
# Other shingles (CJK, emoji...) are hashed (blake2b, 60 bits) into the values at or above 2**60,
# which packed shingles never reach: the two kinds cannot collide.
_HASHED = np.uint64(0xF << 60)
_HASH_MASK = (1 << 60) - 1
# The 60-bit code is kept as its top 32 bits after a multiplication by this odd constant
# (Fibonacci hashing): 4 bytes a shingle, the cost of the clusterer's cache of neighbours. Two
# claims of 100 shingles each share a code by chance with a probability of about 2e-6, which
# moves their Jaccard score by 1/200 at most.
_MIX = np.uint64(0x9E3779B97F4A7C15)
_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
        fifteen sixteen seventeen eighteen nineteen twenty""".split()
    )
    if value >= 2
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
# A number word standing alone ("six states", "three million"), not in a compound ("two-thirds").
_NUMBER_WORD = re.compile(
    rf"(?<![\w-])({'|'.join(_NUMBER_WORDS)})(?![\w-])(?:\s+(thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)
_SCALE = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_WORD = re.compile(r"[^\W\d_]+")
# The words after a number that may name what it counts ("700 American troops are").
_AFTER_WORDS = 3
_AFTER_CHARS = 60
# A capitalised word right before a number ("Fortune 500"), and what may come before a sentence's
# first word.
_NAME_BEFORE = re.compile(r"(?<![\w'’])([A-Z][\w&'’.-]*)[ \u00a0]$")
_SENTENCE_OPENERS = frozenset(".!?:;\"“”'‘’([—–-")
_MONTHS = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
_NOT_COUNTED = frozenset(
    """a an the of to in on at by for from with and or but as than that this these those is are
    was were be been being will would could should may might can has have had do does did not
    no new more less some about around over under nearly almost roughly approximately least
    most per percent per cent percentage points point dollars dollar euros euro pounds pound
    usd eur gbp yen yuan pesos soles rupees million billion thousand trillion it its they their
    them he his she her we our you your who which what""".split()
)


def normalize(text: str) -> str:
    """The text as exact matching compares it: NFKC, case-folded, quotes and dashes unified,
    whitespace collapsed, punctuation at either end dropped."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
    text = _DASHES.sub("-", text)
    return _EDGES.sub("", _SPACE.sub(" ", text).strip())


def text_hash(normalized: str) -> int:
    """A signed 64-bit hash of a normalized text (a BIGINT in the store)."""
    digest = hashlib.blake2b(normalized.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def shingles(normalized: str, size: int = SHINGLE) -> frozenset[str]:
    """The character shingles of a normalized text, punctuation left out (words joined by one
    space); a text shorter than ``size`` is its own only shingle."""
    flat = _NON_WORD.sub(" ", normalized).strip()
    if len(flat) <= size:
        return frozenset([flat]) if flat else frozenset()
    return frozenset(flat[i : i + size] for i in range(len(flat) - size + 1))


def shingle_hashes(normalized: str, size: int = SHINGLE) -> NDArray[np.uint32]:
    """``shingles(normalized, size)`` as a sorted array of distinct 32-bit codes, one a shingle:
    4 bytes a shingle instead of some 120 for a string in a frozenset. Codes are stable (not
    Python's salted ``hash``); two shingles share one by chance only (``_MIX``)."""
    flat = _NON_WORD.sub(" ", normalized).strip()
    if not flat:
        return np.empty(0, dtype=np.uint32)
    # UTF-32 gives one code point a character (no BOM with an explicit byte order).
    points = np.frombuffer(flat.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    if len(flat) <= size:
        windows = [points[k : k + 1] for k in range(len(flat))]  # one shingle, the whole text
    else:
        count = len(flat) - size + 1
        windows = [points[k : k + count] for k in range(size)]
    codes = np.zeros(windows[0].shape, dtype=np.uint64)
    widest = np.zeros(windows[0].shape, dtype=np.uint64)
    for k, window in enumerate(windows):
        # Code point 0 never reaches here (it is not a word character): a shorter text's
        # zero-filled high bits cannot match a full shingle.
        codes |= window << np.uint64(_PACK_BITS * k)
        np.maximum(widest, window, out=widest)
    wide = np.flatnonzero(widest >= _PACK_LIMIT)
    if wide.size:
        width = min(size, len(flat))
        for i in wide.tolist():
            digest = hashlib.blake2b(flat[i : i + width].encode("utf-8"), digest_size=8).digest()
            codes[i] = np.uint64(int.from_bytes(digest, "big") & _HASH_MASK) | _HASHED
    with np.errstate(over="ignore"):  # the multiplication wraps around, as it should
        mixed = ((codes * _MIX) >> np.uint64(32)).astype(np.uint32)
    out = np.unique(mixed)
    out.flags.writeable = False  # a ClaimText is frozen, and cached ones are shared
    return out


@overload
def jaccard_score(a: frozenset[str], b: frozenset[str]) -> float: ...
@overload
def jaccard_score(a: NDArray[np.uint32], b: NDArray[np.uint32]) -> float: ...
def jaccard_score(
    a: frozenset[str] | NDArray[np.uint32], b: frozenset[str] | NDArray[np.uint32]
) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets), of two sets of shingles (``shingles``) or of
    two sorted arrays of shingle codes (``shingle_hashes``): the same value for the same texts."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    if isinstance(a, frozenset) and isinstance(b, frozenset):
        common = len(a & b)
    else:
        common = _common(np.asarray(a), np.asarray(b))
    return common / (len(a) + len(b) - common)


def _common(a: NDArray[np.uint32], b: NDArray[np.uint32]) -> int:
    """How many codes two sorted arrays of distinct codes share (each code of the shorter
    looked up in the longer)."""
    if len(a) > len(b):
        a, b = b, a
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return int(np.count_nonzero(b[at] == a))


def jaccard_bound(a: NDArray[np.uint32], b: NDArray[np.uint32]) -> float:
    """The highest Jaccard score two sets of these sizes can have: when it is under a
    threshold, so is their score, without comparing them."""
    small, large = sorted((len(a), len(b)))
    return small / large if large else 0.0


def numbers(text: str) -> Counter[str]:
    """The numbers a text states, normalized ("1,000" = "1000", "1.2 million" = "1200000",
    "18.50" = "18.5", "six" = "6"), with how often each occurs. Of the numbers written as words,
    those from two to twenty and the tens are read ("five states" and "six states" disagree),
    not "one" (mostly "one of", "no one") nor a word joined by a hyphen ("two-thirds")."""
    found: Counter[str] = Counter()
    for match in _NUMBER.finditer(text):
        whole, fraction, scale = match.groups()
        try:
            value = Decimal(whole.replace(",", "") + (fraction or ""))
        except InvalidOperation:  # pragma: no cover - the pattern only matches digits
            continue
        if scale:
            value *= _SCALE[scale.lower()]
        found[_plain(value)] += 1
    for match in _NUMBER_WORD.finditer(text):
        word, scale = match.groups()
        value = Decimal(_NUMBER_WORDS[word.lower()])
        if scale:
            value *= _SCALE[scale.lower()]
        found[_plain(value)] += 1
    return found


def numbers_text(found: Counter[str]) -> str:
    """Numbers as text, sorted and repeated as often as stated ("1000 2021 2021"): how
    ``cluster_members.numbers`` stores them; ``numbers_counted`` reads them back."""
    return " ".join(sorted(found.elements()))


def numbers_counted(text: str) -> Counter[str]:
    """The numbers of a ``numbers_text``, counted."""
    return Counter(text.split())


def numbers_agree(a: Counter[str], b: Counter[str]) -> bool:
    """Whether two claims' numbers are compatible: those of one are all among those of the
    other, counted with their repeats. A claim with no number agrees with any claim; "700
    troops" agrees with "700 troops in 2023", not with "1,000 troops"."""
    return not a or not b or a <= b or b <= a


def salient(found: Counter[str]) -> set[str]:
    """The numbers that identify a claim rather than a date: a fraction (4.2, 5.25), or a
    whole number of 100 or more ("1.2 billion" is one) that is not a year (1900-2100). Day
    numbers, small counts and years are shared by too many unrelated claims."""
    out = set()
    for text in found:
        value = Decimal(text)
        if value != value.to_integral_value() or (value >= 100 and not 1900 <= value <= 2100):
            out.add(text)
    return out


def quantities(text: str) -> frozenset[tuple[str, str]]:
    """What a text counts: each salient number (``salient``) with each content word among the
    few words after it ("700 US troops" gives ("700", "us") and ("700", "troops")). Units
    (percent, dollars...) and function words are not what is counted, nor is a number that is
    part of a name ("Fortune 500 companies", "a Boeing 747": ``in_name``)."""
    return frozenset(q for q, _ in _counted(text))


def lead_quantities(text: str) -> frozenset[tuple[str, str]]:
    """The ``quantities`` whose number comes in the first half of the text's words, where a
    claim says what it is about ("700 US troops will take part in joint training"), rather than
    in a clause at its end ("... if he does not secure the 1,237 delegates needed to win")."""
    words = len(text.split())
    return frozenset(q for q, at in _counted(text) if 2 * at < words)


def _counted(text: str) -> list[tuple[tuple[str, str], int]]:
    """Each quantity of ``text`` with the index of its number's word."""
    out = []
    for match in _NUMBER.finditer(text):
        number = next(iter(numbers(match.group(0))))
        if not salient(Counter([number])) or in_name(text, match.start()):
            continue
        at = len(text[: match.start()].split())
        words = _WORD.findall(text[match.end() : match.end() + _AFTER_CHARS].casefold())
        for word in words[:_AFTER_WORDS]:
            if len(word) > 1 and word not in _NOT_COUNTED:
                out.append(((number, word), at))
    return out


def in_name(text: str, start: int) -> bool:
    """Whether the number at ``start`` is part of a name: right after a capitalised word that
    does not open the sentence (nor is a month: "in March 2016"), as in "the Fortune 500" or "a
    Boeing 747". A sentence's first word is left out: "About 700 troops" counts troops."""
    # A name's word is short: looking back a few dozen characters is enough (and keeps this
    # linear in the text's numbers, not in its length).
    before = _NAME_BEFORE.search(text, max(0, start - 40), start)
    if before is None or before.group(1).casefold() in _MONTHS:
        return False
    opening = text[: before.start(1)].rstrip()
    return bool(opening) and opening[-1] not in _SENTENCE_OPENERS


def shares_quantity(a: frozenset[tuple[str, str]], b: frozenset[tuple[str, str]]) -> bool:
    """Whether two claims count the same thing with the same salient number ("700 troops")."""
    return bool(a & b)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True, slots=True)
class ClaimText:
    """What the model-free comparisons of a claim need: the hash of its normalized text, its
    shingles (as codes, ``shingle_hashes``: the clusterer keeps many of these at hand), its
    numbers and what they count."""

    hash: int
    shingles: NDArray[np.uint32]
    numbers: Counter[str]
    quantities: frozenset[tuple[str, str]]


def describe(text: str) -> ClaimText:
    """The comparable form of a claim's text."""
    norm = normalize(text)
    return ClaimText(text_hash(norm), shingle_hashes(norm), numbers(text), quantities(text))


@dataclass(frozen=True, slots=True, kw_only=True)
class Thresholds:
    """When two claims are one: shingle overlap for a near-duplicate; embedding cosine for the
    same meaning, lower (``semantic_quantity``) when they count the same thing with the same
    salient number."""

    near_duplicate: float
    semantic: float
    semantic_quantity: float


def join_how(
    a: ClaimText, b: ClaimText, cosine: float, thresholds: Thresholds
) -> tuple[str, float] | None:
    """Whether claim ``a`` joins claim ``b``'s cluster, and how: ``("exact", 1.0)`` for the same
    normalized text; otherwise, when their numbers agree, ``("near", jaccard)`` for a shingle
    overlap at or above the near-duplicate threshold, else ``("semantic", cosine)`` for a cosine
    at or above the semantic threshold (the same-quantity one when they share a quantity);
    None when it does not."""
    if a.hash == b.hash:
        return ("exact", 1.0)
    if not numbers_agree(a.numbers, b.numbers):
        return None
    # The size bound spares most comparisons and changes no decision: under the threshold, the
    # score is too.
    if jaccard_bound(a.shingles, b.shingles) >= thresholds.near_duplicate:
        overlap = jaccard_score(a.shingles, b.shingles)
        if overlap >= thresholds.near_duplicate:
            return ("near", overlap)
    shared = shares_quantity(a.quantities, b.quantities)
    if cosine >= (thresholds.semantic_quantity if shared else thresholds.semantic):
        return ("semantic", cosine)
    return None
