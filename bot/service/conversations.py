"""Inbound messages, each handled in one transaction: store it, run the dialogue, store the
replies (and their outbox rows), the new state and every effect — or nothing at all. Several
conversations' messages share the transaction (``handle_many``: the inbox calls it once per
batch of turns, a batch of one for a turn that runs alone).

One result per stage of a message's path: the dialogue's ``Turn`` (replies, new state,
effects), then the service's ``Handled`` (what became of the message, with its replies as
stored: ``StoredReply``, what the channel delivers), which the inbox hands back to the channel.

Callers serialize messages of one conversation (a per-conversation lock) before calling
``handle_many``; the unique (conversation, direction, channel id) index still turns a duplicate
delivery into a no-op even without the lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.dialogue.context import ConversationContext
from bot.dialogue.effects import Escalate
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.state import DialogueState
from bot.dialogue.turn import Turn
from bot.domain.address import NoAddressLookup
from bot.domain.clock import Clock
from bot.domain.company import NoCompanyLookup
from bot.domain.messages import InboundMessage, OutboundMessage
from bot.service.message_store import (
    MessageWrites,
    StoredReply,
    inbound_row,
    storable,
    store_outbound_many,
)
from bot.service.new_conversations import start_conversations
from bot.service.progress import HumanWaitPolicy
from bot.service.records import EffectRecorder, EscalationAssignment
from bot.service.status_links import StatusLinkPolicy
from bot.service.training.scheduler import TrainingPolicy
from bot.service.turn_context import turn_context
from bot.storage.models import Conversation, Document, Message, Onboarding
from nlu.types import Interpreter, NLUResult

__all__ = ["ConversationService", "Handled", "StoredReply", "queue_documents"]

log = logging.getLogger(__name__)

# The turn's statements are built once (SQLAlchemy then keeps their cache keys): the
# conversation with its onboarding, by address: one, or several for a batch.
_BY_ADDRESS = (
    select(Conversation, Onboarding)
    .outerjoin(Onboarding, Onboarding.id == Conversation.onboarding_id)
    .where(
        Conversation.channel == bindparam("channel"),
        Conversation.address == bindparam("address"),
    )
)
_BY_ADDRESSES = (
    select(Conversation, Onboarding)
    .outerjoin(Onboarding, Onboarding.id == Conversation.onboarding_id)
    .where(
        tuple_(Conversation.channel, Conversation.address).in_(bindparam("pairs", expanding=True))
    )
)


@dataclass
class Handled:
    """What became of an inbound message: the replies to deliver, as stored (inside the
    transaction the list fills when the turn's messages are written, ``MessageWrites``), and
    what the inbox counts and wakes workers for."""

    conversation_id: int
    duplicate: bool = False
    bot_paused: bool = False
    replies: list[StoredReply] = field(default_factory=list)
    escalations: list[str] = field(default_factory=list)  # reasons, for metrics
    documents_queued: int = 0


class ConversationService:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        engine: DialogueEngine,
        interpreter: Interpreter,
        clock: Clock,
        assign_escalation: EscalationAssignment | None = None,
        training: TrainingPolicy | None = None,
        human_wait: HumanWaitPolicy | None = None,
        timezone: str = "America/Sao_Paulo",
        status_links: StatusLinkPolicy | None = None,
    ) -> None:
        self.human_wait = human_wait
        self.status_links = status_links  # None: the status page's link is not offered
        self.assign_escalation = assign_escalation
        self.training = training
        self.timezone = timezone
        self.sessions = sessions
        self.engine = engine
        self.interpreter = interpreter
        self.clock = clock
        # The dialogue may wait on BrasilAPI (a CEP or a CNPJ look-up): the inbox then runs a
        # message that may be one alone (``bot.service.inbox.may_look_up``).
        self.looks_up = not isinstance(engine.address_lookup, NoAddressLookup) or not (
            isinstance(engine.company_lookup, NoCompanyLookup)
        )

    def handle(self, inbound: InboundMessage) -> Handled:
        """One message's turn, in its own transaction (``handle_many`` of one)."""
        (result,) = self.handle_many([inbound])
        if isinstance(result, Exception):
            raise result
        return result

    def handle_many(self, inbounds: Sequence[InboundMessage]) -> list[Handled | Exception]:
        """Turns of different conversations in ONE transaction: one load of the conversations,
        one insert of all messages, one of all outbox rows, one commit. Each message gets its
        own result; the order is kept.

        The caller holds each conversation's turn, so no two messages share a conversation. If
        the batch fails as a whole (a duplicate delivery meeting the unique index, a deadlock,
        one turn's error), it rolls back and each message is handled alone, so one message's
        failure is its own.
        """
        results: list[Handled | Exception | None] = [None] * len(inbounds)
        parsed: list[tuple[int, InboundMessage, NLUResult]] = []
        for index, inbound in enumerate(inbounds):
            try:
                parsed.append((index, inbound, self._parse(inbound)))
            except Exception as exc:  # noqa: BLE001 - this message's caller gets it
                results[index] = exc
        if len(parsed) > 1:
            try:
                turns = self._transaction([(i, n) for _, i, n in parsed], suspect_duplicate=False)
            except Exception:  # noqa: BLE001 - retried one by one below
                log.info("a batch of %d turns failed; handling them one by one", len(parsed))
            else:
                for (index, _, _), handled in zip(parsed, turns, strict=True):
                    results[index] = handled
                parsed = []
        for index, inbound, nlu in parsed:
            try:
                results[index] = self._handle_alone(inbound, nlu)
            except Exception as exc:  # noqa: BLE001 - this message's caller gets it
                results[index] = exc
        return [_filled(result) for result in results]

    def _parse(self, inbound: InboundMessage) -> NLUResult:
        return self.interpreter.parse(inbound.text[:4000], now=self.clock.now())

    def _handle_alone(self, inbound: InboundMessage, nlu: NLUResult) -> Handled:
        for attempt in range(3):
            try:
                return self._transaction([(inbound, nlu)], suspect_duplicate=attempt > 0)[0]
            except IntegrityError:
                # A duplicate delivery, or a concurrent first message that created the same
                # conversation: the whole transaction rolled back; look again and retry.
                if attempt == 2:
                    raise
                log.info("retrying inbound %s after a concurrent insert", inbound.external_id)
        raise AssertionError("unreachable")

    def _transaction(
        self, parsed: Sequence[tuple[InboundMessage, NLUResult]], *, suspect_duplicate: bool
    ) -> list[Handled]:
        """One transaction for the turns of distinct conversations. Duplicates are normally
        stopped before (the inbox's check under the conversation's lock); the unique index
        catches the rest, and a retry alone (``suspect_duplicate``) sees them."""
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            # Holding the onboardings keeps them in the session's (weak) identity map.
            found = self._conversations(session, [inbound for inbound, _ in parsed])
            first = [_address(inbound) for inbound, _ in parsed if _address(inbound) not in found]
            found.update(zip(first, start_conversations(session, first, now=now), strict=True))
            writes = MessageWrites()
            handled = [
                self._turn(
                    session,
                    found[_address(inbound)],
                    inbound=inbound,
                    nlu=nlu,
                    writes=writes,
                    now=now,
                    suspect_duplicate=suspect_duplicate,
                )
                for inbound, nlu in parsed
            ]
            writes.execute(session, now=now)  # fills each ``Handled.replies``
        return handled

    def _turn(
        self,
        session: Session,
        found: tuple[Conversation, Onboarding | None],
        *,
        inbound: InboundMessage,
        nlu: NLUResult,
        writes: MessageWrites,
        now: datetime,
        suspect_duplicate: bool,
    ) -> Handled:
        """One message's turn inside the caller's transaction; its messages go to ``writes``
        (its replies are in the result once ``writes`` is executed)."""
        conversation = found[0]
        external_id = storable(inbound.external_id)[:120]
        if suspect_duplicate and session.scalar(
            select(Message.id).where(
                Message.conversation_id == conversation.id,
                Message.direction == "in",
                Message.channel_message_id == external_id,
            )
        ):
            log.info("duplicate delivery %s ignored", inbound.external_id)
            return Handled(conversation_id=conversation.id, duplicate=True)
        # Stored with the replies, in one statement (a duplicate still fails the unique index,
        # and the whole transaction rolls back).
        received = inbound_row(
            conversation,
            inbound,
            external_id=external_id,
            intent=None if conversation.bot_paused else nlu.intent.name,
            now=now,
        )
        state = DialogueState.model_validate(conversation.state or {})
        queued = _take_in(session, conversation, inbound=inbound, state=state, now=now)
        if conversation.bot_paused:
            writes.add(conversation, received=[received], author="bot", now=now)
            return Handled(
                conversation_id=conversation.id, bot_paused=True, documents_queued=queued
            )
        with session.no_autoflush:  # one flush per transaction, not one per read
            context = self._context(session, conversation)
        turn = self.engine.handle(state, inbound, nlu=nlu, context=context)
        EffectRecorder(
            session, conversation, now=now, assign_escalation=self.assign_escalation
        ).apply(turn.effects)
        conversation.state = turn.state.model_dump(mode="json")
        conversation.language = turn.state.language
        conversation.updated_at = now
        return Handled(
            conversation_id=conversation.id,
            replies=writes.add(
                conversation, received=[received], replies=turn.replies, author="bot", now=now
            ),
            escalations=[e.reason for e in turn.effects if isinstance(e, Escalate)],
            documents_queued=queued,
        )

    def take_tap(
        self,
        session: Session,
        conversation: Conversation,
        *,
        state: DialogueState,
        tap: InboundMessage,
        now: datetime,
        accept: Callable[[Turn], bool],
    ) -> bool:
        """A tap made outside the chat (the status page's "Está tudo certo"), taken by the
        dialogue as from the chat inside the caller's transaction, from ``state`` (which the
        caller may have changed). The tap is not stored as the client's message; the turn's
        effects, new state and replies are — unless ``accept(turn)`` says the dialogue did not
        take it as meant, and then nothing changes. Returns whether it was accepted."""
        nlu = self.interpreter.parse(tap.text, now=now)
        turn = self.engine.handle(state, tap, nlu=nlu, context=self._context(session, conversation))
        if not accept(turn):
            return False
        EffectRecorder(
            session, conversation, now=now, assign_escalation=self.assign_escalation
        ).apply(turn.effects)
        conversation.state = turn.state.model_dump(mode="json")
        conversation.updated_at = now
        store_outbound_many(session, conversation, replies=turn.replies, author="bot", now=now)
        return True

    def resume(self, session: Session, conversation: Conversation) -> list[StoredReply]:
        """The bot takes the conversation back: it repeats the question it was on.

        Runs in the caller's transaction (the release that un-pauses the bot).
        """
        state = DialogueState.model_validate(conversation.state or {})
        turn = self.engine.resume(state, self._context(session, conversation))
        conversation.nudged_since = None  # asked again: the idle sweep looks at it anew
        return store_outbound_many(
            session, conversation, replies=turn.replies, author="bot", now=self.clock.now()
        )

    def current_question(
        self, session: Session, conversation: Conversation
    ) -> tuple[DialogueState, list[OutboundMessage]]:
        """The conversation's state and the question it waits on (not stored), for reminders."""
        state = DialogueState.model_validate(conversation.state or {})
        turn = self.engine.resume(state, self._context(session, conversation))
        return state, turn.replies

    def _conversations(
        self, session: Session, inbounds: Sequence[InboundMessage]
    ) -> dict[tuple[str, str], tuple[Conversation, Onboarding | None]]:
        """The existing conversations of these messages with their onboardings, in one query
        (both stay in the session, so the turns' context and effects read the onboarding
        without another round trip)."""
        if len(inbounds) == 1:
            rows = session.execute(
                _BY_ADDRESS, {"channel": inbounds[0].channel.value, "address": inbounds[0].address}
            )
        else:
            pairs = [(inbound.channel.value, inbound.address) for inbound in inbounds]
            rows = session.execute(_BY_ADDRESSES, {"pairs": pairs})
        return {
            (conversation.channel, conversation.address): (conversation, onboarding)
            for conversation, onboarding in rows
        }

    def _context(self, session: Session, conversation: Conversation) -> ConversationContext:
        return turn_context(
            session,
            conversation,
            now=self.clock.now(),
            timezone=self.timezone,
            training=self.training,
            human_wait=self.human_wait,
            status_links=self.status_links,
        )


def _filled(result: Handled | Exception | None) -> Handled | Exception:
    if result is None:
        raise AssertionError("a message of the batch got no result")
    return result


def _address(inbound: InboundMessage) -> tuple[str, str]:
    return inbound.channel.value, inbound.address


def _take_in(
    session: Session,
    conversation: Conversation,
    *,
    inbound: InboundMessage,
    state: DialogueState,
    now: datetime,
) -> int:
    """What a message changes before the dialogue reads it: its files queued for reading
    (returns how many), when the client last wrote over the channel, their profile name."""
    # LGPD: no document is kept before the client consented (the dialogue says so).
    consented = state.slots.get("lgpd_consent") is True
    queued = queue_documents(session, conversation, inbound=inbound, now=now) if consented else 0
    if inbound.document is None and inbound.over_channel:
        conversation.last_inbound_at = inbound.received_at
    if inbound.profile_name:
        conversation.profile_name = storable(inbound.profile_name)[:120]
    return queued


def queue_documents(
    session: Session, conversation: Conversation, *, inbound: InboundMessage, now: datetime
) -> int:
    """Each readable attachment (a photo or a document) becomes a pending document, read after
    the webhook is answered; audio, video and stickers are not documents. Returns how many."""
    readable = [media for media in inbound.media if media.readable]
    for media in readable:
        session.add(
            Document(
                client_id=conversation.client_id,
                conversation_id=conversation.id,
                source_channel=inbound.channel.value,
                status="pending",
                media_url=storable(media.url) or None,
                media_type=media.content_type[:100],
                provider_id=storable(media.provider_id)[:200] or None,
                filename=storable(media.filename)[:200] or None,
                received_at=now,
                next_attempt_at=now,
            )
        )
    return len(readable)
