"""The pipeline board as the console shows it: one column per stage of a segment's template, a
card per onboarding in the caller's scope (``onboarding_scope``), with the same SLA figures as
the API (``backoffice.sla.onboarding_sla``) and the moves the template allows from each stage.

Pure reading: moving and assigning are ``backoffice.onboardings``' use cases (``board_moves``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from backoffice.access import Principal, onboarding_scope
from backoffice.api.deps import BackofficeContext
from backoffice.errors import NotFound
from backoffice.escalations import open_loads
from backoffice.onboardings import FINAL_STAGES
from backoffice.pipeline import PipelineTemplate
from backoffice.sla import load_activity, onboarding_sla
from bot.domain.onboarding import STAGE_LABELS, Segment, Stage
from bot.storage.models import Client, Conversation, Onboarding, StaffUser

__all__ = [
    "CARDS_PER_COLUMN",
    "EXPANDED_CARDS",
    "Board",
    "Card",
    "Column",
    "CsmOption",
    "Move",
    "build_board",
    "choose_segment",
    "csm_options",
    "segment_label",
    "segments_for",
    "stage_label",
]

# A column shows its oldest cards (the longest waiting) up to this many; its count is exact.
# Final columns show their most recent ones instead. One column at a time can be expanded
# (``?expand=<stage>``) to show up to EXPANDED_CARDS.
CARDS_PER_COLUMN = 25
EXPANDED_CARDS = 500

SEGMENT_LABELS = {
    Segment.SELF_SERVICE.value: {"pt": "Self-service", "en": "Self-service"},
    Segment.ENTERPRISE.value: {"pt": "Enterprise", "en": "Enterprise"},
}


def _short(language: str) -> str:
    return "en" if language == "en" else "pt"


def stage_label(stage: str, language: str) -> str:
    """The stage's name for people (the bot's labels, ``bot.domain.onboarding``)."""
    try:
        return STAGE_LABELS[Stage(stage)][_short(language)]
    except ValueError:
        return stage


def segment_label(segment: str, language: str) -> str:
    return SEGMENT_LABELS.get(segment, {}).get(_short(language), segment)


@dataclass(frozen=True)
class Move:
    """A stage a card may go to from its current one; ``approval``: leaving needs an approval
    (only ``approval_roles`` may, through ``approve``)."""

    stage: str
    label: str
    approval: bool


@dataclass(frozen=True)
class Card:
    onboarding_id: int
    client_id: int
    conversation_id: int | None
    company: str
    csm_id: int | None
    csm_name: str | None
    stage: str
    entered_at: datetime
    time_in_stage: timedelta  # business time since the stage was entered
    sla_status: str | None  # on_track | at_risk | breached | None (no target)
    sla_due_at: datetime | None
    waiting_on: str | None  # client | company
    red_flag: bool
    red_flag_reason: str | None
    moves: tuple[Move, ...]


@dataclass
class Column:
    stage: str
    label: str
    count: int
    terminal: bool
    approval: bool
    cards: list[Card] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        """Cards counted but not shown (beyond ``CARDS_PER_COLUMN``)."""
        return self.count - len(self.cards)


@dataclass(frozen=True)
class CsmOption:
    """A CSM a manager may assign, with their load (open escalations against their cap)."""

    id: int
    name: str
    team: str
    open_escalations: int
    cap: int
    onboardings: int  # onboardings assigned to them that are not finished


@dataclass
class Board:
    segment: str
    expand: str | None  # the column shown beyond CARDS_PER_COLUMN
    segment_label: str
    segments: list[tuple[str, str]]  # (segment, label), the switcher
    columns: list[Column]
    can_assign: bool
    can_approve: bool
    csms: list[CsmOption]

    @property
    def csm_ids(self) -> set[int]:
        return {csm.id for csm in self.csms}

    @property
    def total(self) -> int:
        return sum(column.count for column in self.columns)

    def column_of(self, stage: str) -> Column | None:
        return next((c for c in self.columns if c.stage == stage), None)


def segments_for(principal: Principal, context: BackofficeContext) -> list[str]:
    """The segments of the switcher in the enum's order, the caller's own segment first."""
    known = {template.segment.value for template in context.pipelines}
    segments: list[str] = [s.value for s in Segment if s.value in known]
    if principal.segment in segments:
        segments.remove(principal.segment)
        segments.insert(0, principal.segment)
    return segments


def choose_segment(
    session: Session, principal: Principal, *, context: BackofficeContext, asked: str | None
) -> str:
    """The segment asked for; without one, the caller's own segment, else the first with
    onboardings in the caller's scope. ``NotFound`` for a segment without a template."""
    segments = segments_for(principal, context)
    if asked:
        if asked not in segments:
            raise NotFound("segment", asked)
        return asked
    if principal.segment in segments:
        return principal.segment
    used = set(
        session.scalars(
            select(Onboarding.segment)
            .where(onboarding_scope(principal), Onboarding.stage.not_in(FINAL_STAGES))
            .distinct()
        )
    )
    return next((segment for segment in segments if segment in used), segments[0])


def _moves(template: PipelineTemplate, stage: str, *, language: str) -> tuple[Move, ...]:
    if not template.has_stage(stage):
        return ()
    spec = template.stage(stage)
    return tuple(
        Move(
            stage=target.value,
            label=stage_label(target.value, language),
            approval=spec.approval and target == spec.approve_to,
        )
        for target in spec.next
    )


def build_board(
    session: Session,
    principal: Principal,
    *,
    context: BackofficeContext,
    segment: str,
    language: str,
    also: int | None = None,
    expand: str | None = None,
) -> Board:
    """The board of ``segment`` as ``principal`` may see it, at the context's clock.

    ``also``: an onboarding shown even beyond its column's limit (the card just moved, so the
    focus can return to it); ``expand``: the stage whose column shows up to EXPANDED_CARDS."""
    template = context.pipelines.for_segment(segment)
    scoped = (Onboarding.segment == segment, onboarding_scope(principal))
    counts: dict[str, int] = {
        stage: int(n)
        for stage, n in session.execute(
            select(Onboarding.stage, func.count(Onboarding.id))
            .where(*scoped)
            .group_by(Onboarding.stage)
        )
    }
    shown = _shown(session, template, scoped=scoped, counts=counts, expand=expand, also=also)
    cards = _cards(session, context, template=template, onboardings=shown, language=language)
    columns = []
    for spec in template.stages:
        stage = spec.id.value
        columns.append(
            Column(
                stage=stage,
                label=stage_label(stage, language),
                count=counts.get(stage, 0),
                terminal=spec.terminal,
                approval=spec.approval,
                cards=cards.get(stage, []),
            )
        )
    can_assign = principal.role in ("manager", "admin")
    return Board(
        segment=segment,
        expand=expand if template.has_stage(expand or "") else None,
        segment_label=segment_label(segment, language),
        segments=[(s, segment_label(s, language)) for s in segments_for(principal, context)],
        columns=columns,
        can_assign=can_assign,
        can_approve=principal.role in context.settings.approval_roles,
        csms=csm_options(session, principal) if can_assign else [],
    )


def _shown(
    session: Session,
    template: PipelineTemplate,
    *,
    scoped: tuple[ColumnElement[bool], ...],
    counts: dict[str, int],
    expand: str | None,
    also: int | None,
) -> list[Onboarding]:
    """The cards each column shows: the oldest first (the newest in a terminal column), up to
    the column's limit, plus ``also``."""
    shown: list[Onboarding] = []
    for spec in template.stages:
        order = (
            (Onboarding.stage_entered_at.desc(), Onboarding.id.desc())
            if spec.terminal
            else (Onboarding.stage_entered_at, Onboarding.id)
        )
        if counts.get(spec.id.value):
            shown.extend(
                session.scalars(
                    select(Onboarding)
                    .where(*scoped, Onboarding.stage == spec.id.value)
                    .order_by(*order)
                    .limit(EXPANDED_CARDS if spec.id.value == expand else CARDS_PER_COLUMN)
                )
            )
    if also is not None and all(o.id != also for o in shown):
        shown.extend(session.scalars(select(Onboarding).where(*scoped, Onboarding.id == also)))
    return shown


def _cards(
    session: Session,
    context: BackofficeContext,
    *,
    template: PipelineTemplate,
    onboardings: list[Onboarding],
    language: str,
) -> dict[str, list[Card]]:
    if not onboardings:
        return {}
    ids = [o.id for o in onboardings]
    activity = load_activity(session, ids, current_stage_only=True)
    companies, names, conversations = _card_lookups(session, onboardings)
    now = context.now()
    moves = {
        stage: _moves(template, stage, language=language)
        for stage in {o.stage for o in onboardings}
    }
    by_stage: dict[str, list[Card]] = defaultdict(list)
    for onboarding in onboardings:
        sla = onboarding_sla(
            onboarding,
            template=template,
            activity=activity[onboarding.id],
            calendar=context.calendar,
            now=now,
            at_risk_share=context.settings.sla_at_risk_share,
        )
        company = companies.get(onboarding.client_id)
        by_stage[onboarding.stage].append(
            Card(
                onboarding_id=onboarding.id,
                client_id=onboarding.client_id,
                conversation_id=conversations.get(onboarding.id),
                company=company or f"#{onboarding.client_id}",
                csm_id=onboarding.csm_id,
                csm_name=names.get(onboarding.csm_id) if onboarding.csm_id else None,
                stage=onboarding.stage,
                entered_at=onboarding.stage_entered_at,
                time_in_stage=context.calendar.business_time_between(
                    onboarding.stage_entered_at, max(now, onboarding.stage_entered_at)
                ),
                sla_status=sla.status.status.value if sla is not None else None,
                sla_due_at=sla.status.due_at if sla is not None else None,
                waiting_on=sla.waiting_on if sla is not None else None,
                red_flag=onboarding.red_flag,
                red_flag_reason=onboarding.red_flag_reason if onboarding.red_flag else None,
                moves=moves[onboarding.stage],
            )
        )
    return by_stage


def _card_lookups(
    session: Session, onboardings: list[Onboarding]
) -> tuple[dict[int, str | None], dict[int, str], dict[int, int]]:
    """For the cards: the companies' names by client id, the CSMs' names by id, and each
    onboarding's first conversation."""
    ids = [o.id for o in onboardings]
    companies = {
        row.id: row.trade_name or row.company_name
        for row in session.execute(
            select(Client.id, Client.trade_name, Client.company_name).where(
                Client.id.in_({o.client_id for o in onboardings})
            )
        )
    }
    csm_ids = {o.csm_id for o in onboardings if o.csm_id is not None}
    names: dict[int, str] = {
        staff_id: name
        for staff_id, name in session.execute(
            select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(csm_ids))
        )
    }
    conversations: dict[int, int] = {}
    for conversation_id, onboarding_id in session.execute(
        select(Conversation.id, Conversation.onboarding_id)
        .where(Conversation.onboarding_id.in_(ids))
        .order_by(Conversation.id)
    ):
        if onboarding_id is not None:
            conversations.setdefault(onboarding_id, conversation_id)
    return companies, names, conversations


def csm_options(session: Session, principal: Principal) -> list[CsmOption]:
    """The CSMs ``principal`` may assign (``assign_csm``'s rule: a manager's team, an admin's
    everyone), active ones, with their load."""
    query = select(StaffUser).where(StaffUser.role == "csm", StaffUser.active.is_(True))
    if principal.role != "admin":
        query = query.where(StaffUser.team == principal.team)
    staff = list(session.scalars(query.order_by(StaffUser.name, StaffUser.id)))
    loads = open_loads(session, (s.id for s in staff))
    assigned: dict[int | None, int] = {
        csm_id: int(count)
        for csm_id, count in session.execute(
            select(Onboarding.csm_id, func.count(Onboarding.id))
            .where(
                Onboarding.csm_id.in_([s.id for s in staff]), Onboarding.stage.not_in(FINAL_STAGES)
            )
            .group_by(Onboarding.csm_id)
        )
    }
    return [
        CsmOption(
            id=s.id,
            name=s.name,
            team=s.team,
            open_escalations=loads[s.id],
            cap=s.max_open_escalations,
            onboardings=assigned.get(s.id, 0),
        )
        for s in staff
    ]
