"""What a person does in a conversation of the console, as plain forms answered with a
redirect to its page (``conversation.py``): take it over, send, hand it back to the bot, write
a private note, retry a held or dead message. A refusal re-renders the page with its status
and says why (409 naming who holds the conversation, 422 for an empty or too long text)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from backoffice.access import load_client, load_conversation
from backoffice.api.deps import ConversationId, ItemId, SessionDep
from backoffice.client_records import add_note
from backoffice.console.context import ConsoleContext
from backoffice.console.deps import ConsoleDep, SignedIn, SignedInDep
from backoffice.console.routes.conversation import MESSAGE_LIMIT, NOTE_LIMIT, back_to, render_page
from backoffice.deliveries import retry_delivery
from backoffice.errors import Conflict, Forbidden
from backoffice.takeover import release, send_staff_message, take_over
from bot.storage.models import StaffUser

__all__ = ["FORM_LIMIT", "register"]

FORM_LIMIT = 100_000  # the form parser cuts longer; MESSAGE_LIMIT, NOTE_LIMIT say it politely


@dataclass(frozen=True, kw_only=True)
class _Form:
    """A form posted to a conversation's page, and what a refusal needs to show it again."""

    request: Request
    session: Session
    console: ConsoleContext
    me: SignedIn
    conversation_id: int

    def say(self, text: str) -> str:
        return self.console.views.gettext(self.me.language, text)

    def refused(self, status: int, error: str, **drafts: str) -> Response:
        """The page again with ``status`` and why; ``drafts`` keep what was typed."""
        return render_page(
            self.request,
            self.session,
            console=self.console,
            me=self.me,
            conversation_id=self.conversation_id,
            status_code=status,
            error=error,
            **drafts,
        )

    def held_by(self) -> str:
        """Who holds the conversation now (read again: the refused transaction is rolled
        back)."""
        self.session.rollback()
        conversation = load_conversation(
            self.session, self.me.principal, conversation_id=self.conversation_id
        )
        holder = (
            self.session.get(StaffUser, conversation.paused_by) if conversation.paused_by else None
        )
        if holder is not None and conversation.bot_paused:
            return self.say("%(name)s holds this conversation.") % {"name": holder.name}
        return self.say("Take over the conversation before writing.")


def takeover(
    request: Request,
    conversation_id: ConversationId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
) -> Response:
    form = _Form(
        request=request, session=session, console=console, me=me, conversation_id=conversation_id
    )
    conversation = load_conversation(session, me.principal, conversation_id=conversation_id)
    try:
        take_over(session, conversation, principal=me.principal, now=console.backoffice.now())
    except Conflict:
        return form.refused(409, form.held_by())
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
    form = _Form(
        request=request, session=session, console=console, me=me, conversation_id=conversation_id
    )
    conversation = load_conversation(session, me.principal, conversation_id=conversation_id)
    body = text.strip()
    draft = text[: MESSAGE_LIMIT * 2]
    if not body:
        return form.refused(422, form.say("Write a message before sending."), draft=draft)
    if len(body) > MESSAGE_LIMIT or "\x00" in body:
        problem = form.say("The message is too long: at most 4000 characters.")
        return form.refused(422, problem, draft=draft)
    try:
        send_staff_message(
            session, conversation, principal=me.principal, text=body, now=console.backoffice.now()
        )
    except Conflict:
        return form.refused(409, form.held_by(), draft=draft)
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
    form = _Form(
        request=request, session=session, console=console, me=me, conversation_id=conversation_id
    )
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
        if conversation.bot_paused:
            return form.refused(refused.status, form.held_by())
        session.rollback()
        return form.refused(
            refused.status, form.say("The bot is already answering this conversation.")
        )
    session.commit()
    console.backoffice.wake_outbox()
    return back_to(conversation_id, "#holder")


def note(
    request: Request,
    conversation_id: ConversationId,
    *,
    session: SessionDep,
    console: ConsoleDep,
    me: SignedInDep,
    text: Annotated[str, Form(max_length=FORM_LIMIT)] = "",
) -> Response:
    form = _Form(
        request=request, session=session, console=console, me=me, conversation_id=conversation_id
    )
    conversation = load_conversation(session, me.principal, conversation_id=conversation_id)
    body = text.strip()
    if not body or len(body) > NOTE_LIMIT or "\x00" in body or conversation.client_id is None:
        problem = (
            "Write the note before saving."
            if not body
            else "The note is too long: at most 5000 characters."
        )
        return form.refused(422, form.say(problem), note_draft=text[: NOTE_LIMIT * 2])
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
        return form.refused(409, conflict.detail)
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
    form = _Form(
        request=request, session=session, console=console, me=me, conversation_id=conversation_id
    )
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
        return form.refused(
            409, form.say("This message cannot be sent again now: the page shows why.")
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
