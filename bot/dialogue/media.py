"""Files and other media in the chat. A photo or PDF is acknowledged once (it is read after
the answer and comes back as a document event); audio, video, stickers, locations and shared
contacts get a clear answer. A caption is read as text after its file, unless it only says
what the file is ("segue minha CNH")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.dialogue.state import DocumentPending
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.domain.messages import MediaRef
from flows import DocumentStep

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["MediaHandler", "is_document_caption"]

_CAPTION = re.compile(
    r"\b(segue|seguem|anexo|anexa|anexado|em anexo|foto|fotos|documento|documentos|doc|cnh|"
    r"rg|identidade|cartao|cnpj|comprovante|contrato|pdf|aqui|esta|este|essa|esse|frente|"
    r"verso|here|attached|photo|picture|document|licence|license|card|id)\b"
)


def is_document_caption(turn: Turn) -> bool:
    """A caption that only tells what the file is; one with a CNPJ or e-mail in it is not."""
    said = turn.said
    if said.nlu.entities or said.command is not None:
        return False  # "HUMANO" with a photo still calls a person
    return _CAPTION.search(said.folded) is not None or said.words <= 2


def _kind(media: MediaRef) -> str:
    """audio, video or sticker; a recording sent as a plain file counts by its type."""
    if media.kind != "file":
        return media.kind
    return "video" if media.content_type.lower().startswith("video/") else "audio"


class MediaHandler:
    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        message = turn.said.message
        return bool(message.media) or bool(message.unsupported)

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        message = turn.said.message
        lang = turn.language
        readable = [m for m in message.media if m.readable]
        if message.unsupported:
            turn.say(text(f"unsupported_{message.unsupported}", lang))
        for kind in sorted({_kind(m) for m in message.media if not m.readable}):
            turn.say(text(f"unsupported_{kind}", lang))
        if readable and turn.state.slots.get("lgpd_consent") is not True:
            # Nothing is kept before consent (the service does not queue the file either).
            turn.say(text("document_before_consent", lang))
            readable = []
        elif readable:
            state = turn.state
            at_step = isinstance(dialogue.walker.current_step(state), DocumentStep)
            if at_step and not isinstance(state.pending, DocumentPending | None):
                # The file answers the document step: a question the engine left open there
                # ("what do you want to fix?", the way out) goes, and the reading is shown.
                state.pending = None
                state.invalid_count = 0
            self._acknowledge(turn, dialogue)
            turn.reading_awaited = self._waiting_for_reading(turn, dialogue)
        if turn.said.body and not (readable and is_document_caption(turn)):
            return False  # the text is read after the file, as a message of its own
        if readable and self._waiting_for_reading(turn, dialogue):
            return True  # the reading comes next; asking anything now would talk over it
        if not turn.state.started:
            dialogue.start(turn)
        else:
            dialogue.ask_again(turn)
        return True

    def _acknowledge(self, turn: Turn, dialogue: Dialogue) -> None:
        lang = turn.language
        if self._waiting_for_reading(turn, dialogue):
            turn.say(text("document_received", lang))
        else:
            turn.say(text("document_received_early", lang))

    def _waiting_for_reading(self, turn: Turn, dialogue: Dialogue) -> bool:
        state = turn.state
        if isinstance(state.pending, DocumentPending):
            return True
        return state.pending is None and isinstance(
            dialogue.walker.current_step(state), DocumentStep
        )
