"""Words the inbox and the conversation page show for codes: escalation reasons, channels,
authors, delivery statuses. English message ids, translated by the console's catalogue (the
templates pass them through ``_()``)."""

from __future__ import annotations

__all__ = [
    "LABELS",
    "OTHER_REASON",
    "author_label",
    "channel_label",
    "delivery_note",
    "reason_label",
    "sla_label",
    "status_label",
]

_REASONS = {
    "request_human": "Asked for a person",
    "complaint": "Complaint",
    "document_mismatch": "Document does not match",
    "document_unreadable": "Unreadable document",
    "training_no_slots": "No training session free",
    "client_idle": "Client went quiet",
    "misunderstood": "The bot did not understand",
    "repeated_invalid": "The bot could not take the client's answers",
}
# A reason this list does not know yet (a newer bot's): said plainly, never as its code.
OTHER_REASON = "Another reason"
_CHANNELS = {
    "twilio_whatsapp": "WhatsApp",
    "whatsapp_cloud": "WhatsApp",
    "telegram": "Telegram",
    "web": "Web chat",
    "terminal": "Terminal",
}
_AUTHORS = {"client": "Client", "bot": "Bot", "staff": "Staff", "system": "System"}
_STATUSES = {
    "received": "Received",
    "queued": "Queued",
    "accepted": "Queued",
    "sending": "Sending",
    "sent": "Sent",
    "delivered": "Delivered",
    "read": "Read",
    "failed": "Failed",
    "undelivered": "Not delivered",
    "held": "Held",
    "dead": "Not delivered",
    "suppressed": "Not sent",
}


_SLA = {"on_track": "On track", "at_risk": "At risk", "breached": "Breached"}


def reason_label(code: str | None) -> str:
    if not code:
        return "—"
    if code.startswith("flow:"):
        return "A step of the flow needs a person"
    return _REASONS.get(code, OTHER_REASON)


def channel_label(code: str) -> str:
    return _CHANNELS.get(code, code)


def author_label(code: str | None) -> str:
    return _AUTHORS.get(code or "", code or "—")


def status_label(code: str) -> str:
    return _STATUSES.get(code, code)


def sla_label(state: str | None) -> str:
    return _SLA.get(state or "", "No SLA")


# What the delivery worker writes in ``outbox.last_error`` when it holds a row
# (bot.workers.outbox), said for a person.
_NOTES = (
    (
        "outside WhatsApp's 24-hour window",
        "Outside WhatsApp's 24-hour window, with no template "
        "configured for it: it can go once the client writes again.",
    ),
    (
        "may have been sent",
        "It may have been sent: check the provider's log before trying "
        "again (the retry asks the provider first).",
    ),
)


def delivery_note(error: str | None) -> str | None:
    """A known reason for a held or dead message, as a message id; None: show it as written."""
    for start, note in _NOTES:
        if error and error.startswith(start):
            return note
    return None


# For templates: ``**LABELS`` in the context, then ``_(reason_label(code))``.
LABELS = {
    "author_label": author_label,
    "channel_label": channel_label,
    "delivery_note": delivery_note,
    "reason_label": reason_label,
    "sla_label": sla_label,
    "status_label": status_label,
}
