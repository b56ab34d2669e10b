"""Embedded social posts that a scraper flattened into the article text.

The forms recovered (see docs/structure.md):

- a signed post: body lines, then ``— Name (@handle) May 27, 2023`` on its own line or glued
  to the end of the body's last line (``pic.twitter.com/x— Name (@handle) May 26, 2023``);
- an unsigned post: a short line ending in a ``pic.twitter.com`` or ``t.co`` link.

A signed post's body is taken backwards from its signature, line by line, while the body stays
within a tweet's length; once it holds a line of real words, a line that ends a sentence is
taken to be article text (posts are one paragraph more often than not).
"""

from __future__ import annotations

import datetime as dt
import re

from claimscope.model import Post
from claimscope.text.links import find_links, tweet_length

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_SIGNATURE = re.compile(
    r"(?:[—–―]{1,2}|--|(?<![^\s])-)\s*"
    r"(?P<name>[^\n()—–]{0,80}?)\s*\(\s*(?P<handle>@[A-Za-z0-9_]{1,15})\s*\)\s*"
    rf"(?P<date>(?:{_MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\.?,?\s+\d{{4}})"
    r"\s*$"
)
_DATE_FORMATS = ("%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y")
_WORD = re.compile(r"[^\W\d_]{2,}")
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*\s*$")
_SHORT_LINK_HOSTS = ("https://pic.twitter.com/", "https://t.co/", "http://t.co/")

Line = tuple[int, int]


def _post_date(raw: str) -> str | None:
    cleaned = re.sub(r"[.,]", " ", raw).replace("Sept ", "Sep ")
    cleaned = " ".join(cleaned.split())
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _author_name(raw: str) -> str | None:
    # Display names carry emoji and symbols ("Paul Kikos 🌐"); keep the words.
    name = " ".join(w for w in raw.split() if any(c.isalnum() for c in w))
    return name or None


def _has_words(text: str, start: int, end: int) -> bool:
    plain = text[start:end]
    for link in find_links(text, start, end):
        plain = plain.replace(text[link.start : link.end], " ")
    return len(_WORD.findall(plain)) >= 3


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _ends_with_short_link(text: str, start: int, end: int) -> bool:
    end = _trim_end(text, start, end)
    links = find_links(text, start, end)
    return bool(links) and links[-1].end == end and links[-1].url.startswith(_SHORT_LINK_HOSTS)


def find_signed_posts(
    text: str, lines: list[Line], taken: list[bool], *, max_chars: int
) -> list[Post]:
    """Posts ending in a signature line; marks the lines they use in ``taken``."""
    posts = []
    for i, (ls, le) in enumerate(lines):
        sig = _SIGNATURE.search(text, ls, le)
        if not sig or taken[i]:
            continue
        sig_start = sig.start()
        body: list[Line] = []
        if text[ls:sig_start].strip():
            body.append((ls, _trim_end(text, ls, sig_start)))
        total = sum(tweet_length(text, s, e) for s, e in body)
        substantive = any(_has_words(text, s, e) for s, e in body)
        j = i - 1
        while j >= 0 and not taken[j]:
            s, e = lines[j]
            if not text[s:e].strip():
                if body:
                    break
                j -= 1
                continue
            length = tweet_length(text, s, e)
            if total + length > max_chars:
                break
            if substantive and _SENTENCE_END.search(text, s, e):
                break
            if body and _ends_with_short_link(text, s, e):
                break  # the last line of an unsigned post just before this one
            body.insert(0, (s, e))
            total += length
            substantive = substantive or _has_words(text, s, e)
            j -= 1
        for k in range(j + 1, i + 1):
            taken[k] = True
        body_start = body[0][0] if body else sig_start
        body_end = _trim_end(text, body_start, body[-1][1]) if body else sig_start
        sig_end = _trim_end(text, sig_start, le)
        posts.append(
            Post(
                start=body_start,
                end=sig_end,
                body_start=body_start,
                body_end=body_end,
                author=_author_name(sig.group("name")),
                handle=sig.group("handle"),
                handle_start=sig.start("handle"),
                handle_end=sig.end("handle"),
                date=_post_date(sig.group("date")),
                signature_start=sig_start,
                signature_end=sig_end,
                links=find_links(text, body_start, body_end),
            )
        )
    return posts


def find_unsigned_posts(
    text: str, lines: list[Line], taken: list[bool], *, max_chars: int
) -> list[Post]:
    """Short lines that end in a tweet's photo or short link: posts without a signature."""
    posts = []
    for i, (ls, le) in enumerate(lines):
        end = _trim_end(text, ls, le)
        if taken[i] or end == ls or tweet_length(text, ls, end) > max_chars:
            continue
        if not _ends_with_short_link(text, ls, end):
            continue
        links = find_links(text, ls, end)
        start = ls + (len(text[ls:end]) - len(text[ls:end].lstrip()))
        taken[i] = True
        posts.append(Post(start=start, end=end, body_start=start, body_end=end, links=links))
    return posts
