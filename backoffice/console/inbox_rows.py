"""What one inbox row (and the conversation page's header) shows about a conversation: client
and company, channel, last message, how long the client has waited in business time, the
escalation's reason, the onboarding's stage and SLA colour, and who holds it.

Rows are built in bulk for a page of conversation ids (a handful of queries whatever the page's
size) from ids that ``backoffice.console.inbox_queries`` selected within the caller's scope.

How long has the client waited? Since the first client message nobody answered: after the last
staff message, and after the last bot message written before the client asked for a person (the
bot's "I called the team" is no answer). While nobody needs to answer, nothing is shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.api.deps import BackofficeContext
from backoffice.console.inbox_queries import ACTIVE_ESCALATION
from backoffice.sla import Activity, StageSla, load_activity, onboarding_sla
from bot.storage.models import (
    Client,
    Contact,
    Conversation,
    Escalation,
    Message,
    Onboarding,
    StaffUser,
)

__all__ = [
    "SHORT_TEXT",
    "ConversationSummary",
    "MessageMark",
    "shorten",
    "summarize",
    "waiting_since",
]

SHORT_TEXT = 90
# The messages of a conversation looked at to find the wait (the latest ones).
RECENT_MESSAGES = 200


@dataclass(frozen=True)
class MessageMark:
    """The little of a message the wait needs."""

    direction: str
    author: str
    at: datetime


@dataclass(frozen=True)
class ConversationSummary:
    conversation_id: int
    client_name: str | None
    company: str | None
    channel: str
    last_message_id: int
    last_author: str | None
    last_text: str
    waiting_since: datetime | None
    waited: timedelta | None  # business time
    reason: str | None  # the newest active escalation's reason code
    escalation_status: str | None
    onboarding_id: int | None
    stage: str | None
    sla: StageSla | None
    holder_id: int | None
    holder_name: str | None
    assignee_name: str | None
    csm_name: str | None

    @property
    def sla_state(self) -> str | None:
        return self.sla.status.status.value if self.sla is not None else None

    @property
    def signature(self) -> str:
        """Changes when the row has something new (the announcement compares them)."""
        return f"{self.conversation_id}:{self.last_message_id}"


def shorten(text: str, limit: int = SHORT_TEXT) -> str:
    """One line of at most ``limit`` characters, cut at a word with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1].rsplit(" ", 1)[0] or line[: limit - 1]
    return cut + "…"


def waiting_since(marks: Sequence[MessageMark], *, need_since: datetime | None) -> datetime | None:
    """The first client message nobody answered (see the module's text), or None."""
    since: datetime | None = None
    for mark in marks:
        if mark.direction == "in":
            if since is None:
                since = mark.at
            continue
        answered = mark.author == "staff" or (
            mark.author == "bot" and (need_since is None or mark.at < need_since)
        )
        if answered:
            since = None
    return since


def summarize(
    session: Session, context: BackofficeContext, *, conversation_ids: Sequence[int]
) -> list[ConversationSummary]:
    """Summaries of ``conversation_ids``, in that order (ids the caller may see)."""
    ids = list(dict.fromkeys(conversation_ids))
    if not ids:
        return []
    conversations = {
        c.id: c for c in session.scalars(select(Conversation).where(Conversation.id.in_(ids)))
    }
    onboardings = _onboardings_of(session, conversations.values())
    clients = _clients(session, {c.client_id for c in conversations.values() if c.client_id})
    escalations, opened = _active_escalations(session, ids)
    marks = _recent_marks(session, ids)
    last = _last_messages(session, ids)
    names = _staff_names(
        session,
        {c.paused_by for c in conversations.values() if c.paused_by}
        | {e.assigned_to for e in escalations.values() if e.assigned_to}
        | {o.csm_id for o in onboardings.values() if o.csm_id},
    )
    activity = load_activity(session, onboardings.keys(), current_stage_only=True)
    now = context.now()
    result = []
    for conversation in (conversations[i] for i in ids if i in conversations):
        conversation_id = conversation.id
        escalation = escalations.get(conversation_id)
        onboarding = (
            onboardings.get(conversation.onboarding_id) if conversation.onboarding_id else None
        )
        since = _waiting_since(conversation, opened=opened, marks=marks)
        holder = conversation.paused_by if conversation.bot_paused else None
        person, company = clients.get(conversation.client_id or 0, (None, None))
        last_id, last_author, last_text = last.get(conversation_id, (0, None, ""))
        sla = _sla(context, onboarding, activity=activity, now=now)
        result.append(
            ConversationSummary(
                conversation_id=conversation_id,
                client_name=conversation.profile_name or person,
                company=company,
                channel=conversation.channel,
                last_message_id=last_id,
                last_author=last_author,
                last_text=shorten(last_text),
                waiting_since=since,
                waited=context.calendar.business_time_between(since, now)
                if since is not None and since < now
                else None,
                reason=escalation.reason if escalation is not None else None,
                escalation_status=escalation.status if escalation is not None else None,
                onboarding_id=onboarding.id if onboarding is not None else None,
                stage=onboarding.stage if onboarding is not None else None,
                sla=sla,
                holder_id=holder,
                holder_name=names.get(holder) if holder else None,
                assignee_name=names.get(escalation.assigned_to or 0) if escalation else None,
                csm_name=names.get(onboarding.csm_id or 0) if onboarding is not None else None,
            )
        )
    return result


def _waiting_since(
    conversation: Conversation,
    *,
    opened: Mapping[int, datetime],
    marks: Mapping[int, list[MessageMark]],
) -> datetime | None:
    """Since when the conversation waits for a person (``waiting_since``), counting from its
    open escalation or from when someone took it over."""
    need_since = opened.get(conversation.id)
    if need_since is None and conversation.bot_paused and conversation.paused_by:
        need_since = conversation.updated_at
    return waiting_since(marks.get(conversation.id, []), need_since=need_since)


def _onboardings_of(
    session: Session, conversations: Iterable[Conversation]
) -> dict[int, Onboarding]:
    ids = {c.onboarding_id for c in conversations if c.onboarding_id}
    return {o.id: o for o in session.scalars(select(Onboarding).where(Onboarding.id.in_(ids)))}


def _sla(
    context: BackofficeContext,
    onboarding: Onboarding | None,
    *,
    activity: Mapping[int, Activity],
    now: datetime,
) -> StageSla | None:
    """The onboarding's SLA clock in its stage, None without an onboarding or a template."""
    if onboarding is None:
        return None
    template = context.pipelines.find(onboarding.segment)
    if template is None:
        return None
    return onboarding_sla(
        onboarding,
        template=template,
        activity=activity[onboarding.id],
        calendar=context.calendar,
        now=now,
        at_risk_share=context.settings.sla_at_risk_share,
    )


def _clients(session: Session, client_ids: Iterable[int]) -> dict[int, tuple[str | None, str]]:
    """Client id → (a contact's name, the company's trade or legal name)."""
    ids = set(client_ids)
    if not ids:
        return {}
    people: dict[int, str | None] = {}
    for client_id, name in session.execute(
        select(Contact.client_id, Contact.name)
        .where(Contact.client_id.in_(ids), Contact.name.is_not(None))
        .order_by(Contact.id)
    ):
        people.setdefault(client_id, name)
    return {
        client_id: (people.get(client_id), trade or legal or "")
        for client_id, trade, legal in session.execute(
            select(Client.id, Client.trade_name, Client.company_name).where(Client.id.in_(ids))
        )
    }


def _active_escalations(
    session: Session, ids: Sequence[int]
) -> tuple[dict[int, Escalation], dict[int, datetime]]:
    """The newest active escalation of each conversation, and when its oldest one opened."""
    newest: dict[int, Escalation] = {}
    oldest: dict[int, datetime] = {}
    for escalation in session.scalars(
        select(Escalation)
        .where(Escalation.conversation_id.in_(ids), Escalation.status.in_(ACTIVE_ESCALATION))
        .order_by(Escalation.id)
    ):
        newest[escalation.conversation_id] = escalation
        opened = oldest.get(escalation.conversation_id)
        if opened is None or escalation.created_at < opened:
            oldest[escalation.conversation_id] = escalation.created_at
    return newest, oldest


def _recent_marks(session: Session, ids: Sequence[int]) -> dict[int, list[MessageMark]]:
    rows = session.execute(
        select(Message.conversation_id, Message.direction, Message.author, Message.created_at)
        .where(Message.conversation_id.in_(ids))
        .order_by(Message.conversation_id, Message.id.desc())
    )
    marks: dict[int, list[MessageMark]] = defaultdict(list)
    for conversation_id, direction, author, at in rows:
        kept = marks[conversation_id]
        if len(kept) < RECENT_MESSAGES:
            kept.append(MessageMark(direction=direction, author=author, at=at))
    for kept in marks.values():
        kept.reverse()
    return marks


def _last_messages(session: Session, ids: Sequence[int]) -> dict[int, tuple[int, str, str]]:
    """Each conversation's last client message (what a person triages on), or its last message
    when the client never wrote."""
    found: dict[int, tuple[int, str, str]] = {}
    for inbound_only in (True, False):
        missing = [i for i in ids if i not in found]
        if not missing:
            break
        newest = (
            select(func.max(Message.id))
            .where(Message.conversation_id.in_(missing))
            .group_by(Message.conversation_id)
        )
        if inbound_only:
            newest = newest.where(Message.direction == "in")
        rows = session.execute(
            select(Message.conversation_id, Message.id, Message.author, Message.text).where(
                Message.id.in_(newest.scalar_subquery())
            )
        )
        for conversation_id, message_id, author, text in rows:
            found[conversation_id] = (message_id, author, text or "")
    return found


def _staff_names(session: Session, staff_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {i for i in staff_ids if i}
    if not ids:
        return {}
    rows = session.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(ids)))
    return {staff_id: name for staff_id, name in rows}
