"""Inline quotations: text between matching quotation marks within one line."""

from __future__ import annotations

import re

# Straight double quotes pair up in order; curly ones by shape. Single quotes are left out:
# they are apostrophes far more often than quotation marks.
_QUOTE = re.compile(r"“[^”“\n]{1,600}”|\"[^\"\n]{1,600}\"|«[^»\n]{1,600}»")


def find_quotes(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of quotations (marks included) in ``text[start:end]``."""
    end = len(text) if end is None else end
    return [m.span() for m in _QUOTE.finditer(text, start, end) if m.group()[1:-1].strip()]
