"""Logging for every process (``onboard serve``, ``worker``, ``chat``): one format, and no
personal data in any line.

``configure_logging(level)`` runs once at start-up. It installs ``mask_record`` as part of the
log record factory, so every record is masked as it is made, whichever handler then writes it
(the root's, uvicorn's, a test's ``caplog``): its message, its exception and its stack. What
``mask`` replaces, and with what:

* e-mail addresses (also URL-encoded, ``%40``)       ``<e-mail>``
* CNPJ (``11.222.333/0001-81``, alphanumeric ones)  ``<cnpj>``
* CPF (``123.456.789-09``)                           ``<cpf>``
* CEP (``01310-100``)                                ``<cep>``
* phone numbers (``+55 11 98765-4321``, ``(11) 98765-4321``, ``21 99876 5432``)  ``<phone>``
* runs of 8 or more digits (the same numbers unformatted, chat ids)            ``<number>``
* message texts where a log shows them: ``text='...'``, ``"body": "..."``, ``caption=...``,
  and pydantic's ``input_value=...``                                           ``<text>``

Names and addresses cannot be told from other words: code never logs a message's text or a
client's record, only ids, counts and states; the text rules catch the texts that slip
through inside a ``repr`` or a payload. Masking is done at every level (DEBUG included).
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable
from typing import Any

__all__ = ["configure_logging", "install_masking", "mask", "mask_record", "uninstall_masking"]

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Keys whose value is a message's text or a person's (or a company's) name or address.
_TEXT_KEYS = (
    r"text|body|Body|caption|message_text|profile_name|first_name|last_name|username|name|nome"
    r"|full_name|company_name|trade_name|razao_social|nome_fantasia|street|complement|district"
)
# (pattern, replacement), applied in order: texts first (they may hold anything), e-mails next
# (they contain digits and dots), the formatted numbers before the digit runs they contain.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        # pydantic's errors: "[type=..., input_value=..., input_type=...]"
        (r"\binput_value=.*?(?=, input_type=)", "input_value=<text>"),
        # key='...' and key="..." (reprs, keyword arguments)
        (rf"\b({_TEXT_KEYS})=(['\"])(?:\\.|(?!\2).)*\2", r"\1=<text>"),
        # 'key': '...' and "key": "..." (dict reprs, JSON)
        (rf"(['\"])({_TEXT_KEYS})\1(\s*:\s*)(['\"])(?:\\.|(?!\4).)*\4", r"\1\2\1\3\4<text>\4"),
        # key=value in a form (Body=Maria+da+Silva&From=...)
        (rf"\b({_TEXT_KEYS})=(?![<'\"])[^&\s,)\]]+", r"\1=<text>"),
        (r"[\w.+!#$%&*/=?^`{|}~-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", "<e-mail>"),
        (r"\b[0-9A-Z]{2}\.[0-9A-Z]{3}\.[0-9A-Z]{3}/[0-9A-Z]{4}-[0-9]{2}\b", "<cnpj>"),
        (r"\b(?=[0-9A-Z]{0,11}[A-Z])[0-9A-Z]{12}[0-9]{2}\b", "<cnpj>"),
        (r"\b[0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}\b", "<cpf>"),
        (r"\b[0-9]{2}\.?[0-9]{3}-[0-9]{3}\b", "<cep>"),
        (
            r"(?:\+|%2B)[0-9]{1,3}[\s.-]?\(?[0-9]{1,4}\)?[\s.-]?[0-9]{3,5}[\s.-]?[0-9]{4}\b",
            "<phone>",
        ),
        (r"\(?\b[0-9]{2}\)?[\s.-]?9?[0-9]{4}[\s-][0-9]{4}\b", "<phone>"),
        (r"\([0-9]{2}\)\s?9?[0-9]{4}-?[0-9]{4}\b", "<phone>"),
        (r"\b9[0-9]{4}-[0-9]{4}\b", "<phone>"),
        (r"(?<![\w-])[0-9]{8,}(?![\w-])", "<number>"),
    )
)


def mask(text: str) -> str:
    """``text`` with the personal data it shows replaced by placeholders."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Masks a record in place: the message is rendered once, then masked.

    The arguments are kept when nothing was masked, for formatters that read them (uvicorn's
    access log does); otherwise they are dropped, as they hold what was masked.
    """
    message = record.getMessage()
    masked = mask(message)
    if masked != message:
        record.msg, record.args = masked, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = mask(record.exc_text)
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    return record


_Factory = Callable[..., logging.LogRecord]


class _MaskingFactory:
    """The record factory in place before, with every record it makes masked."""

    def __init__(self, inner: _Factory) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(self.inner(*args, **kwargs))


def install_masking() -> None:
    """Masks every record made from now on (idempotent)."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, _MaskingFactory):
        logging.setLogRecordFactory(_MaskingFactory(current))


def uninstall_masking() -> None:
    """Puts back the factory ``install_masking`` wrapped (for tests)."""
    current = logging.getLogRecordFactory()
    if isinstance(current, _MaskingFactory):
        logging.setLogRecordFactory(current.inner)


def configure_logging(level: str | int = "INFO") -> None:
    """Start-up of every process: records masked, one line each on stderr at ``level``."""
    install_masking()
    logging.basicConfig(level=level, format=FORMAT)
