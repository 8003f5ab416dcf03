"""A stage moved by staff is told to the client, as the bot tells a stage change in the flow:
the stage in plain words, what the company does now, and a fresh link to the status page.

One message per forward move (a later stage of the segment's pipeline than the one left);
none for a move back, a cancellation or a move within an unknown pipeline. Never to an
opted-out contact, an erased client or one who asked for erasure, nor to an address already
erased. The message is a ``notice`` stored with its outbox row in the move's transaction, so it
leaves through the same outbox as a CSM's reply: WhatsApp's 24-hour window applies there (the
``notice`` template outside it, or ``held`` for a person when none is configured), and the
opt-out is checked again at delivery. Language is the conversation's (pt-BR or English).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backoffice.settings import BackofficeSettings
from bot.domain.messages import Channel, OutboundMessage
from bot.domain.onboarding import COMPANY_ACTIVITY, STAGE_LABELS, Stage
from bot.service.message_store import store_outbound
from bot.service.status_links import StatusLinkPolicy, issue, link_url
from bot.storage.models import Client, Conversation, ErasureRequest, Message, Onboarding

__all__ = ["NOTICE_KIND", "is_forward", "link_policy", "stage_notice_text", "tell_stage_move"]

NOTICE_KIND = "notice"  # business-initiated: templated outside WhatsApp's window
# A message nobody answered for the web chat's page: it waits for the page's next poll.
UNREAD_ON_PAGE = "queued"
OPEN_ERASURE = ("requested", "notifying")

_MOVED = {
    "pt": "Sua implantação avançou para a etapa *{stage}*: {activity}.",
    "en": "Your onboarding moved on to the *{stage}* stage: {activity}.",
}
_DONE = {
    "pt": "Sua implantação foi concluída! Boas-vindas.",
    "en": "Your onboarding is complete! Welcome aboard.",
}
_LINK = {"pt": "Acompanhe sua implantação: {url}", "en": "Follow your onboarding: {url}"}


def link_policy(settings: BackofficeSettings) -> StatusLinkPolicy:
    """Where the notice's link points and how long it lives (the bot's own links' settings)."""
    return StatusLinkPolicy(public_url=settings.public_url, days=settings.status_link_days)


def is_forward(order: Sequence[str], from_stage: str | None, *, to_stage: str) -> bool:
    """A move to a later stage of ``order``; a cancellation is never a step forward."""
    if to_stage == Stage.CANCELADO.value or from_stage not in order or to_stage not in order:
        return False
    return order.index(to_stage) > order.index(from_stage)


def stage_notice_text(stage: str, *, language: str, url: str) -> str:
    """The notice: the stage in plain words and what happens now, then the page's link."""
    lang = "en" if language == "en" else "pt"
    if stage == Stage.CONCLUIDO.value:
        head = _DONE[lang]
    else:
        known = Stage(stage)
        head = _MOVED[lang].format(
            stage=STAGE_LABELS[known][lang], activity=COMPANY_ACTIVITY[known][lang]
        )
    return f"{head}\n\n{_LINK[lang].format(url=url)}"


def _contact(session: Session, onboarding: Onboarding) -> Conversation | None:
    """The conversation to tell: the onboarding's latest, if it may be written to."""
    conversation = session.scalar(
        select(Conversation)
        .where(
            Conversation.onboarding_id == onboarding.id,
            Conversation.client_id == onboarding.client_id,
        )
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(1)
    )
    if conversation is None or conversation.opted_out:
        return None
    if conversation.address.startswith("erased:"):
        return None
    return conversation


def _may_tell(session: Session, client_id: int) -> bool:
    client = session.get(Client, client_id)
    if client is None or client.erased_at is not None:
        return False
    asked = session.scalar(
        select(ErasureRequest.id)
        .where(ErasureRequest.client_id == client_id, ErasureRequest.status.in_(OPEN_ERASURE))
        .limit(1)
    )
    return asked is None


def tell_stage_move(
    session: Session,
    onboarding: Onboarding,
    *,
    from_stage: str | None,
    to_stage: str,
    order: Sequence[str],
    links: StatusLinkPolicy,
    now: datetime,
) -> int | None:
    """Queues the notice of a staff move; returns its message id, or None when none is due."""
    if not is_forward(order, from_stage, to_stage=to_stage) or not _may_tell(
        session, onboarding.client_id
    ):
        return None
    conversation = _contact(session, onboarding)
    if conversation is None:
        return None
    issued = issue(
        session, onboarding.id, conversation_id=conversation.id, now=now, days=links.days
    )
    text = stage_notice_text(
        to_stage, language=conversation.language, url=link_url(links.public_url, issued.token)
    )
    stored = store_outbound(
        session,
        conversation,
        reply=OutboundMessage(text=text, kind=NOTICE_KIND),
        author="system",
        now=now,
    )
    if conversation.channel == Channel.WEB.value:
        session.execute(
            update(Message).where(Message.id == stored.message_id).values(status=UNREAD_ON_PAGE)
        )
    return stored.message_id
