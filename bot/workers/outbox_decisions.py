"""What a claimed outbox row becomes before anything is sent: not sent at all (a person owns
the conversation, the client opted out of business messages, WhatsApp's 24-hour window is
closed and no template is configured, the channel is not configured), or a ``Send`` (with the
kind's approved template outside the window); and the providers' rate limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.channels import ChannelSender, Template
from bot.domain.messages import Channel
from bot.workers.outbox_outcomes import Outcome, settled
from bot.workers.outbox_rows import Claim

__all__ = [
    "BUSINESS_INITIATED",
    "SERVICE_WINDOW",
    "WHATSAPP_CHANNELS",
    "ChannelLimits",
    "RateLimit",
    "Send",
    "decide",
]

WHATSAPP_CHANNELS = frozenset({Channel.TWILIO_WHATSAPP.value, Channel.WHATSAPP_CLOUD.value})
BUSINESS_INITIATED = frozenset({"reminder", "alert", "nudge", "notice"})
SERVICE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class RateLimit:
    rate_per_s: float
    burst: int


@dataclass(frozen=True)
class ChannelLimits:
    """Provider limits: per sender for WhatsApp, overall and per chat for Telegram."""

    per_sender: dict[str, RateLimit]
    per_chat: dict[str, RateLimit]

    @classmethod
    def defaults(cls, *, whatsapp_per_s: float = 80.0) -> ChannelLimits:
        return cls(
            per_sender={
                Channel.TWILIO_WHATSAPP.value: RateLimit(whatsapp_per_s, int(whatsapp_per_s)),
                Channel.WHATSAPP_CLOUD.value: RateLimit(whatsapp_per_s, int(whatsapp_per_s)),
                Channel.TELEGRAM.value: RateLimit(30.0, 30),
            },
            per_chat={Channel.TELEGRAM.value: RateLimit(1.0, 3)},
        )


@dataclass(frozen=True)
class Send:
    claim: Claim
    sender: ChannelSender
    template: Template | None


def decide(
    claim: Claim,
    now: datetime,
    *,
    templates: Mapping[str, Template],
    senders: Mapping[str, ChannelSender],
) -> Send | Outcome:
    """Settles a claim that must not go (suppressed, held, no channel), or says how to send
    it (as the kind's template outside WhatsApp's 24-hour window)."""
    if claim.author == "bot" and claim.bot_paused:
        return settled(claim, "suppressed", note="a person owns the conversation")
    if claim.kind in BUSINESS_INITIATED and claim.opted_out:
        return settled(claim, "suppressed", note="client opted out")
    template: Template | None = None
    if claim.channel in WHATSAPP_CHANNELS and _outside_window(claim.last_inbound_at, now):
        configured = templates.get(claim.kind)
        if configured is None:
            return settled(
                claim,
                "held",
                note=f"outside WhatsApp's 24-hour window; no template for '{claim.kind}'",
            )
        template = Template(
            content_sid=configured.content_sid,
            variables={**configured.variables, "1": claim.text[:1000]},
            language=configured.language,
        )
    sender = senders.get(claim.channel)
    if sender is None:
        return settled(claim, "dead", note=f"channel {claim.channel} is not configured")
    return Send(claim=claim, sender=sender, template=template)


def _outside_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    return last_inbound_at is None or now - last_inbound_at > SERVICE_WINDOW
