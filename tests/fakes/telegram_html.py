"""Telegram's ``parse_mode=HTML`` as the Bot API reads it, strictly, for ``FakeTelegram``.

Telegram refuses the whole message (400 "can't parse entities") when a ``<``, ``>`` or ``&``
is neither part of a supported tag nor an entity, when a tag is unknown, or when tags do not
nest. ``parse_html`` does the same and returns what Telegram shows: the plain text and its
entities, with offsets and lengths in UTF-16 code units as the Bot API counts them.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

__all__ = ["TelegramHtmlError", "parse_html"]

_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z-]*)((?:\s+[^<>]*)?)>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);")
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""")


class TelegramHtmlError(ValueError):
    """The text is not HTML Telegram can parse; the message is the API's description."""


def _refuse(problem: str, text: str, index: int) -> TelegramHtmlError:
    offset = len(text[:index].encode())
    return TelegramHtmlError(
        f"Bad Request: can't parse entities: {problem} at byte offset {offset}"
    )


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The plain text Telegram shows for ``text`` and its entities; ``TelegramHtmlError`` if
    Telegram would answer 400."""
    plain: list[str] = []
    length = 0  # of the plain text so far, in UTF-16 code units
    open_tags: list[tuple[str, int, dict[str, Any]]] = []
    entities: list[dict[str, Any]] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "<":
            match = _TAG.match(text, index)
            if match is None:
                raise _refuse("Unexpected < (not a tag)", text, index)
            closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
            if name not in _ENTITY_TYPES:
                raise _refuse(f'Unsupported start tag "{name}"', text, index)
            if closing:
                if not open_tags or open_tags[-1][0] != name:
                    raise _refuse(f'Unmatched end tag "{name}"', text, index)
                _, start, opened = open_tags.pop()
                if length > start:
                    entities.append({**opened, "offset": start, "length": length - start})
            else:
                entity: dict[str, Any] = {"type": _ENTITY_TYPES[name]}
                href = _HREF.search(attributes)
                if name == "a" and href is not None:
                    entity["url"] = unescape(href.group(1) or href.group(2) or "")
                open_tags.append((name, length, entity))
            index = match.end()
            continue
        if char == ">":
            raise _refuse("Unexpected > (not a tag)", text, index)
        if char == "&":
            match = _ENTITY.match(text, index)
            if match is None:
                raise _refuse("Character entity expected after &", text, index)
            piece = unescape(match.group(0))
            index = match.end()
        else:
            piece = char
            index += 1
        plain.append(piece)
        length += _utf16(piece)
    if open_tags:
        raise _refuse(
            f'Can\'t find end tag corresponding to start tag "{open_tags[-1][0]}"', text, len(text)
        )
    entities.sort(key=lambda item: (item["offset"], -item["length"]))
    return "".join(plain), entities
