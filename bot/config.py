"""Settings: every ``ONBOARD_*`` environment variable (and ``.env``), read once in bootstrap."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_VAR_DIR = Path("var")


class Settings(BaseSettings):
    """All configuration. Built by ``bot.bootstrap`` and passed down; never read at import time."""

    model_config = SettingsConfigDict(env_prefix="ONBOARD_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = f"sqlite:///{DEFAULT_VAR_DIR}/acolhe.db"
    redis_url: str | None = None
    redis_key_prefix: str = "acolhe"
    public_url: str = "http://127.0.0.1:8000"
    timezone: str = "America/Sao_Paulo"
    default_language: Literal["pt", "en"] = "pt"

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_whatsapp_number: str | None = None
    twilio_api_url: str = "https://api.twilio.com"

    telegram_bot_token: SecretStr | None = None
    telegram_secret_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"

    whatsapp_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_url: str = "https://graph.facebook.com"

    nlu_backend: Literal["builtin", "rasa"] = "builtin"
    rasa_url: str = "http://127.0.0.1:5005"
    nlu_cache_dir: Path = DEFAULT_VAR_DIR / "nlu"

    brasilapi_url: str = "https://brasilapi.com.br/api"
    documents_dir: Path = DEFAULT_VAR_DIR / "documents"
    documents_key: SecretStr | None = None

    # Approved WhatsApp templates for business-initiated messages outside the 24-hour window:
    # JSON {"<kind>": "<ContentSid or Meta template name>"}; kinds: reply, staff, reminder,
    # nudge, alert, notice. A kind without a template is held for a CSM instead of sent.
    whatsapp_templates_json: str = "{}"

    whatsapp_rate_per_s: float = 80.0  # messages per second per WhatsApp sender
    outbox_max_attempts: int = 8
    outbox_retry_base_s: float = 2.0

    max_upload_mb: int = 16
    # CNH/RG photos are deleted this long after confirmation
    identity_image_retention_days: int = 30
    ocr_workers: int = 1  # OCR processes (each uses one core while reading)
    ocr_timeout_s: float = 60.0
    ocr_max_attempts: int = 3  # tries of a document whose reading process dies or times out

    # Back-office (see backoffice/README.md)
    business_hours: str = "09:00-18:00"
    lunch_break: str | None = None  # e.g. "12:00-13:00"
    holiday_state: str | None = None  # e.g. "SP": that state's holidays count too
    extra_holidays: str = ""  # comma-separated ISO dates
    sla_at_risk_share: float = 0.8
    approval_roles: str = "manager,admin"
    erp_webhook_url: str | None = None
    erp_hmac_secret: SecretStr | None = None
    csm_max_open_escalations: int = 10
    pipelines_dir: Path | None = None
    onboarding_target_days: str = "30,60"

    # The staff console (/console/)
    console_idle_minutes: int = 480  # signed out after this long without a request
    console_max_failures: int = 5  # wrong passwords in a row before the account is locked
    console_lock_minutes: int = 15

    flows_dir: Path | None = None  # None: the flows shipped in the ``flows`` package
    max_message_chars: int = 4000
    invalid_answers_before_human: int = 3

    # Training scheduling, reminders and client nudges (issue #7)
    training_min_notice_hours: float = 2.0  # sessions starting sooner are not offered
    training_window_days: int = 21  # how far ahead sessions are materialized and offered
    nps_delay_hours: float = 2.0  # the NPS question goes this long after the session ends
    quiet_hours: str = "20:00-08:00"  # no business-initiated client message in this local span
    send_on_weekends: bool = False
    send_on_holidays: bool = False
    nudge_after_business_hours: float = 9.0  # idle on a step this long (1 business day)
    nudge_max: int = 2  # reminders before the CSM is alerted instead
    company_young_days: int = 90  # a company opened less than this many days ago is flagged
    # Tests only: a file holding the current instant, shared by several processes.
    clock_file: Path | None = None

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def whatsapp_templates(self) -> dict[str, str]:
        raw = json.loads(self.whatsapp_templates_json or "{}")
        return {str(kind): str(sid) for kind, sid in raw.items()}

    @field_validator("whatsapp_templates_json")
    @classmethod
    def _templates_are_json(cls, value: str) -> str:
        parsed = json.loads(value or "{}")
        if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
            raise ValueError('must be a JSON object {"kind": "template id"}')
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def refuse_placeholder_secrets(self) -> None:
        """Outside development a secret left at a placeholder value is a mistake: stop early."""
        if self.environment != "production":
            return
        if self.clock_file is not None:
            raise ValueError("ONBOARD_CLOCK_FILE is for tests; unset it in production")
        for name in (
            "twilio_auth_token",
            "telegram_secret_token",
            "whatsapp_app_secret",
            "erp_hmac_secret",
        ):
            secret = getattr(self, name)
            if secret is not None and secret.get_secret_value() in {"", "changeme", "change-me"}:
                raise ValueError(f"ONBOARD_{name.upper()} is a placeholder; set a real secret")

    # Manager alerts (bot/alerts; see .env.example). Destinations: Telegram chats (needs
    # ONBOARD_TELEGRAM_BOT_TOKEN), e-mail addresses (needs ONBOARD_SMTP_HOST), a webhook.
    alert_telegram_chat_ids: str = ""  # comma-separated chat ids
    alert_emails: str = ""  # comma-separated addresses
    alert_webhook_url: str | None = None  # Slack-compatible incoming webhook
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "acolhe@localhost"
    smtp_starttls: bool = True
    escalation_alert_minutes: int = 30  # business minutes an escalation may wait untaken
    erp_alert_attempts: int = 3  # an ERP push still failing after this many attempts alerts
    digest_time: str = "08:30"  # local time of the daily digest, business days ("": off)
    digest_idle_days: int = 3  # no message nor stage change for this long: stalled
    alert_max_attempts: int = 8
    alert_retry_base_s: float = 30.0
    alert_sweep_interval_s: float = 60.0

    def alert_telegram_chats(self) -> list[int]:
        return [int(x) for x in self.alert_telegram_chat_ids.split(",") if x.strip()]

    def alert_email_addresses(self) -> list[str]:
        return [x.strip() for x in self.alert_emails.split(",") if x.strip()]

    @field_validator("digest_time")
    @classmethod
    def _digest_time_is_hh_mm(cls, value: str) -> str:
        from datetime import time  # kept local: this block is appended to a shared module

        if value:
            time.fromisoformat(value)
        return value

    @field_validator("alert_telegram_chat_ids")
    @classmethod
    def _chat_ids_are_integers(cls, value: str) -> str:
        for item in value.split(","):
            if item.strip() and not item.strip().lstrip("-").isdigit():
                raise ValueError(f"not a Telegram chat id: {item.strip()!r}")
        return value

    # The client's status page (issue #17; backoffice/client_page). Links expire after this
    # many days; asking the bot again sends a new one.
    status_link_days: int = 30
    # Signs the page's forms (CSRF: an HMAC of the link id). Required in production, and the
    # same in every serve process; unset elsewhere, a key derived from the database URL is used.
    status_page_secret: SecretStr | None = None
    # The Telegram bot's username (without @): the page's "back to the chat" link t.me/<name>.
    telegram_bot_username: str | None = None
