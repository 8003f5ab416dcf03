"""The web chat over real HTTP, files: uploads checked, stored, queued and read; refused
clearly; kept only after consent and only for their session."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.ocr.synthetic import make_sample
from bot.bootstrap import Runtime, build_runtime, document_store
from bot.channels.errors import MediaTooLarge, MediaUnavailable
from bot.channels.web import StoredUploadFetcher
from bot.config import Settings
from bot.domain.clock import FakeClock
from bot.domain.messages import MediaRef
from bot.storage.models import Document, Message
from tests.service.web_chat_client import (
    OTHER,
    REGISTRATION,
    SESSION,
    greet,
    png,
    read_history,
    send,
    stored_files,
    upload,
    web_chat,
)
from tests.support.scripted_nlu import ScriptedInterpreter
from tests.support.waiting import eventually


# ---------------------------------------------------------------------------- files
def test_a_pdf_sent_at_the_documents_step_is_queued_and_read(runtime: Runtime) -> None:
    card = make_sample("cnpj_card", "pdf", seed=1)
    with web_chat(runtime) as client:
        greet(client)
        send(client, "Concordo", choice_id="yes")
        for answer in REGISTRATION:
            send(client, answer)
        send(client, "Está tudo certo", choice_id="__ok__")

        response = upload(
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
            lambda: [m for m in read_history(client) if "Li o seu cartão CNPJ" in str(m["text"])],
            timeout=10,
            what="the reading's answer",
        )
        assert reading[0]["choices"]  # confirm it: yes / no buttons
        assert greet(client) == []  # a reload leaves that open question last
        sent = [m for m in read_history(client) if m.get("file")]
        assert [(m["author"], m["file"]["filename"]) for m in sent] == [  # type: ignore[index]
            ("client", "cartao.pdf")
        ]
        # The reading comes back as an empty system event: the page shows only its answer.
        assert all(m["text"] or m["file"] for m in read_history(client))
    with runtime.sessions() as session:
        document = session.scalars(select(Document)).one()
        assert (document.source_channel, document.kind, document.status) == (
            "web",
            "cnpj_card",
            "read",
        )
        assert document.sha256 == document.provider_id and document.mime == "application/pdf"
        assert document.extraction["fields"]["cnpj"] == card.truth["cnpj"]
    assert len(stored_files(runtime)) == 1


def test_a_photo_sent_early_is_read_too(runtime: Runtime) -> None:
    with web_chat(runtime) as client:
        greet(client)
        send(client, "1")  # consent: documents are kept only after it
        response = upload(client, png(), content_type="image/png", filename="foto.png")
        assert response.status_code == 200, response.text
        assert "Recebi" in response.json()["messages"][0]["text"]

        def finished() -> bool:
            with runtime.sessions() as session:
                return session.scalars(select(Document)).one().status != "pending"

        eventually(finished, timeout=60, what="the photo's reading")
        # The reading was answered in the conversation, after the "recebi".
        eventually(
            lambda: (
                read_history(client)[-1]["author"] == "bot"
                and read_history(client)[-1]["id"] > response.json()["messages"][-1]["id"]
            ),
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
    with web_chat(runtime) as client:
        greet(client)
        send(client, "Concordo", choice_id="yes")
        before = read_history(client)
        response = upload(client, data, content_type=content_type)
        assert response.status_code == 422, response.text
        assert response.json()["detail"]["code"] == code
        assert words in response.json()["detail"]["message"]
        assert read_history(client) == before  # nothing stored, the question still stands
        assert "Prazer, Maria" in str(send(client, "Maria da Silva")[0]["text"])
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0
    assert stored_files(runtime) == []


def test_a_file_over_the_limit_is_refused_before_it_is_stored(
    settings: Settings, clock: FakeClock
) -> None:
    small = settings.model_copy(update={"max_upload_mb": 1})
    runtime = build_runtime(small, clock=clock, interpreter=ScriptedInterpreter(), migrate=False)
    try:
        with web_chat(runtime) as client:
            greet(client)
            big = png(1200, 1200) + b"\x00" * (1024 * 1024)
            response = upload(client, big, content_type="image/png")
            assert response.status_code == 413
            detail = response.json()["detail"]
            assert detail["code"] == "too_large" and "o limite é 1 MB" in detail["message"]
            with runtime.sessions() as session:
                assert session.scalar(select(func.count()).select_from(Document)) == 0
                assert session.scalar(select(func.count()).select_from(Message)) == len(
                    read_history(client)
                )
        assert stored_files(runtime) == []
    finally:
        runtime.close()


def test_uploads_belong_to_their_session(runtime: Runtime) -> None:
    with web_chat(runtime) as client:
        never_opened = upload(client, png(), content_type="image/png", session="never-seen-1")
        assert never_opened.status_code == 404
        greet(client)
        greet(client, OTHER)
        send(client, "1")  # consent: documents are kept only after it
        mine = upload(client, png(), content_type="image/png", message_id="upload-1")
        assert mine.status_code == 200
        file_id = mine.json()["file"]["id"]
        assert client.get(f"/chat/api/uploads/{file_id}", params={"session": SESSION}).is_success
        theirs = client.get(f"/chat/api/uploads/{file_id}", params={"session": OTHER})
        assert theirs.status_code == 404
        assert client.get("/chat/api/uploads/9999", params={"session": SESSION}).status_code == 404
        # The same upload retried (same message id) is one document.
        again = upload(client, png(), content_type="image/png", message_id="upload-1")
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


def test_a_file_before_consent_is_not_kept(runtime: Runtime) -> None:
    """LGPD: nothing is stored before the client agreed; the bot says why and asks again."""
    with web_chat(runtime) as client:
        greet(client)
        response = upload(client, png(), content_type="image/png", filename="cnh.png")
        assert response.status_code == 200, response.text
        texts = [m["text"] for m in response.json()["messages"]]
        assert any("consentimento" in t for t in texts)
    assert stored_files(runtime) == []
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0
