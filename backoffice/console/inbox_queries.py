"""Which conversations need a person, per inbox tab: one query per tab, used both for the list
and for the tab's count, so the two always agree.

A conversation *needs a person* while one of its escalations is open or taken, or while a staff
member holds it (``bot_paused`` with ``paused_by``; a conversation paused by an erasure has no
holder and is not listed). Everything starts from ``conversation_scope(principal)``
(``backoffice.access``): a tab only ever narrows what the caller may see.

* ``mine``: an active escalation assigned to me, a conversation I hold, or an onboarding I am
  the CSM of;
* ``unassigned``: an active escalation and nobody on it (no escalation assigned, nobody holds
  the conversation): the queue;
* ``team`` (managers and admins): the escalation's assignee, the holder or the onboarding's CSM
  is in my team;
* ``all`` (admins): every conversation that needs a person.

Oldest need first: the oldest active escalation, else the client's last message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from backoffice.access import Principal, conversation_scope
from backoffice.errors import Forbidden
from bot.storage.models import Conversation, Escalation, Onboarding, StaffUser

__all__ = [
    "ACTIVE_ESCALATION",
    "InboxPage",
    "InboxTab",
    "count_tab",
    "inbox_query",
    "list_tab",
    "tab_counts",
    "tabs_for",
]

ACTIVE_ESCALATION = ("open", "taken")


class InboxTab(StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    TEAM = "team"
    ALL = "all"


_ROLE_TABS: dict[str, tuple[InboxTab, ...]] = {
    "csm": (InboxTab.MINE, InboxTab.UNASSIGNED),
    "manager": (InboxTab.MINE, InboxTab.UNASSIGNED, InboxTab.TEAM),
    "admin": (InboxTab.MINE, InboxTab.UNASSIGNED, InboxTab.TEAM, InboxTab.ALL),
}


def tabs_for(principal: Principal) -> tuple[InboxTab, ...]:
    """The tabs ``principal``'s role may open, in the order they are shown."""
    return _ROLE_TABS.get(principal.role, ())


def _active_escalation(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(
        select(Escalation.id).where(
            Escalation.conversation_id == Conversation.id,
            Escalation.status.in_(ACTIVE_ESCALATION),
            *conditions,
        )
    )


def _held() -> ColumnElement[bool]:
    return and_(Conversation.bot_paused.is_(True), Conversation.paused_by.is_not(None))


def _onboarding_csm(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(
        select(Onboarding.id).where(Onboarding.id == Conversation.onboarding_id, condition)
    )


def _tab_clause(principal: Principal, tab: InboxTab) -> ColumnElement[bool]:
    if tab is InboxTab.MINE:
        return or_(
            _active_escalation(Escalation.assigned_to == principal.id),
            Conversation.paused_by == principal.id,
            _onboarding_csm(Onboarding.csm_id == principal.id),
        )
    if tab is InboxTab.UNASSIGNED:
        return and_(
            _active_escalation(),
            ~_active_escalation(Escalation.assigned_to.is_not(None)),
            Conversation.paused_by.is_(None),
        )
    if tab is InboxTab.TEAM:
        team = select(StaffUser.id).where(StaffUser.team == principal.team).scalar_subquery()
        return or_(
            _active_escalation(Escalation.assigned_to.in_(team)),
            Conversation.paused_by.in_(team),
            _onboarding_csm(Onboarding.csm_id.in_(team)),
        )
    return Conversation.id.is_not(None)


def inbox_query(principal: Principal, tab: InboxTab) -> Select[int]:
    """The ids of the conversations of ``tab``, oldest need first; ``Forbidden`` for a tab the
    role may not open. The list and the count are both read from this one query."""
    if tab not in tabs_for(principal):
        raise Forbidden(f"the inbox tab '{tab.value}' is not open to the role {principal.role}")
    need_since = (
        select(func.min(Escalation.created_at))
        .where(
            Escalation.conversation_id == Conversation.id,
            Escalation.status.in_(ACTIVE_ESCALATION),
        )
        .scalar_subquery()
    )
    return (
        select(Conversation.id)
        .where(
            conversation_scope(principal),
            or_(_active_escalation(), _held()),
            _tab_clause(principal, tab),
        )
        .order_by(
            func.coalesce(need_since, Conversation.last_inbound_at, Conversation.updated_at),
            Conversation.id,
        )
    )


def count_tab(session: Session, principal: Principal, *, tab: InboxTab) -> int:
    query = inbox_query(principal, tab).order_by(None)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def tab_counts(session: Session, principal: Principal) -> dict[InboxTab, int]:
    """Every tab the role may open, with its count (``count_tab`` of the same query)."""
    return {tab: count_tab(session, principal, tab=tab) for tab in tabs_for(principal)}


@dataclass(frozen=True)
class InboxPage:
    tab: InboxTab
    total: int
    conversation_ids: list[int]
    limit: int

    @property
    def more(self) -> bool:
        return self.total > len(self.conversation_ids)


def list_tab(session: Session, principal: Principal, *, tab: InboxTab, limit: int) -> InboxPage:
    """The first ``limit`` conversations of ``tab`` and the tab's total."""
    ids = list(session.scalars(inbox_query(principal, tab).limit(limit)))
    return InboxPage(
        tab=tab, total=count_tab(session, principal, tab=tab), conversation_ids=ids, limit=limit
    )
