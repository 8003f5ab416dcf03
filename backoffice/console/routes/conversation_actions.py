"""What a person does in a conversation of the console, as plain forms answered with a
redirect to its page (``conversation.py``): take it over, send, hand it back to the bot, write
a private note, retry a held or dead message. A refusal re-renders the page with its status
and says why (409 naming who holds the conversation, 422 for an empty or too long text)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from backoffice.access import load_client, load_conversation
from backoffice.api.deps import ConversationId, ItemId, SessionDep
from backoffice.client_records import add_note
from backoffice.console.deps import ConsoleDep, SignedIn, SignedInDep
from backoffice.console.routes.conversation import MESSAGE_LIMIT, NOTE_LIMIT, back_to, render_page
from backoffice.deliveries import retry_delivery
from backoffice.errors import Conflict, Forbidden
from backoffice.takeover import release, send_staff_message, take_over
from bot.storage.models import StaffUser

__all__ = ["FORM_LIMIT", "register"]

FORM_LIMIT = 100_000  # the form parser cuts longer; MESSAGE_LIMIT, NOTE_LIMIT say it politely


def _held_by_text(
    console: ConsoleDep, me: SignedIn, *, session: SessionDep, conversation_id: int
) -> str:
    """Who holds the conversation now (read again: the refused transaction is rolled back)."""
    session.rollback()
    conversation = load_conversation(session, me.principal, conversation_id=conversation_id)
    holder = session.get(StaffUser, conversation.paused_by) if conversation.paused_by else None
    if holder is not None and conversation.bot_paused:
        template = console.views.gettext(me.language, "%(name)s holds this conversation.")
        return template % {"name": holder.name}
    return console.views.gettext(me.language, "Take over the conversation before writing.")


def takeover(
    request: Request,
    conversation_id: ConversationId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    conversation = load_conversation(session, me.principal, conversation_id=conversation_id)
    try:
        take_over(session, conversation, principal=me.principal, now=console.backoffice.now())
    except Conflict:
        error = _held_by_text(console, me, session=session, conversation_id=conversation_id)
        return render_page(
            request,
            session,
            console=console,
            me=me,
            conversation_id=conversation_id,
            status_code=409,
            error=error,
        )
    session.commit()
    return back_to(conversation_id, "#composer")


def send(
    request: Request,
    conversation_id: ConversationId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
    text: Annotated[str, Form(max_length=FORM_LIMIT)] = "",
) -> Response:
    conversation = load_conversation(session, me.principal, conversation_id=conversation_id)
    body = text.strip()
    problem = None
    if not body:
        problem = "Write a message before sending."
    elif len(body) > MESSAGE_LIMIT or "\x00" in body:
        problem = "The message is too long: at most 4000 characters."
    if problem is not None:
        return render_page(
            request,
            session,
            console=console,
            me=me,
            conversation_id=conversation_id,
            status_code=422,
            error=console.views.gettext(me.language, problem),
            draft=text[: MESSAGE_LIMIT * 2],
        )
    try:
        send_staff_message(
            session, conversation, principal=me.principal, text=body, now=console.backoffice.now()
        )
    except Conflict:
        error = _held_by_text(console, me, session=session, conversation_id=conversation_id)
        return render_page(
            request,
            session,
            console=console,
            me=me,
            conversation_id=conversation_id,
            status_code=409,
            error=error,
            draft=text[: MESSAGE_LIMIT * 2],
        )
    session.commit()
    console.backoffice.wake_outbox()
    return back_to(conversation_id, "#composer")


def hand_back(
    request: Request,
    conversation_id: ConversationId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    conversation = load_conversation(session, me.principal, conversation_id=conversation_id)
    try:
        release(
            session,
            conversation,
            principal=me.principal,
            conversations=console.backoffice.conversations,
            now=console.backoffice.now(),
            resolve=True,
        )
    except (Conflict, Forbidden) as refused:
        if not conversation.bot_paused:
            session.rollback()
            error = console.views.gettext(
                me.language, "The bot is already answering this conversation."
            )
        else:
            error = _held_by_text(console, me, session=session, conversation_id=conversation_id)
        return render_page(
            request,
            session,
            console=console,
            me=me,
            conversation_id=conversation_id,
            status_code=refused.status,
            error=error,
        )
    session.commit()
    console.backoffice.wake_outbox()
    return back_to(conversation_id)


def note(
    request: Request,
    conversation_id: ConversationId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
    text: Annotated[str, Form(max_length=FORM_LIMIT)] = "",
) -> Response:
    conversation = load_conversation(session, me.principal, conversation_id=conversation_id)
    body = text.strip()
    if not body or len(body) > NOTE_LIMIT or "\x00" in body or conversation.client_id is None:
        problem = (
            "Write the note before saving."
            if not body
            else "The note is too long: at most 5000 characters."
        )
        return render_page(
            request,
            session,
            console=console,
            me=me,
            conversation_id=conversation_id,
            status_code=422,
            error=console.views.gettext(me.language, problem),
            note_draft=text[: NOTE_LIMIT * 2],
        )
    client = load_client(session, me.principal, client_id=conversation.client_id)
    try:
        add_note(
            session,
            client,
            principal=me.principal,
            text=body,
            onboarding_id=conversation.onboarding_id,
            now=console.backoffice.now(),
        )
    except Conflict as conflict:  # an erased client's record takes no notes
        session.rollback()
        return render_page(
            request,
            session,
            console=console,
            me=me,
            conversation_id=conversation_id,
            status_code=409,
            error=conflict.detail,
        )
    session.commit()
    return back_to(conversation_id, "#notes")


def retry(
    request: Request,
    conversation_id: ConversationId,
    *,
    item_id: ItemId,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    conversation = load_conversation(session, me.principal, conversation_id=conversation_id)
    try:
        retry_delivery(
            session,
            conversation,
            principal=me.principal,
            item_id=item_id,
            now=console.backoffice.now(),
        )
    except Conflict:
        session.rollback()
        error = console.views.gettext(
            me.language, "This message cannot be sent again now: the page shows why."
        )
        return render_page(
            request,
            session,
            console=console,
            me=me,
            conversation_id=conversation_id,
            status_code=409,
            error=error,
        )
    session.commit()
    console.backoffice.wake_outbox()
    return back_to(conversation_id, "#undelivered")


def register(router: APIRouter) -> None:
    base = "/conversations/{conversation_id}"
    router.add_api_route(base + "/takeover", takeover, methods=["POST"], name="console_takeover")
    router.add_api_route(base + "/messages", send, methods=["POST"], name="console_send")
    router.add_api_route(base + "/release", hand_back, methods=["POST"], name="console_release")
    router.add_api_route(base + "/notes", note, methods=["POST"], name="console_note")
    router.add_api_route(
        base + "/deliveries/{item_id}/retry", retry, methods=["POST"], name="console_retry"
    )
