"""No personal data in the logs: ``bot.logs.mask`` on each kind, records masked whichever
handler writes them, each command installing it before it builds anything, and a whole
registration through the runtime whose INFO lines show none of the client's values."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn

import bot.bootstrap
from bot import cli, logs
from bot.bootstrap import Runtime, build_runtime
from bot.config import Settings
from bot.domain.clock import FakeClock
from tests.documents.fake_brasilapi import FakeBrasilApi, Reply
from tests.support.conversation import Chat, register
from tests.support.scripted_nlu import ScriptedInterpreter


@pytest.fixture
def masking() -> Iterator[None]:
    """Masking installed as at start-up, and the logging module as it was afterwards."""
    factory, root = logging.getLogRecordFactory(), logging.getLogger()
    handlers, level = list(root.handlers), root.level
    logs.install_masking()
    yield
    logging.setLogRecordFactory(factory)
    root.handlers[:], root.level = handlers, level


# ---------------------------------------------------------------------------- mask
@pytest.mark.parametrize(
    ("line", "hidden"),
    [
        ("CPF 123.456.789-09 lido", "123.456.789-09"),
        ("cpf=12345678909", "12345678909"),
        ("CNPJ 11.222.333/0001-81 ok", "11.222.333/0001-81"),
        ("cnpj 11222333000181", "11222333000181"),
        ("CNPJ 12.ABC.345/01DE-35 (2026)", "12.ABC.345/01DE-35"),
        ("CNPJ 12ABC34501DE35", "12ABC34501DE35"),
        ("contact maria.silva+nf@paoquente.com.br refused", "maria.silva+nf@paoquente"),
        ("GET /api/v1/clients?q=maria%40paoquente.com.br", "maria%40paoquente"),
        ("to whatsapp:+5511987654321 failed", "5511987654321"),
        ("to +55 11 98765-4321 failed", "98765-4321"),
        ("phone (11) 98765-4321", "98765-4321"),
        ("phone 11 98765-4321", "98765-4321"),
        ("phone 21 99876 5432", "99876 5432"),
        ("phone 98765-4321", "98765-4321"),
        ("phone (11)3333-4444", "3333-4444"),
        ("CEP 01310-100 not found", "01310-100"),
        ("CEP 01310100 not found", "01310100"),
        ("telegram chat 7654321098", "7654321098"),
        ("InboundMessage(address='client-1', text='Maria da Silva', choice_id='')", "Maria"),
        ('payload {"text": "meu nome é Ana", "chat": {"first_name": "Ana"}}', "Ana"),
        ("{'body': 'oi, sou a Ana', 'caption': \"it's me\"}", "Ana"),
        ("Body=Maria+da+Silva&From=whatsapp%3A%2B5511987654321", "Maria"),
        ("Body=Maria+da+Silva&From=whatsapp%3A%2B5511987654321", "5511987654321"),
        (
            "1 validation error [type=value_error, input_value='Ana Souza', input_type=str]",
            "Ana Souza",
        ),
        ("razao_social='PADARIA ANA SOUZA 12345678909'", "ANA SOUZA"),
    ],
)
def test_personal_data_is_masked(line: str, hidden: str) -> None:
    masked = logs.mask(line)
    assert hidden not in masked, masked
    assert "<" in masked


@pytest.mark.parametrize(
    "line",
    [
        "outbox 42 sent after 3 attempts in 1.5 s",
        "reminder job training_24h:booking:7:seq:1 due 2026-11-24T13:00:00+00:00",
        "sweep at 2026-11-24 13:00:00, 12 rows, 1234567 µs",
        "event 53d3963e-2ec2-4c51-a062-328701640504 delivered",
        "SM1234567890abcdef1234567890abcdef queued",
        "GET /api/v1/onboardings/12/history 200",
    ],
)
def test_other_lines_are_left_alone(line: str) -> None:
    assert logs.mask(line) == line


# ---------------------------------------------------------------------------- records
def test_a_record_is_masked_whichever_handler_writes_it(
    masking: None, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("acolhe.test")
    with caplog.at_level(logging.DEBUG):
        log.info("client %s (%s) at %d%%", "maria@paoquente.com.br", "123.456.789-09", 50)
        log.debug("cnpj %s", "11222333000181")
        try:
            raise ValueError("CPF 123.456.789-09 refused for maria@paoquente.com.br")
        except ValueError:
            log.exception("could not save")
        log.warning("stack", stack_info=True, extra={"x": "11 98765-4321"})
    text = caplog.text
    for value in ("maria@", "123.456.789-09", "11222333000181"):
        assert value not in text
    assert "client <e-mail> (<cpf>) at 50%" in text
    assert "ValueError: CPF <cpf> refused for <e-mail>" in text
    assert "cnpj <number>" in text


def test_a_record_without_personal_data_keeps_its_arguments(masking: None) -> None:
    record = logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/healthz", "1.1", 200),
        None,
    )
    record = logs.mask_record(record)
    assert record.args == ("127.0.0.1:5000", "GET", "/healthz", "1.1", 200)


def test_masking_is_installed_once_and_can_be_removed(masking: None) -> None:
    installed = logging.getLogRecordFactory()
    logs.install_masking()
    assert logging.getLogRecordFactory() is installed
    logs.uninstall_masking()
    assert not isinstance(logging.getLogRecordFactory(), type(installed))
    logs.install_masking()


# ---------------------------------------------------------------------------- start-up
class _Started(Exception):
    pass


def _stop_at_settings() -> Settings:
    raise _Started


@pytest.mark.parametrize(
    "command",
    [
        lambda: cli.serve(),
        lambda: cli.worker(),
        lambda: cli.chat(user="x", lang="pt"),
    ],
    ids=["serve", "worker", "chat"],
)
def test_every_process_masks_its_logs_from_the_start(
    monkeypatch: pytest.MonkeyPatch, command: Callable[[], Any]
) -> None:
    factory, root = logging.getLogRecordFactory(), logging.getLogger()
    handlers, level = list(root.handlers), root.level
    logs.uninstall_masking()
    monkeypatch.setattr(cli, "_settings", _stop_at_settings)
    try:
        with pytest.raises(_Started):
            command()
        record = logging.getLogRecordFactory()(
            "x", logging.INFO, __file__, 1, "cpf %s", ("123.456.789-09",), None
        )
        assert record.getMessage() == "cpf <cpf>"
    finally:
        logging.setLogRecordFactory(factory)
        root.handlers[:], root.level = handlers, level


def test_serve_leaves_uvicorn_loggers_to_the_masked_root(
    monkeypatch: pytest.MonkeyPatch, runtime: Runtime
) -> None:
    seen: dict[str, Any] = {}
    factory, root = logging.getLogRecordFactory(), logging.getLogger()
    handlers, level = list(root.handlers), root.level
    monkeypatch.setattr(cli, "_settings", lambda: runtime.settings)
    monkeypatch.setattr(bot.bootstrap, "build_runtime", lambda settings: runtime)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    try:
        cli.serve()
    finally:
        logging.setLogRecordFactory(factory)
        root.handlers[:], root.level = handlers, level
    # uvicorn's own configuration would give its loggers handlers (and formatters) of their own.
    assert "log_config" in seen and seen["log_config"] is None


# ---------------------------------------------------------------------------- a registration
@pytest.fixture
def unreachable_lookups(settings: Settings, clock: FakeClock) -> Iterator[Runtime]:
    """A runtime whose CEP and CNPJ look-ups fail (so the service logs them at INFO)."""
    with FakeBrasilApi() as brasilapi:
        brasilapi.script("/cep/v2/01310100", Reply(500, {"message": "erro"}))
        brasilapi.script("/cnpj/v1/11222333000181", Reply(500, {"message": "erro"}))
        configured = settings.model_copy(update={"brasilapi_url": brasilapi.url})
        runtime = build_runtime(
            configured, clock=clock, interpreter=ScriptedInterpreter(), migrate=False
        )
        yield runtime
        runtime.close()


CLIENT_VALUES = (
    "Maria da Silva",
    "maria@paoquente.com.br",
    "João Souza",
    "joao@paoquente.com.br",
    "(11) 98765-4321",
    "98765-4321",
    "987654321",
    "5511987654321",
    "21 99876 5432",
    "21998765432",
    "11.222.333/0001-81",
    "11222333000181",
    "01310-100",
    "01310100",
    "Padaria Pão Quente",
    "Avenida Paulista",
    "sala 12",
)


def test_a_registration_logs_none_of_the_clients_values(
    masking: None, unreachable_lookups: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    chat = Chat(unreachable_lookups)
    register(chat)
    chat.say("1")  # confirms the review
    sent = [text for text, _replies in chat.transcript if len(text) >= 5]
    lines = [caplog.text] + [record.getMessage() for record in caplog.records]
    assert any("not found or BrasilAPI unavailable" in line for line in lines), caplog.text
    leaked = {value for value in (*CLIENT_VALUES, *sent) for line in lines if value in line}
    assert not leaked, caplog.text
