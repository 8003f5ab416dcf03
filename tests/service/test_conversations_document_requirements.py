"""Which documents a client is asked for is configured per flow: a document step with
``required_when`` (here: the identity document only for the enterprise segment)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.bootstrap import Runtime, build_runtime, load_all_flows
from bot.config import Settings
from bot.domain.clock import FakeClock
from bot.domain.documents import DocumentReading
from bot.domain.messages import InboundMessage
from flows import FlowDefinitionError
from tests.support.conversation import Chat, register
from tests.support.scripted_nlu import ScriptedInterpreter

SHIPPED = Path(__file__).resolve().parents[2] / "flows" / "definitions"


def _flows_with(tmp_path: Path, condition: str) -> Path:
    folder = tmp_path / "flows"
    shutil.copytree(SHIPPED, folder)
    path = folder / "registration.yml"
    text = path.read_text(encoding="utf-8")
    marker = "    slot: doc_identity\n"
    path.write_text(text.replace(marker, marker + f"    required_when: {condition}\n"), "utf-8")
    return folder


@pytest.fixture
def per_segment(settings: Settings, clock: FakeClock, tmp_path: Path) -> Iterator[Runtime]:
    flows = _flows_with(tmp_path, "{slot: employees, gt: 500}")
    configured = settings.model_copy(update={"flows_dir": flows})
    runtime = build_runtime(
        configured, clock=clock, interpreter=ScriptedInterpreter(), migrate=False
    )
    yield runtime
    runtime.close()


def _send_card(chat: Chat) -> str:
    reading = DocumentReading(document_id=999, kind="cnpj_card", fields={"cnpj": "11222333000181"})
    handled = chat.runtime.conversations.handle(
        InboundMessage(
            channel=chat.channel,
            address=chat.address,
            text="",
            external_id=f"doc-{chat.address}",
            received_at=chat.runtime.clock.now(),
            document=reading,
        )
    )
    return "\n".join(reply.text for reply in handled.replies)


@pytest.mark.parametrize(
    ("employees", "asks_identity"), [("45", False), ("mais ou menos 1.200", True)]
)
def test_identity_is_asked_only_where_the_flow_requires_it(
    per_segment: Runtime, employees: str, asks_identity: bool
) -> None:
    chat = Chat(per_segment, address=f"client-{employees}")
    register(chat, employees=employees)
    assert "cartão CNPJ" in chat.say("1")  # the review is confirmed
    assert "Os dados estão corretos?" in _send_card(chat)
    reply = chat.say("sim")
    assert ("CNH ou do RG" in reply) is asks_identity
    assert ("Recebemos tudo" in reply) is not asks_identity


def test_a_condition_on_an_unknown_slot_stops_start_up(tmp_path: Path) -> None:
    flows = _flows_with(tmp_path, "{slot: headcount, gt: 500}")
    with pytest.raises(FlowDefinitionError, match="step 'identity'.*headcount"):
        load_all_flows(flows)
