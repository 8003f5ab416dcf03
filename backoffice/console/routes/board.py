"""The pipeline board: ``GET /console/board?segment=``, a column's next cards
(``GET /console/board/cards?segment=&stage=&offset=``, the "Show more" control), and its two
forms,
``POST /console/onboardings/{id}/move`` (the **Mover para…** control, and drag and drop which
posts the same form) and ``POST /console/onboardings/{id}/assign`` (managers and admins).

An htmx request gets the ``board`` block only (the board re-rendered, the moved card marked
for the focus, a ``data-announce`` for the live region); a plain form post is answered with a
redirect to the board (or the whole page with the refusal next to the control).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.access import load_onboarding
from backoffice.api.deps import OnboardingId, SessionDep
from backoffice.console.board_moves import Refused, _l, assign_card, move_card
from backoffice.console.board_view import build_board, choose_segment, column_page
from backoffice.console.context import ConsoleContext
from backoffice.console.deps import ConsoleDep, SignedIn, SignedInDep
from backoffice.errors import Invalid
from backoffice.html.labels import stage_label
from bot.storage.models import ConsoleEvent, Onboarding

__all__ = ["register"]

BOARD_TARGET = "board"


def _wants_fragment(request: Request) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-Boosted")


def _render(
    request: Request,
    session: Session,
    *,
    console: ConsoleContext,
    me: SignedIn,
    segment: str | None,
    expand: str | None = None,
    status_code: int = 200,
    focus: int | None = None,
    announce: str | None = None,
    error: tuple[int, str, str] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    chosen = choose_segment(session, me.principal, context=console.backoffice, asked=segment)
    # Read before the board: an event written meanwhile is replayed to the page's stream.
    cursor = session.scalar(select(func.max(ConsoleEvent.id))) or 0
    board = build_board(
        session,
        me.principal,
        context=console.backoffice,
        segment=chosen,
        language=me.language,
        also=focus if focus is not None else (error[0] if error else None),
        expand=expand,
    )
    return console.views.render(
        request,
        "board.html",
        context={
            **me.context,
            "nav": "board",
            "page_title": console.views.gettext(me.language, "Pipeline"),
            "board": board,
            "focus": focus,
            "announce": announce,
            "error": error,
            "form": form or {},
            "status_code": status_code,
            "event_cursor": cursor,
        },
        language=me.language,
        block=BOARD_TARGET if _wants_fragment(request) else None,
        status_code=status_code,
    )


def board_page(
    request: Request,
    session: SessionDep,
    *,
    console: ConsoleDep,
    me: SignedInDep,
    segment: Annotated[str | None, Query(max_length=40)] = None,
    expand: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    return _render(request, session, console=console, me=me, segment=segment, expand=expand)


def board_cards(
    request: Request,
    session: SessionDep,
    *,
    console: ConsoleDep,
    me: SignedInDep,
    segment: Annotated[str, Query(max_length=40)],
    stage: Annotated[str, Query(max_length=40)],
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """A column's next cards after ``offset`` ("Show more"): their list items and, when more
    remain, the control again (the ``column_cards`` block, swapped in for the control)."""
    chosen = choose_segment(session, me.principal, context=console.backoffice, asked=segment)
    board = column_page(
        session,
        me.principal,
        context=console.backoffice,
        segment=chosen,
        stage=stage,
        offset=offset,
        language=me.language,
    )
    return console.views.render(
        request,
        "board.html",
        context={
            **me.context,
            "board": board,
            "column": board.columns[0],
            "more": True,
            "focus": None,
            "error": None,
            "form": {},
            "status_code": 200,
        },
        language=me.language,
        block="column_cards",
    )


def _refusal_text(console: ConsoleContext, me: SignedIn, *, refused: Refused) -> str:
    params = {
        key: stage_label(value, me.language) if key.endswith("_stage") else value
        for key, value in refused.params.items()
    }
    text = console.views.gettext(me.language, refused.message)
    return text % params if params else text


def _done(
    request: Request,
    session: Session,
    *,
    console: ConsoleContext,
    me: SignedIn,
    onboarding: Onboarding,
    announce: str,
    expand: str,
) -> Response:
    if not _wants_fragment(request):
        query = urlencode({"segment": onboarding.segment, **({"expand": expand} if expand else {})})
        return RedirectResponse(f"/console/board?{query}#card-{onboarding.id}", status_code=303)
    return _render(
        request,
        session,
        console=console,
        me=me,
        segment=onboarding.segment,
        focus=onboarding.id,
        announce=announce,
        expand=expand or None,
    )


def _refused(
    request: Request,
    session: Session,
    *,
    console: ConsoleContext,
    me: SignedIn,
    onboarding: Onboarding,
    refused: Refused,
    form: dict[str, str],
    kind: str,
    expand: str,
) -> Response:
    session.rollback()
    session.refresh(onboarding)
    text = _refusal_text(console, me, refused=refused)
    return _render(
        request,
        session,
        console=console,
        me=me,
        segment=onboarding.segment,
        status_code=refused.status,
        focus=onboarding.id if refused.status == 409 else None,
        announce=text,
        error=(onboarding.id, kind, text),
        form=form,
        expand=expand or None,
    )


def move(
    request: Request,
    onboarding_id: OnboardingId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
    to_stage: Annotated[str, Form(max_length=40)] = "",
    from_stage: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    expand: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    onboarding = load_onboarding(session, me.principal, onboarding_id=onboarding_id)
    form = {"to_stage": to_stage, "reason": reason}
    try:
        done = move_card(
            session,
            me.principal,
            onboarding=onboarding,
            context=console.backoffice,
            to_stage=to_stage,
            from_stage=from_stage,
            reason=reason,
        )
    except Refused as refused:
        return _refused(
            request,
            session,
            console=console,
            me=me,
            onboarding=onboarding,
            refused=refused,
            form=form,
            kind="move",
            expand=expand,
        )
    session.commit()
    console.backoffice.wake_outbox()  # a move forward queued the client's notice
    label = stage_label(done.stage, me.language)
    message = _l("Approved: moved to %(stage)s") if done.approved else _l("Moved to %(stage)s")
    text = console.views.gettext(me.language, message) % {"stage": label}
    return _done(
        request,
        session,
        console=console,
        me=me,
        onboarding=onboarding,
        announce=text,
        expand=expand,
    )


def assign(
    request: Request,
    onboarding_id: OnboardingId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
    csm_id: Annotated[str, Form(max_length=20)] = "",
    expand: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    onboarding = load_onboarding(session, me.principal, onboarding_id=onboarding_id)
    me.principal.require_role("manager", "admin")
    try:
        chosen = int(csm_id) if csm_id.strip() else None
    except ValueError:
        raise Invalid(f"csm_id must be a number, got {csm_id!r}") from None
    try:
        name = assign_card(
            session, me.principal, onboarding=onboarding, context=console.backoffice, csm_id=chosen
        )
    except Refused as refused:
        return _refused(
            request,
            session,
            console=console,
            me=me,
            onboarding=onboarding,
            refused=refused,
            form={},
            kind="assign",
            expand=expand,
        )
    session.commit()
    if name is None:
        text = console.views.gettext(me.language, "Back to the queue")
    else:
        text = console.views.gettext(me.language, "Assigned to %(name)s") % {"name": name}
    return _done(
        request,
        session,
        console=console,
        me=me,
        onboarding=onboarding,
        announce=text,
        expand=expand,
    )


def register(router: APIRouter) -> None:
    router.add_api_route("/board", board_page, methods=["GET"], name="console_board")
    router.add_api_route("/board/cards", board_cards, methods=["GET"], name="console_board_cards")
    router.add_api_route(
        "/onboardings/{onboarding_id}/move", move, methods=["POST"], name="console_board_move"
    )
    router.add_api_route(
        "/onboardings/{onboarding_id}/assign",
        assign,
        methods=["POST"],
        name="console_board_assign",
    )
