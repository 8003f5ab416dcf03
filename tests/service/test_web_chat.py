"""The web chat over real HTTP: page, greeting, messages, history, files, and the stored
registration."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select

from bench.ocr.synthetic import make_sample
from bot.app import create_app
from bot.bootstrap import Runtime, build_runtime, document_store
from bot.channels.errors import MediaTooLarge, MediaUnavailable
from bot.channels.web import StoredUploadFetcher
from bot.config import Settings
from bot.coordination import build_coordination
from bot.documents import IntakeLimits
from bot.domain.clock import FakeClock
from bot.domain.messages import MediaRef, OutboundMessage
from bot.service.inbox import Inbox
from bot.service.message_store import store_outbound
from bot.service.web_chat import WebChat
from bot.storage.models import Client, Contact, Conversation, Document, Message, Onboarding
from tests.support.scripted_nlu import ScriptedInterpreter
from tests.support.server import serving
from tests.support.waiting import eventually

SESSION = "web-session-0001"
OTHER = "web-session-0002"
REGISTRATION = [
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
]


def _send(
    client: httpx.Client, text: str, *, session: str = SESSION, **extra: str
) -> list[dict[str, object]]:
    response = client.post("/chat/api/messages", json={"session": session, "text": text, **extra})
    assert response.status_code == 200, response.text
    messages: list[dict[str, object]] = response.json()["messages"]
    return messages


def _greet(client: httpx.Client, session: str = SESSION) -> list[dict[str, object]]:
    response = client.post("/chat/api/greeting", json={"session": session})
    assert response.status_code == 200, response.text
    messages: list[dict[str, object]] = response.json()["messages"]
    return messages


def _history(client: httpx.Client, session: str = SESSION) -> list[dict[str, object]]:
    response = client.get("/chat/api/messages", params={"session": session, "after": 0})
    assert response.status_code == 200, response.text
    history: list[dict[str, object]] = response.json()
    return history


def _upload(
    client: httpx.Client,
    data: bytes,
    *,
    content_type: str,
    filename: str = "documento",
    session: str = SESSION,
    message_id: str = "",
) -> httpx.Response:
    return client.post(
        "/chat/api/uploads",
        params={"session": session, "filename": filename, "message_id": message_id},
        content=data,
        headers={"Content-Type": content_type},
    )


def _png(width: int = 640, height: int = 400) -> bytes:
    """A real, small PNG: a white card with a line of text (no document the reader knows)."""
    image = Image.new("RGB", (width, height), "white")
    # letters of a readable size: the intake refuses photos whose print is too small to read
    font = ImageFont.load_default(size=28)
    ImageDraw.Draw(image).text((40, 180), "Comprovante de teste 12345", fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _stored_files(runtime: Runtime) -> list[Path]:
    return [p for p in runtime.settings.documents_dir.rglob("*") if p.is_file()]


@contextmanager
def _chat(runtime: Runtime) -> Iterator[httpx.Client]:
    with serving(create_app(runtime)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


# ---------------------------------------------------------------------------- the page
def test_the_page_runs_only_its_own_code(runtime: Runtime) -> None:
    with _chat(runtime) as client:
        page = client.get("/")
        assert page.status_code == 200 and "Acolhe" in page.text
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "script-src 'sha256-" in policy and "unsafe-inline" not in policy
        assert "/chat/api/greeting" in page.text and "/chat/api/uploads" in page.text
        assert "innerHTML" not in page.text  # server text is only ever put in as text
        assert 'aria-live="polite"' in page.text
        assert 'capture="environment"' in page.text
        assert 'accept="image/*,application/pdf"' in page.text
        assert f'data-max-upload-bytes="{16 * 1024 * 1024}"' in page.text
        assert 'src="http' not in page.text and 'href="http' not in page.text  # no CDN


# ---------------------------------------------------------------------------- the greeting
def test_the_bot_greets_first_and_a_reload_adds_nothing(runtime: Runtime) -> None:
    with _chat(runtime) as client:
        greeting = _greet(client)
        assert greeting[-1]["choices"] == [["yes", "Concordo"], ["no", "Não concordo"]]
        assert "Olá! Eu sou a Acolhe" in str(greeting[0]["text"])
        history = _history(client)
        assert [m["author"] for m in history] == ["bot"] * len(greeting)  # no fake "oi"

        assert _greet(client) == []  # the page reloaded
        assert _history(client) == history

        _send(client, "Concordo", choice_id="yes")
        assert _greet(client) == []  # the current question is already the last thing said
        name_question = _history(client)[-1]
        assert name_question["author"] == "bot" and "nome completo" in str(name_question["text"])
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1
        assert session.scalar(select(func.count()).select_from(Client)) == 1


def test_a_returning_client_is_asked_the_current_question_again(runtime: Runtime) -> None:
    with _chat(runtime) as client:
        _greet(client)
        _send(client, "Concordo", choice_id="yes")
        with runtime.sessions() as session, session.begin():
            conversation = session.scalars(select(Conversation)).one()
            store_outbound(
                session,
                conversation,
                OutboundMessage(text="Oi Maria, aqui é a Carla da equipe.", kind="staff"),
                author="staff",
                now=runtime.clock.now(),
            )
        again = _greet(client)
        assert len(again) == 1 and "nome completo" in str(again[0]["text"])
        assert _greet(client) == []


@pytest.fixture(params=["in_process", "redis"])
def coordination(request: pytest.FixtureRequest) -> tuple[str | None, str]:
    """(Redis URL or None, key prefix): the gate in memory, and again in Redis."""
    if request.param == "in_process":
        return None, "acolhe"
    return request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")


def test_a_greeting_waits_for_the_conversation_turn(
    runtime: Runtime, coordination: tuple[str | None, str]
) -> None:
    """The greeting takes the same per-conversation turn as a message: it never races one."""

    async def scenario() -> None:
        shared = build_coordination(coordination[0], key_prefix=coordination[1])
        inbox = Inbox(conversations=runtime.conversations, gate=shared.gate)
        chat = WebChat(
            inbox=inbox,
            sessions=runtime.sessions,
            clock=runtime.clock,
            store=document_store(runtime.settings),
            limits=IntakeLimits(),
        )
        try:
            # What ``Inbox.receive`` holds while a message of this session is handled.
            async with shared.gate.admit(
                f"conv:web:{SESSION}", "in:web:held", timeout_s=5, remember_s=60
            ):
                greeting = asyncio.create_task(chat.greet(SESSION))
                await asyncio.sleep(0.3)
                assert not greeting.done()
            assert len(await asyncio.wait_for(greeting, timeout=10)) >= 1
            assert await chat.greet(SESSION) == []
        finally:
            await shared.aclose()

    asyncio.run(scenario())


# ---------------------------------------------------------------------------- messages
def test_registration_in_the_web_chat_is_stored(runtime: Runtime) -> None:
    with _chat(runtime) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").json()["ready"] is True

        _greet(client)
        _send(client, "Concordo", choice_id="yes")
        for answer in REGISTRATION:
            _send(client, answer)
        done = _send(client, "Está tudo certo", choice_id="__ok__")
        assert "Cadastro confirmado" in str(done[0]["text"])

        history = _history(client)
        assert {m["author"] for m in history} == {"client", "bot"}
        assert history[0]["author"] == "bot"
        tapped = [m for m in history if m["author"] == "client"][0]
        assert tapped["text"] == "Concordo"  # a tapped choice reads as its title
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
    with _chat(runtime) as client:
        bad_session = client.post("/chat/api/messages", json={"session": "x", "text": "oi"})
        assert bad_session.status_code == 422
        assert client.post("/chat/api/greeting", json={"session": "x"}).status_code == 422
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
    with _chat(runtime) as client:
        body = {"session": SESSION, "text": "oi", "message_id": "retry-1"}
        first = client.post("/chat/api/messages", json=body).json()
        second = client.post("/chat/api/messages", json=body).json()
        assert first["duplicate"] is False and len(first["messages"]) == 1
        assert second == {"duplicate": True, "messages": []}


# ---------------------------------------------------------------------------- files
def test_a_pdf_sent_at_the_documents_step_is_queued_and_read(runtime: Runtime) -> None:
    card = make_sample("cnpj_card", "pdf", 1)
    with _chat(runtime) as client:
        _greet(client)
        _send(client, "Concordo", choice_id="yes")
        for answer in REGISTRATION:
            _send(client, answer)
        _send(client, "Está tudo certo", choice_id="__ok__")

        response = _upload(
            client, card.data, content_type="application/pdf", filename="C:\\docs\\cartao.pdf"
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["file"]["status"] == "pending" and body["file"]["filename"] == "cartao.pdf"
        assert "Recebi o arquivo" in body["messages"][0]["text"]
        file_id = body["file"]["id"]

        def read() -> dict[str, object] | None:
            status = client.get(f"/chat/api/uploads/{file_id}", params={"session": SESSION})
            found: dict[str, object] = status.json()
            return found if found["status"] != "pending" else None

        assert eventually(read, timeout=60, what="the reading")["status"] == "read"
        reading = eventually(
            lambda: [m for m in _history(client) if "Li o seu cartão CNPJ" in str(m["text"])],
            timeout=10,
            what="the reading's answer",
        )
        assert reading[0]["choices"]  # confirm it: yes / no buttons
        assert _greet(client) == []  # a reload leaves that open question last
        sent = [m for m in _history(client) if m.get("file")]
        assert [(m["author"], m["file"]["filename"]) for m in sent] == [  # type: ignore[index]
            ("client", "cartao.pdf")
        ]
        # The reading comes back as an empty system event: the page shows only its answer.
        assert all(m["text"] or m["file"] for m in _history(client))
    with runtime.sessions() as session:
        document = session.scalars(select(Document)).one()
        assert (document.source_channel, document.kind, document.status) == (
            "web",
            "cnpj_card",
            "read",
        )
        assert document.sha256 == document.provider_id and document.mime == "application/pdf"
        assert document.extraction["fields"]["cnpj"] == card.truth["cnpj"]
    assert len(_stored_files(runtime)) == 1


def test_a_photo_sent_early_is_read_too(runtime: Runtime) -> None:
    with _chat(runtime) as client:
        _greet(client)
        _send(client, "1")  # consent: documents are kept only after it
        response = _upload(client, _png(), content_type="image/png", filename="foto.png")
        assert response.status_code == 200, response.text
        assert "Recebi" in response.json()["messages"][0]["text"]

        def finished() -> bool:
            with runtime.sessions() as session:
                return session.scalars(select(Document)).one().status != "pending"

        eventually(finished, timeout=60, what="the photo's reading")
        # The reading was answered in the conversation, after the "recebi".
        eventually(
            lambda: _history(client)[-1]["author"] == "bot"
            and _history(client)[-1]["id"] > response.json()["messages"][-1]["id"],
            timeout=10,
            what="the reading's answer",
        )


@pytest.mark.parametrize(
    ("data", "content_type", "code", "words"),
    [
        (b"", "image/jpeg", "empty", "chegou vazio"),
        (b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg", "corrupt", "corrompido"),
        (b"%PDF-1.7\n broken", "application/pdf", "pdf_unreadable", "corrompido"),
        (b"MZ\x90\x00 an executable", "application/pdf", "unsupported_type", "imagem ou PDF"),
    ],
)
def test_a_bad_file_gets_a_clear_answer_and_loses_nothing(
    runtime: Runtime, data: bytes, content_type: str, code: str, words: str
) -> None:
    with _chat(runtime) as client:
        _greet(client)
        _send(client, "Concordo", choice_id="yes")
        before = _history(client)
        response = _upload(client, data, content_type=content_type)
        assert response.status_code == 422, response.text
        assert response.json()["detail"]["code"] == code
        assert words in response.json()["detail"]["message"]
        assert _history(client) == before  # nothing stored, the question still stands
        assert "Prazer, Maria" in str(_send(client, "Maria da Silva")[0]["text"])
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0
    assert _stored_files(runtime) == []


def test_a_file_over_the_limit_is_refused_before_it_is_stored(
    settings: Settings, clock: FakeClock
) -> None:
    small = settings.model_copy(update={"max_upload_mb": 1})
    runtime = build_runtime(small, clock=clock, interpreter=ScriptedInterpreter(), migrate=False)
    try:
        with _chat(runtime) as client:
            _greet(client)
            big = _png(1200, 1200) + b"\x00" * (1024 * 1024)
            response = _upload(client, big, content_type="image/png")
            assert response.status_code == 413
            detail = response.json()["detail"]
            assert detail["code"] == "too_large" and "o limite é 1 MB" in detail["message"]
            with runtime.sessions() as session:
                assert session.scalar(select(func.count()).select_from(Document)) == 0
                assert session.scalar(select(func.count()).select_from(Message)) == len(
                    _history(client)
                )
        assert _stored_files(runtime) == []
    finally:
        runtime.close()


def test_uploads_belong_to_their_session(runtime: Runtime) -> None:
    with _chat(runtime) as client:
        never_opened = _upload(client, _png(), content_type="image/png", session="never-seen-1")
        assert never_opened.status_code == 404
        _greet(client)
        _greet(client, OTHER)
        _send(client, "1")  # consent: documents are kept only after it
        mine = _upload(client, _png(), content_type="image/png", message_id="upload-1")
        assert mine.status_code == 200
        file_id = mine.json()["file"]["id"]
        assert client.get(f"/chat/api/uploads/{file_id}", params={"session": SESSION}).is_success
        theirs = client.get(f"/chat/api/uploads/{file_id}", params={"session": OTHER})
        assert theirs.status_code == 404
        assert client.get("/chat/api/uploads/9999", params={"session": SESSION}).status_code == 404
        # The same upload retried (same message id) is one document.
        again = _upload(client, _png(), content_type="image/png", message_id="upload-1")
        assert again.json()["duplicate"] is True and again.json()["file"]["id"] == file_id
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 1


async def test_the_web_fetcher_reads_back_what_was_stored(tmp_path: Path) -> None:
    store = document_store(
        Settings(_env_file=None, environment="test", documents_dir=tmp_path)  # type: ignore[call-arg]
    )
    fetcher = StoredUploadFetcher(store)
    sha256 = store.put(b"%PDF-1.7 content")
    assert await fetcher.fetch(MediaRef(url="", provider_id=sha256), max_bytes=100) == (
        b"%PDF-1.7 content"
    )
    with pytest.raises(MediaTooLarge):
        await fetcher.fetch(MediaRef(url="", provider_id=sha256), max_bytes=4)
    with pytest.raises(MediaUnavailable):
        await fetcher.fetch(MediaRef(url="", provider_id="0" * 64), max_bytes=100)
    with pytest.raises(MediaUnavailable):
        await fetcher.fetch(MediaRef(url="", provider_id="../../etc/passwd"), max_bytes=100)


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


def test_a_file_before_consent_is_not_kept(runtime: Runtime) -> None:
    """LGPD: nothing is stored before the client agreed; the bot says why and asks again."""
    with _chat(runtime) as client:
        _greet(client)
        response = _upload(client, _png(), content_type="image/png", filename="cnh.png")
        assert response.status_code == 200, response.text
        texts = [m["text"] for m in response.json()["messages"]]
        assert any("consentimento" in t for t in texts)
    assert _stored_files(runtime) == []
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0
