"""The runtime: settings → database, clock, flows, pipelines, NLU, dialogue engine and the
conversation service, each built once by ``build_runtime``.

Nothing in the project constructs settings, engines or clients at import time; entry points
(``onboard serve``, ``onboard worker``, ``onboard chat``, tests) call ``build_runtime`` and
then ask the rest of ``bot.bootstrap`` for what they run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import nlu
from backoffice import BackofficeSettings, EscalationAssigner, PipelineCatalog, load_pipelines
from bot.bootstrap.policies import backoffice_settings, document_store, training_policy
from bot.config import Settings
from bot.coordination.shared_clock import FileClock
from bot.dialogue.actions import BUILTIN_ACTIONS
from bot.dialogue.engine import DialogueEngine, EngineSettings
from bot.documents import DocumentStore
from bot.domain.address import AddressLookup, NoAddressLookup
from bot.domain.clock import Clock, SystemClock
from bot.domain.company import CompanyLookup, NoCompanyLookup
from bot.domain.onboarding import Stage
from bot.domain.validators import VALIDATORS
from bot.service.addresses import BrasilApiLookups
from bot.service.conversations import ConversationService
from bot.service.progress import HumanWaitPolicy
from bot.service.status_links import StatusLinkPolicy
from bot.storage.database import make_engine, make_session_factory, upgrade
from flows import Flow, Registry, load_flows
from nlu.types import Interpreter

__all__ = ["Runtime", "build_interpreter", "build_runtime", "flow_registry", "load_all_flows"]


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
    registry: CollectorRegistry  # this process's Prometheus metrics (served at /metrics)
    flows: dict[str, Flow]
    pipelines: PipelineCatalog  # the back-office's pipeline templates (SLA, escalations)
    office: BackofficeSettings  # the back-office's calendar, SLA and approval settings
    documents: DocumentStore  # the encrypted, content-addressed store of uploaded files

    def close(self) -> None:
        for lookup in {
            id(x): x for x in (self.engine.address_lookup, self.engine.company_lookup)
        }.values():
            if isinstance(lookup, BrasilApiLookups):
                lookup.close()
        self.db.dispose()


def build_interpreter(
    settings: Settings, *, registry: CollectorRegistry | None = None
) -> Interpreter:
    return nlu.build_interpreter(
        backend=settings.nlu_backend,
        cache_dir=settings.nlu_cache_dir,
        rasa_url=settings.rasa_url,
        timezone=settings.timezone,
        registry=registry,
    )


def _brasilapi(settings: Settings) -> BrasilApiLookups | None:
    """BrasilAPI when ONBOARD_BRASILAPI_URL is set; otherwise the client types the address and
    the CNPJ is not looked up."""
    return BrasilApiLookups(settings.brasilapi_url) if settings.brasilapi_url else None


def _engine(
    settings: Settings,
    *,
    flows: dict[str, Flow],
    address_lookup: AddressLookup | None,
    company_lookup: CompanyLookup | None,
) -> DialogueEngine:
    brasilapi = _brasilapi(settings) if address_lookup is None or company_lookup is None else None
    return DialogueEngine(
        flows=flows,
        settings=EngineSettings(
            max_message_chars=settings.max_message_chars,
            # The third answer a question cannot take gets the way out, not a third explanation.
            explanations_before_way_out=max(settings.invalid_answers_before_human - 1, 1),
            company_young_days=settings.company_young_days,
        ),
        address_lookup=address_lookup or brasilapi or NoAddressLookup(),
        company_lookup=company_lookup or brasilapi or NoCompanyLookup(),
    )


def build_runtime(
    settings: Settings,
    *,
    clock: Clock | None = None,
    interpreter: Interpreter | None = None,
    address_lookup: AddressLookup | None = None,
    company_lookup: CompanyLookup | None = None,
    migrate: bool = True,
) -> Runtime:
    settings.refuse_placeholder_secrets()
    if migrate:
        upgrade(settings.database_url)
    db = make_engine(settings.database_url)
    sessions = make_session_factory(db)
    if clock is None:
        clock = FileClock(settings.clock_file) if settings.clock_file else SystemClock()
    flows = load_all_flows(settings.flows_dir)
    engine = _engine(
        settings, flows=flows, address_lookup=address_lookup, company_lookup=company_lookup
    )
    registry = CollectorRegistry()
    interpreter = interpreter or build_interpreter(settings, registry=registry)
    pipelines = load_pipelines(settings.pipelines_dir)
    office = backoffice_settings(settings)
    conversations = ConversationService(
        sessions=sessions,
        engine=engine,
        interpreter=interpreter,
        clock=clock,
        assign_escalation=EscalationAssigner(pipelines).assign,
        training=training_policy(settings, office=office),
        human_wait=HumanWaitPolicy(
            calendar=office.calendar(), first_answer_minutes=settings.escalation_alert_minutes
        ),
        timezone=settings.timezone,
        status_links=StatusLinkPolicy(
            public_url=settings.public_url, days=settings.status_link_days
        ),
    )
    return Runtime(
        settings=settings,
        db=db,
        sessions=sessions,
        clock=clock,
        interpreter=interpreter,
        engine=engine,
        conversations=conversations,
        registry=registry,
        flows=flows,
        pipelines=pipelines,
        office=office,
        documents=document_store(settings),
    )
