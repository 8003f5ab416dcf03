"""Settings turned into the plain policy and configuration objects the services take: the
back-office's calendar and SLA settings, when client messages may go, training rules, the
intake's limits, the document store, the OCR pool, the status page's secret."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta

from backoffice import BackofficeSettings, parse_hours
from bot.config import Settings
from bot.documents import DocumentStore, IntakeLimits, OcrPool
from bot.service.jobs import SendPolicy
from bot.service.training import TrainingPolicy

__all__ = [
    "backoffice_settings",
    "build_ocr_pool",
    "document_store",
    "intake_limits",
    "send_policy",
    "status_page_secret",
    "training_policy",
]

log = logging.getLogger(__name__)


def intake_limits(settings: Settings) -> IntakeLimits:
    """The checks every channel's files go through (the web chat's at upload time too)."""
    return IntakeLimits(max_bytes=settings.max_upload_mb * 1024 * 1024)


def build_ocr_pool(settings: Settings) -> OcrPool:
    return OcrPool(max_workers=settings.ocr_workers, timeout=settings.ocr_timeout_s)


def document_store(settings: Settings) -> DocumentStore:
    key = settings.documents_key.get_secret_value() if settings.documents_key else None
    return DocumentStore(settings.documents_dir, key)


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


def send_policy(settings: Settings, *, office: BackofficeSettings | None = None) -> SendPolicy:
    """When business-initiated client messages may go (quiet hours, weekends, holidays)."""
    quiet_start, quiet_end = parse_hours(settings.quiet_hours)
    return SendPolicy(
        calendar=(office or backoffice_settings(settings)).calendar(),
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        allow_weekends=settings.send_on_weekends,
        allow_holidays=settings.send_on_holidays,
    )


def training_policy(
    settings: Settings, *, office: BackofficeSettings | None = None
) -> TrainingPolicy:
    return TrainingPolicy(
        send=send_policy(settings, office=office),
        public_url=settings.public_url,
        min_notice=timedelta(hours=settings.training_min_notice_hours),
        window=timedelta(days=settings.training_window_days),
        nps_delay=timedelta(hours=settings.nps_delay_hours),
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
