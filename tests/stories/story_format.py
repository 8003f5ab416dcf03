"""The story format: typed models of ``stories/*.yml`` and ``prefixes.yml``, and their loading.

Every mapping refuses unknown keys, so a typo in a story (``effect:`` for ``effects:``) fails at
collection with the file and the story's name instead of silently checking nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from bot.domain.onboarding import Stage

from .matching import fold

__all__ = [
    "DEFAULT_NOW",
    "GAPS_FILE",
    "CompanySpec",
    "DocumentSpec",
    "Expect",
    "Given",
    "Lookups",
    "MediaSpec",
    "Prefix",
    "Story",
    "StoryFormatError",
    "TrainingGiven",
    "TurnSpec",
    "WorldEvent",
    "load_prefixes",
    "load_stories",
]

# A Monday, 10:00 in São Paulo: business hours, training sessions later this week.
DEFAULT_NOW = datetime.fromisoformat("2026-12-07T10:00:00-03:00")
GAPS_FILE = "known_gaps"


class StoryFormatError(ValueError):
    """A story or prefix file that does not follow the format (named with file and story)."""


def _as_text(value: object) -> object:
    """YAML reads ``1`` as a number and ``yes`` as a boolean; in a story both mean the text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    return value


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str | int | float | bool) else value


Text = Annotated[str, BeforeValidator(_as_text)]
Texts = Annotated[list[Text], BeforeValidator(_as_list)]
SlotValue = str | int | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# ------------------------------------------------------------------------------ given
class CompanySpec(_Strict):
    """What the Receita says of one CNPJ when the company look-up is on."""

    razao_social: str
    situacao: str = "ATIVA"
    opened_on: date | None = None


class Lookups(_Strict):
    """``cep``: the address look-up answers for the CEPs it knows (False: it never answers).
    ``company``: False (no service configured), True (the fakes' known CNPJs), "unavailable",
    or a mapping CNPJ → legal name (or a ``CompanySpec``)."""

    cep: bool = True
    company: bool | Literal["unavailable"] | dict[str, str | CompanySpec] = False


class TrainingGiven(_Strict):
    """The training sessions the scheduler offers (Tuesdays and Thursdays, see the fakes)."""

    available: bool = True  # False: no scheduler in the context (the chat cannot book)
    capacity: int = Field(default=3, ge=1)
    free: int | None = Field(default=None, ge=0)  # keep only the first N sessions (0: none)
    booked: int | None = Field(default=None, ge=1)  # the client already holds the Nth session


class HumanRequestGiven(_Strict):
    reason: str = "request_human"
    taken_by: str | None = None


class Given(_Strict):
    stage: Stage = Stage.CADASTRO
    now: datetime = DEFAULT_NOW
    csm: str | None = None
    opted_out: bool = False
    lookups: Lookups = Lookups()
    training: TrainingGiven = TrainingGiven()
    human_request: HumanRequestGiven | None = None
    nps_due: bool = False  # the NPS question of the client's booking went out
    human_wait_minutes: int = Field(default=30, ge=1)  # the first answer's SLA in business hours
    status_page: bool = False  # the service offers the status page's link (issue #17)

    @model_validator(mode="after")
    def _aware(self) -> Given:
        if self.now.tzinfo is None:
            raise ValueError("given.now needs a UTC offset, e.g. 2026-12-07T10:00:00-03:00")
        return self


# ------------------------------------------------------------------------------ turns
class MediaSpec(_Strict):
    content_type: str = "image/jpeg"
    kind: str = "file"  # file | audio | video | sticker
    filename: str = ""


class MismatchSpec(_Strict):
    field: str
    pt: str
    en: str = ""


class DocumentSpec(_Strict):
    """What the document reader says of a file (the ``InboundMessage.document`` event)."""

    kind: str = "other"
    id: int | None = None  # default: the oldest file received and not read yet
    fields: dict[str, Text] = Field(default_factory=dict)
    uncertain: list[str] = Field(default_factory=list)
    mismatches: list[MismatchSpec] = Field(default_factory=list)
    rejected: str = ""  # pt reason; the reading is a refusal when set
    rejected_en: str = ""
    tip: str = ""
    tip_en: str = ""


class WorldEvent(_Strict):
    """Something that happens outside the conversation between two messages."""

    stage: Stage | None = None  # the back-office moves the onboarding
    csm: str | None = None  # a CSM is assigned
    wait: str | None = None  # time passes: "90m", "2h", "3d"
    seat_taken: int | None = Field(default=None, ge=1)  # another client fills offered choice N
    nps_due: bool = False  # the NPS question of the current booking went out
    human_taken_by: str | None = None  # a staff member takes the open request
    human_resolved: bool = False  # the open request for a person is resolved


class Expect(_Strict):
    """The state after a turn (inside a turn) or after the story's last turn."""

    slots: dict[str, SlotValue] = Field(default_factory=dict)
    absent_slots: list[str] = Field(default_factory=list)
    language: Literal["pt", "en"] | None = None
    pending: str | None = None  # a pending kind; write ``pending: null`` to require none
    step: str | None = None  # the current frame's step id, or "namespace.step"
    started: bool | None = None
    finished: bool | None = None
    stage: Stage | None = None
    opted_out: bool | None = None
    effects: list[str] = Field(default_factory=list)  # seen at some turn so far
    no_effects: list[str] = Field(default_factory=list)  # seen at no turn so far
    human_request: bool | None = None  # an open request for a person
    booked: bool | None = None  # the client holds a training session
    documents: list[str] = Field(default_factory=list)  # "kind:status" known to the progress

    def requires_no_pending(self) -> bool:
        return "pending" in self.model_fields_set and self.pending is None


class TurnSpec(_Strict):
    """One thing that happens: a message, a tap, a file, a reading, the bot speaking first, or a
    world event; then what must hold."""

    user: Text | None = None
    tap: Text | None = None
    media: MediaSpec | None = None
    document: DocumentSpec | None = None
    unsupported: str | None = None
    greet: bool = False
    resume: bool = False
    world: WorldEvent | None = None
    bot: Texts = Field(default_factory=list)
    not_: Texts = Field(default_factory=list, alias="not")
    effects: list[str] = Field(default_factory=list)
    no_effects: list[str] = Field(default_factory=list)
    choices: list[Text] | None = None
    silent: bool = False  # the bot must not answer this turn
    expect: Expect | None = None

    @model_validator(mode="after")
    def _one_action(self) -> TurnSpec:
        actions = [
            name
            for name in ("tap", "document", "unsupported", "greet", "resume", "world")
            if getattr(self, name)
        ]
        if self.user is not None or self.media is not None:
            actions.append("message")
        if len(actions) != 1:
            raise ValueError(
                "a turn is one of: user (optionally with media), media, tap, document, "
                f"unsupported, greet, resume, world; got {actions or 'none'}"
            )
        if self.world is not None and (self.bot or self.not_ or self.effects or self.choices):
            raise ValueError("a world event gets no reply: check the next turn instead")
        return self

    def label(self) -> str:
        """How the turn shows in a transcript."""
        if self.tap is not None:
            return f"[taps {self.tap!r}]"
        if self.document is not None:
            doc = self.document
            what = f"rejected: {doc.rejected}" if doc.rejected else f"{doc.kind} {doc.fields}"
            return f"[document read: {what}]"
        if self.unsupported is not None:
            return f"[sends a {self.unsupported}]"
        if self.greet:
            return "[opens the chat: the bot speaks first]"
        if self.resume:
            return "[a person hands the conversation back: the bot resumes]"
        if self.world is not None:
            return f"[world: {self.world.model_dump(exclude_defaults=True)}]"
        parts = []
        if self.media is not None:
            parts.append(f"[file {self.media.kind} {self.media.content_type}]")
        if self.user is not None:
            parts.append(self.user)
        return " ".join(parts)


# ------------------------------------------------------------------------------ stories
class Prefix(_Strict):
    """Named turns replayed before a story (``after:``); their checks run too, so a prefix
    that goes astray says so instead of failing the story later for an unclear reason."""

    after: str | None = None
    turns: list[TurnSpec] = Field(min_length=1)


class Story(_Strict):
    name: str
    given: Given = Given()
    after: str | None = None
    turns: list[TurnSpec] = Field(min_length=1)
    expect: Expect | None = None
    gap: str | None = None  # only in known_gaps.yml: what is wrong today (the story is xfail)
    file: str = ""  # set by the loader: the file's stem

    @property
    def id(self) -> str:
        """The pytest id: the file's stem and the name as plain lower-case words."""
        return f"{self.file}:{_slug(self.name)}"


def _slug(name: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in fold(name)).split()
    return "-".join(words)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise StoryFormatError(f"{path}: not valid YAML: {exc}") from exc


def load_prefixes(path: Path) -> dict[str, Prefix]:
    raw = _read_yaml(path) or {}
    if not isinstance(raw, Mapping) or not isinstance(raw.get("prefixes"), Mapping):
        raise StoryFormatError(f"{path}: expected a mapping 'prefixes: {{name: {{turns: ...}}}}'")
    prefixes: dict[str, Prefix] = {}
    for name, body in raw["prefixes"].items():
        try:
            prefixes[str(name)] = Prefix.model_validate(body)
        except ValidationError as exc:
            raise StoryFormatError(f"{path}: prefix '{name}': {exc}") from exc
    for name, prefix in prefixes.items():
        _check_chain(path, name, prefix.after, prefixes)
    return prefixes


def _check_chain(path: Path, name: str, after: str | None, prefixes: Mapping[str, Prefix]) -> None:
    seen = {name}
    while after is not None:
        if after not in prefixes:
            raise StoryFormatError(f"{path}: '{name}' comes after unknown prefix '{after}'")
        if after in seen:
            raise StoryFormatError(f"{path}: prefixes loop through '{after}'")
        seen.add(after)
        after = prefixes[after].after


def load_stories(directory: Path, *, prefixes: Mapping[str, Prefix]) -> list[Story]:
    """Every story of ``directory/*.yml``; names are unique per file, ``after`` names a known
    prefix, and a story has a ``gap`` exactly when it sits in ``known_gaps.yml``."""
    stories: list[Story] = []
    for path in sorted(directory.glob("*.yml")):
        raw = _read_yaml(path) or {}
        if not isinstance(raw, Mapping) or not isinstance(raw.get("stories"), list):
            raise StoryFormatError(f"{path}: expected a mapping 'stories: [...]'")
        names: set[str] = set()
        for index, body in enumerate(raw["stories"], 1):
            label = body.get("name", f"#{index}") if isinstance(body, Mapping) else f"#{index}"
            try:
                story = Story.model_validate({**body, "file": path.stem})
            except (ValidationError, TypeError) as exc:
                raise StoryFormatError(f"{path}: story '{label}': {exc}") from exc
            if story.name in names:
                raise StoryFormatError(f"{path}: two stories are named '{story.name}'")
            names.add(story.name)
            if story.after is not None and story.after not in prefixes:
                raise StoryFormatError(f"{path}: story '{label}': unknown prefix '{story.after}'")
            if (story.gap is not None) != (path.stem == GAPS_FILE):
                raise StoryFormatError(
                    f"{path}: story '{label}': 'gap' belongs in {GAPS_FILE}.yml, and every story "
                    "there needs one (move a fixed story to its topic file)"
                )
            stories.append(story)
    return stories
