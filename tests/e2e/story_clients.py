"""The clients of the story runs over channels (``story_channels``): a WhatsApp user behind
Twilio and a Telegram user, each posting what the provider posts and reading back what the real
client library sent to the fake provider, as the client's app shows it.

- ``TwilioPhone``: signed forms in (a text, a number for a tap, an audio, video or sticker, a
  location, a vCard), ``Messages.create`` bodies out; choices are the body's numbered list.
- ``TelegramChat``: ``Update`` JSON with the secret header in (a text, a ``callback_query`` for a
  tap, a voice note, audio, video or sticker, a location, a contact), ``sendMessage`` out, its
  ``parse_mode=HTML`` text parsed as the Bot API shows it, its inline keyboard as the choices.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from bot.domain.messages import Channel, Choice, OutboundMessage
from tests.fakes.signing import twilio_signed_form
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_html import parse_html
from tests.fakes.twilio import FakeTwilio
from tests.fakes.webhooks import (
    telegram_callback_update,
    telegram_text_update,
    twilio_inbound_form,
)
from tests.stories.story_format import MediaSpec

__all__ = ["ChannelClient", "Seen", "TelegramChat", "TwilioPhone"]

_media_ids = itertools.count(1)


@dataclass(frozen=True)
class Seen:
    """One message as the client's app shows it. Twilio's choices are the numbered lines of the
    body (their ids are the numbers); Telegram's are the inline keyboard's buttons."""

    text: str
    choices: tuple[Choice, ...] = ()
    raw: str = ""  # Twilio: the body verbatim

    def as_reply(self) -> OutboundMessage:
        return OutboundMessage(text=self.text, choices=self.choices)


class ChannelClient(Protocol):
    channel: Channel
    address: str

    def say(self, text: str) -> None: ...
    def tap(self, offer: Seen, index: int) -> str: ...
    def send_media(self, media: MediaSpec, caption: str) -> None: ...
    def send_unsupported(self, what: str) -> None: ...
    def received(self) -> list[Seen]: ...
    def render(self, seen: Seen) -> str: ...


@dataclass
class TwilioPhone:
    """A WhatsApp user behind Twilio: signed forms in, ``Messages.create`` bodies out."""

    http: httpx.Client
    fake: FakeTwilio
    address: str  # E.164
    bot_number: str
    public_url: str
    channel: Channel = Channel.TWILIO_WHATSAPP

    def _post(self, form: dict[str, str]) -> None:
        signed, signature = twilio_signed_form(
            f"{self.public_url}/webhooks/twilio", form, self.fake.auth_token
        )
        response = self.http.post(
            "/webhooks/twilio", data=signed, headers={"X-Twilio-Signature": signature}
        )
        assert response.status_code == 200, (
            f"Twilio webhook: {response.status_code} {response.text}"
        )

    def _form(self, body: str = "", media: list[tuple[str, str]] | None = None) -> dict[str, str]:
        return twilio_inbound_form(
            account_sid=self.fake.account_sid,
            from_number=self.address,
            to_number=self.bot_number,
            body=body,
            media=media or (),
            profile_name="Maria",
        )

    def say(self, text: str) -> None:
        self._post(self._form(text))

    def tap(self, offer: Seen, index: int) -> str:
        number = str(index + 1)  # free-form WhatsApp has no buttons: the client types the number
        self._post(self._form(number))
        return number

    def send_media(self, media: MediaSpec, caption: str) -> None:
        url = self.fake.add_media(b"\x00" * 64, media.content_type)
        form = self._form(caption, [(url, media.content_type)])
        if media.kind in ("audio", "video", "sticker"):
            form["MessageType"] = media.kind
        self._post(form)

    def send_unsupported(self, what: str) -> None:
        if what == "location":
            form = self._form()
            form.update(
                MessageType="location",
                Latitude="-23.561414",
                Longitude="-46.655881",
                Address="Av. Paulista, 1000",
                Label="Escritório",
            )
        elif what == "contact":  # WhatsApp contacts reach Twilio's webhook as a vCard file
            url = self.fake.add_media(b"BEGIN:VCARD\r\nFN:Joao\r\nEND:VCARD\r\n", "text/vcard")
            form = self._form("", [(url, "text/vcard")])
        else:
            raise ValueError(f"no Twilio webhook for unsupported content {what!r}")
        self._post(form)

    def received(self) -> list[Seen]:
        mine = [m for m in self.fake.sent if m.to == f"whatsapp:{self.address}"]
        return [_numbered(m.body or "") for m in mine]

    def render(self, seen: Seen) -> str:
        return seen.raw  # the body verbatim, as WhatsApp shows it


def _numbered(body: str) -> Seen:
    """A Twilio body split into its text and the numbered list of choices that ends it."""
    text, _, last = body.rpartition("\n\n")
    titles: list[str] = []
    for number, line in enumerate(last.splitlines(), 1):
        head = f"{number}) "
        if not line.startswith(head):
            return Seen(text=body, raw=body)
        titles.append(line[len(head) :])
    if not titles:
        return Seen(text=body, raw=body)
    choices = tuple(Choice(str(n), title) for n, title in enumerate(titles, 1))
    return Seen(text=text, choices=choices, raw=body)


@dataclass
class TelegramChat:
    """A Telegram user: ``Update`` JSON in, ``sendMessage`` calls out."""

    http: httpx.Client
    fake: FakeTelegram
    chat_id: int
    secret: str
    channel: Channel = Channel.TELEGRAM
    address: str = field(init=False)

    def __post_init__(self) -> None:
        self.address = str(self.chat_id)

    def _post(self, update: dict[str, object]) -> None:
        response = self.http.post(
            "/webhooks/telegram",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": self.secret},
        )
        assert response.status_code == 200, (
            f"Telegram webhook: {response.status_code} {response.text}"
        )

    def _message(self, **content: object) -> dict[str, object]:
        update = telegram_text_update("", chat_id=self.chat_id, last_name="")
        message = update["message"]
        del message["text"]
        message.update(content)
        return update

    def say(self, text: str) -> None:
        self._post(self._message(text=text))

    def tap(self, offer: Seen, index: int) -> str:
        choice = offer.choices[index]
        update = telegram_callback_update(
            choice.id,
            buttons=[(c.title, c.id) for c in offer.choices],
            prompt=offer.text,
            chat_id=self.chat_id,
        )
        self._post(update)
        query_id = update["callback_query"]["id"]
        answered = [
            c
            for c in self.fake.calls_to("answerCallbackQuery")
            if str(c.params.get("callback_query_id")) == query_id
        ]
        assert answered, f"the tap on {choice.title!r} was not answered (answerCallbackQuery)"
        return choice.id

    def send_media(self, media: MediaSpec, caption: str) -> None:
        number = next(_media_ids)
        file = {"file_id": f"AwACAgEAAxkBAAIC{number:06d}story", "file_unique_id": f"AgADs{number}"}
        content: dict[str, object]
        if media.kind == "audio" and media.content_type.startswith("audio/ogg"):
            content = {
                "voice": {
                    **file,
                    "duration": 4,
                    "mime_type": media.content_type,
                    "file_size": 6_012,
                }
            }
        elif media.kind == "audio":
            content = {"audio": {**file, "duration": 4, "mime_type": media.content_type}}
        elif media.kind == "video":
            content = {
                "video": {
                    **file,
                    "width": 640,
                    "height": 360,
                    "duration": 5,
                    "mime_type": media.content_type,
                }
            }
        elif media.kind == "sticker":
            content = {
                "sticker": {
                    **file,
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            }
        else:
            raise ValueError(f"no Telegram update for a {media.kind} ({media.content_type})")
        if caption:
            content["caption"] = caption
        self._post(self._message(**content))

    def send_unsupported(self, what: str) -> None:
        content: dict[str, object]
        if what == "location":
            content = {"location": {"latitude": -23.561414, "longitude": -46.655881}}
        elif what == "contact":
            content = {"contact": {"phone_number": "+5511912345678", "first_name": "João"}}
        else:
            raise ValueError(f"no Telegram update for unsupported content {what!r}")
        self._post(self._message(**content))

    def received(self) -> list[Seen]:
        seen = []
        for sent in self.fake.sent:
            if sent.get("chat_id") != self.chat_id:
                continue
            assert sent.get("parse_mode") == "HTML", f"sent without parse_mode HTML: {sent}"
            shown, _entities = parse_html(sent["text"])
            rows = (sent.get("reply_markup") or {}).get("inline_keyboard", [])
            buttons = tuple(Choice(b["callback_data"], b["text"]) for row in rows for b in row)
            seen.append(Seen(text=shown, choices=buttons))
        return seen

    def render(self, seen: Seen) -> str:
        buttons = "\n".join(f"[ {c.title} ]   (callback_data {c.id!r})" for c in seen.choices)
        return "\n".join(part for part in (seen.text, buttons) if part)
