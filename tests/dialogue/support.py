"""What the dialogue's unit tests share: NLU results written by hand, in-memory fakes of the
ports, the shipped flows, a client's answers in the order the registration asks them, and a
``Chat`` that sends one message at a time through a ``DialogueEngine``.

Nothing here touches a database, the network or a trained model: each test says exactly what
the NLU heard.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from bot.dialogue.actions import BUILTIN_ACTIONS
from bot.dialogue.context import (
    ConversationContext,
)
from bot.dialogue.effects import Effect
from bot.dialogue.engine import DialogueEngine
from bot.dialogue.state import DialogueState, SlotValue
from bot.dialogue.turn import Turn, Utterance
from bot.domain.documents import DocumentReading, Mismatch
from bot.domain.messages import Channel, Choice, InboundMessage, MediaRef
from bot.domain.onboarding import Stage
from bot.domain.validators import VALIDATORS
from flows import Flow, Registry, load_flows
from nlu.types import Entity, IntentScore, NLUResult
from tests.dialogue.dialogue_fakes import (
    NOW,
    FakeAddressLookup,
    FakeCompanyLookup,
    FakeProgress,
    FakeTrainingScheduler,
)

__all__ = [
    "CLIENT",
    "NOW",
    "Chat",
    "FakeAddressLookup",
    "FakeCompanyLookup",
    "FakeProgress",
    "FakeTrainingScheduler",
    "choices",
    "cnh_reading",
    "cnpj_card_reading",
    "effects_of",
    "ent",
    "heard",
    "inbound",
    "make_engine",
    "media_of",
    "photo",
    "position",
    "prompt",
    "reask",
    "replies",
    "says",
    "shipped_flows",
    "slots_until",
    "utterance",
]

# A Tuesday, 10:00 in São Paulo (business hours).

# A client's answers in the order the registration asks them (values as the validators store
# them). Finance and customer success are "sou eu"; IT is Beatriz Rocha.
CLIENT: dict[str, SlotValue] = {
    "lgpd_consent": True,
    "person_name": "Maria da Silva",
    "form_mode": "full",
    "cnpj": "11222333000181",
    "company_name": "Padaria Pão Quente Ltda",
    "employees": 40,
    "admin_email": "maria@paoquente.com.br",
    "admin_phone": "+5511987654321",
    "finance.same_as_me": True,
    "tech.same_as_me": False,
    "tech.name": "Beatriz Rocha",
    "tech.email": "ti@paoquente.com.br",
    "tech.phone": "+5521998765432",
    "cs.same_as_me": True,
    "cep": "01310100",
    "street": "Avenida Paulista, Bela Vista, São Paulo/SP",
    "address_number": "1000",
    "address_complement": "sala 12",
}


def slots_until(key: str | None) -> dict[str, SlotValue]:
    """The client's answers before ``key`` (all of them when None)."""
    if key is None:
        return dict(CLIENT)
    keys = list(CLIENT)
    return {k: CLIENT[k] for k in keys[: keys.index(key)]}


# ---------------------------------------------------------------------------- the NLU
def ent(entity: str, value: str, start: int = 0, end: int = 0) -> Entity:
    return Entity(entity, value, start, end)


def heard(
    body: str = "",
    intent: str = "inform",
    confidence: float = 0.95,
    *,
    entities: Iterable[Entity] = (),
    language: str = "pt",
    ranking: Sequence[tuple[str, float]] | None = None,
) -> NLUResult:
    """What the NLU heard in ``body``: exactly the intent, entities and language given."""
    scores = (
        tuple(IntentScore(name, score) for name, score in ranking)
        if ranking is not None
        else (IntentScore(intent, confidence),)
    )
    return NLUResult(
        text=body,
        intent=IntentScore(intent, confidence),
        intent_ranking=scores,
        entities=tuple(entities),
        language=language,
        backend="test",
    )


_ids = itertools.count(1)


def inbound(
    body: str = "",
    *,
    choice_id: str = "",
    media: Sequence[MediaRef] = (),
    unsupported: str = "",
    document: DocumentReading | None = None,
) -> InboundMessage:
    return InboundMessage(
        channel=Channel.TERMINAL,
        address="client-1",
        text=body,
        external_id=f"m{next(_ids)}",
        received_at=NOW,
        media=tuple(media),
        choice_id=choice_id,
        document=document,
        unsupported=unsupported,
    )


def utterance(
    body: str,
    intent: str = "inform",
    confidence: float = 0.95,
    *,
    choice_id: str = "",
    entities: Iterable[Entity] = (),
) -> Utterance:
    """A message as the handlers read it (no command detection: see ``Chat`` for that)."""
    from bot.dialogue.commands import detect_command

    return Utterance(
        message=inbound(body, choice_id=choice_id),
        body=body,
        nlu=heard(body, intent, confidence, entities=entities),
        command=detect_command(body),
    )


# ---------------------------------------------------------------------------- the ports
def cnpj_card_reading(
    document_id: int = 7, *, uncertain: Sequence[str] = (), mismatches: Sequence[str] = ()
) -> DocumentReading:
    return DocumentReading(
        document_id=document_id,
        kind="cnpj_card",
        fields={
            "cnpj": "11222333000181",
            "razao_social": "PADARIA PAO QUENTE LTDA",
            "cep": "01310100",
            "uf": "SP",
        },
        uncertain=tuple(uncertain),
        mismatches=tuple(Mismatch("razao_social", m, m) for m in mismatches),
    )


def cnh_reading(document_id: int = 8, *, uncertain: Sequence[str] = ()) -> DocumentReading:
    return DocumentReading(
        document_id=document_id,
        kind="cnh",
        fields={"nome": "MARIA DA SILVA", "cpf": "52998224725", "validade": "10/05/2030"},
        uncertain=tuple(uncertain),
    )


# ---------------------------------------------------------------------------- the engine
@lru_cache(maxsize=1)
def _shipped_flows() -> tuple[tuple[str, Flow], ...]:
    # The registry bootstrap.flow_registry() builds (importing bootstrap costs seconds).
    registry = Registry(
        validators=frozenset(VALIDATORS),
        actions=frozenset(BUILTIN_ACTIONS),
        stages=frozenset(stage.value for stage in Stage),
    )
    return tuple(load_flows(None, registry=registry).items())


def shipped_flows() -> dict[str, Flow]:
    """flows/definitions, loaded and checked by the real loader (once per session)."""
    return dict(_shipped_flows())


def make_engine(
    flows: Mapping[str, Flow] | None = None,
    *,
    addresses: FakeAddressLookup | None = None,
    companies: FakeCompanyLookup | None = None,
    root_flow: str = "registration",
) -> DialogueEngine:
    from bot.dialogue.dialogue import EngineSettings

    return DialogueEngine(
        flows=flows if flows is not None else shipped_flows(),
        settings=EngineSettings(root_flow=root_flow),
        address_lookup=addresses or FakeAddressLookup(),
        company_lookup=companies or FakeCompanyLookup(),
    )


def position(
    engine: DialogueEngine,
    slots: Mapping[str, SlotValue],
    *,
    language: str = "pt",
    saved: bool = False,
    step: str | None = None,
) -> DialogueState:
    """A state that has answered ``slots`` (in order) and stands at the first question left
    (from the root flow's ``step`` when given), reached by the walker as a conversation would
    reach it."""
    state = DialogueState(language="en" if language == "en" else "pt", saved=saved)
    for key, value in slots.items():
        state.set_slot(key, value)
    turn = Turn(state=state)
    engine.walker.start(turn)
    if step is not None:
        engine.walker.goto(turn, step)
    return turn.state


def says(key: str, language: str = "pt", **params: object) -> str:
    """The engine's own text ``key``: tests name the text, so a reworded text still passes."""
    from bot.dialogue.texts import text

    return text(key, language, params=params or None)


def prompt(step_id: str, *, flow: str = "registration", language: str = "pt") -> str:
    """A flow step's prompt as written in the YAML (placeholders left as they are)."""
    step = shipped_flows()[flow].step(step_id)
    return step.prompt.get(language)  # type: ignore[union-attr]


def reask(step_id: str, *, flow: str = "registration", language: str = "pt") -> str:
    """A flow step's question as asked again (its ``reask``, else its prompt)."""
    step = shipped_flows()[flow].step(step_id)
    again = step.reask or step.prompt  # type: ignore[union-attr]
    return again.get(language)


def replies(turn: Turn) -> str:
    """Every reply of a turn, one after the other."""
    return "\n".join(r.text for r in turn.replies)


def choices(turn: Turn) -> list[Choice]:
    """The choices of the turn's last reply that has any."""
    return next((list(r.choices) for r in reversed(turn.replies) if r.choices), [])


def effects_of(turn: Turn, kind: type) -> list[Effect]:
    return [e for e in turn.effects if isinstance(e, kind)]


@dataclass
class Chat:
    """One conversation with the engine: each ``send`` is a turn, and the state follows."""

    engine: DialogueEngine
    state: DialogueState = field(default_factory=DialogueState)
    progress: FakeProgress = field(default_factory=FakeProgress)
    stage: Stage = Stage.CADASTRO
    csm: str | None = None
    training: FakeTrainingScheduler | None = None
    opted_out: bool = False
    nps_booking_id: int | None = None
    turns: list[Turn] = field(default_factory=list)

    @property
    def context(self) -> ConversationContext:
        return ConversationContext(
            stage=self.stage,
            csm_name=self.csm,
            opted_out=self.opted_out,
            now=NOW,
            training=self.training,
            nps_booking_id=self.nps_booking_id,
            progress=self.progress,
        )

    def send(
        self,
        body: str = "",
        intent: str = "inform",
        confidence: float = 0.95,
        *,
        entities: Iterable[Entity] = (),
        language: str | None = None,
        ranking: Sequence[tuple[str, float]] | None = None,
        choice_id: str = "",
        media: Sequence[MediaRef] = (),
        unsupported: str = "",
        document: DocumentReading | None = None,
    ) -> Turn:
        nlu = heard(
            body,
            intent,
            confidence,
            entities=entities,
            language=language or self.state.language,
            ranking=ranking,
        )
        message = inbound(
            body, choice_id=choice_id, media=media, unsupported=unsupported, document=document
        )
        turn = self.engine.handle(self.state, message, nlu=nlu, context=self.context)
        self.state = turn.state
        self.turns.append(turn)
        return turn

    def read(self, reading: DocumentReading) -> Turn:
        """The reader's result for a file the client sent comes back as an event."""
        return self.send(document=reading)

    def at(
        self, slots: Mapping[str, SlotValue], *, saved: bool = False, step: str | None = None
    ) -> Chat:
        self.state = position(
            self.engine, slots, language=self.state.language, saved=saved, step=step
        )
        return self

    def at_documents(self, *, step: str = "cnpj_card") -> Chat:
        """The registration confirmed and saved, at a document step."""
        return self.at(slots_until(None), saved=True, step=step)

    def with_state(self, **changes: object) -> Chat:
        self.state = self.state.model_copy(update=changes)
        return self


def photo(content_type: str = "image/jpeg") -> MediaRef:
    return MediaRef(url="https://files.example.com/1", content_type=content_type)


def media_of(kind: str, content_type: str = "") -> MediaRef:
    return replace(photo(content_type), kind=kind)
