"""The tables, by aggregate; importing this package registers every model on ``Base.metadata``.

| module | models |
| --- | --- |
| ``clients`` | Client, Contact, CompanyRegistry, AuditEvent, StaffNote, ErasureRequest |
| ``onboardings`` | Onboarding, StageChange, SlaPause, ErpPush |
| ``conversations`` | Conversation, Message, OutboxItem, Escalation |
| ``documents`` | Document |
| ``training`` | TrainingAvailability, TrainingException, TrainingSlot, TrainingBooking,
  NpsResponse |
| ``staff`` | StaffUser, ApiToken, StaffSession, PasswordReset |
| ``alerts`` | Alert, AlertDelivery |
| ``jobs`` | ScheduledJob |
| ``agreements`` | Agreement |
| ``status_links`` | StatusLink |
| ``console`` | ConsoleEvent |

``Base`` is re-exported so that ``from bot.storage.models import Base`` always gives the full
metadata (the migrations' comparison, ``create_all`` in tests); model modules take it from
``bot.storage.base``. Relationships name their targets by string, resolved once every module is
imported here.
"""

from __future__ import annotations

from bot.storage.base import Base
from bot.storage.models.agreements import Agreement
from bot.storage.models.alerts import Alert, AlertDelivery
from bot.storage.models.clients import (
    AuditEvent,
    Client,
    CompanyRegistry,
    Contact,
    ErasureRequest,
    StaffNote,
)
from bot.storage.models.console import ConsoleEvent
from bot.storage.models.conversations import Conversation, Escalation, Message, OutboxItem
from bot.storage.models.documents import Document
from bot.storage.models.jobs import ScheduledJob
from bot.storage.models.onboardings import ErpPush, Onboarding, SlaPause, StageChange
from bot.storage.models.staff import ApiToken, PasswordReset, StaffSession, StaffUser
from bot.storage.models.status_links import StatusLink
from bot.storage.models.training import (
    NpsResponse,
    TrainingAvailability,
    TrainingBooking,
    TrainingException,
    TrainingSlot,
)

__all__ = [
    # the modules, one per aggregate
    "agreements",
    "alerts",
    "clients",
    "console",
    "conversations",
    "documents",
    "jobs",
    "onboardings",
    "staff",
    "status_links",
    "training",
    # the models, and the base they are registered on
    "Agreement",
    "Alert",
    "AlertDelivery",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Client",
    "CompanyRegistry",
    "ConsoleEvent",
    "Contact",
    "Conversation",
    "Document",
    "ErasureRequest",
    "ErpPush",
    "Escalation",
    "Message",
    "NpsResponse",
    "Onboarding",
    "OutboxItem",
    "PasswordReset",
    "ScheduledJob",
    "SlaPause",
    "StaffNote",
    "StaffSession",
    "StaffUser",
    "StageChange",
    "StatusLink",
    "TrainingAvailability",
    "TrainingBooking",
    "TrainingException",
    "TrainingSlot",
]
