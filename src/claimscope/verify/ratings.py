"""Publishers' textual ratings ("Pants on Fire", "Mostly False", "Falso") mapped to one scale.

Fact-checkers each use their own words; a desk comparing checks across publishers needs one
vocabulary. The publisher's own rating is always kept next to the normalized one.
"""

from __future__ import annotations

import re

# The normalized verdicts, from worst to best; "unproven" and "satire" sit outside the scale.
VERDICTS = ("false", "mostly-false", "misleading", "mixed", "mostly-true", "true")
OTHER = ("unproven", "satire", "outdated")

# Checked in order: the first pattern found in the lower-cased rating wins, so the qualified
# forms ("mostly false", "half true") come before the bare ones.
_RULES: tuple[tuple[str, str], ...] = (
    (r"\bpants on fire\b|\bfour pinocchios\b|\bfabricat|\bhoax\b|\bfake\b|\bscam\b", "false"),
    (r"\bmostly (?:false|inaccurate)\b|\bmainly false\b|\bthree pinocchios\b", "mostly-false"),
    (r"\bmostly (?:true|accurate|correct)\b|\bmainly true\b|\bone pinocchio\b", "mostly-true"),
    (r"\bhalf[ -]true\b|\bmix(?:ed|ture)\b|\bpartly\b|\bpartially\b|\btwo pinocchios\b", "mixed"),
    (
        r"\bmislead|\bmissing context\b|\bout of context\b|\bdistort|\bexaggerat|\bcherry",
        "misleading",
    ),
    (
        r"\bunproven\b|\bunverified\b|\bunsupported\b|\bno evidence\b|\bresearch in progress\b",
        "unproven",
    ),
    (r"\bsatire\b|\bsatirical\b|\bparody\b", "satire"),
    (r"\boutdated\b", "outdated"),
    (
        r"\bfalse\b|\bincorrect\b|\bwrong\b|\binaccurate\b|\bfalso\b|\bfaux\b|\bmiscaptioned\b|"
        r"\bmisattributed\b|\bdebunked\b",
        "false",
    ),
    (r"\btrue\b|\bcorrect\b|\baccurate\b|\bverdadero\b|\bvrai\b|\bcorrect attribution\b", "true"),
)
_COMPILED = tuple((re.compile(p), v) for p, v in _RULES)
# schema.org Rating: ratingValue between worstRating and bestRating, five steps by default.
_NUMERIC = ("false", "mostly-false", "mixed", "mostly-true", "true")


def normalize_rating(
    rating: str | None,
    value: float | None = None,
    worst: float | None = None,
    best: float | None = None,
) -> str | None:
    """The normalized verdict of a textual rating, or of a numeric one on its own scale."""
    if rating:
        text = " ".join(rating.lower().replace("-", " ").split())
        for pattern, verdict in _COMPILED:
            if pattern.search(text):
                return verdict
    if value is not None and worst is not None and best is not None and best > worst:
        share = min(max((value - worst) / (best - worst), 0.0), 1.0)
        return _NUMERIC[round(share * (len(_NUMERIC) - 1))]
    return None
