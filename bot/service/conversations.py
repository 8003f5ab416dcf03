"""One inbound message, handled in one transaction: store it, run the dialogue, store the
replies (and their outbox rows), the new state and every effect — or nothing at all.

Callers serialize messages of one conversation (a per-conversation lock) before calling
``handle``; the unique (conversation, direction, channel id) index still turns a duplicate
delivery into a no-op even without the lock.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.dialogue.context import ConversationContext
from bot.dialogue.effects import Escalate
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.scheduling import BOOKABLE_STAGES
from bot.dialogue.state import DialogueState
from bot.domain.clock import Clock
from bot.domain.messages import Channel, InboundMessage, OutboundMessage, split_long
from bot.domain.onboarding import Stage
from bot.service.records import EffectRecorder, EscalationAssignment, start_onboarding
from bot.service.scheduling import SessionTrainingScheduler, TrainingPolicy, awaiting_nps
from bot.storage.models import (
    Conversation,
    Document,
    Message,
    Onboarding,
    OutboxItem,
    StaffUser,
)
from nlu.types import Interpreter, NLUResult

log = logging.getLogger(__name__)

# The hot path writes these tables with plain inserts (see ``store_outbound_many``).
MESSAGES: Table = Message.__table__  # type: ignore[assignment]
OUTBOX: Table = OutboxItem.__table__  # type: ignore[assignment]

# The turn's statements are built once (SQLAlchemy then keeps their cache keys): the first
# query, the conversation with its onboarding, and the inserts of messages and outbox rows.
_BY_ADDRESS = (
    select(Conversation, Onboarding)
    .outerjoin(Onboarding, Onboarding.id == Conversation.onboarding_id)
    .where(
        Conversation.channel == bindparam("channel"),
        Conversation.address == bindparam("address"),
    )
)
_INSERT_MESSAGES = insert(MESSAGES).returning(MESSAGES.c.id, sort_by_parameter_order=True)
_INSERT_OUTBOX = insert(OUTBOX)

# Longest text each channel accepts in one message (Twilio: 1,600 characters; Meta and
# Telegram: 4,096); a longer reply (a CSM's long answer) goes as several messages, in order.
TEXT_LIMITS = {
    Channel.TWILIO_WHATSAPP: 1600,
    Channel.WHATSAPP_CLOUD: 4096,
    Channel.TELEGRAM: 4096,
}

# Channels the client's device pulls from (web page polling, the terminal): no delivery worker.
PULL_CHANNELS = frozenset({Channel.WEB, Channel.TERMINAL})


@dataclass(frozen=True)
class StoredReply:
    message_id: int
    text: str
    choices: tuple[tuple[str, str], ...] = ()
    attachments: tuple[str, ...] = ()  # links (a training invite)


@dataclass
class Handled:
    """What became of an inbound message."""

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
        timezone: str = "America/Sao_Paulo",
    ) -> None:
        self.assign_escalation = assign_escalation
        self.training = training
        self.timezone = timezone
        self.sessions = sessions
        self.engine = engine
        self.interpreter = interpreter
        self.clock = clock

    def handle(self, inbound: InboundMessage) -> Handled:
        nlu = self.interpreter.parse(inbound.text[:4000], now=self.clock.now())
        for attempt in range(3):
            try:
                return self._handle_once(inbound, nlu, suspect_duplicate=attempt > 0)
            except IntegrityError:
                # A duplicate delivery, or a concurrent first message that created the same
                # conversation: the whole transaction rolled back; look again and retry.
                if attempt == 2:
                    raise
                log.info("retrying inbound %s after a concurrent insert", inbound.external_id)
        raise AssertionError("unreachable")

    def _handle_once(
        self, inbound: InboundMessage, nlu: NLUResult, *, suspect_duplicate: bool
    ) -> Handled:
        """One transaction. Duplicates are normally stopped before (the inbox's check under the
        conversation's lock); the unique index catches the rest, and the retry sees them."""
        now = self.clock.now()
        external_id = storable(inbound.external_id)[:120]
        with self.sessions() as session, session.begin():
            # Holding the onboarding keeps it in the session's (weak) identity map for the turn.
            conversation, _onboarding = self._conversation(session, inbound)
            if suspect_duplicate and session.scalar(
                select(Message.id).where(
                    Message.conversation_id == conversation.id,
                    Message.direction == "in",
                    Message.channel_message_id == external_id,
                )
            ):
                log.info("duplicate delivery %s ignored", inbound.external_id)
                return Handled(conversation_id=conversation.id, duplicate=True)
            # Stored with the replies, in one statement (a duplicate still fails the unique
            # index, and the whole turn rolls back).
            received = {
                "conversation_id": conversation.id,
                "direction": "in",
                "author": "system" if inbound.document is not None else "client",
                "staff_id": None,
                "text": storable(inbound.text),
                "channel_message_id": external_id,
                "status": "received",
                "payload": _media_payload(inbound),
                "intent": None if conversation.bot_paused else nlu.intent.name,
                "created_at": now,
            }
            queued = queue_documents(session, conversation, inbound, now=now)
            if inbound.document is None:
                conversation.last_inbound_at = inbound.received_at
            if inbound.profile_name:
                conversation.profile_name = storable(inbound.profile_name)[:120]
            if conversation.bot_paused:
                _store_messages(session, conversation, [received], [], author="bot", now=now)
                return Handled(
                    conversation_id=conversation.id, bot_paused=True, documents_queued=queued
                )
            state = DialogueState.model_validate(conversation.state or {})
            with session.no_autoflush:  # one flush per turn, not one per read
                context = self._context(session, conversation)
            turn = self.engine.handle(state, inbound, nlu, context)
            EffectRecorder(
                session, conversation, now=now, assign_escalation=self.assign_escalation
            ).apply(turn.effects)
            conversation.state = turn.state.model_dump(mode="json")
            conversation.language = turn.state.language
            conversation.updated_at = now
            replies = _store_messages(
                session, conversation, [received], turn.replies, author="bot", now=now
            )
            escalations = [e.reason for e in turn.effects if isinstance(e, Escalate)]
            return Handled(
                conversation_id=conversation.id,
                replies=replies,
                escalations=escalations,
                documents_queued=queued,
            )

    def resume(self, session: Session, conversation: Conversation) -> list[StoredReply]:
        """The bot takes the conversation back: it repeats the question it was on.

        Runs in the caller's transaction (the release that un-pauses the bot).
        """
        state = DialogueState.model_validate(conversation.state or {})
        turn = self.engine.resume(state, self._context(session, conversation))
        conversation.nudged_since = None  # asked again: the idle sweep looks at it anew
        return store_outbound_many(
            session, conversation, turn.replies, author="bot", now=self.clock.now()
        )

    def current_question(
        self, session: Session, conversation: Conversation
    ) -> tuple[DialogueState, list[OutboundMessage]]:
        """The conversation's state and the question it waits on (not stored), for reminders."""
        state = DialogueState.model_validate(conversation.state or {})
        turn = self.engine.resume(state, self._context(session, conversation))
        return state, turn.replies

    def _conversation(
        self, session: Session, inbound: InboundMessage
    ) -> tuple[Conversation, Onboarding | None]:
        """The conversation with its onboarding (one query; both stay in the session, so the
        turn's context and effects read the onboarding without another round trip)."""
        found = session.execute(
            _BY_ADDRESS, {"channel": inbound.channel.value, "address": inbound.address}
        ).first()
        if found is not None:
            return found[0], found[1]
        now = self.clock.now()
        onboarding = start_onboarding(session, now=now)
        conversation = session.scalars(
            insert(Conversation).returning(Conversation),
            [
                {
                    "channel": inbound.channel.value,
                    "address": inbound.address,
                    "state": {},
                    "client_id": onboarding.client_id,
                    "onboarding_id": onboarding.id,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        ).one()
        return conversation, onboarding

    def _context(self, session: Session, conversation: Conversation) -> ConversationContext:
        onboarding = (
            session.get(Onboarding, conversation.onboarding_id)
            if conversation.onboarding_id is not None
            else None
        )
        csm = (
            session.get(StaffUser, onboarding.csm_id)
            if onboarding is not None and onboarding.csm_id is not None
            else None
        )
        now = self.clock.now()
        stage = Stage(onboarding.stage) if onboarding is not None else Stage.CADASTRO
        scheduler = (
            SessionTrainingScheduler(
                session,
                conversation=conversation,
                onboarding=onboarding,
                now=now,
                policy=self.training,
            )
            if self.training is not None and onboarding is not None
            else None
        )
        return ConversationContext(
            stage=stage,
            csm_name=csm.name if csm is not None else None,
            opted_out=conversation.opted_out,
            now=now,
            timezone=self.timezone,
            training=scheduler,
            nps_booking_id=(
                awaiting_nps(session, onboarding_id=onboarding.id, now=now)
                if onboarding is not None and stage in BOOKABLE_STAGES
                else None
            ),
        )


def store_outbound(
    session: Session,
    conversation: Conversation,
    reply: OutboundMessage,
    *,
    author: str,
    now: datetime,
    staff_id: int | None = None,
) -> StoredReply:
    """Stores an outbound message and, for push channels, its outbox row (same transaction)."""
    return store_outbound_many(
        session, conversation, [reply], author=author, now=now, staff_id=staff_id
    )[0]


def store_outbound_many(
    session: Session,
    conversation: Conversation,
    replies: Sequence[OutboundMessage],
    *,
    author: str,
    now: datetime,
    staff_id: int | None = None,
) -> list[StoredReply]:
    """Stores outbound messages in order and, for push channels, their outbox rows."""
    return _store_messages(
        session, conversation, [], replies, author=author, now=now, staff_id=staff_id
    )


def _store_messages(
    session: Session,
    conversation: Conversation,
    received: Sequence[Mapping[str, object]],
    replies: Sequence[OutboundMessage],
    *,
    author: str,
    now: datetime,
    staff_id: int | None = None,
) -> list[StoredReply]:
    """Inserts the ``received`` message rows, then the replies, and the replies' outbox rows.

    Plain inserts on the session's connection (one ``INSERT ... RETURNING`` for all messages,
    one for the outbox rows): this runs on every turn, where the ORM's unit of work cost more
    than the database. Nothing pending in the session is flushed, except a new conversation.
    """
    if not received and not replies:
        return []
    if conversation.id is None:
        session.flush()
    pull = Channel(conversation.channel) in PULL_CHANNELS
    limit = TEXT_LIMITS.get(Channel(conversation.channel))
    if limit is not None:
        replies = [part for reply in replies for part in split_long(reply, limit)]
    connection = session.connection()
    rows = [
        *received,
        *(
            {
                "conversation_id": conversation.id,
                "direction": "out",
                "author": author,
                "staff_id": staff_id,
                "text": reply.text,
                "payload": _outbound_payload(reply),
                "channel_message_id": None,
                "status": "delivered" if pull else "queued",
                "intent": None,
                "created_at": now,
            }
            for reply in replies
        ),
    ]
    stored = connection.execute(_INSERT_MESSAGES, rows)
    ids = stored.scalars().all()[len(received) :]
    if ids and not pull:
        connection.execute(
            _INSERT_OUTBOX,
            [
                {
                    "message_id": message_id,
                    "conversation_id": conversation.id,
                    "channel": conversation.channel,
                    "address": conversation.address,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for message_id in ids
            ],
        )
    return [
        StoredReply(
            message_id=message_id,
            text=reply.text,
            choices=tuple((c.id, c.title) for c in reply.choices),
            attachments=reply.attachments,
        )
        for message_id, reply in zip(ids, replies, strict=True)
    ]


def queue_documents(
    session: Session, conversation: Conversation, inbound: InboundMessage, *, now: datetime
) -> int:
    """Each attached file becomes a pending document, read after the webhook is answered."""
    for media in inbound.media:
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
    return len(inbound.media)


def storable(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters; nothing else is lost."""
    return text.replace("\x00", "")


def _outbound_payload(reply: OutboundMessage) -> dict[str, object]:
    payload: dict[str, object] = {
        "choices": [[c.id, c.title] for c in reply.choices],
        "kind": reply.kind,
    }
    if reply.attachments:
        payload["attachments"] = list(reply.attachments)
    return payload


def _media_payload(inbound: InboundMessage) -> dict[str, object]:
    payload: dict[str, object] = {}
    if inbound.media:
        payload["media"] = [
            {"url": m.url, "content_type": m.content_type, "provider_id": m.provider_id}
            for m in inbound.media
        ]
    if inbound.choice_id:
        payload["choice_id"] = inbound.choice_id
    return payload
