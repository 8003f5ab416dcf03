"""Another area's contact given before its question: "sou eu, e o de TI é o Pedro Lima,
pedro@x.com" at the finance question. The finance question takes "sou eu"; the IT contact is
noted now (name, and the e-mail and mobile said with it) and said back, so its questions ask
only what is missing. "O de TI também sou eu" notes the client as that contact."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from bot.dialogue.catalog import SlotInfo, fold
from bot.dialogue.person_names import person_name_in
from bot.dialogue.state import SlotValue
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.wording import format_value, name_case
from bot.domain.validators import VALIDATORS

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["ContactAheadHandler", "contacts_ahead", "note_contacts_ahead"]

_EMAIL = re.compile(r"[^\s,;()]+@[^\s,;()]+\.[^\s,;()]+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
_ME_TOO = re.compile(
    r"(?<!\w)(?:tambem sou eu|sou eu tambem|eu tambem|tambem eu|me too|also me)(?!\w)"
)


def note_contacts_ahead(turn: Turn, dialogue: Dialogue) -> None:
    """Notes each contact area the message names with a person, other than the one being
    asked and any already answered, and says what was noted."""
    state = turn.state
    for info, noted in contacts_ahead(turn, dialogue):
        for key, value in noted.items():
            state.set_slot(key, value)
        ns = info.namespace
        area = info.namespace_label.get(turn.language) if info.namespace_label else ns
        shown = [
            format_value(k, v, language=turn.language)
            for k, v in noted.items()
            if not k.endswith(".same_as_me")
        ]
        details = " · ".join(shown) or str(state.slots.get("person_name", ""))
        turn.say(text("contact_filled", turn.language, params={"area": area, "details": details}))


def contacts_ahead(turn: Turn, dialogue: Dialogue) -> list[tuple[SlotInfo, dict[str, SlotValue]]]:
    """The contact areas the message gives a person for, not asked yet (nothing is stored)."""
    said, state = turn.said, turn.state
    if said.choice_id or state.erasure_requested or not state.started:
        return []
    frame = state.frame
    current = frame.namespace if frame is not None else ""
    body = said.body
    mentions = _mentions(body, dialogue.walker.catalog.areas_said(body))
    found: list[tuple[SlotInfo, dict[str, SlotValue]]] = []
    for index, (start, info) in enumerate(mentions):
        ns = info.namespace
        if ns == current or f"{ns}.same_as_me" in state.slots or f"{ns}.name" in state.slots:
            continue
        end = mentions[index + 1][0] if index + 1 < len(mentions) else len(body)
        noted = _contact_in(body[start:end], ns=ns, own=state.slots)
        if noted:
            found.append((info, noted))
    return found


class ContactAheadHandler:
    """Only another area's contact at a question ("o de TI é o Pedro Lima" at the finance
    question): noted, and the question asked again."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        step = dialogue.walker.current_step(turn.state)
        if step is None or turn.state.pending is not None:
            return False
        if dialogue.steps[type(step)].accepts(turn, dialogue, step=step):
            return False
        return bool(contacts_ahead(turn, dialogue))

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        note_contacts_ahead(turn, dialogue)
        dialogue.ask_again(turn)
        return True


def _contact_in(clause: str, *, ns: str, own: dict[str, SlotValue]) -> dict[str, SlotValue]:
    """The slots a clause about one area gives: the client again, or a person."""
    if _ME_TOO.search(fold(clause)):
        return {f"{ns}.same_as_me": True}
    name = person_name_in(clause)
    if name is None or fold(name) == fold(str(own.get("person_name", ""))):
        return {}
    noted: dict[str, SlotValue] = {f"{ns}.same_as_me": False, f"{ns}.name": name_case(name)}
    for pattern, slot, validator in ((_EMAIL, "email", "email"), (_PHONE, "phone", "mobile_phone")):
        found = pattern.search(clause)
        value = VALIDATORS[validator](found.group(0)) if found else None
        if isinstance(value, str):
            noted[f"{ns}.{slot}"] = value
    return noted


def _mentions(body: str, areas: list[SlotInfo]) -> list[tuple[int, SlotInfo]]:
    """Where each area is first named in the message, in order."""
    plain = _plain(body)
    found: list[tuple[int, SlotInfo]] = []
    for info in areas:
        starts = [
            m.start()
            for alias in info.namespace_aliases
            for m in re.finditer(rf"(?<!\w){re.escape(fold(alias))}(?!\w)", plain)
            if fold(alias) != "it" or body[m.start() : m.end()] == "IT"
        ]
        if starts:
            found.append((min(starts), info))
    return sorted(found, key=lambda m: m[0])


def _plain(body: str) -> str:
    """The message lower-cased without accents, each character in its place."""
    return "".join(
        (unicodedata.normalize("NFKD", ch)[:1] or ch).lower()[:1] if ch.isalpha() else ch
        for ch in body
    )
