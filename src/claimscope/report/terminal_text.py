"""Document text for the terminal: printed literally, never parsed as rich markup, and without
the characters that could drive the terminal or reorder what it shows."""

from __future__ import annotations

import re

from rich.text import Text

from claimscope.formatting import window

# C0/C1 controls (ESC starts terminal escape sequences) and bidi overrides that reorder text.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(value: str) -> str:
    """``value`` with each unsafe character replaced by U+FFFD."""
    return _UNSAFE.sub("\ufffd", value)


def plain(value: str | None, style: str = "") -> Text:
    """Document text as a rich Text: printed literally, never parsed as markup."""
    return Text(clean(value or ""), style=style)


def quoted(text: str, start: int, end: int, chars: int) -> Text:
    """``text`` in quotes with ``[start, end)`` in bold, cut to about ``chars`` around it."""
    before, part, after, cut_lo, cut_hi = window(text, start, end, chars)
    out = Text("“…" if cut_lo else "“")
    out.append_text(plain(before))
    out.append_text(plain(part, "bold yellow"))
    out.append_text(plain(after))
    out.append("…”" if cut_hi else "”")
    return out
