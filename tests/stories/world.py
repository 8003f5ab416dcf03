"""Everything around the conversation that the service layer keeps: the clock, the stage, the
CSM, opt-out, the ports' fakes; it changes with the effects of each turn as the service's
``EffectRecorder`` would change the database, and with a story's world events."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.dialogue.context import ConversationContext, HumanRequest
from bot.dialogue.effects import DocumentConfirmed, Escalate, NpsAnswered, OptIn, OptOut, SetStage
from bot.domain.messages import InboundMessage, OutboundMessage
from bot.domain.onboarding import Stage

from .fakes import (
    TIMEZONE,
    FakeAddressLookup,
    FakeCompanyLookup,
    FakeProgress,
    FakeStatusLinks,
    FakeTrainingScheduler,
)
from .story_format import Given, WorldEvent

__all__ = ["StoryError", "World"]

_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


class StoryError(Exception):
    """A story asks for something the world cannot do (a tap on a choice nobody offered)."""


class World:
    def __init__(self, given: Given) -> None:
        self.now = given.now
        self.stage = given.stage
        self.csm = given.csm
        self.opted_out = given.opted_out
        self.addresses = FakeAddressLookup(answers=given.lookups.cep)
        self.companies = FakeCompanyLookup.from_lookups(given.lookups)
        self.training = (
            FakeTrainingScheduler(clock=self.clock, given=given.training)
            if given.training.available
            else None
        )
        self.progress = FakeProgress(
            clock=self.clock, first_answer_minutes=given.human_wait_minutes
        )
        if given.human_request is not None:
            self.progress.human = HumanRequest(
                reason=given.human_request.reason,
                opened_at=self.now,
                taken_by=given.human_request.taken_by,
            )
        self.nps_booking_id: int | None = None
        if given.nps_due:
            self._nps_due()
        self.last_choices: list[tuple[str, str]] = []  # (id, title) of the last offer
        self.status_links = FakeStatusLinks() if given.status_page else None

    def clock(self) -> datetime:
        return self.now

    def copy(self) -> World:
        """An independent copy (a replayed prefix's world, reused by the next story)."""
        twin = object.__new__(World)
        twin.__dict__.update(self.__dict__)
        twin.addresses = self.addresses.copy()
        twin.companies = self.companies.copy()
        twin.training = self.training.copy(twin.clock) if self.training is not None else None
        twin.progress = self.progress.copy(twin.clock)
        twin.last_choices = list(self.last_choices)
        return twin

    def context(self) -> ConversationContext:
        return ConversationContext(
            stage=self.stage,
            csm_name=self.csm,
            opted_out=self.opted_out,
            now=self.now,
            timezone=TIMEZONE,
            training=self.training,
            nps_booking_id=self.nps_booking_id,
            progress=self.progress,
            status_links=self.status_links,
        )

    # ------------------------------------------------------------------ a message arrives
    def inbound_received(self, message: InboundMessage) -> None:
        """What the service stores before the dialogue runs: files and readings."""
        for media in message.media:
            if media.readable:  # as the service: audio, video and stickers are not read
                self.progress.received()
        if message.document is not None:
            self.progress.read(
                message.document.document_id,
                kind=message.document.kind,
                rejected=message.document.rejected,
            )

    def apply(self, effects: Sequence[object], replies: Sequence[OutboundMessage]) -> None:
        """The turn's effects, as the service applies them in the turn's transaction."""
        for effect in effects:
            if isinstance(effect, SetStage):
                self.stage = Stage(effect.stage)
            elif isinstance(effect, OptOut):
                self.opted_out = True
            elif isinstance(effect, OptIn):
                self.opted_out = False
            elif isinstance(effect, Escalate):
                self.progress.escalated(effect.reason)
            elif isinstance(effect, DocumentConfirmed):
                self.progress.confirmed(effect.document_id, effect.kind)
            elif isinstance(effect, NpsAnswered) and effect.score is not None:
                self.nps_booking_id = None  # answered: the service no longer awaits it
        offers = [reply.choices for reply in replies if reply.choices]
        if offers:
            self.last_choices = [(choice.id, choice.title) for choice in offers[-1]]

    # ------------------------------------------------------------------ world events
    def happen(self, event: WorldEvent) -> None:
        if event.stage is not None:
            self.stage = event.stage
        if event.csm is not None:
            self.csm = event.csm
        if event.wait is not None:
            self.now += _duration(event.wait)
        if event.seat_taken is not None:
            self._fill_offered(event.seat_taken)
        if event.nps_due:
            self._nps_due()
        if event.human_taken_by is not None:
            if self.progress.human is None:
                raise StoryError("a person takes the request, but nobody asked for a person")
            self.progress.taken_by(event.human_taken_by)
        if event.human_resolved:
            self.progress.human = None

    def _fill_offered(self, number: int) -> None:
        if self.training is None:
            raise StoryError("seat_taken needs training sessions (given.training.available)")
        if not 1 <= number <= len(self.last_choices):
            raise StoryError(f"seat_taken: {number}, but the last offer was {self.last_choices}")
        choice_id = self.last_choices[number - 1][0]
        if not choice_id.startswith("slot:"):
            raise StoryError(f"seat_taken: choice {number} ({choice_id!r}) is not a session")
        self.training.fill(int(choice_id.removeprefix("slot:")))

    def _nps_due(self) -> None:
        current = self.training.current() if self.training is not None else None
        self.nps_booking_id = current.booking_id if current is not None else 1

    # ------------------------------------------------------------------ taps
    def tapped(self, tap: str) -> tuple[str, str]:
        """The (choice id, title) of a tap: ``"yes"`` names the id, ``"#2"`` the second button
        of the last offer. A channel puts the button's title in the message text."""
        offered_ids = [offered for offered, _ in self.last_choices]
        if tap.startswith("#") and tap[1:].isdigit():
            number = int(tap[1:])
            if not 1 <= number <= len(self.last_choices):
                raise StoryError(f"tap {tap!r}: the last offer had {offered_ids or 'no choices'}")
            return self.last_choices[number - 1]
        for offered, title in self.last_choices:
            if offered == tap:
                return offered, title
        raise StoryError(f"tap {tap!r}: the last offer had {offered_ids or 'no choices'}")


def _duration(text: str) -> timedelta:
    match = _DURATION.match(text)
    if match is None:
        raise StoryError(f"wait: {text!r} is not like '90m', '2h' or '3d'")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
