"""Manager alerts: conditions, the exactly-once ledger, the daily digest and the destinations.

Public names (the rest is private):

- ``AlertRules``, ``Condition``, ``current_conditions(session, rules=, now=)`` and the kinds
  (``SWEPT_KINDS``, ``SLA_AT_RISK``, ``SLA_BREACHED``, ``ESCALATION_UNANSWERED``, ``RED_FLAG``,
  ``ERP_PUSH_FAILING``, ``DAILY_DIGEST``).
- ``raise_alert(session, kind=, subject_key=, period_key=, title=, now=, ...)``: insert-if-absent,
  for any caller; ``open_alerts``, ``resolve_missing``, ``dispatch``; ``raise_digest``,
  ``digest_day``.
- ``AlertDestination`` (port), ``AlertMessage``, ``AlertDeliveryError``; adapters
  ``TelegramAlertDestination``, ``EmailAlertDestination`` (+ ``SmtpConfig``),
  ``WebhookAlertDestination`` (+ ``slack_body``).

The worker that drives them is ``bot.workers.alerts.AlertWorker``.
"""

from bot.alerts.conditions import (
    ERP_PUSH_FAILING,
    ESCALATION_UNANSWERED,
    RED_FLAG,
    SLA_AT_RISK,
    SLA_BREACHED,
    SWEPT_KINDS,
    AlertRules,
    Condition,
    current_conditions,
)
from bot.alerts.destinations import (
    AlertDeliveryError,
    AlertDestination,
    AlertMessage,
    TelegramAlertDestination,
    WebhookAlertDestination,
    slack_body,
)
from bot.alerts.digest import DAILY_DIGEST, digest_day, raise_digest, stalled_onboardings
from bot.alerts.email import EmailAlertDestination, SmtpConfig
from bot.alerts.ledger import (
    dispatch,
    open_alerts,
    raise_alert,
    raise_condition,
    resolve_missing,
)

__all__ = [
    "DAILY_DIGEST",
    "ERP_PUSH_FAILING",
    "ESCALATION_UNANSWERED",
    "RED_FLAG",
    "SLA_AT_RISK",
    "SLA_BREACHED",
    "SWEPT_KINDS",
    "AlertDeliveryError",
    "AlertDestination",
    "AlertMessage",
    "AlertRules",
    "Condition",
    "EmailAlertDestination",
    "SmtpConfig",
    "TelegramAlertDestination",
    "WebhookAlertDestination",
    "current_conditions",
    "digest_day",
    "dispatch",
    "raise_alert",
    "raise_condition",
    "raise_digest",
    "open_alerts",
    "resolve_missing",
    "slack_body",
    "stalled_onboardings",
    "conditions",
    "destinations",
    "digest",
    "email",
    "ledger",
]
