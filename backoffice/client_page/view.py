"""What the status page shows, read from the same rows the back-office reads: the segment's
stages as a timeline, the current stage with its expected date (the SLA's due instant in
business time), the documents, what the company is doing, the CSM, the next training and the
stage history. Built inside the request's transaction; reads only.

"What was agreed" is the agreements staff recorded with the client (``backoffice.agreements``;
lines in ``agreements.py``) beside the stage history with dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.client_page.agreements import AgreementLine, agreement_lines, due_text
from backoffice.client_page.context import ClientPageContext
from backoffice.client_page.deps import LinkAccess
from backoffice.client_page.documents import DocumentLine, document_lines
from backoffice.html.labels import stage_label
from backoffice.pipeline import PipelineTemplate
from backoffice.sla import StageSla, load_activity, onboarding_sla
from bot.domain.onboarding import COMPANY_ACTIVITY, Stage
from bot.service.training import get_booking, invite_token
from bot.storage.models import (
    Conversation,
    Onboarding,
    StaffUser,
    StageChange,
    TrainingBooking,
    TrainingSlot,
)

__all__ = ["HistoryLine", "StatusPageView", "TimelineStep", "TrainingLine", "build_view"]

StepState = Literal["done", "current", "next"]
FINAL = (Stage.CONCLUIDO.value, Stage.CANCELADO.value)


@dataclass(frozen=True, slots=True)
class TimelineStep:
    stage: str
    label: str
    state: StepState
    done_at: datetime | None = None  # when the client's onboarding left it (done steps)


@dataclass(frozen=True, slots=True)
class HistoryLine:
    at: datetime
    from_label: str | None
    to_label: str


@dataclass(frozen=True, slots=True)
class TrainingLine:
    booking_id: int
    starts_at: datetime
    ends_at: datetime
    meeting_url: str
    invite_path: str  # /invites/<token>.ics, on this site
    status: str  # booked | attended | no_show | cancelled


@dataclass(frozen=True)
class StatusPageView:
    company: str
    stage: str
    stage_label: str
    finished: bool  # concluded or cancelled: nothing is expected any more
    activity: str  # what the company is doing now, in plain words
    waiting_on: str  # client | company (who moves the stage forward now)
    expected_by: datetime | None
    expected_text: str  # "quinta-feira, 12/03" / "Thursday, March 12"
    timeline: tuple[TimelineStep, ...]
    documents: tuple[DocumentLine, ...]
    csm_name: str | None
    chat_url: str | None
    training: TrainingLine | None  # the booked session, else the last one held
    history: tuple[HistoryLine, ...]
    agreements: tuple[AgreementLine, ...] = ()

    @property
    def pending_documents(self) -> tuple[DocumentLine, ...]:
        return tuple(line for line in self.documents if line.pending)

    @property
    def done_stages(self) -> tuple[TimelineStep, ...]:
        return tuple(step for step in self.timeline if step.state == "done")


def expected_text(due: datetime, *, language: str, timezone: str) -> str:
    """The day the stage is expected to end, as a person says it ("quinta-feira, 12/03")."""
    return due_text(due.astimezone(ZoneInfo(timezone)).date(), language=language)


def _timeline(
    order: Sequence[str], stage: str, *, history: Sequence[StageChange], language: str
) -> tuple[TimelineStep, ...]:
    left: dict[str, datetime] = {}
    for change in history:
        if change.from_stage:
            left[change.from_stage] = change.at
    stages = [s for s in order if s != Stage.CANCELADO.value or stage == s]
    if stage not in stages:
        stages.append(stage)
    reached = stages.index(stage)
    if stage == Stage.CANCELADO.value:  # the stages it went through, then the cancellation
        visited = {c.to_stage for c in history} | set(left)
        stages = [s for s in stages if s in visited or s == stage]
        reached = len(stages) - 1
    steps = []
    for index, name in enumerate(stages):
        state: StepState = "done" if index < reached else "current" if index == reached else "next"
        steps.append(
            TimelineStep(
                stage=name,
                label=stage_label(name, language),
                state=state,
                done_at=left.get(name) if state == "done" else None,
            )
        )
    return tuple(steps)


def _training(session: Session, onboarding_id: int) -> TrainingLine | None:
    booking_id = session.scalar(
        select(TrainingBooking.id)
        .join(TrainingSlot, TrainingSlot.id == TrainingBooking.slot_id)
        .where(
            TrainingBooking.onboarding_id == onboarding_id,
            TrainingBooking.status.in_(("booked", "attended", "no_show")),
        )
        .order_by((TrainingBooking.status == "booked").desc(), TrainingSlot.starts_at.desc())
        .limit(1)
    )
    if booking_id is None:
        return None
    view = get_booking(session, booking_id)
    return TrainingLine(
        booking_id=view.booking_id,
        starts_at=view.starts_at,
        ends_at=view.ends_at,
        meeting_url=view.meeting_url,
        invite_path=f"/invites/{invite_token(view.uid)}.ics",
        status=view.status,
    )


def _sla(
    session: Session, onboarding: Onboarding, *, template: PipelineTemplate, page: ClientPageContext
) -> StageSla | None:
    """The SLA clock of the onboarding's stage, None once it has ended."""
    if onboarding.stage in FINAL:
        return None
    office = page.backoffice
    activity = load_activity(session, [onboarding.id], current_stage_only=True)
    return onboarding_sla(
        onboarding,
        template=template,
        activity=activity[onboarding.id],
        calendar=office.calendar,
        now=office.now(),
        at_risk_share=office.settings.sla_at_risk_share,
    )


def _documents(
    session: Session, access: LinkAccess, *, page: ClientPageContext, now: datetime
) -> tuple[DocumentLine, ...]:
    """The required documents of every conversation of the client, as they stand."""
    conversation_ids = list(
        session.scalars(select(Conversation.id).where(Conversation.client_id == access.client.id))
    )
    return tuple(
        document_lines(
            session,
            required=page.required_documents,
            client_id=access.client.id,
            conversation_ids=conversation_ids,
            language=access.language,
            now=now,
            slots=(access.conversation.state or {}).get("slots", {})
            if access.conversation is not None
            else None,
        )
    )


def build_view(session: Session, access: LinkAccess, *, page: ClientPageContext) -> StatusPageView:
    """The page's content for ``access`` at the context's clock."""
    onboarding, client, language = access.onboarding, access.client, access.language
    lang = "en" if language == "en" else "pt"
    now = page.backoffice.now()
    office = page.backoffice
    template = office.pipelines.for_segment(onboarding.segment)
    history = list(
        session.scalars(
            select(StageChange)
            .where(StageChange.onboarding_id == onboarding.id)
            .order_by(StageChange.at, StageChange.id)
        )
    )
    sla = _sla(session, onboarding, template=template, page=page)
    csm = session.get(StaffUser, onboarding.csm_id) if onboarding.csm_id is not None else None
    due = sla.status.due_at if sla is not None else None
    stage = Stage(onboarding.stage)
    return StatusPageView(
        company=client.trade_name or client.company_name or "",
        stage=onboarding.stage,
        stage_label=stage_label(onboarding.stage, language),
        finished=onboarding.stage in FINAL,
        activity=COMPANY_ACTIVITY[stage][lang] if stage in COMPANY_ACTIVITY else "",
        waiting_on=sla.waiting_on if sla is not None else "company",
        expected_by=due,
        expected_text=expected_text(due, language=language, timezone=page.timezone)
        if due is not None
        else "",
        timeline=_timeline(template.order, onboarding.stage, history=history, language=language),
        documents=_documents(session, access, page=page, now=now),
        csm_name=csm.name if csm is not None else None,
        chat_url=page.chat_links.for_channel(
            access.conversation.channel if access.conversation is not None else None
        ),
        training=_training(session, onboarding.id),
        history=tuple(
            HistoryLine(
                at=c.at,
                from_label=stage_label(c.from_stage, language) if c.from_stage else None,
                to_label=stage_label(c.to_stage, language),
            )
            for c in history
        ),
        agreements=agreement_lines(
            session, onboarding.id, language=language, now=now, timezone=page.timezone
        ),
    )
