"""The documents package's exceptions, rooted at ``DocumentError``.

DocumentError
 ├── DocumentRejected      an upload refused at intake (code + pt/en message for the client)
 ├── ReadTimeout           reading a document took longer than its budget
 ├── ReaderCrashed         the process reading a document died while it read it alone
 ├── DocumentNotFound      no stored document has this SHA-256
 └── EnrichmentError       BrasilAPI look-ups
      ├── NotFound         the CNPJ or CEP does not exist (HTTP 404)
      └── Unavailable      timeouts, 429/5xx after retries, malformed answers
"""

from __future__ import annotations


class DocumentError(Exception):
    """Root of every error raised by ``bot.documents``."""


class DocumentRejected(DocumentError):
    """An upload refused before reading; ``message_pt``/``message_en`` are for the client."""

    # The code and its sentence in both languages, read as one triple at every raise.
    def __init__(self, code: str, message_pt: str, message_en: str) -> None:  # noqa: PLR0917
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_pt = message_pt
        self.message_en = message_en


class ReadTimeout(DocumentError):
    """The OCR of a document (or one page) exceeded its time budget."""


class ReaderCrashed(DocumentError):
    """The OCR process died (killed, out of memory, a native crash) while reading this document,
    and no other read was running beside it: the document itself may be the cause."""


class DocumentNotFound(DocumentError):
    """No stored document has this SHA-256."""


class EnrichmentError(DocumentError):
    """A BrasilAPI look-up failed."""


class NotFound(EnrichmentError):
    """BrasilAPI answered that the CNPJ or CEP does not exist."""


class Unavailable(EnrichmentError):
    """BrasilAPI could not answer (timeout, rate limit, server error, malformed JSON)."""
