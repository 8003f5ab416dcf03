"""SQLAlchemy 2 typed models: the tables behind clients, onboardings, conversations and staff.

Timestamps are stored timezone-aware in UTC (``DateTime(timezone=True)``); on SQLite they come
back naive and ``UtcDateTime`` re-attaches UTC, so domain code only ever sees aware datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.storage.personal_data import (
    Pseudonym,
    deleted_on_erasure,
    not_personal,
    not_the_clients,
    personal,
)

# Every String, Text and JSON column says whether it can hold a client's personal data, and
# every table whose rows are never a client's says so (``bot.storage.personal_data``): the
# LGPD export and erasure are derived from these marks.
STAFF = "a staff member's, kept with their account; not a client's"


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON}


class StaffUser(Base):
    __tablename__ = "staff_users"
    __table_args__ = {"info": not_the_clients("staff accounts")}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), info=not_personal(STAFF))
    email: Mapped[str] = mapped_column(String(254), unique=True, info=not_personal(STAFF))
    # admin | manager | csm
    role: Mapped[str] = mapped_column(String(16), info=not_personal("a role word"))
    team: Mapped[str] = mapped_column(String(60), default="default", info=not_personal(STAFF))
    segment: Mapped[str | None] = mapped_column(String(20), info=not_personal("a segment word"))
    max_open_escalations: Mapped[int] = mapped_column(Integer, default=10)
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # The console's sign-in (argon2id; None: no password yet, sign-in refused).
    password_hash: Mapped[str | None] = mapped_column(
        String(200), info=not_personal("an argon2 hash")
    )
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = {"info": not_the_clients("staff members' API tokens")}

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    token_hash: Mapped[str] = mapped_column(
        String(64), unique=True, info=not_personal("a token's SHA-256")
    )
    label: Mapped[str] = mapped_column(String(80), default="", info=not_personal(STAFF))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Client(Base):
    """A company being onboarded."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    cnpj: Mapped[str | None] = mapped_column(String(14), index=True, info=personal(identifies=True))
    company_name: Mapped[str | None] = mapped_column(String(150), info=personal(identifies=True))
    trade_name: Mapped[str | None] = mapped_column(String(150), info=personal(identifies=True))
    employees: Mapped[int | None]
    cep: Mapped[str | None] = mapped_column(String(8), info=personal())
    street: Mapped[str | None] = mapped_column(String(200), info=personal(identifies=True))
    address_number: Mapped[str | None] = mapped_column(String(12), info=personal())
    address_complement: Mapped[str | None] = mapped_column(String(100), info=personal())
    district: Mapped[str | None] = mapped_column(String(100), info=personal())
    city: Mapped[str | None] = mapped_column(String(100), info=personal())
    uf: Mapped[str | None] = mapped_column(String(2), info=personal())
    consent_at: Mapped[datetime | None]
    consent_refused_at: Mapped[datetime | None]
    form_refused: Mapped[bool] = mapped_column(Boolean, default=False)
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Contact.id"
    )


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("client_id", "area"),
        {"info": deleted_on_erasure("a contact is nothing but its personal data")},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # admin | finance | tech | cs
    area: Mapped[str] = mapped_column(String(16), info=not_personal("an area word"))
    name: Mapped[str | None] = mapped_column(String(100), info=personal(identifies=True))
    email: Mapped[str | None] = mapped_column(String(254), info=personal(identifies=True))
    phone: Mapped[str | None] = mapped_column(String(20), info=personal(identifies=True))

    client: Mapped[Client] = relationship(back_populates="contacts")


class Onboarding(Base):
    __tablename__ = "onboardings"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    segment: Mapped[str] = mapped_column(
        String(20), default="self_service", info=not_personal("a segment word")
    )
    stage: Mapped[str] = mapped_column(
        String(20), default="cadastro", info=not_personal("a stage word")
    )
    stage_entered_at: Mapped[datetime]
    csm_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    red_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    red_flag_reason: Mapped[str | None] = mapped_column(String(300), info=personal())
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class StageChange(Base):
    __tablename__ = "stage_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    onboarding_id: Mapped[int] = mapped_column(ForeignKey("onboardings.id"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20), info=not_personal("a stage"))
    to_stage: Mapped[str] = mapped_column(String(20), info=not_personal("a stage"))
    at: Mapped[datetime]
    # bot | system | staff:<id>
    actor: Mapped[str] = mapped_column(String(60), info=not_personal("who, by role and id"))
    reason: Mapped[str] = mapped_column(String(300), default="", info=personal())


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), info=not_personal("a channel name"))
    # Erased last: the erasure notice is delivered to it (``erased:<id>`` afterwards).
    address: Mapped[str] = mapped_column(
        String(80), info=personal(erased=Pseudonym(), after_notice=True, identifies=True)
    )
    profile_name: Mapped[str | None] = mapped_column(String(120), info=personal(identifies=True))
    language: Mapped[str] = mapped_column(
        String(2), default="pt", info=not_personal("a language code")
    )
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=personal())
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    onboarding_id: Mapped[int | None] = mapped_column(ForeignKey("onboardings.id"))
    bot_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]
    # The client's last message whose idle period has its nudges scheduled (the sweep skips
    # conversations where it equals ``last_inbound_at``).
    nudged_since: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "direction", "channel_message_id"),
        Index("ix_messages_conversation_created", "conversation_id", "id"),
        # Delivery status callbacks find their message by the provider's id.
        Index("ix_messages_channel_message_id", "channel_message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    # in | out
    direction: Mapped[str] = mapped_column(String(3), info=not_personal("in or out"))
    # client | bot | staff | system
    author: Mapped[str] = mapped_column(String(10), info=not_personal("an author kind"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    text: Mapped[str] = mapped_column(Text, default="", info=personal())
    # choices, media refs, invite links
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=personal())
    channel_message_id: Mapped[str | None] = mapped_column(
        String(120), info=not_personal("the provider's message id")
    )
    status: Mapped[str] = mapped_column(
        String(16), default="received", info=not_personal("a delivery status")
    )
    error_code: Mapped[str | None] = mapped_column(
        String(20), info=not_personal("the provider's error code")
    )
    intent: Mapped[str | None] = mapped_column(String(40), info=not_personal("an NLU intent"))
    created_at: Mapped[datetime]


class OutboxItem(Base):
    """An outbound message waiting for delivery, written with the state change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # "Is there an older pending row in this conversation?", asked of every claimable row.
        Index(
            "ix_outbox_pending_by_conversation",
            "conversation_id",
            "id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    channel: Mapped[str] = mapped_column(String(20), info=not_personal("a channel name"))
    address: Mapped[str] = mapped_column(
        String(80),
        info=personal(erased=Pseudonym("conversation_id"), after_notice=True, identifies=True),
    )
    # pending | sent | dead | held | suppressed
    status: Mapped[str] = mapped_column(
        String(12), default="pending", info=not_personal("a delivery status")
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    # Set (committed) just before the provider is called, cleared with the attempt's outcome:
    # a row found with it set may have been sent, and is settled before any resend.
    sending_since: Mapped[datetime | None]
    # A provider's error may quote the address.
    last_error: Mapped[str | None] = mapped_column(String(500), info=personal())
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Document(Base):
    """A file a client sent: queued (``pending``) when the message is stored, then downloaded,
    checked, stored content-addressed and read by the document worker."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    kind: Mapped[str] = mapped_column(
        String(20), default="other", info=not_personal("a document kind")
    )
    source_channel: Mapped[str] = mapped_column(String(20), info=not_personal("a channel name"))
    # pending | read | rejected | failed
    status: Mapped[str] = mapped_column(
        String(12), default="pending", info=not_personal("a reading status")
    )
    media_url: Mapped[str | None] = mapped_column(Text, info=personal())
    media_type: Mapped[str | None] = mapped_column(
        String(100), info=not_personal("the declared content type")
    )
    provider_id: Mapped[str | None] = mapped_column(String(200), info=personal())
    filename: Mapped[str | None] = mapped_column(String(200), info=personal())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500), info=personal())
    mime: Mapped[str | None] = mapped_column(String(60), info=not_personal("a content type"))
    size: Mapped[int | None]
    # The file's address in the store (its content's hash): the file goes with it.
    sha256: Mapped[str | None] = mapped_column(String(64), index=True, info=personal())
    extraction: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=personal())
    received_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]


class Escalation(Base):
    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    onboarding_id: Mapped[int | None] = mapped_column(ForeignKey("onboardings.id"))
    reason: Mapped[str] = mapped_column(String(40), info=not_personal("a reason code"))
    detail: Mapped[str] = mapped_column(String(500), default="", info=personal())
    queue: Mapped[str] = mapped_column(
        String(20), default="self_service", info=not_personal("a queue name")
    )
    # open | taken | resolved
    status: Mapped[str] = mapped_column(String(12), default="open", info=not_personal("a status"))
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime]
    taken_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]


class ErasureRequest(Base):
    __tablename__ = "erasure_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    # requested | notifying | done | refused
    status: Mapped[str] = mapped_column(
        String(12), default="requested", info=not_personal("a status")
    )
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_client_at", "client_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    # client | bot | system | staff:<id>
    actor: Mapped[str] = mapped_column(String(60), info=not_personal("who, by role and id"))
    # field_changed | consent_refused | ...
    action: Mapped[str] = mapped_column(String(40), info=not_personal("an action word"))
    field: Mapped[str | None] = mapped_column(String(60), info=not_personal("a field's name"))
    old_value: Mapped[str | None] = mapped_column(Text, info=personal())
    new_value: Mapped[str | None] = mapped_column(Text, info=personal())
    at: Mapped[datetime]


# The back-office tables live in their own module on the same metadata; importing it here
# makes every user of ``Base.metadata`` (migrations, tests) see them.
import bot.storage.models_agreements  # noqa: E402, F401
import bot.storage.models_alerts  # noqa: E402, F401
import bot.storage.models_backoffice  # noqa: E402, F401
import bot.storage.models_console  # noqa: E402, F401
import bot.storage.models_schedule  # noqa: E402, F401
import bot.storage.models_status  # noqa: E402, F401
import bot.storage.models_training  # noqa: E402, F401
