"""Pipeline templates: the stages of an onboarding per segment, as YAML data checked at load time.

A template lists its stages in funnel order, each with its owner (client or company), its SLA
target in business hours, whether the SLA clock pauses while waiting on the client, and the
stages it may move to. ``load_pipelines`` refuses a template that names an unknown stage, leaves
a stage unreachable, or has a stage from which the onboarding can never end; the error names
the file and the stage.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backoffice.errors import Conflict, Invalid, PipelineError
from bot.domain.business_time import SlaPolicy
from bot.domain.onboarding import Segment, Stage


class StageSpec(BaseModel):
    """One stage of a template (see ``backoffice/pipelines/self_service.yml`` for the keys)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Stage
    owner: Literal["client", "company"] = "company"
    sla_business_hours: float | None = Field(default=None, gt=0)
    pause_while_waiting_on_client: bool = False
    next: tuple[Stage, ...] = ()
    approval: bool = False
    approve_to: Stage | None = None
    requires_csm: bool = False
    terminal: bool = False

    def sla_policy(self, *, at_risk_share: float) -> SlaPolicy | None:
        if self.sla_business_hours is None:
            return None
        return SlaPolicy(
            target=timedelta(hours=self.sla_business_hours),
            pauses_while_waiting_on_client=self.pause_while_waiting_on_client,
            at_risk_share=at_risk_share,
        )


class PipelineTemplate(BaseModel):
    """The stages of one segment's onboardings, in funnel order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    segment: Segment
    description: str = ""
    dedicated_csm: bool = False
    initial: Stage = Stage.CADASTRO
    stages: tuple[StageSpec, ...]

    @property
    def order(self) -> list[str]:
        return [spec.id.value for spec in self.stages]

    def stage(self, stage: str) -> StageSpec:
        for spec in self.stages:
            if spec.id.value == stage:
                return spec
        raise Invalid(f"stage {stage!r} is not part of the {self.segment.value} pipeline")

    def has_stage(self, stage: str) -> bool:
        return any(spec.id.value == stage for spec in self.stages)

    def check_transition(
        self, from_stage: str, to_stage: str, *, has_csm: bool, approving: bool = False
    ) -> None:
        """Raises ``Conflict`` (or ``Invalid`` for an unknown stage) unless the move is allowed.

        The bot's transitions go through this check too (``approving`` is for the approval
        route only: leaving an approval stage forward needs it).
        """
        target = self.stage(to_stage)
        if not self.has_stage(from_stage):
            raise Conflict(
                f"the onboarding is in stage {from_stage!r}, which the {self.segment.value} "
                "pipeline does not have"
            )
        current = self.stage(from_stage)
        if current.terminal:
            raise Conflict(f"stage {from_stage} is final")
        if target.id not in current.next:
            allowed = ", ".join(s.value for s in current.next)
            raise Conflict(f"cannot move from {from_stage} to {to_stage} (allowed: {allowed})")
        if current.approval and target.id == current.approve_to and not approving:
            raise Conflict(f"leaving {from_stage} for {to_stage} needs an approval (POST approve)")
        if target.requires_csm and not has_csm:
            raise Conflict(f"stage {to_stage} needs a CSM assigned to the onboarding first")

    def validate_graph(self, source: str) -> None:
        ids = [spec.id for spec in self.stages]
        seen: set[Stage] = set()
        for stage_id in ids:
            if stage_id in seen:
                raise PipelineError(f"{source}: stage {stage_id.value} is listed twice")
            seen.add(stage_id)
        if self.initial not in seen:
            raise PipelineError(f"{source}: initial stage {self.initial.value} is not listed")
        if Stage.CONCLUIDO not in seen:
            raise PipelineError(f"{source}: the pipeline has no {Stage.CONCLUIDO.value} stage")
        for spec in self.stages:
            _check_stage(spec, seen, source=source)
        reachable = _closure({self.initial}, {s.id: set(s.next) for s in self.stages})
        for spec in self.stages:
            if spec.id not in reachable:
                raise PipelineError(f"{source}: stage {spec.id.value} is unreachable")
        terminal = {s.id for s in self.stages if s.terminal}
        for spec in self.stages:
            if not _closure({spec.id}, {s.id: set(s.next) for s in self.stages}) & terminal:
                raise PipelineError(f"{source}: stage {spec.id.value} can never reach an end")


def _check_stage(spec: StageSpec, known: set[Stage], *, source: str) -> None:
    where = f"{source}: stage {spec.id.value}"
    for target in spec.next:
        if target not in known:
            raise PipelineError(f"{where}: next stage {target.value} is not listed")
        if target == spec.id:
            raise PipelineError(f"{where}: a stage cannot move to itself")
    if spec.terminal:
        if spec.next or spec.sla_business_hours is not None or spec.approval:
            raise PipelineError(f"{where}: a terminal stage has no next, SLA or approval")
        return
    if spec.sla_business_hours is None:
        raise PipelineError(f"{where}: sla_business_hours is required")
    if not spec.next:
        raise PipelineError(f"{where}: a non-terminal stage needs next stages")
    if spec.approval and (spec.approve_to is None or spec.approve_to not in spec.next):
        raise PipelineError(f"{where}: approve_to must name one of its next stages")
    if not spec.approval and spec.approve_to is not None:
        raise PipelineError(f"{where}: approve_to without approval: true")


def _closure(start: set[Stage], edges: Mapping[Stage, set[Stage]]) -> set[Stage]:
    found, todo = set(start), list(start)
    while todo:
        for target in edges.get(todo.pop(), set()):
            if target not in found:
                found.add(target)
                todo.append(target)
    return found


class PipelineCatalog:
    """One validated template per segment."""

    def __init__(self, templates: Mapping[str, PipelineTemplate]) -> None:
        missing = {segment.value for segment in Segment} - set(templates)
        if missing:
            raise PipelineError(f"no pipeline template for segment(s) {sorted(missing)}")
        self._templates = dict(templates)

    def __iter__(self) -> Iterator[PipelineTemplate]:
        return iter(self._templates.values())

    def find(self, segment: str) -> PipelineTemplate | None:
        return self._templates.get(segment)

    def for_segment(self, segment: str) -> PipelineTemplate:
        try:
            return self._templates[segment]
        except KeyError:
            raise Conflict(f"no pipeline for segment {segment!r}") from None


def parse_template(text: str, *, source: str) -> PipelineTemplate:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PipelineError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise PipelineError(f"{source}: expected a mapping at the top level")
    try:
        template = PipelineTemplate.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _location(raw, first["loc"])
        raise PipelineError(f"{source}: {where}: {first['msg']}") from exc
    template.validate_graph(source)
    return template


def _location(raw: dict[str, object], loc: tuple[int | str, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "stages" and isinstance(loc[1], int):
        stages = raw.get("stages")
        if isinstance(stages, list) and loc[1] < len(stages) and isinstance(stages[loc[1]], dict):
            name = stages[loc[1]].get("id", f"#{loc[1] + 1}")
            rest = ".".join(str(part) for part in loc[2:])
            return f"stage {name}" + (f" {rest}" if rest else "")
    return ".".join(str(part) for part in loc) or "template"


def load_pipelines(directory: Path | None = None) -> PipelineCatalog:
    """Loads every ``*.yml`` template of ``directory`` (default: the shipped templates)."""
    templates: dict[str, PipelineTemplate] = {}
    if directory is None:
        shipped = resources.files("backoffice") / "pipelines"
        sources = [
            (entry.name, entry.read_text(encoding="utf-8"))
            for entry in shipped.iterdir()
            if entry.name.endswith((".yml", ".yaml"))
        ]
    else:
        if not directory.is_dir():
            raise PipelineError(f"{directory}: pipeline templates folder does not exist")
        sources = [
            (str(path), path.read_text(encoding="utf-8"))
            for path in sorted(directory.iterdir())
            if path.suffix in (".yml", ".yaml")
        ]
    for source, text in sorted(sources):
        template = parse_template(text, source=source)
        if template.segment.value in templates:
            raise PipelineError(f"{source}: a second template for {template.segment.value}")
        templates[template.segment.value] = template
    return PipelineCatalog(templates)
