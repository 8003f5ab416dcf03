"""``GET /console/conversations/{id}``: one conversation, its holder, and what a person does in it.

Actions are plain forms (they work without JavaScript) answered with a redirect to the page:
**Assumir conversa** (``backoffice.takeover.take_over``), **Enviar** (``send_staff_message``,
the holder only), **Devolver ao bot** (``release``: the bot repeats its question), a private
note (``client_records.add_note``) and the retry of a held or dead message
(``backoffice.deliveries.retry_delivery``). A refusal re-renders the page with its status and
says why: 409 when someone else holds the conversation (naming them), 422 for an empty or too
long text. Scope comes from ``backoffice.access.load_conversation`` (403 outside it, 404 for an
unknown id); the CSRF check is the router's.

The transcript and the holder are blocks of the page that it fetches again when the event
stream says ``conversation-<id>``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from backoffice.access import load_client, load_conversation
from backoffice.api.deps import ConversationId, ItemId, SessionDep
from backoffice.client_records import add_note, read_document
from backoffice.console.deps import ConsoleDep, SignedIn, SignedInDep
from backoffice.console.inbox_labels import LABELS
from backoffice.console.inbox_rows import summarize
from backoffice.console.inbox_transcript import (
    notes_of,
    transcript,
    undelivered_of,
    window_of,
)
from backoffice.deliveries import retry_delivery
from backoffice.errors import Conflict, Forbidden, NotFound
from backoffice.schemas.common import ID_MAX
from backoffice.takeover import release, send_staff_message, take_over
from bot.storage.models import Conversation, Message, StaffUser

__all__ = ["MESSAGE_LIMIT", "NOTE_LIMIT", "register"]

MESSAGE_LIMIT = 4000  # the API's StaffMessageCreate
NOTE_LIMIT = 5000  # the API's NoteCreate
FORM_LIMIT = 100_000  # longer is cut by the form parser; the limits above say it politely
PAGE_BLOCKS = ("transcript", "holder")


def _page_context(
    session: SessionDep,
    console: ConsoleDep,
    *,
    me: SignedIn,
    conversation: Conversation,
    **extra: Any,
) -> dict[str, Any]:
    now = console.backoffice.now()
    summary = summarize(session, console.backoffice, conversation_ids=[conversation.id])[0]
    holder = (
        session.get(StaffUser, conversation.paused_by)
        if conversation.bot_paused and conversation.paused_by
        else None
    )
    return {
        **me.context,
        **LABELS,
        "nav": "inbox",
        "conversation": conversation,
        "summary": summary,
        "holder": holder,
        "i_hold": holder is not None and holder.id == me.principal.id,
        "may_release": conversation.bot_paused
        and (
            (holder is not None and holder.id == me.principal.id)
            or me.principal.role in ("manager", "admin")
        ),
        "transcript": transcript(session, conversation, language=me.language),
        "notes": notes_of(session, conversation),
        "undelivered": undelivered_of(session, conversation),
        "window": window_of(conversation, now=now, templates=console.whatsapp_templates),
        "now": now,
        "message_limit": MESSAGE_LIMIT,
        "note_limit": NOTE_LIMIT,
        "error": None,
        "draft": "",
        "note_draft": "",
        "announce": None,
        **extra,
    }


def _render(
    request: Request,
    session: SessionDep,
    *,
    console: ConsoleDep,
    me: SignedIn,
    conversation_id: int,
    block: str | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    conversation = load_conversation(session, me.principal, conversation_id=conversation_id)
    context = _page_context(session, console, me=me, conversation=conversation, **extra)
    session.rollback()
    return console.views.render(
        request,
        "conversation.html",
        context=context,
        language=me.language,
        block=block,
        status_code=status_code,
    )


def _back(conversation_id: int, anchor: str = "") -> Response:
    return RedirectResponse(f"/console/conversations/{conversation_id}{anchor}", status_code=303)


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


def page(
    request: Request,
    conversation_id: ConversationId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    return _render(request, session, console=console, me=me, conversation_id=conversation_id)


def transcript_block(
    request: Request,
    conversation_id: ConversationId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
    last: Annotated[int | None, Query(ge=0, le=ID_MAX)] = None,
) -> Response:
    """The transcript alone; ``last``: the newest message the page showed (what is newer from
    the client is announced)."""
    load_conversation(session, me.principal, conversation_id=conversation_id)
    announce = None
    if last is not None:
        new = session.scalar(
            select(func.count(Message.id)).where(
                Message.conversation_id == conversation_id,
                Message.id > last,
                Message.direction == "in",
            )
        )
        if new:
            announce = console.views.gettext(me.language, "New message from the client")
    return _render(
        request,
        session,
        console=console,
        me=me,
        conversation_id=conversation_id,
        block="transcript",
        announce=announce,
    )


def holder_block(
    request: Request,
    conversation_id: ConversationId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    return _render(
        request, session, console=console, me=me, conversation_id=conversation_id, block="holder"
    )


def composer_block(
    request: Request,
    conversation_id: ConversationId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    """The composer alone: it appears, or gives way to who holds it, as the holder changes (the
    text being typed is kept by ``hx-preserve``)."""
    return _render(
        request, session, console=console, me=me, conversation_id=conversation_id, block="composer"
    )


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
        return _render(
            request,
            session,
            console=console,
            me=me,
            conversation_id=conversation_id,
            status_code=409,
            error=error,
        )
    session.commit()
    return _back(conversation_id, "#composer")


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
        return _render(
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
        return _render(
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
    return _back(conversation_id, "#composer")


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
        return _render(
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
    return _back(conversation_id)


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
        return _render(
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
        return _render(
            request,
            session,
            console=console,
            me=me,
            conversation_id=conversation_id,
            status_code=409,
            error=conflict.detail,
        )
    session.commit()
    return _back(conversation_id, "#notes")


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
        return _render(
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
    return _back(conversation_id, "#undelivered")


def document_file(
    conversation_id: ConversationId,
    item_id: ItemId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    """A document of the conversation's client (an image shown inline, a PDF opened)."""
    conversation = load_conversation(session, me.principal, conversation_id=conversation_id)
    if conversation.client_id is None:
        raise NotFound("document", item_id)
    client = load_client(session, me.principal, client_id=conversation.client_id)
    document, content = read_document(
        session,
        client,
        principal=me.principal,
        document_id=item_id,
        files=console.backoffice.documents,
        now=console.backoffice.now(),
    )
    if document.conversation_id != conversation.id:
        raise NotFound("document", item_id)
    session.commit()  # the download's audit row
    mime = document.mime or "application/octet-stream"
    inline = mime.startswith("image/") or mime == "application/pdf"
    return Response(
        content,
        media_type=mime,
        headers={
            "Content-Disposition": "inline" if inline else "attachment",
            "Cache-Control": "private, max-age=300",
            "X-Content-Type-Options": "nosniff",
        },
    )


def register(router: APIRouter) -> None:
    base = "/conversations/{conversation_id}"
    router.add_api_route(base, page, methods=["GET"], name="console_conversation")
    router.add_api_route(
        base + "/transcript", transcript_block, methods=["GET"], name="console_transcript"
    )
    router.add_api_route(base + "/holder", holder_block, methods=["GET"], name="console_holder")
    router.add_api_route(
        base + "/composer", composer_block, methods=["GET"], name="console_composer"
    )
    router.add_api_route(base + "/takeover", takeover, methods=["POST"], name="console_takeover")
    router.add_api_route(base + "/messages", send, methods=["POST"], name="console_send")
    router.add_api_route(base + "/release", hand_back, methods=["POST"], name="console_release")
    router.add_api_route(base + "/notes", note, methods=["POST"], name="console_note")
    router.add_api_route(
        base + "/deliveries/{item_id}/retry", retry, methods=["POST"], name="console_retry"
    )
    router.add_api_route(
        base + "/documents/{item_id}", document_file, methods=["GET"], name="console_document"
    )
