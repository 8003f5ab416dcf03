"""The composition root builds each concrete object once and hands the same one to everyone
who needs it: the webhook handler, the outbox and the document worker share the adapters; the
back-office, the SLA collector and the conversation service share the pipelines."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from bot.bootstrap import (
    Runtime,
    build_channels,
    build_document_worker,
    build_outbox_worker,
    build_process,
    build_runtime,
    build_web_faces,
)
from bot.channels.twilio_whatsapp import TwilioAdapter
from bot.channels.web import StoredUploadFetcher
from bot.config import Settings
from bot.domain.clock import FakeClock
from tests.support.scripted_nlu import ScriptedInterpreter


@pytest.fixture
def twilio_runtime(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    configured = settings.model_copy(
        update={
            "twilio_account_sid": "AC" + "1" * 32,
            "twilio_auth_token": SecretStr("token"),
            "twilio_whatsapp_number": "+5511900000000",
        }
    )
    runtime = build_runtime(
        configured, clock=clock, interpreter=ScriptedInterpreter(), migrate=False
    )
    yield runtime
    runtime.close()


def test_only_configured_channels_get_an_adapter(settings: Settings) -> None:
    channels = build_channels(settings)

    assert channels.adapters == {}
    assert list(channels.fetchers) == ["web"]
    assert isinstance(channels.fetchers["web"], StoredUploadFetcher)


def test_one_adapter_serves_the_webhooks_the_outbox_and_the_documents(
    twilio_runtime: Runtime,
) -> None:
    process = build_process(twilio_runtime)
    outbox = build_outbox_worker(twilio_runtime, process.channels)
    documents = build_document_worker(
        twilio_runtime, process.channels, inbox=process.inbox, pool=process.pool
    )

    adapter = process.webhooks.adapters["twilio_whatsapp"]
    assert isinstance(adapter, TwilioAdapter)
    assert outbox.senders["twilio_whatsapp"] is adapter
    assert documents.fetchers["twilio_whatsapp"] is adapter
    assert (
        adapter.config.status_callback
        == f"{twilio_runtime.settings.public_url}/webhooks/twilio/status"
    )


def test_the_runtime_s_pipelines_and_store_are_the_faces_ones(twilio_runtime: Runtime) -> None:
    faces = build_web_faces(build_process(twilio_runtime))

    assert faces.backoffice.pipelines is twilio_runtime.pipelines
    assert faces.backoffice.documents is twilio_runtime.documents
    assert faces.web_chat.store is twilio_runtime.documents
    assert faces.client_page.backoffice is faces.backoffice
