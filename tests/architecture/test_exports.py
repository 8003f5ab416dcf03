"""Every package declares its public API in ``__all__`` (as httpx's
``tests/test_exported_members.py`` checks httpx's).

"Public" here means: the package's submodules and sub-packages whose names do not start
with ``_``, plus the names (not modules) its ``__init__.py`` binds at the top level that do
not start with ``_`` — its functions, classes and assignments, and the names it imports from
its own submodules (re-exports). ``__all__`` must list all of them. It may also list a name
the ``__init__`` imports from another package of the project (a facade making a sibling's
name part of its API), and nothing else. Names an ``__init__`` imports from the standard
library or a third party are its own tools, not its API. A module meant to be private is
named ``_module.py``; a name meant to be private, ``_name``.
"""

from __future__ import annotations

import ast

import pytest

from tests.architecture.packages import Package, declared_all, packages, public_names

PACKAGES = packages()


def test_the_scan_finds_the_packages() -> None:
    names = {package.name for package in PACKAGES}
    assert {"bot", "bot.service", "backoffice.console", "nlu", "flows"} <= names


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.name)
def test_all_names_the_public_names(package: Package) -> None:
    declared = declared_all(ast.parse(package.init.read_text(encoding="utf-8")))
    assert declared is not None, f"{package.init}: no __all__"
    assert len(declared) == len(set(declared)), f"{package.init}: __all__ repeats a name"
    required, allowed = public_names(package)
    missing = sorted(required - set(declared))
    unknown = sorted(set(declared) - required - allowed)
    assert not missing and not unknown, (
        f"{package.init}: __all__ lacks {missing} and names {unknown}, which is neither a "
        "public submodule nor a public name bound in the __init__"
    )
