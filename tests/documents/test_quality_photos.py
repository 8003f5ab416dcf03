"""Photos the reader cannot use are refused at intake with the reason and a tip; usable ones
pass. Photos come from the benchmark's generator (``bench.ocr.synthetic``: the tuning family's
usable captures and its ``draw_unusable`` defects)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from bench.ocr.synthetic import draw, draw_unusable
from bot.documents import DocumentRejected, IntakeLimits, inspect_upload
from bot.documents.errors import DocumentError
from bot.documents.glare_field import glare_field
from bot.documents.intake import check_photo
from bot.documents.page import Word
from bot.documents.photo_advice import glare_place, photo_refusal
from bot.documents.quality import (
    BLURRED,
    CUT,
    DARK,
    GLARE,
    TOO_SMALL,
    ImageQuality,
    cut_edges,
)

SEED = 1000  # the tuning family's fixed set


def refusal(data: bytes) -> DocumentRejected:
    with pytest.raises(DocumentRejected) as info:
        inspect_upload(data, limits=IntakeLimits())
    return info.value


@pytest.mark.parametrize(
    ("kind", "level", "index"),
    [
        ("cnpj_card", "clean", 0),
        ("cnh", "moderate", 1),
        ("rg", "moderate", 2),
        ("rg", "heavy", 3),
        ("cnh", "heavy", 0),
        ("comprovante_endereco", "moderate", 1),
        ("cnpj_card", "heavy", 2),
        ("comprovante_endereco", "heavy", 3),
    ],
)
def test_usable_photos_are_accepted(kind: str, level: str, index: int) -> None:
    data, _ = draw(kind, seed=SEED + index, family="tuning", level=level)
    upload = inspect_upload(data, limits=IntakeLimits())
    assert upload.mime.startswith("image/")


@pytest.mark.parametrize(
    ("kind", "defect", "index", "code", "pt", "en"),
    [
        ("cnh", "blurred", 0, "photo_blurred", "tremida", "blurred"),
        ("rg", "blurred", 2, "photo_blurred", "tremida", "blurred"),
        ("cnpj_card", "dark", 1, "photo_too_dark", "escura", "too dark"),
        ("comprovante_endereco", "dark", 2, "photo_too_dark", "escura", "too dark"),
        ("cnpj_card", "small", 1, "photo_too_small", "pequeno demais", "too small"),
        ("cnh", "glare", 0, "photo_glare", "Tem reflexo em cima d", "There is glare over"),
    ],
)
def test_unusable_photos_are_refused_with_their_reason_and_a_tip(
    kind: str, defect: str, index: int, code: str, pt: str, en: str
) -> None:
    sample = draw_unusable(kind, seed=SEED + index, family="tuning", defect=defect)
    error = refusal(sample.data)
    assert error.code == code
    reason_pt, tip_pt = error.message_pt.split("\n")
    reason_en, tip_en = error.message_en.split("\n")
    assert pt in reason_pt and en in reason_en
    assert tip_pt.startswith("Dica: ") and tip_en.startswith("Tip: ")


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_a_cropped_photo_names_the_side_that_is_missing(index: int) -> None:
    sample = draw_unusable("cnh", seed=SEED + index, family="tuning", defect="cropped")
    error = refusal(sample.data)
    side_pt = {
        "top": "em cima",
        "bottom": "embaixo",
        "left": "do lado esquerdo",
        "right": "do lado direito",
    }[sample.notes["side"]]
    assert error.code == "photo_cropped"
    assert error.message_pt.startswith(
        f"O documento está cortado na foto: falta um pedaço {side_pt}."
    )


def test_each_reason_has_its_own_tip() -> None:
    tips = set()
    for reason in (BLURRED, CUT, GLARE, TOO_SMALL, DARK):
        quality = ImageQuality(1000, 800, 12.0, 50.0, 200.0, "unreadable", (reason,))
        advice = photo_refusal(quality)
        assert advice.code.startswith("photo_")
        tips.add(advice.tip_pt)
        assert advice.tip_en.startswith("Tip: ")
    assert len(tips) == 5


def test_glare_is_placed_on_the_picture() -> None:
    assert glare_place((0.7, 0.05, 0.95, 0.25)) == (
        " na parte de cima, à direita",
        " at the top right",
    )
    assert glare_place((0.05, 0.4, 0.3, 0.6)) == (" do lado esquerdo", " on the left")
    assert glare_place((0.4, 0.4, 0.6, 0.6)) == (" no meio", " in the middle")
    assert glare_place(None) == ("", "")


def test_a_picture_without_letters_is_left_to_the_reader() -> None:
    buf = io.BytesIO()
    Image.new("RGB", (900, 700), (120, 160, 90)).save(buf, "JPEG", quality=85)
    check_photo(buf.getvalue())  # no refusal: the reader will say it is not a document


def test_the_photo_check_can_be_turned_off() -> None:
    sample = draw_unusable("cnh", seed=SEED, family="tuning", defect="blurred")
    upload = inspect_upload(sample.data, limits=IntakeLimits(check_photo=False))
    assert upload.mime == "image/jpeg"


def test_pdfs_are_not_judged_as_photos() -> None:
    data, _ = draw("cnh", seed=SEED, family="tuning", level="pdf")
    assert inspect_upload(data, limits=IntakeLimits()).is_pdf


@pytest.mark.tesseract
def test_glare_over_the_name_is_named_when_its_label_is_read() -> None:
    sample = draw_unusable("rg", seed=SEED + 2, family="tuning", defect="glare")
    assert sample.notes["region"] == "nome"
    error = refusal(sample.data)
    assert error.code == "photo_glare"
    assert error.message_pt.startswith("Tem reflexo em cima do nome, e o que está embaixo")
    assert error.message_en.startswith("There is glare over the name, and what is under it")


class FakeLabels:
    """Tesseract's words for the crop above a glare, written by hand."""

    def __init__(self, *texts: str, fail: bool = False) -> None:
        self.texts, self.fail = texts, fail

    def words(self, image: Image.Image, *, psm: int) -> list[Word]:
        if self.fail:
            raise DocumentError("tesseract is not installed")
        return [
            Word(t, 10.0 * i, 10.0 + i, 10.0 * i + 8, 20.0 + i) for i, t in enumerate(self.texts)
        ]


GLARED = ImageQuality(
    1000, 800, 14.0, 900.0, 200.0, "unreadable", (GLARE,), glare_box=(0.3, 0.3, 0.6, 0.4)
)


@pytest.mark.parametrize(
    ("texts", "field"),
    [
        (("NOME", "EMPRESARIAL"), "razao_social"),
        (("2", "e", "1", "NOME", "E", "SOBRENOME"), "nome"),
        (("Nome", "do", "cliente"), "titular"),
        (("4d", "CPF"), "cpf"),
        (("TELEFONE",), ""),
    ],
)
def test_the_label_above_a_glare_names_the_field(texts: tuple[str, ...], field: str) -> None:
    image = Image.new("RGB", (1000, 800), (230, 230, 230))
    assert glare_field(image, GLARED, engine=FakeLabels(*texts)) == field


def test_without_tesseract_the_glare_is_placed_instead() -> None:
    image = Image.new("RGB", (1000, 800), (230, 230, 230))
    assert glare_field(image, GLARED, engine=FakeLabels(fail=True)) == ""
    advice = photo_refusal(GLARED, glare_over="")
    assert advice.reason_pt.startswith("Tem reflexo em cima do texto no meio")


def test_only_letter_sized_shapes_on_the_frame_are_cut_letters() -> None:
    # letters 20 px on white paper: three cut by the top edge, one cut by the left edge; a
    # stroke running 3 letters deep from the bottom edge and a U whose arms touch the right
    # edge but join 1.9 letters in (one shape, deeper than a letter) are not cut letters
    ink = np.zeros((400, 600), dtype=bool)
    for left in (100, 140, 180):
        ink[0:14, left : left + 10] = True
    ink[200:215, 0:12] = True
    ink[340:400, 300:306] = True  # a rule's end: 60 px deep
    ink[100:108, 570:600] = True  # the U's arms, each a cut letter alone...
    ink[130:138, 570:600] = True
    ink[100:138, 562:570] = True  # ...joined 38 px in from the frame
    gray = np.full(ink.shape, 250.0)
    edges = dict(cut_edges(ink, 20.0, gray=gray, paper=250.0))
    assert edges == {"top": 3, "bottom": 0, "left": 1, "right": 0}
