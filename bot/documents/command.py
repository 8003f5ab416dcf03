"""``onboard ocr FILE [--kind ...]``: read one file and return SPEC's JSON object."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.documents.errors import DocumentError
from bot.documents.intake import IntakeLimits, inspect_upload
from bot.documents.reading import FAR_FUTURE, KINDS, ReadOptions, read_document


def run_ocr(
    path: Path,
    *,
    kind: str = "auto",
    today: date = FAR_FUTURE,
    limits: IntakeLimits | None = None,
) -> dict[str, object]:
    """``{"kind", "fields", "confidence", "warnings"}`` for the image or PDF at ``path``.

    Raises ``DocumentRejected`` (its ``message_en`` is the one-line error) for files the
    intake refuses and ``DocumentError`` for other user errors (missing file, unknown kind).
    """
    if kind != "auto" and kind not in KINDS:
        raise DocumentError(f"unknown kind {kind!r}: use auto, {', '.join(KINDS)}")
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise DocumentError(f"file not found: {path}") from exc
    except IsADirectoryError as exc:
        raise DocumentError(f"not a file: {path}") from exc
    except PermissionError as exc:
        raise DocumentError(f"cannot read {path}: permission denied") from exc
    intake = limits or IntakeLimits()
    upload = inspect_upload(data, filename=Path(path).name, limits=intake)
    options = ReadOptions(today=today, max_pages=upload.pages_to_read)
    result = read_document(data, kind=kind, options=options).to_json()
    notices = [notice.message_en for notice in upload.notices]
    warnings = result["warnings"]
    assert isinstance(warnings, list)
    result["warnings"] = notices + warnings
    return result
