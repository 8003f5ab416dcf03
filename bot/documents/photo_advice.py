"""What to tell a client whose photo cannot be read: the reason, where, and what to do next.

One text per reason of ``bot.documents.quality`` (pt-BR and English), each with its own tip —
"a foto está tremida" asks for a steadier hand, not for better light. Glare is placed on the
document ("no canto de cima, à direita") so the client knows what to move.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.documents.glare import Box
from bot.documents.glare_field import FIELD_PHRASES
from bot.documents.quality import (
    BLURRED,
    CUT,
    DARK,
    GLARE,
    LOW_CONTRAST,
    TOO_SMALL,
    ImageQuality,
)

__all__ = ["PhotoRefusal", "glare_place", "photo_refusal"]


@dataclass(frozen=True, slots=True)
class PhotoRefusal:
    """Why a photo is refused (``code`` ``photo_<reason>``) and the tip, in both languages."""

    code: str
    reason_pt: str
    reason_en: str
    tip_pt: str
    tip_en: str

    @property
    def message_pt(self) -> str:
        return f"{self.reason_pt}\n{self.tip_pt}"

    @property
    def message_en(self) -> str:
        return f"{self.reason_en}\n{self.tip_en}"


# reason -> (code, reason pt, reason en, tip pt, tip en)
_TEXTS: dict[str, tuple[str, str, str, str, str]] = {
    BLURRED: (
        "photo_blurred",
        "A foto está tremida (desfocada), e assim não consigo ler os dados com segurança.",
        "The photo is blurred (shaky or out of focus), so I can't read the details reliably.",
        "Dica: apoie o documento numa mesa, segure o celular com as duas mãos, toque na tela "
        "em cima do documento para focar e espere um segundo antes de fotografar.",
        "Tip: lay the document on a table, hold the phone with both hands, tap the screen on "
        "the document to focus and wait a second before taking the picture.",
    ),
    CUT: (
        "photo_cropped",
        "O documento está cortado na foto: falta um pedaço {side_pt}.",
        "The document is cut off in the photo: a part is missing {side_en}.",
        "Dica: afaste um pouco o celular até o documento inteiro caber na tela, com um pouco "
        "de mesa aparecendo em volta de todas as bordas.",
        "Tip: move the phone back a little until the whole document fits on the screen, with "
        "a bit of the table showing around every edge.",
    ),
    GLARE: (
        "photo_glare",
        "Tem reflexo em cima {over_pt}, e o que está embaixo dele some na foto.",
        "There is glare over {over_en}, and what is under it disappears.",
        "Dica: incline um pouco o documento (ou o celular), desligue o flash e fotografe "
        "longe da lâmpada, com a luz vindo de lado.",
        "Tip: tilt the document (or the phone) a little, turn the flash off and take the "
        "picture away from the lamp, with the light coming from the side.",
    ),
    TOO_SMALL: (
        "photo_too_small",
        "O documento ficou pequeno demais na foto (longe do celular): as letras não dão para ler.",
        "The document is too small in the photo (too far from the phone): the letters can't "
        "be read.",
        "Dica: aproxime o celular até o documento ocupar quase toda a tela, sem cortar as "
        "bordas, ou envie o PDF.",
        "Tip: bring the phone closer until the document fills almost the whole screen, "
        "without cutting its edges, or send the PDF.",
    ),
    DARK: (
        "photo_too_dark",
        "A foto está escura demais para ler o documento.",
        "The photo is too dark to read the document.",
        "Dica: fotografe perto de uma janela ou com a luz do ambiente acesa, sem fazer "
        "sombra com o celular em cima do documento.",
        "Tip: take the picture near a window or with the room light on, without the phone's "
        "shadow over the document.",
    ),
    LOW_CONTRAST: (
        "photo_faded",
        "A foto ficou apagada: o texto quase não se distingue do fundo.",
        "The photo is washed out: the text barely stands out from the background.",
        "Dica: fotografe com boa luz, sem flash, com o documento plano e o celular paralelo "
        "a ele; se tiver o PDF, ele é ainda melhor.",
        "Tip: take the picture in good light, without flash, with the document flat and the "
        "phone parallel to it; the PDF is even better, if you have it.",
    ),
}

_SIDES = {
    "top": ("em cima", "at the top"),
    "bottom": ("embaixo", "at the bottom"),
    "left": ("do lado esquerdo", "on the left"),
    "right": ("do lado direito", "on the right"),
}


def glare_place(box: Box | None) -> tuple[str, str]:
    """Where on the picture the glare is: (" no canto de cima, à direita", " at the top
    right"), or ("", "") when it is not known. Thirds of the picture, as the client sees it."""
    if box is None:
        return "", ""
    x = (box[0] + box[2]) / 2
    y = (box[1] + box[3]) / 2
    row = 0 if y < 1 / 3 else 2 if y > 2 / 3 else 1
    col = 0 if x < 1 / 3 else 2 if x > 2 / 3 else 1
    rows_pt = ("na parte de cima", "no meio", "na parte de baixo")
    rows_en = ("at the top", "in the middle", "at the bottom")
    cols_pt = (", à esquerda", "", ", à direita")
    cols_en = (" left", "", " right")
    if row == 1 and col != 1:
        return (
            f" {('do lado esquerdo', '', 'do lado direito')[col]}",
            f" {('on the left', '', 'on the right')[col]}",
        )
    return f" {rows_pt[row]}{cols_pt[col]}", f" {rows_en[row]}{cols_en[col]}"


def photo_refusal(quality: ImageQuality, *, glare_over: str = "") -> PhotoRefusal:
    """The client's explanation for ``quality``'s main reason (blur when none is named).

    ``glare_over``: the field the glare hides (``glare_field.FIELD_PHRASES``), when known;
    otherwise the glare is "em cima do texto", placed on the picture."""
    reason = quality.main_reason if quality.main_reason in _TEXTS else BLURRED
    code, reason_pt, reason_en, tip_pt, tip_en = _TEXTS[reason]
    side = quality.cut_edges[0] if quality.cut_edges else ""
    side_pt, side_en = _SIDES.get(side, ("na borda", "at an edge"))
    if glare_over in FIELD_PHRASES:
        over_pt, over_en = FIELD_PHRASES[glare_over]
    else:
        place_pt, place_en = glare_place(quality.glare_box)
        over_pt, over_en = f"do texto{place_pt}", f"the text{place_en}"
    return PhotoRefusal(
        code,
        reason_pt.format(side_pt=side_pt, over_pt=over_pt),
        reason_en.format(side_en=side_en, over_en=over_en),
        tip_pt,
        tip_en,
    )
