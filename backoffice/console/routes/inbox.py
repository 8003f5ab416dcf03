"""``GET /console/inbox``: the conversations that need a person, by tab, live.

``GET /console/inbox/list`` is the list's own fragment (block ``list``, plus the tabs swapped
out of band so their counts stay equal to the lists): the page asks for it again whenever the
event stream (``/console/events``) says something the inbox shows happened. The fragment is
sent what the page showed (``seen``: conversation and last message ids) and says in
``data-announce`` what is new, for the page's live region.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from backoffice.api.deps import SessionDep
from backoffice.console.deps import ConsoleDep, SignedInDep
from backoffice.console.inbox_labels import LABELS
from backoffice.console.inbox_queries import InboxTab, list_tab, tab_counts, tabs_for
from backoffice.console.inbox_rows import ConversationSummary, summarize
from backoffice.errors import Invalid

__all__ = ["DEFAULT_LIMIT", "LIVE_EVENTS", "MAX_LIMIT", "register"]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# What the event stream says that may change the inbox (``event:`` names of /console/events).
LIVE_EVENTS = (
    "message_in",
    "escalation_opened",
    "escalation_taken",
    "escalation_assigned",
    "escalation_resolved",
    "takeover",
    "released",
    "assigned",
)
TAB_LABELS = {
    InboxTab.MINE: "Mine",
    InboxTab.UNASSIGNED: "Unassigned",
    InboxTab.TEAM: "Team",
    InboxTab.ALL: "All",
}


@dataclass(frozen=True)
class TabLink:
    tab: str
    label: str
    count: int


def _tab(value: str) -> InboxTab:
    try:
        return InboxTab(value)
    except ValueError:
        raise Invalid(f"unknown inbox tab '{value[:20]}'") from None


def _limit(value: int | None) -> int:
    return max(1, min(MAX_LIMIT, value or DEFAULT_LIMIT))


def _announcement(
    rows: list[ConversationSummary], seen: str | None, *, say: dict[str, str]
) -> str | None:
    """What arrived since the page showed ``seen`` ("id:last_message_id,..."), in words."""
    if seen is None:
        return None
    before: dict[str, str] = {}
    for pair in seen.split(",")[: MAX_LIMIT + 1]:
        conversation, _, message = pair.partition(":")
        before[conversation] = message
    news: list[str] = []
    for row in rows:
        shown = before.get(str(row.conversation_id))
        name = row.company or row.client_name or f"#{row.conversation_id}"
        if shown is None:
            news.append(say["new"].format(name=name))
        elif shown != str(row.last_message_id) and row.last_author == "client":
            news.append(say["message"].format(name=name))
    if not news:
        return None
    if len(news) == 1:
        return news[0]
    return say["many"].format(count=len(news))


def _page(
    request: Request,
    session: SessionDep,
    *,
    console: ConsoleDep,
    me: SignedInDep,
    tab: str,
    limit: int | None,
    seen: str | None,
    fragment: bool,
) -> Response:
    chosen = _tab(tab)
    principal = me.principal
    page = list_tab(session, principal, tab=chosen, limit=_limit(limit))  # Forbidden for the role
    counts = tab_counts(session, principal)
    counts[chosen] = page.total  # one query for both; equal by construction
    rows = summarize(session, console.backoffice, conversation_ids=page.conversation_ids)
    language = me.language
    text = console.views.gettext
    announce = _announcement(
        rows,
        seen,
        say={
            "new": text(language, "Waiting for a person: {name}"),
            "message": text(language, "New message from {name}"),
            "many": text(language, "{count} changes in the inbox"),
        },
    )
    context = {
        **me.context,
        **LABELS,
        "nav": "inbox",
        "tab": chosen.value,
        "tabs": [
            TabLink(tab=t.value, label=text(language, TAB_LABELS[t]), count=counts[t])
            for t in tabs_for(principal)
        ],
        "rows": rows,
        "page": page,
        "title_count": page.total,
        "seen": ",".join(row.signature for row in rows),
        "announce": announce,
        "live_events": LIVE_EVENTS,
        "oob": fragment,
        "me_id": principal.id,
        "now": console.backoffice.now(),
    }
    session.rollback()
    return console.views.render(
        request,
        "inbox.html",
        context=context,
        language=language,
        block=["list", "tabs"] if fragment else None,
    )


def inbox(
    request: Request,
    session: SessionDep,
    *,
    console: ConsoleDep,
    me: SignedInDep,
    tab: Annotated[str, Query(max_length=20)] = "mine",
    limit: Annotated[int | None, Query(ge=1, le=MAX_LIMIT)] = None,
) -> Response:
    return _page(
        request, session, console=console, me=me, tab=tab, limit=limit, seen=None, fragment=False
    )


def inbox_list(
    request: Request,
    session: SessionDep,
    *,
    console: ConsoleDep,
    me: SignedInDep,
    tab: Annotated[str, Query(max_length=20)] = "mine",
    limit: Annotated[int | None, Query(ge=1, le=MAX_LIMIT)] = None,
    seen: Annotated[str | None, Query(max_length=20_000)] = None,
) -> Response:
    return _page(
        request,
        session,
        console=console,
        me=me,
        tab=tab,
        limit=limit,
        seen=seen or "",
        fragment=True,
    )


def register(router: APIRouter) -> None:
    router.add_api_route("/inbox", inbox, methods=["GET"], name="console_inbox")
    router.add_api_route("/inbox/list", inbox_list, methods=["GET"], name="console_inbox_list")
