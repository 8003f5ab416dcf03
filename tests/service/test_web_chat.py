"""The web chat over real HTTP: page, messages, history, and the stored registration."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import select

from bot.app import create_app
from bot.bootstrap import Runtime, build_runtime
from bot.config import Settings
from bot.domain.clock import FakeClock
from bot.storage.models import Client, Contact, Onboarding
from tests.support.server import serving

SESSION = "web-session-0001"


def _send(client: httpx.Client, text: str, **extra: str) -> list[dict[str, object]]:
    response = client.post("/chat/api/messages", json={"session": SESSION, "text": text, **extra})
    assert response.status_code == 200, response.text
    messages: list[dict[str, object]] = response.json()["messages"]
    return messages


def test_registration_in_the_web_chat_is_stored(runtime: Runtime) -> None:
    with serving(create_app(runtime)) as base, httpx.Client(base_url=base, timeout=10) as client:
        page = client.get("/")
        assert (
            page.status_code == 200 and "Acolhe" in page.text and "/chat/api/messages" in page.text
        )
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json()["ready"] is True

        first = _send(client, "oi")
        assert first[0]["choices"] == [["yes", "Concordo"], ["no", "Não concordo"]]
        _send(client, "Concordo", choice_id="yes")
        for answer in [
            "Maria da Silva",
            "1",
            "11.222.333/0001-81",
            "Padaria Pão Quente",
            "45",
            "maria@paoquente.com.br",
            "11987654321",
            "1",
            "1",
            "1",
            "01310-100",
            "Av. Paulista, Bela Vista, São Paulo/SP",
            "1000",
            "não",
        ]:
            _send(client, answer)
        done = _send(client, "Está tudo certo", choice_id="__ok__")
        assert "Cadastro confirmado" in str(done[0]["text"])

        history = client.get("/chat/api/messages", params={"session": SESSION, "after": 0}).json()
        authors = {m["author"] for m in history}
        assert authors == {"client", "bot"}
        assert history[0]["text"] == "oi"
        later = client.get(
            "/chat/api/messages", params={"session": SESSION, "after": history[-1]["id"]}
        ).json()
        assert later == []

    with runtime.sessions() as session:
        client_row = session.scalars(select(Client)).one()
        assert client_row.cnpj == "11222333000181"
        assert {c.area for c in session.scalars(select(Contact))} == {
            "admin",
            "finance",
            "tech",
            "cs",
        }
        assert session.scalars(select(Onboarding)).one().stage == "documentos"


def test_web_chat_rejects_bad_input_clearly(runtime: Runtime) -> None:
    with serving(create_app(runtime)) as base, httpx.Client(base_url=base, timeout=10) as client:
        bad_session = client.post("/chat/api/messages", json={"session": "x", "text": "oi"})
        assert bad_session.status_code == 422
        too_long = client.post(
            "/chat/api/messages", json={"session": SESSION, "text": "a" * 10_001}
        )
        assert too_long.status_code == 422
        not_json = client.post(
            "/chat/api/messages", content=b"{oops", headers={"Content-Type": "application/json"}
        )
        assert not_json.status_code == 422
        unknown = client.get("/chat/api/messages", params={"session": "never-seen-1", "after": 0})
        assert unknown.status_code == 404
        long_ok = client.post("/chat/api/messages", json={"session": SESSION, "text": "a" * 10_000})
        assert long_ok.status_code == 200


def test_same_message_id_twice_is_answered_once(runtime: Runtime) -> None:
    with serving(create_app(runtime)) as base, httpx.Client(base_url=base, timeout=10) as client:
        body = {"session": SESSION, "text": "oi", "message_id": "retry-1"}
        first = client.post("/chat/api/messages", json=body).json()
        second = client.post("/chat/api/messages", json=body).json()
        assert first["duplicate"] is False and len(first["messages"]) == 1
        assert second == {"duplicate": True, "messages": []}


def test_rasa_down_falls_back_and_is_counted_on_metrics(
    settings: Settings, clock: FakeClock, nlu_cache_dir: Path
) -> None:
    from tests.support.server import free_port

    rasa_down = settings.model_copy(
        update={
            "nlu_backend": "rasa",
            "rasa_url": f"http://127.0.0.1:{free_port()}",  # nothing listens there
            "nlu_cache_dir": nlu_cache_dir,
        }
    )
    runtime = build_runtime(rasa_down, clock=clock, migrate=False)
    with serving(create_app(runtime)) as base, httpx.Client(base_url=base, timeout=10) as client:
        reply = _send(client, "oi")
        assert "Você concorda" in str(reply[0]["text"])  # the built-in model answered
        metrics = client.get("/metrics").text
        assert "acolhe_nlu_fallback_total" in metrics
        counted = [
            line for line in metrics.splitlines()
            if line.startswith("acolhe_nlu_fallback_total{") and not line.endswith(" 0.0")
        ]
        assert counted, metrics
