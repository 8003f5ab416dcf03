"""BrasilAPI client against a fake BrasilAPI speaking HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from bot.documents import BrasilApiClient, NotFound, TtlCache, Unavailable

from .fake_brasilapi import FakeBrasilApi, Reply

COMPANY = {
    "cnpj": "19131243000197",
    "razao_social": "OPEN KNOWLEDGE BRASIL",
    "nome_fantasia": "REDE PELO CONHECIMENTO LIVRE",
    "situacao_cadastral": 2,
    "descricao_situacao_cadastral": "ATIVA",
    "data_situacao_cadastral": "2013-10-03",
    "data_inicio_atividade": "2013-10-03",
    "cnae_fiscal": 9430800,
    "cnae_fiscal_descricao": "Atividades de associações de defesa de direitos sociais",
    "porte": "DEMAIS",
    "opcao_pelo_simples": None,
    "logradouro": "PAULISTA 37",
    "numero": "37",
    "complemento": None,
    "bairro": "BELA VISTA",
    "cep": "01311902",
    "municipio": "SAO PAULO",
    "uf": "SP",
    "qsa": [
        {
            "nome_socio": "NATALIA MAZOTTE",
            "qualificacao_socio": "Presidente",
            "data_entrada_sociedade": "2019-02-14",
        }
    ],
    "campo_novo": "ignored",
}
CNPJ_PATH = "/cnpj/v1/19131243000197"
CEP = {
    "cep": "89010025",
    "state": "SC",
    "city": "Blumenau",
    "neighborhood": "Centro",
    "street": "Rua Doutor Luiz de Freitas Melro",
    "service": "viacep",
}


async def no_sleep(_: float) -> None:
    return None


@pytest.fixture
def fake() -> Iterator[FakeBrasilApi]:
    with FakeBrasilApi() as server:
        yield server


def client(fake: FakeBrasilApi, **kwargs: object) -> BrasilApiClient:
    options: dict[str, object] = {"timeout": 0.5, "retries": 2, "backoff": 0.01, "sleep": no_sleep}
    options.update(kwargs)
    return BrasilApiClient(fake.url, **options)  # type: ignore[arg-type]


async def test_cnpj_success_is_typed_and_cached(fake: FakeBrasilApi) -> None:
    fake.script(CNPJ_PATH, Reply(200, COMPANY))
    async with client(fake) as api:
        record = await api.cnpj("19.131.243/0001-97")
        again = await api.cnpj("19131243000197")
    assert record.razao_social == "OPEN KNOWLEDGE BRASIL"
    assert record.active and record.cnae_fiscal == 9430800 and record.complemento == ""
    assert record.data_inicio_atividade == date(2013, 10, 3)
    assert record.age_days(date(2013, 10, 13)) == 10
    assert record.qsa[0].nome_socio == "NATALIA MAZOTTE"
    assert again == record and fake.count(CNPJ_PATH) == 1


async def test_cache_expires(fake: FakeBrasilApi) -> None:
    now = [0.0]
    fake.script(CNPJ_PATH, Reply(200, COMPANY))
    cache = TtlCache(ttl=60, clock=lambda: now[0])
    async with client(fake, cache=cache) as api:
        await api.cnpj("19131243000197")
        now[0] = 61.0
        await api.cnpj("19131243000197")
    assert fake.count(CNPJ_PATH) == 2


async def test_cep_success(fake: FakeBrasilApi) -> None:
    fake.script("/cep/v2/89010025", Reply(200, CEP))
    async with client(fake) as api:
        address = await api.cep("89010-025")
    assert (address.city, address.state) == ("Blumenau", "SC")


async def test_not_found(fake: FakeBrasilApi) -> None:
    fake.script(CNPJ_PATH, Reply(404, {"message": "CNPJ não encontrado", "type": "not_found"}))
    async with client(fake) as api:
        with pytest.raises(NotFound):
            await api.cnpj("19131243000197")
    assert fake.count(CNPJ_PATH) == 1  # a 404 is an answer, not retried


async def test_rate_limited_then_success(fake: FakeBrasilApi) -> None:
    waits: list[float] = []

    async def record_sleep(seconds: float) -> None:
        waits.append(seconds)

    fake.script(
        CNPJ_PATH,
        Reply(429, {"message": "slow down"}, headers=(("Retry-After", "1"),)),
        Reply(200, COMPANY),
    )
    async with client(fake, sleep=record_sleep, max_backoff=2.0) as api:
        record = await api.cnpj("19131243000197")
    assert record.cnpj == "19131243000197"
    assert fake.count(CNPJ_PATH) == 2 and waits == [1.0]


async def test_server_errors_exhaust_retries(fake: FakeBrasilApi) -> None:
    fake.script(CNPJ_PATH, Reply(503, {"message": "down"}))
    async with client(fake, retries=2) as api:
        with pytest.raises(Unavailable):
            await api.cnpj("19131243000197")
    assert fake.count(CNPJ_PATH) == 3


async def test_timeout_is_unavailable(fake: FakeBrasilApi) -> None:
    fake.script(CNPJ_PATH, Reply(200, COMPANY, delay=0.6))
    async with client(fake, timeout=0.15, retries=1) as api:
        with pytest.raises(Unavailable, match="timeout"):
            await api.cnpj("19131243000197")


async def test_malformed_json_is_unavailable(fake: FakeBrasilApi) -> None:
    fake.script(CNPJ_PATH, Reply(200, "{not json"))
    async with client(fake) as api:
        with pytest.raises(Unavailable, match="malformed"):
            await api.cnpj("19131243000197")
    fake.script("/cep/v2/89010025", Reply(200, {"unexpected": True}))
    async with client(fake) as api:
        with pytest.raises(Unavailable):
            await api.cep("89010025")


async def test_bad_numbers_never_reach_the_server(fake: FakeBrasilApi) -> None:
    async with client(fake) as api:
        with pytest.raises(NotFound):
            await api.cnpj("123")
        with pytest.raises(NotFound):
            await api.cep("1234")
    assert not fake.hits
