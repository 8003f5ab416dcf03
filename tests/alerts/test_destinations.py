"""Each destination against a local fake on loopback: the real httpx and smtplib clients talk
to a fake Telegram Bot API, a Slack-compatible webhook and an aiosmtpd server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.alerts import (
    AlertDeliveryError,
    AlertMessage,
    EmailAlertDestination,
    SmtpConfig,
    TelegramAlertDestination,
    WebhookAlertDestination,
)
from tests.fakes import FakeTelegram
from tests.fakes.chat_webhook import FakeChatWebhook
from tests.fakes.smtp import FakeSmtp
from tests.support.server import free_port

GROUP_CHAT = -1001234567890  # a managers' group: negative, beyond 32 bits


def _message(purpose: str = "raise", severity: str = "critical") -> AlertMessage:
    return AlertMessage(
        alert_id=7,
        kind="escalation_unanswered",
        severity=severity,
        title="Padaria Pão & Cia: pedido de atendimento sem resposta há 31 min",
        body="Escalonamento #3 (fila self_service), motivo: human_requested",
        purpose=purpose,
        raised_at=datetime(2026, 11, 24, 13, 0, tzinfo=UTC),
    )


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as server:
        yield server


# ------------------------------------------------------------------------------ Telegram
async def test_telegram_sends_the_alert_to_the_chat() -> None:
    with FakeTelegram() as telegram:
        destination = TelegramAlertDestination(
            token=telegram.token, chat_id=GROUP_CHAT, api_url=telegram.url
        )
        try:
            await destination.send(_message())
            await destination.send(_message(purpose="resolve"))
        finally:
            await destination.aclose()
    assert destination.name == f"telegram:{GROUP_CHAT}"
    first, second = telegram.sent
    assert first["chat_id"] == GROUP_CHAT
    assert first["text"].startswith("🔴 Padaria Pão & Cia: pedido de atendimento")
    assert "motivo: human_requested" in first["text"]
    assert second["text"].startswith("✅ Resolvido: Padaria Pão & Cia")


@pytest.mark.parametrize(
    ("status", "transient", "retry_after"),
    [(429, True, 7.0), (500, True, None), (400, False, None), (403, False, None)],
)
async def test_telegram_failures_are_translated(
    status: int, transient: bool, retry_after: float | None
) -> None:
    with FakeTelegram() as telegram:
        telegram.fail_next(status=status, retry_after=7 if status == 429 else None)
        destination = TelegramAlertDestination(
            token=telegram.token, chat_id=GROUP_CHAT, api_url=telegram.url
        )
        try:
            with pytest.raises(AlertDeliveryError) as caught:
                await destination.send(_message())
        finally:
            await destination.aclose()
    assert caught.value.transient is transient
    assert caught.value.retry_after == retry_after
    assert telegram.sent == []


# ------------------------------------------------------------------------------ webhook
async def test_webhook_posts_a_slack_compatible_body() -> None:
    with FakeChatWebhook() as hook:
        destination = WebhookAlertDestination(url=hook.hook_url, label="slack")
        try:
            await destination.send(_message(severity="warning"))
        finally:
            await destination.aclose()
    (body,) = hook.sent
    assert destination.name == "webhook:slack"
    assert body["text"].startswith("⚠️ Padaria Pão & Cia")
    (block,) = body["blocks"]
    assert block["type"] == "section" and block["text"]["type"] == "mrkdwn"
    # Slack's mrkdwn needs &, < and > escaped
    assert block["text"]["text"].startswith("*⚠️ Padaria Pão &amp; Cia: pedido")
    assert "motivo: human_requested" in block["text"]["text"]


@pytest.mark.parametrize(("status", "transient"), [(503, True), (429, True), (404, False)])
async def test_webhook_failures_are_translated(status: int, transient: bool) -> None:
    with FakeChatWebhook() as hook:
        hook.fail_next(status, retry_after="12")
        destination = WebhookAlertDestination(url=hook.hook_url)
        try:
            with pytest.raises(AlertDeliveryError) as caught:
                await destination.send(_message())
        finally:
            await destination.aclose()
    assert caught.value.transient is transient and caught.value.retry_after == 12.0


async def test_an_unreachable_webhook_is_transient() -> None:
    destination = WebhookAlertDestination(url=f"http://127.0.0.1:{free_port()}/hook")
    try:
        with pytest.raises(AlertDeliveryError) as caught:
            await destination.send(_message())
    finally:
        await destination.aclose()
    assert caught.value.transient is True


# ------------------------------------------------------------------------------ e-mail
def _email(smtp: FakeSmtp, *, starttls: bool = False) -> EmailAlertDestination:
    config = SmtpConfig(
        host=smtp.host, port=smtp.port, sender="alertas@acolhe.com.br", starttls=starttls
    )
    return EmailAlertDestination(config=config, address="gerente@acolhe.com.br")


async def test_email_is_sent_through_smtp(smtp: FakeSmtp) -> None:
    destination = _email(smtp)
    await destination.send(_message())
    await destination.send(_message(purpose="resolve"))
    first, second = smtp.received
    assert destination.name == "email:gerente@acolhe.com.br"
    assert first.mail_from == "alertas@acolhe.com.br"
    assert first.rcpt_tos == ["gerente@acolhe.com.br"]
    assert first.subject == (
        "[Acolhe] 🔴 Padaria Pão & Cia: pedido de atendimento sem resposta há 31 min"
    )
    assert "motivo: human_requested" in first.text
    assert first.message["X-Acolhe-Alert"] == "7:raise"
    assert second.subject.startswith("[Acolhe] ✅ Resolvido: Padaria")


@pytest.mark.parametrize(("code", "transient"), [(451, True), (554, False)])
async def test_smtp_refusals_are_translated(smtp: FakeSmtp, code: int, transient: bool) -> None:
    smtp.fail_next(code, "refused for the test")
    with pytest.raises(AlertDeliveryError) as caught:
        await _email(smtp).send(_message())
    assert caught.value.transient is transient
    assert smtp.received == []


async def test_starttls_missing_on_the_server_is_permanent(smtp: FakeSmtp) -> None:
    with pytest.raises(AlertDeliveryError) as caught:
        await _email(smtp, starttls=True).send(_message())
    assert caught.value.transient is False


async def test_an_unreachable_smtp_server_is_transient() -> None:
    config = SmtpConfig(host="127.0.0.1", port=free_port(), sender="a@b.com", starttls=False)
    with pytest.raises(AlertDeliveryError) as caught:
        await EmailAlertDestination(config=config, address="x@y.com").send(_message())
    assert caught.value.transient is True
