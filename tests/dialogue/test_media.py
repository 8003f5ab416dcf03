"""Files and other media in the chat: a photo acknowledged once, audio, video, stickers,
locations and contacts answered, captions read as text unless they only name the file."""

from __future__ import annotations

import pytest

from bot.dialogue.media import is_document_caption
from bot.dialogue.turn import Turn
from tests.dialogue.support import (
    Chat,
    ent,
    media_of,
    photo,
    prompt,
    says,
    slots_until,
    utterance,
)


@pytest.mark.parametrize(
    ("kind", "content_type", "key"),
    [
        ("audio", "audio/ogg", "unsupported_audio"),
        ("video", "video/mp4", "unsupported_video"),
        ("sticker", "image/webp", "unsupported_sticker"),
    ],
)
def test_media_that_is_not_a_document_is_answered_and_the_question_asked_again(
    chat: Chat, kind: str, content_type: str, key: str
) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send(media=[media_of(kind, content_type)])
    assert [r.text for r in turn.replies] == [says(key), prompt("cep")]
    assert chat.state.slots.get("cep") is None


@pytest.mark.parametrize(
    ("content_type", "key"),
    [("audio/mpeg", "unsupported_audio"), ("video/quicktime", "unsupported_video")],
)
def test_a_recording_sent_as_a_plain_file_is_answered_like_one(
    chat: Chat, content_type: str, key: str
) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send(media=[media_of("file", content_type)])
    assert [r.text for r in turn.replies] == [says(key), prompt("cep")]


@pytest.mark.parametrize("what", ["location", "contact"])
def test_a_location_or_a_contact_card_is_answered(chat: Chat, what: str) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send(unsupported=what)
    assert [r.text for r in turn.replies] == [says(f"unsupported_{what}"), prompt("cep")]


def test_media_before_the_start_starts_the_conversation(chat: Chat) -> None:
    turn = chat.send(media=[media_of("audio", "audio/ogg")])
    assert [r.text for r in turn.replies] == [says("unsupported_audio"), prompt("consent")]
    assert chat.state.started


def test_a_photo_at_a_document_step_is_acknowledged_and_nothing_more_is_said(chat: Chat) -> None:
    """The reading comes next: asking anything now would talk over it."""
    chat.at_documents()
    turn = chat.send(media=[photo()])
    assert [r.text for r in turn.replies] == [says("document_received")]


def test_several_photos_in_one_message_are_acknowledged_once(chat: Chat) -> None:
    chat.at_documents()
    turn = chat.send(media=[photo(), photo("application/pdf"), photo()])
    assert [r.text for r in turn.replies] == [says("document_received")]


def test_a_photo_before_the_document_steps_is_kept_for_later(chat: Chat) -> None:
    chat.at(slots_until("cep"))
    turn = chat.send(media=[photo()])
    assert [r.text for r in turn.replies] == [says("document_received_early"), prompt("cep")]


def test_a_photo_while_a_reading_is_shown_is_a_new_reading_to_wait_for(chat: Chat) -> None:
    from tests.dialogue.support import cnpj_card_reading

    chat.at_documents()
    chat.read(cnpj_card_reading())
    turn = chat.send(media=[photo()])
    assert [r.text for r in turn.replies] == [says("document_received")]


def test_a_caption_that_only_names_the_file_is_not_read_as_an_answer(chat: Chat) -> None:
    chat.at(slots_until("company_name"))
    turn = chat.send("segue minha CNH", media=[photo()])
    assert "company_name" not in chat.state.slots
    assert [r.text for r in turn.replies] == [
        says("document_received_early"),
        prompt("company_name"),
    ]


def test_a_caption_with_a_cnpj_is_read_as_text(chat: Chat) -> None:
    chat.at(slots_until("cnpj"))
    turn = chat.send(
        "11.222.333/0001-81", media=[photo()], entities=[ent("cnpj", "11222333000181")]
    )
    assert chat.state.slots["cnpj"] == "11222333000181"
    assert turn.replies[0].text == says("document_received_early")
    assert turn.replies[-1].text == prompt("company_name")


def test_a_caption_at_a_document_step_does_not_talk_over_the_reading(chat: Chat) -> None:
    chat.at_documents()
    turn = chat.send("segue o cartão", media=[photo()])
    assert [r.text for r in turn.replies] == [says("document_received")]


def test_text_with_an_audio_is_read_after_the_audio_is_answered(chat: Chat) -> None:
    chat.at(slots_until("employees"))
    turn = chat.send("uns 45", media=[media_of("audio", "audio/ogg")])
    assert turn.replies[0].text == says("unsupported_audio")
    assert chat.state.slots["employees"] == 45


@pytest.mark.parametrize(
    ("body", "caption"),
    [
        ("segue minha CNH", True),
        ("foto do cartão cnpj", True),
        ("aqui está", True),
        ("ok", True),  # two words or fewer say nothing but what the file is
        ("here is my licence", True),
        ("meu nome é Maria Souza e o da empresa Padaria Pão Quente", False),
    ],
)
def test_is_document_caption(body: str, caption: bool) -> None:
    from bot.dialogue.state import DialogueState

    turn = Turn(state=DialogueState(), utterance=utterance(body))
    assert is_document_caption(turn) is caption


def test_a_caption_with_an_entity_is_never_only_a_caption() -> None:
    from bot.dialogue.state import DialogueState

    said = utterance("segue, meu email é x@y.com", entities=[ent("email", "x@y.com")])
    assert not is_document_caption(Turn(state=DialogueState(), utterance=said))
