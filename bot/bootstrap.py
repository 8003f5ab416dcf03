"""The composition root: builds every concrete adapter from ``Settings`` exactly once.

Nothing in the project constructs settings, engines or clients at import time; entry points
(``onboard serve``, ``onboard chat``, tests) call ``build_runtime`` and pass the pieces down.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

from prometheus_client import CollectorRegistry
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import nlu
from backoffice import (
    BackofficeSettings,
    EscalationAssigner,
    load_pipelines,
    parse_hours,
)
from backoffice.api.deps import BackofficeContext
from backoffice.client_page import TEMPLATES_DIR as CLIENT_PAGE_TEMPLATES
from backoffice.client_page import (
    ChatLinks,
    ClientPageContext,
    load_page_translations,
)
from backoffice.client_page.documents import required_from_flows
from backoffice.console import ConsoleContext, EventFeed, Views, load_translations
from backoffice.staff_auth import AuthPolicy
from bot.alerts import (
    AlertDestination,
    AlertRules,
    EmailAlertDestination,
    SmtpConfig,
    TelegramAlertDestination,
    WebhookAlertDestination,
)
from bot.channels.gateway import ChannelGateway, CloudConfig, TelegramConfig, TwilioConfig
from bot.channels.ports import Template
from bot.channels.web import StoredUploadFetcher
from bot.config import Settings
from bot.coordination import RateLimiter
from bot.coordination.shared_clock import FileClock
from bot.dialogue.actions import BUILTIN_ACTIONS
from bot.dialogue.engine import DialogueEngine, EngineSettings
from bot.documents import DocumentStore, IntakeLimits, OcrPool
from bot.domain.address import AddressLookup, NoAddressLookup
from bot.domain.clock import Clock, SystemClock
from bot.domain.company import CompanyLookup, NoCompanyLookup
from bot.domain.messages import Channel
from bot.domain.onboarding import Stage
from bot.domain.validators import VALIDATORS
from bot.service.addresses import BrasilApiLookups
from bot.service.conversations import ConversationService
from bot.service.inbox import Inbox
from bot.service.jobs import SendPolicy
from bot.service.progress import HumanWaitPolicy
from bot.service.status_links import StatusLinkPolicy
from bot.service.training import TrainingPolicy
from bot.service.web_chat import WebChat
from bot.storage.database import make_engine, make_session_factory, upgrade
from bot.workers.alerts import AlertRetryPolicy, AlertWorker
from bot.workers.documents import DocumentWorker
from bot.workers.outbox import ChannelLimits, OutboxWorker, RetryPolicy
from bot.workers.reminders import NudgePolicy, ReminderWorker
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
    registry: CollectorRegistry  # this process's Prometheus metrics (served at /metrics)

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


def build_gateway(settings: Settings) -> ChannelGateway:
    """The push channels whose credentials are configured (the others stay off)."""
    gateway = ChannelGateway()
    if (
        settings.twilio_account_sid
        and settings.twilio_auth_token
        and settings.twilio_whatsapp_number
    ):
        gateway.twilio = TwilioConfig(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token.get_secret_value(),
            from_number=settings.twilio_whatsapp_number,
            api_url=settings.twilio_api_url,
            status_callback=f"{settings.public_url}/webhooks/twilio/status",
        )
    if (
        settings.whatsapp_token
        and settings.whatsapp_phone_number_id
        and settings.whatsapp_app_secret
        and settings.whatsapp_verify_token
    ):
        gateway.cloud = CloudConfig(
            token=settings.whatsapp_token.get_secret_value(),
            phone_number_id=settings.whatsapp_phone_number_id,
            app_secret=settings.whatsapp_app_secret.get_secret_value(),
            verify_token=settings.whatsapp_verify_token.get_secret_value(),
            api_url=settings.whatsapp_api_url,
        )
    if settings.telegram_bot_token and settings.telegram_secret_token:
        gateway.telegram = TelegramConfig(
            token=settings.telegram_bot_token.get_secret_value(),
            secret_token=settings.telegram_secret_token.get_secret_value(),
            api_url=settings.telegram_api_url,
        )
    # Files sent from the web chat were stored as they arrived; the worker reads them back.
    gateway.fetchers[Channel.WEB.value] = StoredUploadFetcher(document_store(settings))
    return gateway


def build_outbox_worker(
    runtime: Runtime, gateway: ChannelGateway, *, rate_limiter: RateLimiter | None = None
) -> OutboxWorker:
    return OutboxWorker(
        sessions=runtime.sessions,
        senders=gateway.senders,
        clock=runtime.clock,
        policy=RetryPolicy(
            max_attempts=runtime.settings.outbox_max_attempts,
            base_s=runtime.settings.outbox_retry_base_s,
        ),
        templates={
            kind: Template(content_sid=sid)
            for kind, sid in runtime.settings.whatsapp_templates().items()
        },
        rate_limiter=rate_limiter,
        limits=ChannelLimits.defaults(whatsapp_per_s=runtime.settings.whatsapp_rate_per_s),
    )


def build_document_worker(
    runtime: Runtime, gateway: ChannelGateway, *, inbox: Inbox, pool: OcrPool
) -> DocumentWorker:
    settings = runtime.settings
    return DocumentWorker(
        sessions=runtime.sessions,
        fetchers=gateway.fetchers,
        store=document_store(settings),
        reader=pool,
        inbox=inbox,
        clock=runtime.clock,
        timezone=settings.timezone,
        limits=intake_limits(settings),
        read_attempts=settings.ocr_max_attempts,
        assign_escalation=runtime.conversations.assign_escalation,
    )


def intake_limits(settings: Settings) -> IntakeLimits:
    """The checks every channel's files go through (the web chat's at upload time too)."""
    return IntakeLimits(max_bytes=settings.max_upload_mb * 1024 * 1024)


def build_ocr_pool(settings: Settings) -> OcrPool:
    return OcrPool(max_workers=settings.ocr_workers, timeout=settings.ocr_timeout_s)


def backoffice_settings(settings: Settings) -> BackofficeSettings:
    low, high = (int(x) for x in settings.onboarding_target_days.split(","))
    return BackofficeSettings(
        timezone=settings.timezone,
        business_hours=parse_hours(settings.business_hours),
        lunch_break=parse_hours(settings.lunch_break) if settings.lunch_break else None,
        holiday_state=settings.holiday_state,
        extra_holidays=tuple(
            date.fromisoformat(d.strip()) for d in settings.extra_holidays.split(",") if d.strip()
        ),
        sla_at_risk_share=settings.sla_at_risk_share,
        approval_roles=frozenset(
            r.strip() for r in settings.approval_roles.split(",") if r.strip()
        ),
        erp_webhook_url=settings.erp_webhook_url,
        erp_hmac_secret=(
            settings.erp_hmac_secret.get_secret_value() if settings.erp_hmac_secret else None
        ),
        csm_max_open_escalations=settings.csm_max_open_escalations,
        pipelines_dir=settings.pipelines_dir,
        onboarding_target_days=(low, high),
        public_url=settings.public_url,
        status_link_days=settings.status_link_days,
    )


def build_console(
    settings: Settings, backoffice: BackofficeContext, *, feed: EventFeed | None = None
) -> ConsoleContext:
    """The staff console's context: its templates in both languages, the sign-in policy, the
    live updates' hub (``feed``)."""
    return ConsoleContext(
        backoffice=backoffice,
        views=Views(load_translations(), timezone=settings.timezone),
        policy=AuthPolicy(
            idle=timedelta(minutes=settings.console_idle_minutes),
            max_failures=settings.console_max_failures,
            lock_for=timedelta(minutes=settings.console_lock_minutes),
        ),
        secure_cookies=settings.public_url.startswith("https://"),
        public_url=settings.public_url,
        feed=feed,
        whatsapp_templates=frozenset(settings.whatsapp_templates()),
    )


def status_page_secret(settings: Settings) -> bytes:
    """The key of the status page's CSRF tokens: ``ONBOARD_STATUS_PAGE_SECRET``, required in
    production. Elsewhere, unset, a key derived from the database URL: the same in every process
    on that database (a key made up per process would refuse forms served by another)."""
    secret = settings.status_page_secret.get_secret_value() if settings.status_page_secret else ""
    if secret in {"changeme", "change-me"} or (secret and len(secret) < 16):
        raise ValueError("ONBOARD_STATUS_PAGE_SECRET is a placeholder or too short (16+ chars)")
    if secret:
        return secret.encode()
    if settings.environment == "production":
        raise ValueError("ONBOARD_STATUS_PAGE_SECRET is required in production")
    log.warning("ONBOARD_STATUS_PAGE_SECRET is unset: using a development key")
    return hashlib.sha256(b"acolhe-status-page-dev:" + settings.database_url.encode()).digest()


def build_client_page(
    settings: Settings,
    backoffice: BackofficeContext,
    *,
    rate_limiter: RateLimiter | None = None,
    inbox: Inbox | None = None,
    web_chat: WebChat | None = None,
) -> ClientPageContext:
    """The client's status page (``/s/{token}``): its templates, secret, limits and links."""
    number = (settings.twilio_whatsapp_number or "").removeprefix("whatsapp:")
    return ClientPageContext(
        backoffice=backoffice,
        views=Views(
            load_page_translations(), timezone=settings.timezone, directory=CLIENT_PAGE_TEMPLATES
        ),
        public_url=settings.public_url,
        link_days=settings.status_link_days,
        csrf_secret=status_page_secret(settings),
        timezone=settings.timezone,
        chat_links=ChatLinks(
            whatsapp_number=number or None, telegram_username=settings.telegram_bot_username
        ),
        rate_limiter=rate_limiter,
        inbox=inbox,
        web_chat=web_chat,
        required_documents=required_from_flows(load_all_flows(settings.flows_dir)),
    )


def send_policy(settings: Settings) -> SendPolicy:
    """When business-initiated client messages may go (quiet hours, weekends, holidays)."""
    quiet_start, quiet_end = parse_hours(settings.quiet_hours)
    return SendPolicy(
        calendar=backoffice_settings(settings).calendar(),
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        allow_weekends=settings.send_on_weekends,
        allow_holidays=settings.send_on_holidays,
    )


def training_policy(settings: Settings) -> TrainingPolicy:
    return TrainingPolicy(
        send=send_policy(settings),
        public_url=settings.public_url,
        min_notice=timedelta(hours=settings.training_min_notice_hours),
        window=timedelta(days=settings.training_window_days),
        nps_delay=timedelta(hours=settings.nps_delay_hours),
    )


def build_reminder_worker(runtime: Runtime) -> ReminderWorker:
    settings = runtime.settings
    return ReminderWorker(
        sessions=runtime.sessions,
        conversations=runtime.conversations,
        clock=runtime.clock,
        send=send_policy(settings),
        nudges=NudgePolicy(
            idle_hours=settings.nudge_after_business_hours, max_nudges=settings.nudge_max
        ),
        timezone=settings.timezone,
        slot_window=timedelta(days=settings.training_window_days),
        companies=runtime.engine.company_lookup,
    )


def document_store(settings: Settings) -> DocumentStore:
    key = settings.documents_key.get_secret_value() if settings.documents_key else None
    return DocumentStore(settings.documents_dir, key)


def _brasilapi(settings: Settings) -> BrasilApiLookups | None:
    """BrasilAPI when ONBOARD_BRASILAPI_URL is set; otherwise the client types the address and
    the CNPJ is not looked up."""
    return BrasilApiLookups(settings.brasilapi_url) if settings.brasilapi_url else None


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
    brasilapi = _brasilapi(settings) if address_lookup is None or company_lookup is None else None
    engine = DialogueEngine(
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
    registry = CollectorRegistry()
    interpreter = interpreter or build_interpreter(settings, registry=registry)
    assigner = EscalationAssigner(load_pipelines(settings.pipelines_dir))
    conversations = ConversationService(
        sessions=sessions,
        engine=engine,
        interpreter=interpreter,
        clock=clock,
        assign_escalation=assigner.assign,
        training=training_policy(settings),
        human_wait=HumanWaitPolicy(
            calendar=backoffice_settings(settings).calendar(),
            first_answer_minutes=settings.escalation_alert_minutes,
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
    )


# ---------------------------------------------------------------------------- manager alerts


def build_alert_destinations(settings: Settings) -> list[AlertDestination]:
    """The configured alert destinations: Telegram chats, e-mail addresses, one webhook."""
    destinations: list[AlertDestination] = []
    chats = settings.alert_telegram_chats()
    if chats and settings.telegram_bot_token is None:
        raise ValueError("ONBOARD_ALERT_TELEGRAM_CHAT_IDS needs ONBOARD_TELEGRAM_BOT_TOKEN")
    for chat_id in chats:
        assert settings.telegram_bot_token is not None
        destinations.append(
            TelegramAlertDestination(
                token=settings.telegram_bot_token.get_secret_value(),
                chat_id=chat_id,
                api_url=settings.telegram_api_url,
            )
        )
    addresses = settings.alert_email_addresses()
    if addresses and not settings.smtp_host:
        raise ValueError("ONBOARD_ALERT_EMAILS needs ONBOARD_SMTP_HOST")
    if addresses and settings.smtp_host:
        smtp = SmtpConfig(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            username=settings.smtp_username,
            password=(
                settings.smtp_password.get_secret_value() if settings.smtp_password else None
            ),
            starttls=settings.smtp_starttls,
        )
        destinations.extend(EmailAlertDestination(config=smtp, address=a) for a in addresses)
    if settings.alert_webhook_url:
        destinations.append(WebhookAlertDestination(url=settings.alert_webhook_url))
    return destinations


def build_alert_rules(settings: Settings) -> AlertRules:
    office = backoffice_settings(settings)
    return AlertRules(
        pipelines=load_pipelines(settings.pipelines_dir),
        calendar=office.calendar(),
        at_risk_share=settings.sla_at_risk_share,
        escalation_minutes=settings.escalation_alert_minutes,
        erp_attempts=settings.erp_alert_attempts,
        idle_days=settings.digest_idle_days,
        digest_time=(time.fromisoformat(settings.digest_time) if settings.digest_time else None),
    )


def build_alert_worker(runtime: Runtime) -> AlertWorker:
    """The manager-alert worker (``await worker.run(stop)``; it closes its clients when done)."""
    settings = runtime.settings
    return AlertWorker(
        sessions=runtime.sessions,
        clock=runtime.clock,
        rules=build_alert_rules(settings),
        destinations=build_alert_destinations(settings),
        policy=AlertRetryPolicy(
            max_attempts=settings.alert_max_attempts, base_s=settings.alert_retry_base_s
        ),
        sweep_interval_s=settings.alert_sweep_interval_s,
    )
