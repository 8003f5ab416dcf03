"""Splitting a reply longer than a channel accepts."""

from __future__ import annotations

from bot.domain.messages import Choice, OutboundMessage, split_long


def test_a_short_message_is_left_alone() -> None:
    message = OutboundMessage(text="Olá!", choices=(Choice(id="yes", title="Sim"),))
    assert split_long(message, 1600) == [message]


def test_long_text_is_cut_at_words_and_keeps_choices_and_attachments_last() -> None:
    text = " ".join(f"palavra{n}" for n in range(800))  # about 7,900 characters, no newlines
    message = OutboundMessage(
        text=text,
        choices=(Choice(id="yes", title="Sim"), Choice(id="no", title="Não")),
        attachments=("https://example.com/convite.ics",),
        kind="staff",
    )
    parts = split_long(message, 1600)
    assert len(parts) == 6  # 7,900 characters in parts of at most 1,600, cut between words
    assert all(len(part.text) <= 1600 for part in parts)
    assert " ".join(part.text for part in parts) == text  # nothing lost, no word cut
    assert all(not part.choices and not part.attachments for part in parts[:-1])
    assert parts[-1].choices == message.choices and parts[-1].attachments == message.attachments
    assert {part.kind for part in parts} == {"staff"}
    # The last part leaves room for the choices a channel renders as a numbered list.
    assert len(parts[-1].text) + sum(len(c.title) + 6 for c in message.choices) <= 1600


def test_a_word_longer_than_the_limit_is_cut_anyway() -> None:
    parts = split_long(OutboundMessage(text="x" * 5000), 1600)
    assert "".join(part.text for part in parts) == "x" * 5000
    assert all(len(part.text) <= 1600 for part in parts)
