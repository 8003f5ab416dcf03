"""What reading a document gives back, and how it is asked for.

``ReadOptions`` says how to read; ``Extraction`` is what was read (SPEC's fields, a confidence
per field, warnings); ``record`` puts one field's read into it, scored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.documents.confidence import ASSERTED, Evidence, explain
from bot.documents.fields import FIELD_NAMES, FieldRead
from bot.documents.imaging import Preprocessing
from bot.documents.quality import ImageQuality

__all__ = ["FAR_FUTURE", "KINDS", "Extraction", "ReadOptions", "record", "warn_kind"]

KINDS = tuple(FIELD_NAMES)
FAR_FUTURE = date(2100, 1, 1)


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How to read. ``today`` bounds plausible dates: pass the clock's date (the worker and
    ``onboard ocr`` do); left at ``FAR_FUTURE`` no date is judged against it."""

    today: date = FAR_FUTURE
    preprocessing: Preprocessing = field(default_factory=Preprocessing)
    psm: int = 11  # first pass: binarized page, sparse text (finds small labels in forms)
    second_psm: int = 6  # second pass: grey page, uniform block; agreement is evidence
    verify: bool = True  # run the second pass (and re-read values only one pass found)
    max_pages: int = 2  # pages read by OCR
    max_text_pages: int = 30  # text-layer pages (cheap) read for a contract's partners
    page_timeout: float = 20.0
    lang: str = "por"
    pdf_dpi: float = 200.0
    orient: bool = True  # turn photos taken sideways or upside down (no EXIF) upright
    # Tesseract's library in this process, not a command per call (tesseract.py): for the
    # pool's worker processes, where a native crash costs one read
    in_process: bool = True

    @property
    def today_known(self) -> bool:
        """Whether the caller gave today's date (not the ``FAR_FUTURE`` default)."""
        return self.today != FAR_FUTURE


@dataclass(slots=True)
class Extraction:
    """What was read. ``to_json()`` is SPEC's ``{"kind", "fields", "confidence", "warnings"}``."""

    kind: str
    fields: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    quality: ImageQuality | None = None
    source: str = "ocr"  # ocr | text_layer | none
    tip_pt: str = ""
    tip_en: str = ""
    turned: int = 0  # degrees the image was turned counter-clockwise to read it upright
    text: str = field(default="", repr=False)  # the page as read, row by row (contracts)
    # per field, the rule of ``confidence.py`` that scored it (not in SPEC's JSON: for the
    # benchmark's account of why correct fields stay below 0.9)
    reasons: dict[str, str] = field(default_factory=dict, repr=False)
    # per field, what it was scored from (the benchmark scores it again under a new rule)
    scored: dict[str, tuple[FieldRead, Evidence]] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "fields": dict(self.fields),
            "confidence": dict(self.confidence),
            "warnings": list(self.warnings),
        }

    @property
    def uncertain(self) -> list[str]:
        """Fields the client must confirm (confidence below 0.9)."""
        return [name for name, value in self.confidence.items() if value < ASSERTED]


def warn_kind(result: Extraction, asked: str, *, detected: str) -> None:
    """Say so when the page looks like another kind than the one asked for."""
    if asked != "auto" and detected not in (asked, "other"):
        result.warnings.append(f"document looks like {detected}, read as {asked}")


def record(
    result: Extraction,
    name: str,
    *,
    read: FieldRead | None,
    missing: dict[str, str],
    evidence: Evidence,
) -> None:
    """Put one field's read into ``result``: its value and score, or why it is missing."""
    if read is None:
        result.warnings.append(f"{name}: {missing.get(name, 'not found')}")
        return
    if read.parsed.value == "":
        result.warnings.append(f"{name}: not printed on the document")
        return
    result.fields[name] = read.parsed.value
    result.confidence[name], result.reasons[name] = explain(read, evidence)
    result.scored[name] = (read, evidence)
    if result.confidence[name] < ASSERTED:
        result.warnings.append(f"{name}: uncertain, please confirm")
