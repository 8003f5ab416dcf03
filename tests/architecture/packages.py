"""The project's packages as the architecture tests see them, read with ``ast`` (nothing is
imported, so a package that is half-moved still gets a readable failure).

A package is a directory with an ``__init__.py`` under one of the project's roots.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

__all__ = ["REPO", "ROOTS", "Package", "packages", "public_names"]

REPO = Path(__file__).resolve().parents[2]
ROOTS = ("bot", "backoffice", "nlu", "flows")


@dataclass(frozen=True, slots=True)
class Package:
    name: str  # dotted: "bot.service"
    init: Path  # its __init__.py

    @property
    def directory(self) -> Path:
        return self.init.parent


def packages() -> list[Package]:
    """Every package under the roots, parents first."""
    found: list[Package] = []
    for root in ROOTS:
        for init in sorted((REPO / root).rglob("__init__.py")):
            relative = init.parent.relative_to(REPO)
            if "__pycache__" in relative.parts:
                continue
            found.append(Package(".".join(relative.parts), init))
    return found


def submodules(package: Package) -> set[str]:
    """The package's modules and sub-packages whose names do not start with ``_``."""
    names = set()
    for child in package.directory.iterdir():
        if child.name.startswith("_"):
            continue
        if child.suffix == ".py":
            names.add(child.stem)
        elif (child / "__init__.py").is_file():
            names.add(child.name)
    return names


def _imported_from(node: ast.ImportFrom, package: str) -> str:
    """The absolute module an ``__init__``'s ``from ... import`` reads."""
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _is_module(dotted: str) -> bool:
    path = REPO.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _top_level(tree: ast.Module) -> list[ast.stmt]:
    """The module's statements, with those of an ``if TYPE_CHECKING:`` block: the names a
    package loads on first use (a PEP 562 ``__getattr__``, as ``backoffice`` does) are bound
    there for the type checker and are its API all the same."""
    nodes: list[ast.stmt] = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            nodes.extend(node.body)
        else:
            nodes.append(node)
    return nodes


def _bindings(tree: ast.Module, package: str) -> tuple[set[str], set[str]]:
    """The public names the ``__init__`` binds at its top level, as (own, borrowed): own are
    its functions, classes and assignments and the names it imports from its own
    submodules; borrowed, the names it imports from another package of the project. Modules
    it imports and names starting with ``_`` are left out."""
    own: set[str] = set()
    borrowed: set[str] = set()
    for node in _top_level(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            own.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                own.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
            own.add(node.target.id)
        elif isinstance(node, ast.ImportFrom):
            source = _imported_from(node, package)
            if source.split(".")[0] not in ROOTS:
                continue  # the standard library or a third party: the __init__'s own tools
            mine = source == package or source.startswith(package + ".")
            for alias in node.names:
                if _is_module(f"{source}.{alias.name}"):
                    continue
                (own if mine else borrowed).add(alias.asname or alias.name)
    return (
        {name for name in own if not name.startswith("_")},
        {name for name in borrowed if not name.startswith("_")},
    )


def declared_all(tree: ast.Module) -> list[str] | None:
    """The literal ``__all__`` of a module, or None if it declares none."""
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            assert isinstance(node, ast.Assign | ast.AnnAssign)
            value = node.value
            if isinstance(value, ast.List | ast.Tuple):
                return [ast.literal_eval(element) for element in value.elts]
            raise ValueError("__all__ is not a literal list")
    return None


def public_names(package: Package) -> tuple[set[str], set[str]]:
    """What ``__all__`` must hold and what it may hold besides. Must: the package's public
    submodules and the public names its ``__init__`` defines or takes from its own
    submodules. May: names its ``__init__`` imports from another package of the project (a
    facade re-exporting a sibling's name, which is then part of this package's API)."""
    tree = ast.parse(package.init.read_text(encoding="utf-8"))
    own, borrowed = _bindings(tree, package.name)
    return submodules(package) | own, borrowed
