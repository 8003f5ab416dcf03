"""Flow files are validated when loaded; a broken one names its file and step."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.bootstrap import flow_registry
from flows import BUILTIN_FLOWS_DIR, FlowDefinitionError, load_flows


def _copy_flows(tmp_path: Path) -> Path:
    target = tmp_path / "flows"
    shutil.copytree(BUILTIN_FLOWS_DIR, target)
    return target


def test_shipped_flows_load() -> None:
    flows = load_flows(None, registry=flow_registry())
    assert {"registration", "contact"} <= set(flows)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    next: company_branch\n", "    next: nowhere\n", "step 'cnpj': goes to 'nowhere'"),
        (
            "    validator: cnpj\n",
            "    validator: cnpj_typo\n",
            "step 'cnpj': unknown validator 'cnpj_typo'",
        ),
        (
            "    action: save_registration\n",
            "    action: save_everything\n",
            "step 'save': unknown action",
        ),
        (
            "    stage: documentos\n",
            "    stage: docs\n",
            "step 'to_documents': unknown stage 'docs'",
        ),
        ("    flow: contact\n", "    flow: contacts\n", "unknown flow 'contacts'"),
        ("start: consent\n", "start: hello\n", "start step 'hello' does not exist"),
        ("    type: ask\n    slot: cnpj\n", "    type: asks\n    slot: cnpj\n", "step 'cnpj'"),
        (
            "      - when: {slot: employees, gt: 500}\n",
            "      - when: {slot: staff, gt: 500}\n",
            "step 'segment_branch': condition on slot 'staff'",
        ),
        (
            '    prompt: {pt: "Qual é o CNPJ da empresa?", en: "What is the company\'s CNPJ?"}\n',
            '    prompt: {pt: "Qual é o CNPJ?"}\n',
            "step 'cnpj' field 'prompt.en'",
        ),
    ],
)
def test_a_broken_flow_fails_naming_file_and_step(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    folder = _copy_flows(tmp_path)
    path = folder / "registration.yml"
    source = path.read_text(encoding="utf-8")
    assert old in source, "the test's anchor text must exist in the shipped flow"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(FlowDefinitionError) as raised:
        load_flows(folder, registry=flow_registry())
    assert str(path) in str(raised.value)
    assert message in str(raised.value)


def test_invalid_yaml_is_reported(tmp_path: Path) -> None:
    folder = _copy_flows(tmp_path)
    (folder / "contact.yml").write_text("id: contact\nsteps: [unclosed\n", encoding="utf-8")
    with pytest.raises(FlowDefinitionError, match="contact.yml: not valid YAML"):
        load_flows(folder, registry=flow_registry())


def test_duplicate_flow_ids_are_refused(tmp_path: Path) -> None:
    folder = _copy_flows(tmp_path)
    shutil.copy(folder / "contact.yml", folder / "contact_copy.yml")
    with pytest.raises(FlowDefinitionError, match="flow id 'contact' already used"):
        load_flows(folder, registry=flow_registry())


def test_a_step_without_next_is_refused(tmp_path: Path) -> None:
    folder = _copy_flows(tmp_path)
    path = folder / "contact.yml"
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace("    next: phone\n", "", 1), encoding="utf-8")
    with pytest.raises(FlowDefinitionError, match="step 'email': has no 'next' step"):
        load_flows(folder, registry=flow_registry())


def test_server_start_fails_on_a_broken_flow(tmp_path: Path, database_url: str) -> None:
    from bot.bootstrap import build_runtime
    from bot.config import Settings
    from tests.support.scripted_nlu import ScriptedInterpreter

    folder = _copy_flows(tmp_path)
    (folder / "registration.yml").write_text(
        (folder / "registration.yml")
        .read_text(encoding="utf-8")
        .replace("next: company_branch", "next: x"),
        encoding="utf-8",
    )
    settings = Settings(_env_file=None, database_url=database_url, flows_dir=folder)  # type: ignore[call-arg]
    with pytest.raises(FlowDefinitionError, match="registration.yml: step 'cnpj'"):
        build_runtime(settings, interpreter=ScriptedInterpreter(), migrate=False)
