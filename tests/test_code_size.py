"""Code a newcomer can read: no module in src/ over 600 lines, no function over 80 (issue 31).

A Typer command counts from its body: its signature is its flags, one per parameter, and is as
long as the command has options. ``ALLOWED`` lists the files left out until they are cut down
(none now).
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "claimscope"
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
# Paths relative to SRC; a folder covers everything under it.
ALLOWED: tuple[str, ...] = ()


def _checked() -> list[Path]:
    return [
        path
        for path in sorted(SRC.rglob("*.py"))
        if not any(path.relative_to(SRC).is_relative_to(a) for a in ALLOWED)
    ]


def _is_command(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a function is a Typer command (``@app.command(...)``, ``@settings_options``)."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in ("command", "callback", "settings_options"):
            return True
    return False


def _long_functions(path: Path) -> list[str]:
    long = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0].lineno if _is_command(node) else node.lineno
            lines = (node.end_lineno or node.lineno) - first + 1
            if lines > MAX_FUNCTION_LINES:
                lines_of = f"{path.relative_to(SRC)}:{node.lineno} {node.name} ({lines} lines)"
                long.append(lines_of)
    return long


def test_no_module_is_over_600_lines() -> None:
    sizes = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in _checked()}
    assert [
        f"{p.relative_to(SRC)} ({n} lines)" for p, n in sizes.items() if n > MAX_FILE_LINES
    ] == []


def test_no_function_is_over_80_lines() -> None:
    assert [line for path in _checked() for line in _long_functions(path)] == []
