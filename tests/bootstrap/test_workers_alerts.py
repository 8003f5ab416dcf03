"""The composition root builds the alert worker from ``ONBOARD_*`` settings."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from pydantic import ValidationError

from bot.bootstrap import build_alert_destinations, build_alert_rules
from bot.config import Settings


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, environment="test", **values)  # type: ignore[call-arg]


def test_destinations_follow_the_settings() -> None:
    settings = _settings(
        telegram_bot_token="7000000001:AAHfakeToken",
        alert_telegram_chat_ids="-1001234567890, 55",
        alert_emails="gerente@acolhe.com.br,diretoria@acolhe.com.br",
        smtp_host="smtp.acolhe.com.br",
        alert_webhook_url="https://hooks.slack.com/services/T/B/X",
    )
    names = [d.name for d in build_alert_destinations(settings)]
    assert names == [
        "telegram:-1001234567890",
        "telegram:55",
        "email:gerente@acolhe.com.br",
        "email:diretoria@acolhe.com.br",
        "webhook:default",
    ]
    assert build_alert_destinations(_settings()) == []


def test_incomplete_destinations_are_refused() -> None:
    with pytest.raises(ValueError, match="TELEGRAM_BOT_TOKEN"):
        build_alert_destinations(_settings(alert_telegram_chat_ids="55"))
    with pytest.raises(ValueError, match="SMTP_HOST"):
        build_alert_destinations(_settings(alert_emails="a@b.com"))
    with pytest.raises(ValidationError):
        _settings(alert_telegram_chat_ids="@managers")
    with pytest.raises(ValidationError):
        _settings(digest_time="8h30")


def test_rules_follow_the_settings() -> None:
    rules = build_alert_rules(
        _settings(escalation_alert_minutes=15, digest_time="09:15", holiday_state="SP")
    )
    assert rules.escalation_minutes == 15 and rules.digest_time == time(9, 15)
    assert build_alert_rules(_settings(digest_time="")).digest_time is None
