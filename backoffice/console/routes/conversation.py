"""``GET /console/conversations/{id}``: one conversation, its holder, its blocks and its
documents; what a person does in it is ``conversation_actions.py``.

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

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from backoffice.access import load_client, load_conversation
from backoffice.api.deps import ConversationId, ItemId, SessionDep
from backoffice.client_records import read_document
from backoffice.console.deps import ConsoleDep, SignedIn, SignedInDep
from backoffice.console.inbox_labels import LABELS
from backoffice.console.inbox_rows import summarize
from backoffice.console.inbox_transcript import (
    notes_of,
    transcript,
    undelivered_of,
    window_of,
)
from backoffice.errors import NotFound
from backoffice.schemas.common import ID_MAX
from bot.storage.models import Conversation, Message, StaffUser

__all__ = ["MESSAGE_LIMIT", "NOTE_LIMIT", "back_to", "register", "render_page"]

MESSAGE_LIMIT = 4000  # the API's StaffMessageCreate
NOTE_LIMIT = 5000  # the API's NoteCreate


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


def render_page(
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


def back_to(conversation_id: int, anchor: str = "") -> Response:
    return RedirectResponse(f"/console/conversations/{conversation_id}{anchor}", status_code=303)


def page(
    request: Request,
    conversation_id: ConversationId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    return render_page(request, session, console=console, me=me, conversation_id=conversation_id)


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
    return render_page(
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
    return render_page(
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
    return render_page(
        request, session, console=console, me=me, conversation_id=conversation_id, block="composer"
    )


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
    router.add_api_route(
        base + "/documents/{item_id}", document_file, methods=["GET"], name="console_document"
    )
