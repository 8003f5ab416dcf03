"""The link to the client's status page, offered where it helps: with the status answer, at a
stage change the flow makes, at the end of the registration and with a training confirmation.

A handler only marks the reply the link belongs with (``want_status_link``); the engine adds
it once when the turn ends (``offer_status_link``), so a turn that both changes the stage and
ends the flow sends one link. The port issues a new token each time (asking again renews the
link). Never to an opted-out contact or while an erasure is requested; the port itself says
no for an erased client or a conversation without an onboarding.
"""

from __future__ import annotations

from dataclasses import replace

from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.domain.messages import OutboundMessage

__all__ = ["offer_status_link", "want_status_link"]


def want_status_link(turn: Turn, *, at: int | None = None) -> None:
    """The link goes with reply ``at`` (default: the next reply the turn says)."""
    index = len(turn.replies) if at is None else at
    if turn.status_link_at is None or index < turn.status_link_at:
        turn.status_link_at = index


def offer_status_link(turn: Turn) -> None:
    """Adds the link to the reply it was wanted with, if the turn wants one and may have it."""
    at = turn.status_link_at
    turn.status_link_at = None
    context = turn.context
    if at is None or context.status_links is None or not turn.replies:
        return
    if context.opted_out or turn.state.erasure_requested:
        return
    url = context.status_links.offer()
    if not url:
        return
    line = text("status_link", turn.language, params={"url": url})
    at = min(at, len(turn.replies) - 1)
    reply = turn.replies[at]
    if reply.choices:  # a line under buttons would read as one of them: its own message
        turn.replies.insert(at + 1, OutboundMessage(text=line))
        return
    turn.replies[at] = replace(reply, text=f"{reply.text}\n\n{line}" if reply.text else line)
