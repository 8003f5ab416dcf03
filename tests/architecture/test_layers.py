"""The import contracts in pyproject.toml cover the whole project: every package (and every
module at a root, such as ``bot/cli.py``) sits in a layer of the layers contract, and the
back-office's use-case contract names every module of ``backoffice/``. ``lint-imports``
checks the arrows; this checks that no new package slips past them."""

from __future__ import annotations

import re
import tomllib

from tests.architecture.packages import REPO, ROOTS, packages

CONTRACTS = {
    contract.get("id"): contract
    for contract in tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "importlinter"
    ]["contracts"]
}


def layer_modules() -> set[str]:
    return {
        name.strip("() ")
        for layer in CONTRACTS["layers"]["layers"]
        for name in re.split(r"[|:]", layer)
    }


def covered(module: str, layers: set[str]) -> bool:
    return any(module == layer or module.startswith(layer + ".") for layer in layers)


def root_modules() -> list[str]:
    """Modules directly under a root package (``bot.cli``, ``backoffice.reports``...)."""
    return [
        f"{root}.{path.stem}"
        for root in ROOTS
        for path in sorted((REPO / root).glob("*.py"))
        if path.name != "__init__.py"
    ]


def test_every_package_and_root_module_is_in_a_layer() -> None:
    layers = layer_modules()
    candidates = [p.name for p in packages() if p.name not in ROOTS] + root_modules()
    outside = [name for name in candidates if not covered(name, layers)]
    assert not outside, f"not in any layer of the layers contract (pyproject.toml): {outside}"


def test_every_layer_names_something_that_exists() -> None:
    def exists(module: str) -> bool:
        path = REPO.joinpath(*module.split("."))
        return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()

    assert [m for m in layer_modules() if not exists(m)] == []


def test_the_back_office_core_contract_names_every_use_case_module() -> None:
    listed = set(CONTRACTS["backoffice-core"]["source_modules"])
    core = {name for name in root_modules() if name.startswith("backoffice.")}
    faces = {"backoffice.api", "backoffice.console", "backoffice.client_page"}
    subpackages = {
        p.name for p in packages() if p.name.count(".") == 1 and p.name.startswith("backoffice.")
    }
    assert core | (subpackages - faces) == listed
