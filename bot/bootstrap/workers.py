"""The background workers' objects, each built from the runtime and the channel adapters:
outbox delivery, document reading, client reminders, manager alerts, the ERP push."""

from __future__ import annotations

from datetime import time, timedelta

from backoffice import BackofficeSettings, PipelineCatalog, load_pipelines
from bot.alerts import (
    AlertDestination,
    AlertRules,
    EmailAlertDestination,
    SmtpConfig,
    TelegramAlertDestination,
    WebhookAlertDestination,
)
from bot.bootstrap.policies import backoffice_settings, intake_limits, send_policy
from bot.bootstrap.runtime import Runtime
from bot.channels.adapters import ChannelAdapters
from bot.config import Settings
from bot.coordination import RateLimiter
from bot.documents import OcrPool
from bot.domain.channels import Template
from bot.domain.retrying import RetryPolicy
from bot.service.inbox import Inbox
from bot.workers.alerts import AlertWorker
from bot.workers.documents import DocumentWorker
from bot.workers.erp import ErpPushWorker
from bot.workers.outbox import ChannelLimits, OutboxWorker
from bot.workers.reminders import NudgePolicy, ReminderWorker

__all__ = [
    "build_alert_destinations",
    "build_alert_rules",
    "build_alert_worker",
    "build_document_worker",
    "build_erp_worker",
    "build_outbox_worker",
    "build_reminder_worker",
]


def build_outbox_worker(
    runtime: Runtime, channels: ChannelAdapters, *, rate_limiter: RateLimiter | None = None
) -> OutboxWorker:
    settings = runtime.settings
    return OutboxWorker(
        sessions=runtime.sessions,
        senders=channels.senders,
        clock=runtime.clock,
        policy=RetryPolicy(
            max_attempts=settings.outbox_max_attempts, base_s=settings.outbox_retry_base_s
        ),
        templates={
            kind: Template(content_sid=sid) for kind, sid in settings.whatsapp_templates().items()
        },
        rate_limiter=rate_limiter,
        limits=ChannelLimits.defaults(whatsapp_per_s=settings.whatsapp_rate_per_s),
    )


def build_document_worker(
    runtime: Runtime, channels: ChannelAdapters, *, inbox: Inbox, pool: OcrPool
) -> DocumentWorker:
    settings = runtime.settings
    return DocumentWorker(
        sessions=runtime.sessions,
        fetchers=channels.fetchers,
        store=runtime.documents,
        reader=pool,
        inbox=inbox,
        clock=runtime.clock,
        timezone=settings.timezone,
        limits=intake_limits(settings),
        read_attempts=settings.ocr_max_attempts,
        assign_escalation=runtime.conversations.assign_escalation,
    )


def build_reminder_worker(runtime: Runtime) -> ReminderWorker:
    settings = runtime.settings
    return ReminderWorker(
        sessions=runtime.sessions,
        conversations=runtime.conversations,
        clock=runtime.clock,
        send=send_policy(settings, office=runtime.office),
        nudges=NudgePolicy(
            idle_hours=settings.nudge_after_business_hours, max_nudges=settings.nudge_max
        ),
        timezone=settings.timezone,
        slot_window=timedelta(days=settings.training_window_days),
        companies=runtime.engine.company_lookup,
    )


def build_erp_worker(runtime: Runtime) -> ErpPushWorker | None:
    """The ERP push, when ``ONBOARD_ERP_WEBHOOK_URL`` and its HMAC secret are set."""
    settings = runtime.settings
    if not (settings.erp_webhook_url and settings.erp_hmac_secret):
        return None
    return ErpPushWorker(
        sessions=runtime.sessions,
        clock=runtime.clock,
        webhook_url=settings.erp_webhook_url,
        secret=settings.erp_hmac_secret.get_secret_value(),
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


def build_alert_rules(
    settings: Settings,
    *,
    pipelines: PipelineCatalog | None = None,
    office: BackofficeSettings | None = None,
) -> AlertRules:
    office = office or backoffice_settings(settings)
    return AlertRules(
        pipelines=pipelines if pipelines is not None else load_pipelines(settings.pipelines_dir),
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
        rules=build_alert_rules(settings, pipelines=runtime.pipelines, office=runtime.office),
        destinations=build_alert_destinations(settings),
        policy=RetryPolicy(
            max_attempts=settings.alert_max_attempts,
            base_s=settings.alert_retry_base_s,
            cap_s=3600.0,
        ),
        sweep_interval_s=settings.alert_sweep_interval_s,
    )
