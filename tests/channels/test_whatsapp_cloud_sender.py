"""Meta's WhatsApp Cloud API outbound: sending and the two-step media download
(``bot.channels.whatsapp_cloud_sender``), against the loopback fake Graph API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.channels.errors import (
    MediaTooLarge,
    MediaUnavailable,
    SendFailed,
)
from bot.channels.ports import Template
from bot.channels.whatsapp_cloud import parse_webhook
from bot.channels.whatsapp_cloud_sender import CloudMediaFetcher, CloudSender
from bot.domain.messages import Choice, MediaRef, OutboundMessage
from tests.fakes import FakeGraph, meta_image_webhook

APP_SECRET = "meta-app-secret-0123456789abcdef"
VERIFY_TOKEN = "acolhe-verify-token"
NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
PAYLOADS = Path(__file__).resolve().parent.parent / "payloads" / "whatsapp_cloud"

Json = Callable[[str], Any]


# --- sending ---------------------------------------------------------------------------------


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    with FakeGraph() as fake:
        yield fake


@pytest.fixture
async def sender(graph: FakeGraph) -> AsyncIterator[CloudSender]:
    async with CloudSender(
        token=graph.token, phone_number_id=graph.phone_number_id, api_url=graph.url, timeout_s=5
    ) as sender:
        yield sender


async def test_plain_text(graph: FakeGraph, sender: CloudSender) -> None:
    result = await sender.send(
        address="+5511987654321", message=OutboundMessage(text="Olá, Maria!")
    )

    assert graph.sent == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "5511987654321",
            "type": "text",
            "text": {"body": "Olá, Maria!", "preview_url": False},
        }
    ]
    assert result.provider_message_id.startswith("wamid.")
    assert result.status == "accepted"


async def test_up_to_three_short_choices_become_reply_buttons(
    graph: FakeGraph, sender: CloudSender
) -> None:
    message = OutboundMessage(
        text="Os dados estão corretos?",
        choices=(Choice("confirm_yes", "Sim"), Choice("confirm_no", "Não, corrigir")),
    )

    await sender.send(address="+5511987654321", message=message)

    (sent,) = graph.sent
    assert sent["type"] == "interactive"
    assert sent["interactive"] == {
        "type": "button",
        "body": {"text": "Os dados estão corretos?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "confirm_yes", "title": "Sim"}},
                {"type": "reply", "reply": {"id": "confirm_no", "title": "Não, corrigir"}},
            ]
        },
    }


async def test_a_title_over_20_characters_turns_buttons_into_a_list(
    graph: FakeGraph, sender: CloudSender
) -> None:
    message = OutboundMessage(
        text="Escolha um horário",
        choices=(Choice("a", "Terça 25/11 às 10:00"), Choice("b", "Quarta 26/11 às 14:30")),
    )
    assert len(message.choices[1].title) == 21

    await sender.send(address="+5511987654321", message=message)

    interactive = graph.sent[0]["interactive"]
    assert interactive["type"] == "list"
    assert interactive["action"]["sections"] == [
        {
            "rows": [
                {"id": "a", "title": "Terça 25/11 às 10:00"},
                {"id": "b", "title": "Quarta 26/11 às 14:30"},
            ]
        }
    ]
    assert len(interactive["action"]["button"]) <= 20


async def test_too_many_choices_become_numbered_text(graph: FakeGraph, sender: CloudSender) -> None:
    choices = tuple(Choice(f"c{i}", f"Opção {i}") for i in range(1, 12))

    await sender.send(
        address="+5511987654321", message=OutboundMessage(text="Escolha", choices=choices)
    )

    (sent,) = graph.sent
    assert sent["type"] == "text"
    assert sent["text"]["body"].startswith("Escolha\n\n1) Opção 1\n2) Opção 2")
    assert sent["text"]["body"].endswith("11) Opção 11")


async def test_template_with_positional_parameters(graph: FakeGraph, sender: CloudSender) -> None:
    template = Template(
        content_sid="lembrete_cadastro", variables={"2": "amanhã", "1": "Maria", "10": "fim"}
    )

    result = await sender.send(
        address="+5511987654321",
        message=OutboundMessage(text="", kind="reminder"),
        template=template,
    )

    (sent,) = graph.sent
    assert sent["type"] == "template"
    assert sent["template"] == {
        "name": "lembrete_cadastro",
        "language": {"code": "pt_BR"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Maria"},
                    {"type": "text", "text": "amanhã"},
                    {"type": "text", "text": "fim"},
                ],
            }
        ],
    }
    assert result.status == "accepted"


async def test_template_with_named_parameters_and_language(
    graph: FakeGraph, sender: CloudSender
) -> None:
    template = Template(content_sid="alerta", variables={"nome": "Maria"}, language="en_US")

    await sender.send(address="+5511987654321", message=OutboundMessage(text=""), template=template)

    assert graph.sent[0]["template"]["language"] == {"code": "en_US"}
    assert graph.sent[0]["template"]["components"][0]["parameters"] == [
        {"type": "text", "parameter_name": "nome", "text": "Maria"}
    ]


@pytest.mark.parametrize(
    ("status", "error_code", "transient", "code"),
    [
        (400, 130429, True, "130429"),  # throughput throttling arrives as HTTP 400
        (400, 131056, True, "131056"),  # pair rate limit
        (400, 100, False, "100"),  # invalid parameter
        (400, 131047, False, "131047"),
        (500, 131000, True, "131000"),
        (503, 2, True, "2"),
    ],
)
async def test_error_mapping(
    graph: FakeGraph,
    sender: CloudSender,
    status: int,
    error_code: int,
    transient: bool,
    code: str,
) -> None:
    graph.fail_next(status, error_code=error_code)

    with pytest.raises(SendFailed) as failure:
        await sender.send(address="+5511987654321", message=OutboundMessage(text="Olá"))

    assert (failure.value.transient, failure.value.code) == (transient, code)
    assert graph.sent == []


async def test_retry_after_header_is_exposed(graph: FakeGraph, sender: CloudSender) -> None:
    graph.fail_next(429, error_code=4, retry_after=12)

    with pytest.raises(SendFailed) as failure:
        await sender.send(address="+5511987654321", message=OutboundMessage(text="Olá"))

    assert failure.value.transient and failure.value.retry_after == 12.0


async def test_expired_token_is_permanent(graph: FakeGraph) -> None:
    async with CloudSender(
        token="expired", phone_number_id=graph.phone_number_id, api_url=graph.url
    ) as sender:
        with pytest.raises(SendFailed) as failure:
            await sender.send(address="+5511987654321", message=OutboundMessage(text="Olá"))

    assert (failure.value.transient, failure.value.code) == (False, "190")


# --- media -----------------------------------------------------------------------------------


@pytest.fixture
async def fetcher(graph: FakeGraph) -> AsyncIterator[CloudMediaFetcher]:
    async with CloudMediaFetcher(token=graph.token, api_url=graph.url, timeout_s=5) as fetcher:
        yield fetcher


@pytest.mark.parametrize("size_as_string", [False, True])
async def test_two_step_download(
    graph: FakeGraph, fetcher: CloudMediaFetcher, size_as_string: bool
) -> None:
    media = graph.add_media(b"\xff\xd8 cartao cnpj", "image/jpeg", size_as_string=size_as_string)
    (message,), _ = parse_webhook(meta_image_webhook(media.media_id), received_at=NOW)

    data = await fetcher.fetch(message.media[0], max_bytes=1024)

    assert data == media.content
    (download,) = graph.media_requests
    assert download.bearer() == graph.token
    assert download.header("User-Agent")
    assert any(r.path == f"/v21.0/{media.media_id}" for r in graph.requests)


async def test_declared_size_over_the_limit_is_refused_before_downloading(
    graph: FakeGraph, fetcher: CloudMediaFetcher
) -> None:
    media = graph.add_media(b"x" * 4096, size_as_string=True)

    with pytest.raises(MediaTooLarge):
        await fetcher.fetch(MediaRef(url="", provider_id=media.media_id), max_bytes=4095)
    assert graph.media_requests == []


async def test_understated_size_is_still_capped(
    graph: FakeGraph, fetcher: CloudMediaFetcher
) -> None:
    media = graph.add_media(b"x" * 4096, declared_size=10)

    with pytest.raises(MediaTooLarge):
        await fetcher.fetch(MediaRef(url="", provider_id=media.media_id), max_bytes=1000)


async def test_unknown_media_is_unavailable(fetcher: CloudMediaFetcher) -> None:
    with pytest.raises(MediaUnavailable):
        await fetcher.fetch(MediaRef(url="", provider_id="404404"), max_bytes=1000)


async def test_attachments_follow_as_documents(graph: FakeGraph, sender: CloudSender) -> None:
    message = OutboundMessage(text="Seu contrato:", attachments=("https://files.example/c.pdf",))

    result = await sender.send(address="+5511987654321", message=message)

    assert [body["type"] for body in graph.sent] == ["text", "document"]
    assert graph.sent[1]["document"] == {"link": "https://files.example/c.pdf"}
    assert result.provider_message_id.startswith("wamid.")


async def test_unreachable_graph_is_transient_and_not_sent() -> None:
    with FakeGraph() as gone:
        url = gone.url  # nothing listens there once the fake stops

    async with CloudSender(token="t", phone_number_id="1", api_url=url) as sender:
        with pytest.raises(SendFailed) as failure:
            await sender.send(address="+5511987654321", message=OutboundMessage(text="Olá"))

    assert failure.value.transient and not failure.value.maybe_sent
