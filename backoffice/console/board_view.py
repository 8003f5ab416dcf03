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
from backoffice.console.board_moves import CsmOption, csm_options
from backoffice.errors import NotFound
from backoffice.html.labels import stage_label
from backoffice.onboardings import FINAL_STAGES
from backoffice.pipeline import PipelineTemplate
from backoffice.sla import load_activity, onboarding_sla
from bot.domain.onboarding import Segment
from bot.storage.models import Client, Conversation, Onboarding, StaffUser

__all__ = [
    "CARDS_PER_COLUMN",
    "EXPANDED_CARDS",
    "Board",
    "Card",
    "Column",
    "Move",
    "build_board",
    "choose_segment",
    "column_page",
    "segment_label",
    "segments_for",
]

# A column shows this many cards (its count is exact), the longest in the stage first (same SLA
# target: without pauses, their due order), breached first (``_by_urgency``); final columns the
# newest. "Show more": ``column_page`` (htmx), or ``?expand=<stage>`` (up to EXPANDED_CARDS).
CARDS_PER_COLUMN = 10
EXPANDED_CARDS = 500

SEGMENT_LABELS = {
    Segment.SELF_SERVICE.value: {"pt": "Self-service", "en": "Self-service"},
    Segment.ENTERPRISE.value: {"pt": "Enterprise", "en": "Enterprise"},
}


def _short(language: str) -> str:
    return "en" if language == "en" else "pt"


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
    after: int = 0  # where the next cards begin (the card just moved is not in the order)

    @property
    def hidden(self) -> int:
        """Cards counted but not shown yet (after these)."""
        return max(self.count - self.after, 0)


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
    limits = {expand: (0, EXPANDED_CARDS)} if expand else {}
    board = _board(
        session, principal, context=context, segment=segment, language=language, limits=limits
    )
    if also is not None and all(also != c.onboarding_id for k in board.columns for c in k.cards):
        scoped = (Onboarding.segment == segment, onboarding_scope(principal))
        extra = list(session.scalars(select(Onboarding).where(*scoped, Onboarding.id == also)))
        cards = _cards(session, context, template=template, onboardings=extra, language=language)
        for column in board.columns:
            column.cards += cards.get(column.stage, [])  # ``after`` stays
    board.expand = expand if template.has_stage(expand or "") else None
    return board


def column_page(
    session: Session,
    principal: Principal,
    *,
    context: BackofficeContext,
    segment: str,
    stage: str,
    offset: int,
    language: str,
) -> Board:
    """The board reduced to column ``stage`` with its next CARDS_PER_COLUMN cards after the
    first ``offset`` ("Show more"). ``NotFound`` for a stage the segment's template has not."""
    template = context.pipelines.for_segment(segment)
    if not template.has_stage(stage):
        raise NotFound("stage", stage)
    limits = {spec.id.value: (0, 0) for spec in template.stages}
    limits[stage] = (offset, CARDS_PER_COLUMN)
    board = _board(
        session, principal, context=context, segment=segment, language=language, limits=limits
    )
    board.columns = [c for c in board.columns if c.stage == stage]
    board.columns[0].after = offset + len(board.columns[0].cards)
    return board


def _board(
    session: Session,
    principal: Principal,
    *,
    context: BackofficeContext,
    segment: str,
    language: str,
    limits: dict[str, tuple[int, int]],
) -> Board:
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
    shown = _shown(session, template, scoped=scoped, counts=counts, limits=limits)
    cards = _cards(session, context, template=template, onboardings=shown, language=language)
    columns = [
        Column(
            stage=spec.id.value,
            label=stage_label(spec.id.value, language),
            count=counts.get(spec.id.value, 0),
            terminal=spec.terminal,
            approval=spec.approval,
            after=len(cards.get(spec.id.value, [])),
            cards=cards.get(spec.id.value, [])
            if spec.terminal
            else sorted(cards.get(spec.id.value, []), key=_by_urgency),
        )
        for spec in template.stages
    ]
    can_assign = principal.role in ("manager", "admin")
    return Board(
        segment=segment,
        expand=None,
        segment_label=segment_label(segment, language),
        segments=[(s, segment_label(s, language)) for s in segments_for(principal, context)],
        columns=columns,
        can_assign=can_assign,
        can_approve=principal.role in context.settings.approval_roles,
        csms=csm_options(session, principal) if can_assign else [],
    )


_URGENCY = {"breached": 0, "at_risk": 1, "on_track": 2}


def _by_urgency(card: Card) -> tuple[int, datetime, int]:
    """Breached first (the earliest due first), then at risk, on track, without an SLA."""
    return (
        _URGENCY.get(card.sla_status or "", 3),
        card.sla_due_at or card.entered_at,
        card.onboarding_id,
    )


def _shown(
    session: Session,
    template: PipelineTemplate,
    *,
    scoped: tuple[ColumnElement[bool], ...],
    counts: dict[str, int],
    limits: dict[str, tuple[int, int]],
) -> list[Onboarding]:
    """The cards each column shows: the oldest first (the newest in a terminal column), from
    the column's (offset, limit) in ``limits`` (by default 0, CARDS_PER_COLUMN)."""
    shown: list[Onboarding] = []
    for spec in template.stages:
        stage = spec.id.value
        offset, limit = limits.get(stage, (0, CARDS_PER_COLUMN))
        order = (
            (Onboarding.stage_entered_at.desc(), Onboarding.id.desc())
            if spec.terminal
            else (Onboarding.stage_entered_at, Onboarding.id)
        )
        if counts.get(stage, 0) > offset and limit > 0:
            shown.extend(
                session.scalars(
                    select(Onboarding)
                    .where(*scoped, Onboarding.stage == stage)
                    .order_by(*order)
                    .offset(offset)
                    .limit(limit)
                )
            )
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
    looked = _card_lookups(session, ids)
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
        company, csm_name, conversation_id = looked.get(onboarding.id, (None, None, None))
        by_stage[onboarding.stage].append(
            Card(
                onboarding_id=onboarding.id,
                client_id=onboarding.client_id,
                conversation_id=conversation_id,
                company=company or f"#{onboarding.client_id}",
                csm_id=onboarding.csm_id,
                csm_name=csm_name if onboarding.csm_id else None,
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
    session: Session, ids: list[int]
) -> dict[int, tuple[str | None, str | None, int | None]]:
    """For each card: its company's name, its CSM's name, its first conversation (apart:
    conversations.onboarding_id has no index for a subquery per card)."""
    talks = select(Conversation.onboarding_id, func.min(Conversation.id)).where(
        Conversation.onboarding_id.in_(ids)
    )
    first: dict[int | None, int] = dict(
        session.execute(talks.group_by(Conversation.onboarding_id)).all()
    )
    rows = session.execute(
        select(Onboarding.id, Client.trade_name, Client.company_name, StaffUser.name)
        .outerjoin(Client, Client.id == Onboarding.client_id)
        .outerjoin(StaffUser, StaffUser.id == Onboarding.csm_id)
        .where(Onboarding.id.in_(ids))
    )
    return {oid: (trade or company, csm, first.get(oid)) for oid, trade, company, csm in rows}
