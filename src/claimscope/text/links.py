"""Links and handles in scraped text, including URLs glued to the previous word."""

from __future__ import annotations

import re

from claimscope.model import Link

# No leading \b: scrapers glue links to the word before them ("Castillohttps://t.co/x").
_LINK = re.compile(
    r"(?:https?://|www\.|pic\.twitter\.com/|t\.co/)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+",
    re.IGNORECASE,
)
# A signature dash may be glued to the link ("pic.twitter.com/x-- Name"): dashes end no URL.
_TRAILING = ".,;:!?)]'\"-"
_HANDLE = re.compile(r"(?<![\w@/.])@[A-Za-z0-9_]{1,15}\b")

# A tweet's length counts every link as 23 characters, whatever its length.
TWEET_LINK_LENGTH = 23


def _normalize_url(raw: str) -> str:
    if raw.lower().startswith(("http://", "https://")):
        return raw
    return "https://" + raw


def find_links(text: str, start: int = 0, end: int | None = None) -> list[Link]:
    """Every link in ``text[start:end]``, with offsets into ``text``."""
    end = len(text) if end is None else end
    links = []
    for m in _LINK.finditer(text, start, end):
        raw = m.group().rstrip(_TRAILING)
        # A closing bracket belongs to the URL only when the URL opened one.
        if len(raw) < len(m.group()) and "(" in raw and m.group()[len(raw)] == ")":
            raw += ")"
        if len(raw) <= len("https://"):
            continue
        links.append(Link(start=m.start(), end=m.start() + len(raw), url=_normalize_url(raw)))
    return links


def find_handles(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of ``@handles`` in ``text[start:end]`` (not inside e-mail addresses or URLs)."""
    end = len(text) if end is None else end
    return [m.span() for m in _HANDLE.finditer(text, start, end)]


def tweet_length(text: str, start: int, end: int) -> int:
    """Length of ``text[start:end]`` as a tweet counts it: each link weighs 23 characters."""
    length = end - start
    for link in find_links(text, start, end):
        length += TWEET_LINK_LENGTH - (link.end - link.start)
    return length
