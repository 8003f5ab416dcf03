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
    identity_image_retention_days: int = 30  # CNH/RG photos are deleted this long after confirmation
    ocr_workers: int = 1  # OCR processes (each uses one core while reading)
    ocr_timeout_s: float = 60.0

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

    flows_dir: Path | None = None  # None: the flows shipped in the ``flows`` package
    max_message_chars: int = 4000
    invalid_answers_before_human: int = 3

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
        for name in (
            "twilio_auth_token", "telegram_secret_token", "whatsapp_app_secret", "erp_hmac_secret"
        ):
            secret = getattr(self, name)
            if secret is not None and secret.get_secret_value() in {"", "changeme", "change-me"}:
                raise ValueError(f"ONBOARD_{name.upper()} is a placeholder; set a real secret")
