"""Stories of the conversation corpus (``tests/stories``) replayed over a real channel.

Each client turn is the provider's webhook posted to a server on loopback: a signed Twilio form
or a Telegram ``Update`` with the secret header. The bot's replies are read back from the fake
provider, as the real client library sent them (Twilio's ``Body``, Telegram's ``text`` parsed as
the Bot API shows ``parse_mode=HTML``, and its inline keyboard: ``story_clients``), and the
story's expectations are checked against them with the corpus's own checks
(``tests.stories.checks``):

- ``bot``, ``not``, ``choices``, ``silent``: what the client saw. Twilio has no buttons: a choice
  shows as a numbered list ``N) Title``, and a tap is sent as the option's number. Telegram shows
  buttons; a tap is a ``callback_query`` carrying the choice id.
- ``effects``, ``no_effects``: what the service recorded in the turn's transaction, read back as
  effects (``story_records.recorded_effects``): the audit trail, the stage history.
- ``expect``: the dialogue state stored with the conversation, the onboarding's stage, the
  conversation's opt-out and its open escalations.

Every reply the engine stored must also reach the client; one that the outbox held, dropped or
could not deliver fails the turn.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import NoReturn

from sqlalchemy import func, select

from bot.bootstrap import Runtime
from bot.dialogue.state import DialogueState
from bot.domain.onboarding import Stage
from bot.storage.models import (
    AuditEvent,
    Conversation,
    Escalation,
    Message,
    Onboarding,
    OutboxItem,
    StageChange,
)
from tests.e2e.story_clients import ChannelClient, Seen
from tests.e2e.story_records import Marks, Recorded, recorded_effects
from tests.stories.checks import check_expect, check_turn
from tests.stories.matching import effect_label
from tests.stories.story_format import Expect, Given, Prefix, Story, TurnSpec

__all__ = [
    "ChannelStoryRun",
    "StoryOverChannelFailed",
    "cannot_run_over_a_channel",
]


class StoryOverChannelFailed(AssertionError):
    """A story's expectation did not hold over the channel; the message is the transcript."""


# ------------------------------------------------------------------------------ what runs
def cannot_run_over_a_channel(story: Story, prefixes: Mapping[str, Prefix]) -> str | None:
    """Why ``story`` needs something only the in-memory world of the corpus has, or ``None``."""
    if story.given != Given():
        given = story.given.model_dump(mode="json", exclude_defaults=True)
        return f"it is given {given}: the server runs with the defaults (its clock, BrasilAPI)"
    expects = [story.expect] + [turn.expect for _, turn in _turns(story, prefixes)]
    for expect in filter(None, expects):
        if expect.booked is not None or expect.documents:
            return "it expects training bookings or documents, which the channel run does not read"
    for where, turn in _turns(story, prefixes):
        at = f"{'prefix ' + where if where else 'the story'}: {turn.label()}"
        if turn.greet or turn.resume or turn.world is not None or turn.document is not None:
            return f"{at} has no provider webhook (greet, resume, world or a document reading)"
        if turn.media is not None and turn.media.kind == "file":
            return f"{at} is a file, which the server would read (a document)"
    return None


def _turns(story: Story, prefixes: Mapping[str, Prefix]) -> Iterator[tuple[str, TurnSpec]]:
    def prefix(name: str | None) -> Iterator[tuple[str, TurnSpec]]:
        if name is None:
            return
        yield from prefix(prefixes[name].after)
        for turn in prefixes[name].turns:
            yield name, turn

    yield from prefix(story.after)
    for turn in story.turns:
        yield "", turn


# ------------------------------------------------------------------------------ the run
@dataclass
class _Exchange:
    number: int
    prefix: str
    did: str
    seen: list[Seen]
    effects: list[object]
    undelivered: list[str]


@dataclass
class ChannelStoryRun:
    """Replays ``story`` (its prefixes first) as ``client``; ``run`` raises
    ``StoryOverChannelFailed`` with the transcript as the client saw it."""

    story: Story
    prefixes: Mapping[str, Prefix]
    client: ChannelClient
    runtime: Runtime
    exchanges: list[_Exchange] = field(default_factory=list)
    seen_effects: list[object] = field(default_factory=list)
    last_offer: Seen | None = None
    conversation_id: int | None = None

    def run(self) -> None:
        __tracebackhide__ = True
        for number, (prefix, spec) in enumerate(_turns(self.story, self.prefixes), 1):
            self._play(number, prefix, spec)
        if self.story.expect is not None:
            failures = self._expected(self.story.expect)
            if failures:
                self._fail(failures, "after the last turn (the story's expect)")

    # ------------------------------------------------------------------ one turn
    def _play(self, number: int, prefix: str, spec: TurnSpec) -> None:
        __tracebackhide__ = True
        where = f"turn {number} ({spec.label()})"
        before = self._marks()
        try:
            did = self._act(spec)
        except (AssertionError, LookupError) as exc:
            self.exchanges.append(_Exchange(number, prefix, spec.label(), [], [], []))
            self._fail([str(exc)], where)
        undelivered = self._settle(before)
        seen = self.client.received()[before.seen :]
        effects = recorded_effects(self.runtime, self._conversation(), before)
        self.seen_effects += effects
        self.exchanges.append(_Exchange(number, prefix, did, seen, effects, undelivered))
        offers = [s for s in seen if s.choices]
        if offers:
            self.last_offer = offers[-1]
        failures = [f"a reply the bot stored never reached the client: {u}" for u in undelivered]
        failures += check_turn(spec, [s.as_reply() for s in seen], effects)
        if spec.expect is not None:
            failures += self._expected(spec.expect)
        if failures:
            self._fail(failures, where)

    def _act(self, spec: TurnSpec) -> str:
        """Sends the turn as the client would; how the client did it, for the transcript."""
        client = self.client
        if spec.tap is not None:
            offer, index = self._offered(spec.tap)
            sent = client.tap(offer, index)
            return (
                f"[taps {offer.choices[index].title!r}: sends {sent!r}]  (story: tap {spec.tap!r})"
            )
        if spec.media is not None:
            client.send_media(spec.media, spec.user or "")
            return spec.label()
        if spec.unsupported is not None:
            client.send_unsupported(spec.unsupported)
            return spec.label()
        assert spec.user is not None, f"no webhook for the turn {spec.label()}"
        client.say(spec.user)
        return spec.user

    def _offered(self, tap: str) -> tuple[Seen, int]:
        """The last offer the client saw, and the index of the tapped choice in it: ``#N`` is
        the Nth; a choice id is found in the offer the bot stored (Twilio's numbered list shows
        no ids), whose titles must be the ones the client saw."""
        offer = self.last_offer
        if offer is None:
            raise LookupError(f"tap {tap!r}, but the client was offered no choices")
        if tap.startswith("#") and tap[1:].isdigit():
            index = int(tap[1:]) - 1
            if not 0 <= index < len(offer.choices):
                raise LookupError(f"tap {tap!r}, but the last offer had {len(offer.choices)}")
            return offer, index
        stored = self._stored_offer()
        titles = [title for _, title in stored]
        if titles != [choice.title for choice in offer.choices]:
            raise LookupError(f"the client saw {offer.choices}, the bot stored the offer {stored}")
        ids = [choice_id for choice_id, _ in stored]
        if tap not in ids:
            raise LookupError(f"tap {tap!r}: the last offer had {ids}")
        return offer, ids.index(tap)

    def _stored_offer(self) -> list[tuple[str, str]]:
        with self.runtime.sessions() as session:
            payloads = session.scalars(
                select(Message.payload)
                .where(Message.conversation_id == self._conversation(), Message.direction == "out")
                .order_by(Message.id.desc())
            )
            for payload in payloads:
                if payload.get("choices"):
                    return [(str(i), str(t)) for i, t in payload["choices"]]
        return []

    # ------------------------------------------------------------------ the server's side
    def _conversation(self) -> int:
        if self.conversation_id is None:
            with self.runtime.sessions() as session:
                self.conversation_id = session.scalar(
                    select(Conversation.id).where(
                        Conversation.channel == self.client.channel.value,
                        Conversation.address == self.client.address,
                    )
                )
        if self.conversation_id is None:
            raise LookupError(f"no conversation stored for {self.client.address}")
        return self.conversation_id

    def _marks(self) -> Marks:
        seen = len(self.client.received())
        with self.runtime.sessions() as session:
            return Marks(
                seen=seen,
                audit=session.scalar(select(func.max(AuditEvent.id))) or 0,
                stage=session.scalar(select(func.max(StageChange.id))) or 0,
                outbox=session.scalar(select(func.max(OutboxItem.id))) or 0,
            )

    def _settle(self, before: Marks, *, timeout_s: float = 20.0) -> list[str]:
        """Waits until the turn's replies left the outbox; those that did not reach the client
        (held, suppressed, dead, or still pending after ``timeout_s``), with the reason."""
        query = (
            select(OutboxItem.status, OutboxItem.last_error, Message.text)
            .join(Message, Message.id == OutboxItem.message_id)
            .where(
                OutboxItem.conversation_id == self._conversation(),
                OutboxItem.id > before.outbox,
            )
        )
        deadline = time.monotonic() + timeout_s
        while True:
            with self.runtime.sessions() as session:
                rows = [(status, error, text) for status, error, text in session.execute(query)]
            if all(status != "pending" for status, _, _ in rows):
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        return [
            f"{status}: {error or 'no reason given'} ({text[:60]!r})"
            for status, error, text in rows
            if status != "sent"
        ]

    def _state(self) -> DialogueState:
        with self.runtime.sessions() as session:
            stored = session.scalar(
                select(Conversation.state).where(Conversation.id == self._conversation())
            )
        return DialogueState.model_validate(stored or {})

    def _expected(self, expect: Expect) -> list[str]:
        """The corpus's ``check_expect`` on the stored state and record (a ``World`` in shape)."""
        record = self._record()
        return check_expect(expect, self._state(), record, self.seen_effects)  # type: ignore[arg-type]

    def _record(self) -> Recorded:
        with self.runtime.sessions() as session:
            conversation = session.get_one(Conversation, self._conversation())
            onboarding = session.get(Onboarding, conversation.onboarding_id)
            open_requests = session.scalar(
                select(func.count(Escalation.id)).where(
                    Escalation.conversation_id == conversation.id,
                    Escalation.status.in_(("open", "taken")),
                )
            )
            return Recorded(
                stage=Stage(onboarding.stage) if onboarding is not None else Stage.CADASTRO,
                opted_out=conversation.opted_out,
                human=bool(open_requests),
            )

    # ------------------------------------------------------------------ reporting
    def transcript(self) -> str:
        channel = self.client.channel.value
        lines = [
            f"story '{self.story.name}' ({self.story.file}.yml) over {channel}, "
            f"client {self.client.address}, as the client saw it"
        ]
        prefix = ""
        for exchange in self.exchanges:
            if exchange.prefix != prefix:
                prefix = exchange.prefix
                lines.append(f"  --- {'prefix ' + prefix if prefix else 'the story'} ---")
            lines.append(f"{exchange.number:>3}. client: {exchange.did}")
            for seen in exchange.seen:
                lines += _indented("bot:    ", self.client.render(seen))
            if not exchange.seen:
                lines.append("     bot:    (nothing arrived)")
            lines += [f"     NOT DELIVERED: {u}" for u in exchange.undelivered]
            if exchange.effects:
                labels = ", ".join(effect_label(e) for e in exchange.effects)
                lines.append(f"     recorded: {labels}")
        return "\n".join(lines)

    def _describe(self) -> str:
        try:
            state, record = self._state(), self._record()
        except LookupError:
            return "state: no conversation stored"
        frame = state.frame
        where = "(no frame)"
        if frame is not None:
            namespace = f"{frame.namespace}." if frame.namespace else ""
            where = f"{frame.flow_id}/{namespace}{frame.step_id}"
        pending = state.pending.kind if state.pending is not None else None
        return (
            f"state: at {where}, pending {pending}, "
            f"language {state.language}, started {state.started}, finished {state.finished}\n"
            f"slots: {dict(state.slots)}\n"
            f"stored: stage {record.stage.value}, opted_out {record.opted_out}, "
            f"open request for a person {record.human}"
        )

    def _fail(self, failures: list[str], where: str) -> NoReturn:
        __tracebackhide__ = True
        listed = "\n".join(f"  - {failure}" for failure in failures)
        raise StoryOverChannelFailed(
            f"\n{self.transcript()}\n\nFAILED at {where}:\n{listed}\n{self._describe()}"
        )


def _indented(head: str, body: str) -> list[str]:
    pad = " " * (5 + len(head))
    out: list[str] = []
    for number, line in enumerate(body.splitlines() or [""]):
        for part_number, part in enumerate(textwrap.wrap(line, width=100) or [""]):
            first = number == 0 and part_number == 0
            out.append(("     " + head if first else pad) + part)
    return out
