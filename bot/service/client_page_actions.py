"""What a client does on their status page (``/s/{token}``): send a missing document, confirm
or fix a reading, book, move or cancel the training, rate a finished training or stage.

Each action has the effect the same action has in the chat, on the conversation the link was
sent to, and the chat is told (the bot's usual replies go to that conversation's channel):

- a file is checked by the intake before anything is stored, stored content-addressed and
  handed to the inbox as an attachment of that conversation (``MediaRef.url`` is
  ``STORED_URL`` + its SHA-256, so the document worker reads it back from the store whatever
  the channel), then read, cross-checked and answered like a photo sent in the chat;
- a confirmation is the dialogue's own: the reading awaiting confirmation gets the typed fixes
  (validated like the chat's) and the dialogue takes the "Está tudo certo" tap, so the
  effects, the next question and the flow's progress are the chat's;
- bookings go through ``SessionTrainingScheduler`` (the race-safe seat, the reminders, the
  invite) and the chat gets the dialogue's booking text with the ``.ics``;
- a rating of a training is the chat's ``NpsAnswered``; of a finished stage, an audit event.

Every action runs under the conversation's turn in the inbox's gate (a page action never
races a chat message) and in one transaction. Only a file becomes a message from the client
(it is one: the chat's transcript shows it); a confirmation, a booking or a rating is not
stored as the client's message, only as its effects and the bot's replies.

Errors: ``ActionRefused(code)`` (nothing changed; the page says why) and, for files,
``bot.documents.DocumentRejected`` (nothing stored).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dialogue.documents import CONFIRM_OPTIONS, validate_field
from bot.dialogue.effects import DocumentConfirmed
from bot.dialogue.state import DialogueState, DocumentPending
from bot.documents import DocumentStore, IntakeLimits, inspect_upload
from bot.documents.store import STORED_URL
from bot.domain.clock import Clock
from bot.domain.messages import Channel, InboundMessage, MediaRef
from bot.domain.validators import Problem
from bot.service.inbox import LOCK_WAIT_S, Inbox
from bot.service.message_store import storable
from bot.service.training import client_page as bookings
from bot.service.training.client_page import ActionRefused, TrainingChoices
from bot.storage.models import Conversation, Document, Onboarding

__all__ = ["ActionDone", "ActionRefused", "ClientPageActions", "TrainingChoices", "UploadDone"]

T = TypeVar("T")
_T_co = TypeVar("_T_co", covariant=True)


class _Work(Protocol[_T_co]):
    """An action's work on its conversation, inside the transaction ``_run`` opens."""

    def __call__(self, session: Session, conversation: Conversation, *, now: datetime) -> _T_co: ...


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")
_OK = next(option for option in CONFIRM_OPTIONS if option.id == "ok")


@dataclass(frozen=True, slots=True)
class ActionDone:
    """An action that took effect: ``code`` names the page's notice (``booked``, ...)."""

    code: str


@dataclass(frozen=True, slots=True)
class UploadDone:
    """A file accepted and queued for reading (``duplicate``: the same form sent twice)."""

    document_id: int | None
    duplicate: bool
    code: str = "uploaded"


@dataclass(frozen=True, slots=True)
class _Target:
    conversation_id: int
    channel: str
    address: str


class ClientPageActions:
    """The page's use cases, on the inbox, the document store and the conversation service
    every channel uses. Ids come from the page's link (its conversation and onboarding)."""

    def __init__(
        self,
        *,
        inbox: Inbox,
        sessions: sessionmaker[Session],
        clock: Clock,
        store: DocumentStore,
        limits: IntakeLimits,
    ) -> None:
        self.inbox = inbox
        self.sessions = sessions
        self.clock = clock
        self.store = store
        self.limits = limits

    # ------------------------------------------------------------------ documents
    async def upload(
        self,
        *,
        conversation_id: int,
        data: bytes,
        filename: str,
        declared_type: str,
    ) -> UploadDone:
        """Checks the file (``DocumentRejected``: nothing stored), stores it and hands it to the
        conversation as an attachment. The same file sent again the same day (a form sent
        twice) is one upload. ``ActionRefused("no_consent")`` before the client's LGPD consent."""
        target = await anyio.to_thread.run_sync(self._target, conversation_id)
        name = safe_filename(filename)
        accepted = await anyio.to_thread.run_sync(
            lambda: inspect_upload(
                data, declared_type=declared_type, filename=name, limits=self.limits
            )
        )
        sha256 = await anyio.to_thread.run_sync(self.store.put, data)
        inbound = InboundMessage(
            channel=Channel(target.channel),
            address=target.address,
            text="",
            external_id=f"page:{sha256[:40]}:{self.clock.now():%Y%m%d}",
            received_at=self.clock.now(),
            over_channel=False,  # WhatsApp's 24-hour window stays as the chat left it
            media=(
                MediaRef(
                    url=f"{STORED_URL}{sha256}",
                    content_type=accepted.mime,
                    provider_id=sha256,
                    filename=name,
                ),
            ),
        )
        try:
            handled = await self.inbox.receive(inbound)
        except BaseException:
            await anyio.to_thread.run_sync(self._forget_unreferenced, sha256)
            raise
        if handled.duplicate:
            return UploadDone(document_id=None, duplicate=True)
        if not handled.documents_queued:
            await anyio.to_thread.run_sync(self._forget_unreferenced, sha256)
            raise ActionRefused("no_consent")
        document_id = await anyio.to_thread.run_sync(self._document_of, target, sha256)
        return UploadDone(document_id=document_id, duplicate=False)

    async def confirm_reading(
        self, *, conversation_id: int, document_id: int, fixes: Mapping[str, str]
    ) -> ActionDone:
        """Confirms the reading the chat is asking about, with the client's typed ``fixes``
        (field → value; blank values keep the reading's). Refused with ``not_found`` (not this
        conversation's), ``not_awaiting`` (not the reading the chat asks about),
        ``invalid_field:<field>`` or ``bot_paused`` (a person is answering in the chat)."""

        def work(session: Session, conversation: Conversation, *, now: datetime) -> ActionDone:
            document = session.get(Document, document_id)
            if document is None or document.conversation_id != conversation.id:
                raise ActionRefused("not_found")
            if document.confirmed_at is not None:
                return ActionDone("already_confirmed")
            state = DialogueState.model_validate(conversation.state or {})
            pending = state.pending
            if not isinstance(pending, DocumentPending) or pending.document_id != document_id:
                raise ActionRefused("not_awaiting")
            if conversation.bot_paused:
                raise ActionRefused("bot_paused")
            _apply_fixes(pending, fixes)
            pending.stage, pending.field = "confirm", ""
            self._take_tap(session, conversation, state=state, now=now, document_id=document_id)
            return ActionDone("confirmed")

        return await self._in_turn(conversation_id, work)

    def _take_tap(
        self,
        session: Session,
        conversation: Conversation,
        *,
        state: DialogueState,
        now: datetime,
        document_id: int,
    ) -> None:
        """The dialogue takes "Está tudo certo" as from the chat; its effects, new state and
        replies are written here (the tap itself is not stored as the client's message)."""
        service = self.inbox.conversations
        lang = state.language
        title = _OK.title(lang)
        tap = InboundMessage(
            channel=Channel(conversation.channel),
            address=conversation.address,
            text=title,
            external_id=f"page-confirm:{uuid.uuid4().hex}",
            received_at=now,
            choice_id=_OK.id,
        )
        taken = service.take_tap(
            session,
            conversation,
            state=state,
            tap=tap,
            now=now,
            accept=lambda turn: any(
                isinstance(e, DocumentConfirmed) and e.document_id == document_id
                for e in turn.effects
            ),
        )
        if not taken:
            raise ActionRefused("not_awaiting")  # the dialogue did not take it: change nothing

    # ------------------------------------------------------------------ training
    async def book_training(
        self, *, conversation_id: int, onboarding_id: int, slot_id: int
    ) -> ActionDone:
        """Books (or moves the booking to) ``slot_id``: ``booked`` or ``rebooked``; refused with
        ``seat_taken``, ``not_bookable`` (stage), ``not_found``."""

        def work(session: Session, conversation: Conversation, *, now: datetime) -> ActionDone:
            onboarding = _onboarding(session, conversation, onboarding_id=onboarding_id)
            return ActionDone(
                bookings.book(
                    session,
                    conversation=conversation,
                    onboarding=onboarding,
                    slot_id=slot_id,
                    now=now,
                    policy=self._policy(),
                    timezone=self.inbox.conversations.timezone,
                )
            )

        return await self._in_turn(conversation_id, work)

    async def cancel_training(self, *, conversation_id: int, onboarding_id: int) -> ActionDone:
        """Cancels the booked session: ``cancelled``; refused with ``nothing_booked`` or
        ``too_late`` (it has started)."""

        def work(session: Session, conversation: Conversation, *, now: datetime) -> ActionDone:
            onboarding = _onboarding(session, conversation, onboarding_id=onboarding_id)
            return ActionDone(
                bookings.cancel(
                    session,
                    conversation=conversation,
                    onboarding=onboarding,
                    now=now,
                    policy=self._policy(),
                )
            )

        return await self._in_turn(conversation_id, work)

    async def rate(
        self,
        *,
        conversation_id: int,
        onboarding_id: int,
        target: str,
        score: int,
        comment: str = "",
    ) -> ActionDone:
        """Rates ``training:<booking id>`` (the chat's NPS record) or ``stage:<stage>`` (a
        finished stage): ``rated``; refused with ``bad_score``, ``not_found``,
        ``not_finished``."""

        def work(session: Session, conversation: Conversation, *, now: datetime) -> ActionDone:
            onboarding = _onboarding(session, conversation, onboarding_id=onboarding_id)
            return ActionDone(
                bookings.rate(
                    session,
                    conversation=conversation,
                    onboarding=onboarding,
                    target=target,
                    score=score,
                    comment=comment,
                    now=now,
                    assign_escalation=self.inbox.conversations.assign_escalation,
                )
            )

        return await self._in_turn(conversation_id, work)

    def training_choices(self, *, onboarding_id: int, limit: int = 12) -> TrainingChoices:
        """Reads only (the page's GET): the active booking and the next free sessions."""
        policy = self.inbox.conversations.training
        with self.sessions() as session:
            return bookings.choices(
                session, onboarding_id=onboarding_id, now=self.clock.now(), policy=policy,
                limit=limit,
            )  # fmt: skip

    def _policy(self) -> bookings.TrainingPolicy:
        policy = self.inbox.conversations.training
        if policy is None:
            raise ActionRefused("not_bookable")
        return policy

    # ------------------------------------------------------------------ the turn
    async def _in_turn(self, conversation_id: int, work: _Work[T]) -> T:
        """Runs ``work`` under the conversation's turn, in one transaction; wakes the outbox
        for the replies it stored."""
        target = await anyio.to_thread.run_sync(self._target, conversation_id)
        async with self.inbox.gate.admit(
            f"conv:{target.channel}:{target.address}",  # the inbox's key: the same turn
            f"page:{uuid.uuid4().hex}",  # never remembered: an action is not a message
            timeout_s=LOCK_WAIT_S,
            remember_s=1,
        ):
            result = await anyio.to_thread.run_sync(self._run, conversation_id, work)
        if self.inbox.outbox_wake is not None:
            self.inbox.outbox_wake.set()
        return result

    def _run(self, conversation_id: int, work: _Work[T]) -> T:
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise ActionRefused("not_found")
            return work(session, conversation, now=now)

    def _target(self, conversation_id: int) -> _Target:
        with self.sessions() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise ActionRefused("not_found")
            return _Target(conversation.id, conversation.channel, conversation.address)

    def _document_of(self, target: _Target, sha256: str) -> int | None:
        with self.sessions() as session:
            return session.scalar(
                select(Document.id)
                .where(
                    Document.conversation_id == target.conversation_id,
                    Document.provider_id == sha256,
                )
                .order_by(Document.id.desc())
                .limit(1)
            )

    def _forget_unreferenced(self, sha256: str) -> None:
        """A stored file no document refers to is deleted (a client's identity document)."""
        with self.sessions() as session:
            used = session.scalar(
                select(Document.id)
                .where((Document.provider_id == sha256) | (Document.sha256 == sha256))
                .limit(1)
            )
        if used is None:
            self.store.delete(sha256)


def _apply_fixes(pending: DocumentPending, fixes: Mapping[str, str]) -> None:
    """The typed values over the reading's, each validated like a fix typed in the chat."""
    for field, typed in fixes.items():
        if not typed.strip() or pending.fields.get(field) == typed.strip():
            continue
        if field not in pending.fields:
            raise ActionRefused(f"invalid_field:{field}")
        value = validate_field(field, typed[:200])
        if isinstance(value, Problem):
            raise ActionRefused(f"invalid_field:{field}")
        if value == pending.fields[field]:
            continue
        pending.fields[field] = value
        if field not in pending.fixed:
            pending.fixed.append(field)


def _onboarding(session: Session, conversation: Conversation, *, onboarding_id: int) -> Onboarding:
    onboarding = session.get(Onboarding, onboarding_id)
    if onboarding is None or conversation.onboarding_id != onboarding.id:
        raise ActionRefused("not_found")
    return onboarding


def safe_filename(name: str) -> str:
    """The name the browser gave, without folders or control characters, at most 200 chars."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return storable(_UNSAFE_NAME.sub(" ", base)).strip()[:200] or "arquivo"
