"""Tests mirror the code (rules §7): ``tests/<pkg>/test_<mod>.py`` or
``tests/<pkg>/test_<mod>_<aspect>.py`` tests module ``<mod>`` of the package ``<pkg>`` mirrors
(any module inside it or its sub-packages, or a sub-package's name);
``tests/<pkg>/<sub>/test_<mod>*.py`` one inside ``<pkg>/<sub>/``.

Which package a test directory mirrors: ``tests/api|console|client_page`` (and any other
sub-package of the back-office that ``bot/`` has no namesake of, such as ``html``) →
``backoffice/...``;
``tests/backoffice`` → ``backoffice/``'s own modules and ``backoffice/schemas``;
``tests/nlu`` → ``nlu/``; ``tests/flows`` → ``flows/``; ``tests/bot`` → ``bot/``'s root modules
(``bot/cli.py``...); ``tests/bench_<x>`` → ``bench/<x>``; any other ``tests/<pkg>`` →
``bot/<pkg>``. Whole-runtime tests (``tests/e2e``), conversation stories (``tests/stories``)
and these checks (``tests/architecture``) mirror nothing.
"""

from __future__ import annotations

from pathlib import Path

from tests.architecture.packages import REPO

TESTS = REPO / "tests"
FREE = {"e2e", "stories", "architecture"}
BACKOFFICE_FACES = {"api", "console", "client_page"}


def mirrored(top: str) -> tuple[Path, bool]:
    """The source directory ``tests/<top>`` mirrors, and whether its sub-packages count."""
    if top in BACKOFFICE_FACES or (
        (REPO / "backoffice" / top / "__init__.py").is_file() and not (REPO / "bot" / top).is_dir()
    ):
        return REPO / "backoffice" / top, True
    if top in {"backoffice", "nlu", "flows"}:
        return REPO / top, True
    if top == "bot":
        return REPO / "bot", False
    if top.startswith("bench_"):
        return REPO / "bench" / top.removeprefix("bench_"), True
    return REPO / "bot" / top, True


def module_names(directory: Path, *, deep: bool, skip: set[str]) -> set[str]:
    if not directory.is_dir():
        return set()
    paths = directory.rglob("*.py") if deep else directory.glob("*.py")
    names: set[str] = set()
    for path in paths:
        parts = path.relative_to(directory).parts
        if "__pycache__" in parts or (parts[0] in skip and len(parts) > 1):
            continue
        if path.name != "__init__.py":
            names.add(path.stem)
        names.update(parts[:-1])  # a sub-package's name
    return names


def names_a_module(test: Path) -> bool:
    parts = test.relative_to(TESTS).parts
    if len(parts) == 1:  # tests/test_x.py: a root module's test belongs in tests/bot/
        return False
    source, deep = mirrored(parts[0])
    source = source.joinpath(*parts[1:-1])
    skip = BACKOFFICE_FACES if parts[0] == "backoffice" and len(parts) == 2 else set()
    subject = test.stem.removeprefix("test_")
    return any(
        subject == name or subject.startswith(name + "_")
        for name in module_names(source, deep=deep, skip=skip)
    )


def offenders() -> list[str]:
    return [
        str(test.relative_to(REPO))
        for test in sorted(TESTS.rglob("test_*.py"))
        if test.relative_to(TESTS).parts[0] not in FREE and not names_a_module(test)
    ]


def test_every_test_module_names_a_module_of_its_mirrored_package() -> None:
    found = offenders()
    print("\n".join(found))
    assert not found, (
        f"{len(found)} test files name no module of the package their directory mirrors "
        "(tests/<pkg>/test_<mod>[_<aspect>].py; see this module's docstring):\n" + "\n".join(found)
    )


if __name__ == "__main__":
    print("\n".join(offenders()))
