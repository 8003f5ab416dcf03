"""The CNPJ is looked up at the Receita through BrasilAPI (a local fake): the legal name is
offered to confirm, an inactive, unknown or brand-new company is flagged for the CSM, and a
look-up BrasilAPI could not answer is retried in the background."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.bootstrap import Runtime, build_reminder_worker, build_runtime
from bot.config import Settings
from bot.domain.clock import FakeClock
from bot.service.reminders import COMPANY_RETRY
from bot.storage.models import AuditEvent, Client, CompanyRegistry, Onboarding, ScheduledJob
from tests.documents.fake_brasilapi import FakeBrasilApi, Reply
from tests.support.conversation import Chat
from tests.support.registration_steps import to_step
from tests.support.scripted_nlu import ScriptedInterpreter

CNPJ = "11222333000181"
PATH = f"/cnpj/v1/{CNPJ}"


def _company(situacao: str = "ATIVA", opened: str = "2015-03-10") -> dict[str, object]:
    return {
        "cnpj": CNPJ,
        "razao_social": "PADARIA PAO QUENTE LTDA",
        "nome_fantasia": "PAO QUENTE",
        "situacao_cadastral": 2 if situacao == "ATIVA" else 8,
        "descricao_situacao_cadastral": situacao,
        "data_inicio_atividade": opened,
        "cnae_fiscal": 1091102,
        "porte": "MICRO EMPRESA",
        "opcao_pelo_simples": True,
        "municipio": "SAO PAULO",
        "uf": "SP",
        "cep": "01310100",
        "qsa": [],
    }


@pytest.fixture
def brasilapi() -> Iterator[FakeBrasilApi]:
    with FakeBrasilApi() as fake:
        yield fake


@pytest.fixture
def looked_up(settings: Settings, clock: FakeClock, brasilapi: FakeBrasilApi) -> Iterator[Runtime]:
    configured = settings.model_copy(update={"brasilapi_url": brasilapi.url})
    runtime = build_runtime(
        configured, clock=clock, interpreter=ScriptedInterpreter(), migrate=False
    )
    yield runtime
    runtime.close()


def _onboarding(runtime: Runtime) -> Onboarding:
    with runtime.sessions() as session:
        return session.scalars(select(Onboarding)).one()


def test_the_legal_name_is_offered_and_confirmed(
    looked_up: Runtime, brasilapi: FakeBrasilApi
) -> None:
    brasilapi.script(PATH, Reply(200, _company()))
    chat = Chat(looked_up)
    to_step(chat, "cnpj")
    reply = chat.say("11.222.333/0001-81")
    assert "Encontrei na Receita Federal a razão social: *PADARIA PAO QUENTE LTDA*" in reply
    assert "funcionários" in chat.say("sim")  # no need to type the company name
    with looked_up.sessions() as session:
        registry = session.scalars(select(CompanyRegistry)).one()
        assert (registry.situacao, registry.opened_on) == ("ATIVA", date(2015, 3, 10))
    assert _onboarding(looked_up).red_flag is False
    for answer in (
        "45",
        "maria@paoquente.com.br",
        "11987654321",
        "1",
        "1",
        "1",
        "01310-100",
        "Av Paulista, Bela Vista, São Paulo/SP",
        "1000",
        "não",
    ):
        reply = chat.say(answer)
    assert "Razão social: PADARIA PAO QUENTE LTDA" in reply


def test_the_client_may_say_it_is_another_name(
    looked_up: Runtime, brasilapi: FakeBrasilApi
) -> None:
    brasilapi.script(PATH, Reply(200, _company()))
    chat = Chat(looked_up)
    to_step(chat, "cnpj")
    chat.say("11.222.333/0001-81")
    assert "razão social (nome da empresa)" in chat.say("não, é outra")


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(200, _company(situacao="BAIXADA")), "situação cadastral BAIXADA"),
        (Reply(200, _company(opened="2026-10-25")), "empresa aberta há 30 dias (25/10/2026)"),
        (Reply(404, {"message": "CNPJ não encontrado"}), "CNPJ não encontrado na base"),
    ],
    ids=["inactive", "brand-new", "unknown"],
)
def test_odd_companies_are_flagged_for_the_csm(
    looked_up: Runtime, brasilapi: FakeBrasilApi, reply: Reply, reason: str
) -> None:
    brasilapi.script(PATH, reply)
    chat = Chat(looked_up)
    to_step(chat, "cnpj")
    chat.say("11.222.333/0001-81")
    onboarding = _onboarding(looked_up)
    assert onboarding.red_flag and reason in (onboarding.red_flag_reason or "")
    with looked_up.sessions() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "red_flag_set")).one()
    assert audit.actor == "system" and reason in (audit.new_value or "")


def test_unavailable_brasilapi_never_blocks_and_is_retried_later(
    looked_up: Runtime, brasilapi: FakeBrasilApi, clock: FakeClock
) -> None:
    brasilapi.script(PATH, Reply(503, {"message": "rate limited"}))
    chat = Chat(looked_up)
    to_step(chat, "cnpj")
    assert "razão social (nome da empresa)" in chat.say("11.222.333/0001-81")
    with looked_up.sessions() as session:
        job = session.scalars(select(ScheduledJob)).one()
    assert (job.kind, job.status) == ("cnpj_lookup", "pending")

    worker = build_reminder_worker(looked_up)
    clock.advance(timedelta(minutes=6))
    worker.dispatch_due()  # still failing: retried with backoff
    with looked_up.sessions() as session:
        job = session.scalars(select(ScheduledJob)).one()
    assert (job.status, job.attempts) == ("pending", 1)

    brasilapi.script(PATH, Reply(200, _company(situacao="INAPTA")))
    # The first retry comes COMPANY_RETRY's 10 min later, give or take its jitter.
    clock.advance(timedelta(seconds=COMPANY_RETRY.base_s * (1 + COMPANY_RETRY.jitter) + 60))
    assert worker.dispatch_due() == 1
    with looked_up.sessions() as session:
        assert session.scalars(select(ScheduledJob)).one().status == "done"
        assert session.scalars(select(CompanyRegistry)).one().situacao == "INAPTA"
        client = session.scalars(select(Client)).one()
    assert client.company_name is None  # the client's own answer comes from the chat
    assert "INAPTA" in (_onboarding(looked_up).red_flag_reason or "")
