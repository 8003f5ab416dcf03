"""The models package: one module per aggregate, each importing ``Base`` from
``bot.storage.base`` (never the package that imports them: no cycle), and a package that
registers and exports every model."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import bot.storage.models as models
from bot.storage.base import Base

MODULES = sorted(
    path for path in Path(models.__file__).parent.glob("*.py") if path.name != "__init__.py"
)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_model_modules_import_only_the_base_and_the_personal_data_marks() -> None:
    assert len(MODULES) >= 7
    for path in MODULES:
        project = {name for name in _imported_modules(path) if name.startswith("bot")}
        assert project <= {"bot.storage.base", "bot.storage.personal_data"}, path.name


def test_the_package_exports_every_mapped_model() -> None:
    mapped = {mapper.class_.__name__ for mapper in Base.registry.mappers}
    exported = {name for name in models.__all__ if isinstance(getattr(models, name), type)}
    assert mapped == exported - {"Base"}
    assert {path.stem for path in MODULES} <= set(models.__all__)


def test_each_model_lives_in_one_aggregate_module() -> None:
    homes = {mapper.class_.__name__: mapper.class_.__module__ for mapper in Base.registry.mappers}
    for name, home in homes.items():
        module = importlib.import_module(home)
        assert name in module.__all__, f"{home} does not export {name}"
    assert {home.rsplit(".", 1)[-1] for home in homes.values()} == {p.stem for p in MODULES}


def test_every_table_is_on_the_one_metadata() -> None:
    assert models.Base is Base
    tables = {mapper.class_.__tablename__ for mapper in Base.registry.mappers}
    assert tables == set(Base.metadata.tables)
