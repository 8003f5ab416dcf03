"""Which field a glare hides: the printed label just above (or beside) the washed-out spot.

Only a photo refused for glare gets this look: one Tesseract call on a small crop around the
top of the glare, whose words are matched to the labels of the documents' fields. The client
then reads "tem reflexo em cima do nome" instead of "em cima do texto". When no label is found
(or Tesseract is missing or slow) the refusal names the place on the picture instead.
"""

from __future__ import annotations

import logging

from PIL import Image

from bot.documents.errors import DocumentError
from bot.documents.folding import tokens
from bot.documents.quality import ImageQuality
from bot.documents.tesseract import OcrEngine, TesseractEngine

__all__ = ["FIELD_PHRASES", "glare_field"]

log = logging.getLogger(__name__)

# Label words (folded tokens, most specific first) -> the field under them.
_LABELS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("NOME", "EMPRESARIAL"), "razao_social"),
    (("RAZAO", "SOCIAL"), "razao_social"),
    (("NOME", "DO", "CLIENTE"), "titular"),
    (("CLIENTE",), "titular"),
    (("TITULAR",), "titular"),
    (("NOME",), "nome"),
    (("CPF",), "cpf"),
    (("CNPJ",), "cnpj"),
    (("INSCRICAO",), "cnpj"),
    (("NASCIMENTO",), "data_nascimento"),
    (("REGISTRO",), "numero_registro"),
    (("VALIDADE",), "validade"),
    (("ENDERECO",), "endereco"),
    (("LOGRADOURO",), "endereco"),
    (("CEP",), "cep"),
)

# field -> how the refusal names it: "em cima do nome" / "over the name"
FIELD_PHRASES: dict[str, tuple[str, str]] = {
    "nome": ("do nome", "the name"),
    "razao_social": ("da razão social", "the company name"),
    "titular": ("do nome do titular", "the holder's name"),
    "cpf": ("do CPF", "the CPF"),
    "cnpj": ("do CNPJ", "the CNPJ"),
    "data_nascimento": ("da data de nascimento", "the date of birth"),
    "numero_registro": ("do número de registro", "the registration number"),
    "validade": ("da validade", "the expiry date"),
    "endereco": ("do endereço", "the address"),
    "cep": ("do CEP", "the CEP"),
}


def glare_field(
    image: Image.Image, quality: ImageQuality, *, engine: OcrEngine | None = None
) -> str:
    """The field whose label sits just above the glare (``FIELD_PHRASES``' keys), or ""."""
    if quality.glare_box is None or quality.text_height <= 0:
        return ""
    left, top, right, bottom = quality.glare_box
    w, h = image.size
    letters = quality.text_height
    x0 = max(int((left - 0.15 * (right - left)) * w), 0)
    x1 = min(int(right * w), w)
    y0 = max(int(top * h - 3 * letters), 0)
    y1 = min(int((top + bottom) / 2 * h), h)
    if x1 - x0 < 4 * letters or y1 - y0 < letters:
        return ""
    crop = image.crop((x0, y0, x1, y1)).convert("L")
    if letters < 20:  # Tesseract reads small print better enlarged
        factor = 20 / letters
        crop = crop.resize(
            (round(crop.width * factor), round(crop.height * factor)), Image.Resampling.BICUBIC
        )
    ocr = engine or TesseractEngine(timeout=3.0)
    try:
        words = ocr.words(crop, psm=11)  # sparse: small labels between values
    except DocumentError as exc:  # missing binary, time-out: the place on the picture will do
        log.info("glare label not read: %s", exc)
        return ""
    # lowest label first: the one right above the hidden value
    for word_index in sorted(range(len(words)), key=lambda i: -words[i].bottom):
        following = [t for word in words[word_index : word_index + 3] for t in tokens(word.text)]
        for label, name in _LABELS:
            if tuple(following[: len(label)]) == label:
                return name
    return ""
