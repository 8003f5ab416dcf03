"""Pipeline templates: the shipped ones load, broken ones are refused at load time with the file
and the stage named, and transitions follow the template."""

from __future__ import annotations

from pathlib import Path

import pytest

from backoffice.errors import Conflict, Invalid, PipelineError
from backoffice.pipeline import load_pipelines, parse_template

GOOD = """
segment: self_service
stages:
  - {id: cadastro, owner: client, sla_business_hours: 8, next: [documentos, cancelado]}
  - {id: documentos, sla_business_hours: 8, approval: true, approve_to: concluido,
     next: [concluido, cancelado]}
  - {id: concluido, terminal: true}
  - {id: cancelado, terminal: true}
"""


def test_shipped_templates() -> None:
    catalog = load_pipelines()
    self_service = catalog.for_segment("self_service")
    enterprise = catalog.for_segment("enterprise")
    assert "kickoff" not in self_service.order and "kickoff" in enterprise.order
    assert enterprise.dedicated_csm and not self_service.dedicated_csm
    assert enterprise.stage("kickoff").requires_csm
    assert self_service.stage("documentos").owner == "client"


def test_transitions_follow_the_template() -> None:
    template = load_pipelines().for_segment("enterprise")
    template.check_transition("cadastro", "documentos", has_csm=False)
    template.check_transition("validacao", "documentos", has_csm=False)  # documents redone
    template.check_transition("treinamento", "cancelado", has_csm=False)
    with pytest.raises(Conflict, match="cannot move from cadastro to ativacao"):
        template.check_transition("cadastro", "ativacao", has_csm=True)
    with pytest.raises(Conflict, match="needs an approval"):
        template.check_transition("aprovacao", "kickoff", has_csm=True)
    with pytest.raises(Conflict, match="needs a CSM"):
        template.check_transition("aprovacao", "kickoff", has_csm=False, approving=True)
    with pytest.raises(Conflict, match="final"):
        template.check_transition("concluido", "cadastro", has_csm=True)
    with pytest.raises(Invalid):
        load_pipelines().for_segment("self_service").check_transition(
            "aprovacao", "kickoff", has_csm=True
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("documentos, cancelado]}", "documentos, validacao]}"),
            "stage cadastro: next stage validacao is not listed",
        ),
        (
            ("id: documentos, sla_business_hours: 8,", "id: documentos,"),
            "stage documentos: sla_business_hours is required",
        ),
        (
            ("approve_to: concluido", "approve_to: cadastro"),
            "stage documentos: approve_to must name one of its next stages",
        ),
        (
            (
                "{id: concluido, terminal: true}",
                "{id: concluido, terminal: true, next: [cadastro]}",
            ),
            "stage concluido: a terminal stage has no next",
        ),
        (("owner: client", "owner: robot"), "stage cadastro owner"),
        (("id: cancelado", "id: cancelled"), "stage cancelled id"),
        (("segment: self_service", "segment: startup"), "segment"),
        (("documentos, cancelado]}", "cancelado]}"), "stage documentos is unreachable"),
    ],
)
def test_broken_templates_are_refused_with_file_and_stage(
    change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(PipelineError) as raised:
        parse_template(GOOD.replace(old, new), source="custom.yml")
    assert str(raised.value).startswith("custom.yml: ")
    assert message in str(raised.value)


def test_a_stage_that_cannot_end_is_refused() -> None:
    trapped = """
segment: enterprise
stages:
  - {id: cadastro, sla_business_hours: 8, next: [documentos, concluido]}
  - {id: documentos, sla_business_hours: 8, next: [validacao]}
  - {id: validacao, sla_business_hours: 8, next: [documentos]}
  - {id: concluido, terminal: true}
"""
    with pytest.raises(PipelineError, match="stage documentos can never reach an end"):
        parse_template(trapped, source="trap.yml")


def test_a_folder_needs_every_segment(tmp_path: Path) -> None:
    (tmp_path / "self_service.yml").write_text(GOOD, encoding="utf-8")
    assert parse_template(GOOD, source="x").order[0] == "cadastro"
    with pytest.raises(PipelineError, match="enterprise"):
        load_pipelines(tmp_path)
    (tmp_path / "enterprise.yml").write_text(
        GOOD.replace("self_service", "enterprise"), encoding="utf-8"
    )
    assert {t.segment.value for t in load_pipelines(tmp_path)} == {"self_service", "enterprise"}
    (tmp_path / "again.yml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(PipelineError, match="a second template"):
        load_pipelines(tmp_path)
    with pytest.raises(PipelineError, match="does not exist"):
        load_pipelines(tmp_path / "missing")
