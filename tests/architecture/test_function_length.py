"""No function runs over 60 lines (issue #18), unless it says why: ``# long: <reason>`` on
its ``def`` line or the line above it (above its decorators). A function's length is from
its ``def`` to its last line, docstring and comments included; a nested function counts
within its parent and on its own."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.architecture.packages import REPO, ROOTS

LIMIT = 60
SCANNED = (*ROOTS, "bench", "tests")
MARK = "# long:"


def python_files() -> Iterator[Path]:
    for top in SCANNED:
        for path in sorted((REPO / top).rglob("*.py")):
            if "__pycache__" not in path.parts and "migrations" not in path.parts:
                yield path


def long_functions(path: Path) -> Iterator[tuple[int, str, int]]:
    """(line, name, length) of each function of the file over the limit with no reason."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        if length <= LIMIT:
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        marked = {node.lineno, node.lineno - 1, first - 1}
        if any(0 < n <= len(lines) and MARK in lines[n - 1] for n in marked):
            continue
        yield node.lineno, node.name, length


def test_long_functions_say_why() -> None:
    offenders = [
        f"{path.relative_to(REPO)}:{line} {name} ({length} lines)"
        for path in python_files()
        for line, name, length in long_functions(path)
    ]
    assert not offenders, (
        f"{len(offenders)} functions over {LIMIT} lines without `{MARK} <reason>`:\n"
        + "\n".join(offenders)
    )
