"""Reports rendered from analyses: a rich terminal summary and one self-contained HTML file."""

from __future__ import annotations

from claimscope.report.html import render_html
from claimscope.report.terminal import render_terminal

__all__ = ["render_html", "render_terminal"]
