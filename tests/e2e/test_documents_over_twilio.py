"""The documents step over WhatsApp (Twilio): media downloaded with Basic auth after the
webhook is answered, checked, stored, read by real Tesseract / the PDF text layer, confirmed by
the client, cross-checked against the registration."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bench.ocr.synthetic import make_sample
from bot.storage.models import Document, Escalation, Onboarding
from tests.e2e.conftest import TwilioClient

pytestmark = pytest.mark.e2e

CLIENT = "+5511987654321"


def _say(
    client: TwilioClient, body: str, *, replies: int = 1, media: tuple[bytes, str] | None = None
) -> list[str]:
    before = len(client.fake.sent)
    extra: dict[str, str] = {}
    if media is not None:
        url = client.fake.add_media(media[0], media[1], redirect="other_host")
        extra = {
            "NumMedia": "1",
            "MediaUrl0": url,
            "MediaContentType0": media[1],
            "MessageType": "document",
        }
    response = client.post(CLIENT, body, extra=extra)
    assert response.status_code == 200, response.text
    sent = client.fake.wait_for(before + replies, timeout=60)
    return [m.body or "" for m in sent[before:]]


def _register(client: TwilioClient, cnpj: str) -> None:
    for answer in [
        "oi",
        "1",
        "Maria da Silva",
        "2",
        cnpj,
        "Padaria Pão Quente",
        "maria@paoquente.com.br",
        "11987654321",
        "01310-100",
        "Av. Paulista, Bela Vista, São Paulo/SP",
        "1000",
        "não",
    ]:
        _say(client, answer)
    done = _say(client, "1", replies=2)
    assert "Cadastro confirmado" in done[0] and "cartão CNPJ" in done[1]


def test_documents_step_reads_confirms_and_cross_checks(twilio_server: TwilioClient) -> None:
    card = make_sample("cnpj_card", "pdf", seed=1)
    _register(twilio_server, card.truth["cnpj"])

    received, reading = _say(twilio_server, "", media=(card.data, "application/pdf"), replies=2)
    assert "Recebi o arquivo" in received
    assert "Li o seu cartão CNPJ" in reading and "Os dados estão corretos?" in reading
    assert card.truth["razao_social"] in reading
    assert "diferenças" not in reading  # the card's CNPJ is the one typed
    confirmed = _say(twilio_server, "sim", replies=2)
    assert "Cartão CNPJ recebido e confirmado" in confirmed[0] and "CNH" in confirmed[1]

    cnh = make_sample("cnh", "pdf", seed=2)  # somebody else's licence: the name differs
    received, reading = _say(twilio_server, "", media=(cnh.data, "application/pdf"), replies=2)
    assert "Li a sua CNH" in reading and "diferenças" in reading
    final = _say(twilio_server, "sim", replies=3)
    assert "Avisei a nossa equipe sobre as diferenças" in final[1]
    assert "Recebemos tudo" in final[2]

    runtime = twilio_server.runtime
    with runtime.sessions() as session:
        documents = session.scalars(select(Document).order_by(Document.id)).all()
        assert [(d.kind, d.status) for d in documents] == [("cnpj_card", "read"), ("cnh", "read")]
        assert all(d.sha256 and d.size for d in documents)
        assert all(d.confirmed_at is not None for d in documents)
        assert documents[0].extraction["fields"]["cnpj"] == card.truth["cnpj"]
        # The reader's confidence per field is kept (the console shows it), one per field read.
        for document in documents:
            confidence = document.extraction["confidence"]
            assert set(confidence) == set(document.extraction["fields"])
            assert all(0.0 <= value <= 1.0 for value in confidence.values())
        escalation = session.scalars(select(Escalation)).one()
        assert escalation.reason == "document_mismatch"
        assert session.scalars(select(Onboarding)).one().stage == "validacao"
    stored = list((runtime.settings.documents_dir).rglob("*"))
    assert sum(p.is_file() for p in stored) == 2
    # Twilio's 307 to its CDN was followed without sending our credentials there.
    cdn = [r for r in twilio_server.fake.media_requests if r.server == "cdn"]
    assert cdn and all(r.authorization is None for r in cdn)


def test_a_corrupt_image_gets_a_specific_answer_and_stores_nothing(
    twilio_server: TwilioClient,
) -> None:
    card = make_sample("cnpj_card", "pdf", seed=3)
    _register(twilio_server, card.truth["cnpj"])
    received, refusal = _say(
        twilio_server, "", media=(b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg"), replies=2
    )
    assert "Recebi o arquivo" in received
    assert "imagem" in refusal.lower() or "arquivo" in refusal.lower()
    with twilio_server.runtime.sessions() as session:
        document = session.scalars(select(Document)).one()
        assert document.status == "rejected" and document.sha256 is None
    assert not any(p.is_file() for p in twilio_server.runtime.settings.documents_dir.rglob("*"))
    # The client is still asked for the card.
    explanation, question = _say(twilio_server, "ok?", replies=2)
    assert "preciso de um arquivo" in explanation and "cartão CNPJ" in question


def test_reading_a_photo_does_not_hold_up_another_client(twilio_server: TwilioClient) -> None:
    """While one client's photo is being read (seconds of OCR in the process pool), another
    client's messages are answered: the reading is the last thing sent."""
    card = make_sample("cnpj_card", "clean", seed=4)
    _register(twilio_server, card.truth["cnpj"])
    fake = twilio_server.fake
    url = fake.add_media(card.data, card.mime)
    before = len(fake.sent)
    response = twilio_server.post(
        CLIENT, "", extra={"NumMedia": "1", "MediaUrl0": url, "MediaContentType0": card.mime}
    )
    assert response.status_code == 200
    other = "+5521998765432"
    for n, text in enumerate(["oi", "1", "Joana Prado"], start=2):
        assert twilio_server.post(other, text).status_code == 200
        fake.wait_for(before + n, timeout=30)
    sent = fake.wait_for(before + 5, timeout=90)[before:]
    to_first = [m.body or "" for m in sent if m.to == f"whatsapp:{CLIENT}"]
    assert "Recebi o arquivo" in to_first[0] and "Li o seu cartão CNPJ" in to_first[1]
    # The reading came last, after all three of the other client's replies.
    assert sent[-1].to == f"whatsapp:{CLIENT}" and "Li o seu" in (sent[-1].body or "")
    assert sum(m.to == f"whatsapp:{other}" for m in sent[:4]) == 3
