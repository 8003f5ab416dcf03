"""Stories of issue #16 in the conversation, in pt and en, without a database: a photo refused
at intake with its reason and tip, then a good one; the enterprise segment's optional proof of
address and contrato social; "não tenho agora" on an optional document.

Refusals are what the intake really says (``photo_refusal`` of a measured reason, or a photo
drawn by the benchmark's generator and refused by ``inspect_upload``), delivered as the
document worker delivers them: a ``DocumentReading`` with the refusal as ``rejected_*``.
"""

from __future__ import annotations

from datetime import date

import pytest

from bench.ocr.synthetic import draw_unusable
from bot.dialogue.documents import SKIPPED
from bot.dialogue.state import DocumentPending
from bot.documents import DocumentRejected, IntakeLimits, inspect_upload
from bot.documents.crosscheck import cross_check
from bot.documents.photo_advice import photo_refusal
from bot.documents.quality import BLURRED, CUT, DARK, GLARE, TOO_SMALL, ImageQuality
from bot.domain.documents import DocumentReading, Mismatch
from tests.dialogue.support import Chat, cnh_reading, cnpj_card_reading, prompt, says, slots_until

ENTERPRISE = {**slots_until(None), "employees": 600}


def refused(document_id: int, error: DocumentRejected) -> DocumentReading:
    """As the worker turns an intake refusal into the dialogue's event."""
    return DocumentReading(
        document_id, "other", rejected_pt=error.message_pt, rejected_en=error.message_en
    )


def measured(reason: str, *, cut: tuple[str, ...] = ()) -> DocumentRejected:
    quality = ImageQuality(
        1200,
        900,
        12.0,
        50.0,
        200.0,
        "unreadable",
        (reason,),
        cut_edges=cut,
        glare_box=(0.1, 0.1, 0.3, 0.25),
    )
    advice = photo_refusal(quality)
    return DocumentRejected(advice.code, advice.message_pt, advice.message_en)


def bill_reading(document_id: int = 11, *, cep: str = "01310100") -> DocumentReading:
    return DocumentReading(
        document_id=document_id,
        kind="comprovante_endereco",
        fields={
            "titular": "PADARIA PAO QUENTE LTDA",
            "endereco": "AV PAULISTA 1000",
            "cep": cep,
            "municipio": "SAO PAULO",
            "uf": "SP",
            "data_emissao": "10/11/2026",
        },
    )


def contract_reading(document_id: int = 12) -> DocumentReading:
    return DocumentReading(
        document_id=document_id,
        kind="contrato_social",
        fields={
            "razao_social": "PADARIA PAO QUENTE LTDA",
            "cnpj": "11222333000181",
            "socio_1_nome": "MARIA DA SILVA",
            "socio_1_cpf": "52998224725",
        },
    )


def through_identity(chat: Chat) -> None:
    chat.at(ENTERPRISE, saved=True, step="cnpj_card")
    chat.read(cnpj_card_reading())
    chat.send("1")
    chat.read(cnh_reading())
    chat.send("1")


# ------------------------------------------------------------- refused photos, then a good one
@pytest.mark.parametrize(
    ("reason", "pt", "en"),
    [
        (BLURRED, "A foto está tremida", "The photo is blurred"),
        (
            CUT,
            "O documento está cortado na foto: falta um pedaço do lado direito.",
            "The document is cut off in the photo: a part is missing on the right.",
        ),
        (
            GLARE,
            "Tem reflexo em cima do texto na parte de cima, à esquerda",
            "There is glare over the text at the top left",
        ),
        (TOO_SMALL, "O documento ficou pequeno demais na foto", "The document is too small"),
        (DARK, "A foto está escura demais", "The photo is too dark"),
    ],
)
@pytest.mark.parametrize("language", ["pt", "en"])
def test_a_refused_photo_says_why_and_how_then_a_good_one_is_shown(
    chat: Chat, reason: str, pt: str, en: str, language: str
) -> None:
    chat.at_documents().with_state(language=language)
    turn = chat.read(refused(5, measured(reason, cut=("right",))))
    [reply] = [r.text for r in turn.replies]  # one message: why, how, and what to do now
    reason_line, tip, then = reply.split("\n")
    assert then == says("document_send_another", language)  # another photo, or a person
    assert reason_line.startswith(en if language == "en" else pt)
    assert tip.startswith("Tip: " if language == "en" else "Dica: ")
    assert chat.state.pending is None  # nothing to confirm: the step still waits for a file
    turn = chat.read(cnpj_card_reading(6))
    kind = "your CNPJ card" if language == "en" else "o seu cartão CNPJ"
    assert turn.replies[0].text.splitlines()[0] == says("document_read", language, document=kind)
    pending = chat.state.pending
    assert isinstance(pending, DocumentPending) and pending.document_id == 6


def test_a_blurred_photo_from_the_phone_is_refused_by_the_intake_with_its_reason(
    chat: Chat,
) -> None:
    photo = draw_unusable("cnh", seed=1000, family="tuning", defect="blurred")
    with pytest.raises(DocumentRejected) as info:
        inspect_upload(photo.data, limits=IntakeLimits())
    chat.at_documents(step="identity")
    turn = chat.read(refused(9, info.value))
    assert turn.replies[0].text.startswith("A foto está tremida (desfocada)")
    assert "Dica: apoie o documento numa mesa" in turn.replies[0].text


# ------------------------------------------------------------- the new documents' steps
def test_the_default_segment_ends_after_the_identity_document(chat: Chat) -> None:
    chat.at_documents()
    chat.read(cnpj_card_reading())
    chat.send("1")
    chat.read(cnh_reading())
    chat.send("1")
    assert chat.state.finished
    assert "doc_address_proof" not in chat.state.slots


def test_the_enterprise_segment_is_asked_the_proof_of_address_and_the_contract(
    chat: Chat,
) -> None:
    through_identity(chat)
    assert chat.turns[-1].replies[-1].text == prompt("address_proof")
    turn = chat.read(bill_reading())
    body = turn.replies[0].text
    assert body.splitlines()[0] == says("document_read", document="o seu comprovante de endereço")
    assert "• Titular: PADARIA PAO QUENTE LTDA" in body
    assert "• CEP: 01310-100" in body
    assert "• Data de emissão: 10/11/2026" in body
    turn = chat.send("1")
    assert turn.replies[-1].text == prompt("company_contract")
    assert chat.state.slots["doc_address_proof"] == 11
    body = chat.read(contract_reading()).replies[0].text
    assert "• CNPJ: 11.222.333/0001-81" in body
    assert "• Sócio 1: MARIA DA SILVA" in body
    assert "• CPF (sócio 1): 529.982.247-25" in body
    chat.send("1")
    assert chat.state.slots["doc_company_contract"] == 12
    assert chat.state.finished


def test_the_new_documents_in_english(chat: Chat) -> None:
    chat.with_state(language="en")
    through_identity(chat)
    assert chat.turns[-1].replies[-1].text == prompt("address_proof", language="en")
    body = chat.read(bill_reading()).replies[0].text
    assert body.splitlines()[0] == says("document_read", "en", document="your proof of address")
    assert "• Account holder: PADARIA PAO QUENTE LTDA" in body


def test_a_bill_whose_cep_differs_shows_the_difference(chat: Chat) -> None:
    through_identity(chat)
    reading = bill_reading()
    found = cross_check(
        "comprovante_endereco", {"cep": "04001000"}, today=date(2026, 12, 7), typed_cep="01310100"
    )
    differs = DocumentReading(
        reading.document_id,
        reading.kind,
        {**reading.fields, "cep": "04001000"},
        mismatches=tuple(Mismatch(m.field, m.reason_pt, m.reason_en) for m in found),
    )
    body = chat.read(differs).replies[0].text
    assert says("document_mismatch_intro") in body
    assert (
        "⚠️ O CEP do comprovante (04001-000) é diferente do informado no cadastro (01310-100)."
    ) in body


# ------------------------------------------------------------- "não tenho agora"
@pytest.mark.parametrize(
    ("language", "said"), [("pt", "não tenho agora"), ("pt", "mando depois"), ("en", "not now")]
)
def test_not_now_passes_an_optional_document(chat: Chat, language: str, said: str) -> None:
    chat.with_state(language=language)
    through_identity(chat)
    turn = chat.send(said)
    document = "your proof of address" if language == "en" else "o seu comprovante de endereço"
    assert turn.replies[0].text == says("document_skipped", language, document=document)
    assert turn.replies[-1].text == prompt("company_contract", language=language)
    assert chat.state.slots["doc_address_proof"] == SKIPPED


def test_text_at_an_optional_document_says_it_can_wait(chat: Chat) -> None:
    through_identity(chat)
    turn = chat.send("qualquer coisa")
    assert turn.replies[0].text.startswith(says("document_expected_optional"))
    turn = chat.send("ok")  # "ok" to sending it: it waits, and can be passed
    assert turn.replies[0].text == says("document_later_optional")


def test_not_now_at_a_required_document_is_not_a_pass(chat: Chat) -> None:
    chat.at_documents(step="identity")
    turn = chat.send("não tenho agora")
    assert "doc_identity" not in chat.state.slots
    assert turn.replies[0].text == says("document_later")


def test_a_document_passed_earlier_is_shown_when_it_comes(chat: Chat) -> None:
    through_identity(chat)
    chat.send("não tenho agora")
    chat.send("não tenho agora")
    assert chat.state.finished
    turn = chat.read(bill_reading(21))
    assert turn.replies[0].text.splitlines()[0] == says(
        "document_read", document="o seu comprovante de endereço"
    )
    chat.send("1")
    assert chat.state.slots["doc_address_proof"] == 21
