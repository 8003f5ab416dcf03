"""Runs a story against the dialogue engine alone: no database, no channel, the real NLU.

Each turn becomes the ``InboundMessage`` a channel adapter would produce (a tapped button
carries its title as text, a file is a ``MediaRef``, a reading is ``InboundMessage.document``),
is parsed by the NLU at the story's clock, goes through ``DialogueEngine.handle`` (or ``greet``/
``resume``), and its effects change the world as the service would. A failed expectation raises
``StoryFailed`` with the transcript so far.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import NoReturn

from bot.dialogue.engine import DialogueEngine, EngineSettings
from bot.dialogue.state import DialogueState
from bot.domain.documents import DocumentReading, Mismatch
from bot.domain.messages import Channel, InboundMessage, MediaRef, OutboundMessage
from flows import Flow
from nlu.types import Interpreter

from .checks import check_expect, check_turn, describe_state
from .story_format import DocumentSpec, Prefix, Story, TurnSpec, load_prefixes, load_stories
from .transcript import Exchange, Transcript
from .world import StoryError, World

__all__ = ["Kit", "StoryFailed", "load_prefixes", "load_stories", "run_story"]

CLIENT_ADDRESS = "+5511987650000"


@dataclass(frozen=True)
class _Replayed:
    """Where a prefix leaves a conversation (for one ``given``): replayed once per run."""

    state: DialogueState
    world: World
    seen: list[object]
    exchanges: list[Exchange]


@dataclass(frozen=True, slots=True)
class Kit:
    """What every story shares: the loaded flows, the NLU and the named prefixes; and the
    conversations the prefixes lead to, so that a prefix is replayed once per ``given``
    (the engine and the fakes are deterministic: a copy is the same as a replay)."""

    flows: Mapping[str, Flow]
    interpreter: Interpreter
    prefixes: Mapping[str, Prefix]
    replayed: dict[tuple[str, str], _Replayed] = field(default_factory=dict, compare=False)


class StoryFailed(AssertionError):
    """A story's expectation did not hold; the message is the transcript and what failed."""


def run_story(story: Story, kit: Kit) -> None:
    __tracebackhide__ = True  # the failure message is the transcript, not this code
    _StoryRun(story, kit).run()


class _StoryRun:
    def __init__(self, story: Story, kit: Kit) -> None:
        self.story = story
        self.kit = kit
        self.world = World(story.given)
        self.engine = self._engine()
        self.state = DialogueState()
        self.seen: list[object] = []
        given = story.given.model_dump(mode="json", exclude_defaults=True)
        self.transcript = Transcript(
            title=f"story '{story.name}' ({story.file}.yml); given {given or 'the defaults'}"
        )
        self._numbers = itertools.count(1)

    def _engine(self) -> DialogueEngine:
        return DialogueEngine(
            flows=self.kit.flows,
            settings=EngineSettings(),
            address_lookup=self.world.addresses,
            company_lookup=self.world.companies,
        )

    def run(self) -> None:
        __tracebackhide__ = True
        self._replay_prefix()
        for spec in self.story.turns:
            self._play(spec, prefix="")
        if self.story.expect is not None:
            failures = check_expect(self.story.expect, self.state, self.world, self.seen)
            if failures:
                self._fail(failures, "after the last turn (the story's expect)")

    def _replay_prefix(self) -> None:
        """The story's prefix, played (and checked) the first time, copied afterwards."""
        __tracebackhide__ = True
        name = self.story.after
        if name is None:
            return
        key = (name, self.story.given.model_dump_json())
        done = self.kit.replayed.get(key)
        if done is None:
            for prefix, spec in self._prefix_turns(name):
                self._play(spec, prefix=prefix)
            self.kit.replayed[key] = _Replayed(
                self.state.model_copy(deep=True),
                self.world.copy(),
                list(self.seen),  # effects and exchanges are immutable: shared
                list(self.transcript.exchanges),
            )
            return
        self.state = done.state.model_copy(deep=True)
        self.world = done.world.copy()
        self.seen = list(done.seen)
        self.engine = self._engine()
        for exchange in done.exchanges:
            self.transcript.add(exchange)
        self._numbers = itertools.count(len(done.exchanges) + 1)

    def _prefix_turns(self, name: str | None) -> Iterator[tuple[str, TurnSpec]]:
        if name is None:
            return
        prefix = self.kit.prefixes[name]
        yield from self._prefix_turns(prefix.after)
        for spec in prefix.turns:
            yield name, spec

    # ------------------------------------------------------------------ one turn
    def _play(self, spec: TurnSpec, *, prefix: str) -> None:
        __tracebackhide__ = True
        number = next(self._numbers)
        where = f"turn {number} ({spec.label()})"
        try:
            replies, effects = self._act(spec)
        except StoryError as exc:
            self._fail([str(exc)], where)
        except Exception as exc:
            self._record(number, spec, prefix, (), ())
            message = self._message([f"the engine raised {type(exc).__name__}: {exc}"], where)
            raise StoryFailed(message) from exc
        self._record(number, spec, prefix, replies, effects)
        failures = check_turn(spec, replies, effects)
        if spec.expect is not None:
            failures += check_expect(spec.expect, self.state, self.world, self.seen)
        if failures:
            self._fail(failures, where)

    def _act(self, spec: TurnSpec) -> tuple[tuple[OutboundMessage, ...], tuple[object, ...]]:
        """Runs one turn; the replies and effects of the engine's ``Turn``."""
        world = self.world
        if spec.world is not None:
            world.happen(spec.world)
            return (), ()
        if spec.greet:
            turn = self.engine.greet(self.state, world.context())
        elif spec.resume:
            turn = self.engine.resume(self.state, world.context())
        else:
            message = self._inbound(spec)
            world.inbound_received(message)
            nlu = self.kit.interpreter.parse(message.text, now=world.now)
            turn = self.engine.handle(self.state, message, nlu=nlu, context=world.context())
        world.apply(turn.effects, turn.replies)
        self.state = turn.state
        self.seen += turn.effects
        return tuple(turn.replies), tuple(turn.effects)

    def _inbound(self, spec: TurnSpec) -> InboundMessage:
        number = len(self.transcript.exchanges) + 1
        text, choice_id = spec.user or "", ""
        if spec.tap is not None:
            choice_id, text = self.world.tapped(spec.tap)
        media: tuple[MediaRef, ...] = ()
        if spec.media is not None:
            media = (
                MediaRef(
                    url=f"https://files.example/{number}",
                    content_type=spec.media.content_type,
                    provider_id=f"media-{number}",
                    filename=spec.media.filename,
                    kind=spec.media.kind,
                ),
            )
        return InboundMessage(
            channel=Channel.WHATSAPP_CLOUD,
            address=CLIENT_ADDRESS,
            text=text,
            external_id=f"wamid.story.{number}",
            received_at=self.world.now,
            media=media,
            profile_name="Maria",
            choice_id=choice_id,
            document=self._reading(spec.document) if spec.document is not None else None,
            unsupported=spec.unsupported or "",
        )

    def _reading(self, doc: DocumentSpec) -> DocumentReading:
        progress = self.world.progress
        document_id = doc.id or progress.oldest_unread() or progress.received()
        return DocumentReading(
            document_id=document_id,
            kind=doc.kind,
            fields=dict(doc.fields),
            uncertain=tuple(doc.uncertain),
            rejected_pt=doc.rejected,
            rejected_en=doc.rejected_en or doc.rejected,
            tip_pt=doc.tip,
            tip_en=doc.tip_en or doc.tip,
            mismatches=tuple(Mismatch(m.field, m.pt, m.en or m.pt) for m in doc.mismatches),
        )

    # ------------------------------------------------------------------ reporting
    def _record(
        self,
        number: int,
        spec: TurnSpec,
        prefix: str,
        replies: tuple[OutboundMessage, ...],
        effects: tuple[object, ...],
    ) -> None:
        self.transcript.add(Exchange(number, spec.label(), replies, effects, prefix))

    def _message(self, failures: list[str], where: str) -> str:
        listed = "\n".join(f"  - {failure}" for failure in failures)
        return (
            f"\n{self.transcript.render()}\n\nFAILED at {where}:\n{listed}\n"
            f"{describe_state(self.state, self.world)}"
        )

    def _fail(self, failures: list[str], where: str) -> NoReturn:
        __tracebackhide__ = True
        raise StoryFailed(self._message(failures, where))
