"""The composition root: builds every concrete adapter from ``Settings`` exactly once.

Nothing in the project constructs settings, engines or clients at import time; entry points
(``onboard serve``, ``onboard chat``, tests) call ``build_runtime`` and pass the pieces down.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import nlu
from bot.config import Settings
from bot.dialogue.actions import BUILTIN_ACTIONS
from bot.dialogue.engine import DialogueEngine, EngineSettings
from bot.domain.address import AddressLookup, NoAddressLookup
from bot.domain.clock import Clock, SystemClock
from bot.domain.fields import VALIDATORS
from bot.domain.onboarding import Stage
from bot.service.conversations import ConversationService
from bot.storage.database import make_engine, make_session_factory, upgrade
from flows import Flow, Registry, load_flows
from nlu.types import Interpreter

log = logging.getLogger(__name__)


def flow_registry() -> Registry:
    return Registry(
        validators=frozenset(VALIDATORS),
        actions=frozenset(BUILTIN_ACTIONS),
        stages=frozenset(stage.value for stage in Stage),
    )


def load_all_flows(flows_dir: Path | None) -> dict[str, Flow]:
    return load_flows(flows_dir, registry=flow_registry())


@dataclass
class Runtime:
    """Everything a running Acolhe process needs, built once."""

    settings: Settings
    db: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    interpreter: Interpreter
    engine: DialogueEngine
    conversations: ConversationService
    extras: dict[str, object] = field(default_factory=dict)

    def close(self) -> None:
        self.db.dispose()


def build_interpreter(settings: Settings) -> Interpreter:
    return nlu.build_interpreter(
        backend=settings.nlu_backend,
        cache_dir=settings.nlu_cache_dir,
        rasa_url=settings.rasa_url,
        timezone=settings.timezone,
    )


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    interpreter: Interpreter | None = None,
    address_lookup: AddressLookup | None = None,
    migrate: bool = True,
) -> Runtime:
    settings.refuse_placeholder_secrets()
    if migrate:
        upgrade(settings.database_url)
    db = make_engine(settings.database_url)
    sessions = make_session_factory(db)
    clock = clock or SystemClock()
    flows = load_all_flows(settings.flows_dir)
    engine = DialogueEngine(
        flows=flows,
        settings=EngineSettings(
            max_message_chars=settings.max_message_chars,
            invalid_answers_before_human=settings.invalid_answers_before_human,
        ),
        address_lookup=address_lookup or NoAddressLookup(),
    )
    interpreter = interpreter or build_interpreter(settings)
    conversations = ConversationService(
        sessions=sessions, engine=engine, interpreter=interpreter, clock=clock
    )
    return Runtime(
        settings=settings,
        db=db,
        sessions=sessions,
        clock=clock,
        interpreter=interpreter,
        engine=engine,
        conversations=conversations,
    )
