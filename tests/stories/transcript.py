"""The exchange so far, written as a person reads it on WhatsApp, for failure messages."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from bot.domain.messages import OutboundMessage

from .matching import effect_label

__all__ = ["Exchange", "Transcript"]


@dataclass(frozen=True, slots=True)
class Exchange:
    number: int
    said: str  # the client's turn as labelled by the story
    replies: tuple[OutboundMessage, ...]
    effects: tuple[object, ...]
    prefix: str = ""  # the prefix the turn was replayed from


@dataclass
class Transcript:
    title: str
    exchanges: list[Exchange] = field(default_factory=list)

    def add(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    def render(self) -> str:
        lines = [self.title]
        prefix = ""
        for exchange in self.exchanges:
            if exchange.prefix != prefix:
                prefix = exchange.prefix
                lines.append(f"  --- {'prefix ' + prefix if prefix else 'the story'} ---")
            lines += _exchange_lines(exchange)
        return "\n".join(lines)


def _exchange_lines(exchange: Exchange) -> list[str]:
    lines = [f"{exchange.number:>3}. client: {exchange.said}"]
    for reply in exchange.replies:
        lines += _indented("bot:    ", _as_whatsapp(reply))
    if not exchange.replies:
        lines.append("     bot:    (no reply)")
    if exchange.effects:
        lines.append("     effects: " + ", ".join(effect_label(e) for e in exchange.effects))
    return lines


def _as_whatsapp(reply: OutboundMessage) -> str:
    """Choices as the numbered list WhatsApp shows (``1) Concordo``), with their ids."""
    body = reply.text
    if reply.choices:
        options = "\n".join(
            f"{number}) {choice.title}   [id {choice.id}]"
            for number, choice in enumerate(reply.choices, 1)
        )
        body = f"{body}\n{options}" if body else options
    if reply.attachments:
        body += "\n[attached: " + ", ".join(reply.attachments) + "]"
    return body


def _indented(head: str, body: str) -> list[str]:
    pad = " " * (5 + len(head))
    out: list[str] = []
    for number, line in enumerate(body.splitlines() or [""]):
        wrapped = textwrap.wrap(line, width=100) or [""]
        for part_number, part in enumerate(wrapped):
            first = number == 0 and part_number == 0
            out.append(("     " + head if first else pad) + part)
    return out
