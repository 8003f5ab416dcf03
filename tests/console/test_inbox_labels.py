"""Escalation reasons, channels and statuses said in words (``backoffice.console.inbox_labels``);
a reason the console does not know yet is never shown as its code."""

from __future__ import annotations

from backoffice.console.i18n import load_translations
from backoffice.console.inbox_labels import OTHER_REASON, reason_label


def test_every_reason_the_bot_opens_has_words_in_portuguese() -> None:
    portuguese = load_translations()["pt_BR"]
    for code in (
        "request_human",
        "complaint",
        "document_mismatch",
        "document_unreadable",
        "training_no_slots",
        "client_idle",
        "misunderstood",
        "repeated_invalid",  # a human offer after answers the bot could not take
        "flow:needs_review",
    ):
        label = reason_label(code)
        assert label != code and portuguese.gettext(label) != label, code


def test_an_unknown_reason_is_said_plainly() -> None:
    assert reason_label("a_reason_of_a_newer_bot") == OTHER_REASON
    assert load_translations()["pt_BR"].gettext(OTHER_REASON) == "Outro motivo"
