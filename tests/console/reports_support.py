"""For the reports tests (routes and browser): a known history to report on, and the systematic
comparison of what the console shows (page and CSV) with the API's JSON for the same window.

The page marks every number with ``data-path="<report>:<path in the API's document>"``; the
comparison reads each marked element, finds the value at that path in the API's JSON and checks
they are the same number (or text), and checks that every number of the API's documents is on
the page (except ids, the window and the target days, which are not numbers to read).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from sqlalchemy.orm import Session

from bot.storage.models import Escalation, Message, NpsResponse, Onboarding, StageChange
from tests.backoffice.factories import conversation_of, make_onboarding

API_REPORTS = ("funnel", "time-in-stage", "sla", "duration", "escalations", "nps")
# Not numbers to read (ids, the window, names), or the same number under another name: a
# distribution's count beside the visits, "answered" or "completed" the page already shows.
NOT_SHOWN = re.compile(
    r"^(window\..*|target_days\..*|.*\.staff_id|.*onboarding_id|.*booking_id|.*\.due_at"
    r"|.*answered_at|.*\.segment|.*\.stage|.*\.name|.*\.key|by_queue\..*|by_status\..*"
    r"|.*business_hours\.count|by_csm\..*\.first_response_minutes\.count|days\.count)$"
)
NUMBER = re.compile(r"-?[0-9]+(?:,[0-9]+)?")
COMMENTS = ("Ótimo atendimento, obrigado!", '=HYPERLINK("http://x")', "<b>não</b> gostei")


# ---------------------------------------------------------------------------- the history
def _history(session: Session, onboarding: Onboarding, steps: list[tuple[str, datetime]]) -> None:
    previous = onboarding.stage
    for stage, at in steps:
        session.add(
            StageChange(
                onboarding_id=onboarding.id,
                from_stage=previous,
                to_stage=stage,
                at=at,
                actor="bot",
                reason="",
            )
        )
        previous = stage
    onboarding.stage, onboarding.stage_entered_at = steps[-1][0], steps[-1][1]
    if previous in ("concluido", "cancelado"):
        onboarding.completed_at = steps[-1][1]


def seed_reports(session: Session, *, start: datetime, csm_id: int, other_csm_id: int) -> None:
    """Onboardings of ``csm_id`` (and one of ``other_csm_id``, of another team) from ``start``:
    one completed in 20 days, one in 45, one cancelled, one stuck in ``documentos`` (its SLA
    breached), one enterprise; escalations answered after 30 min, 2 h, 5 h, 10 h and 30 h and
    one never; NPS answers with comments (an accent, a formula, markup)."""
    D = start
    mine = [
        make_onboarding(session, now=D, stage="cadastro", csm_id=csm_id, entered_at=D)
        for _ in range(4)
    ]
    enterprise = make_onboarding(
        session, now=D, stage="cadastro", segment="enterprise", csm_id=csm_id, entered_at=D
    )
    theirs = make_onboarding(session, now=D, stage="cadastro", csm_id=other_csm_id, entered_at=D)
    fast, slow, dropped, stuck = mine
    full = ["documentos", "validacao", "aprovacao", "configuracao", "treinamento", "ativacao"]
    _history(
        session,
        fast,
        [(stage, D + timedelta(hours=4 + 60 * i)) for i, stage in enumerate(full)]
        + [("concluido", D + timedelta(days=20))],
    )
    _history(
        session,
        slow,
        [(stage, D + timedelta(hours=2 + 150 * i)) for i, stage in enumerate(full)]
        + [("concluido", D + timedelta(days=45))],
    )
    _history(
        session,
        dropped,
        [("documentos", D + timedelta(hours=3)), ("cancelado", D + timedelta(days=2))],
    )
    _history(session, stuck, [("documentos", D + timedelta(hours=1))])
    _history(session, enterprise, [("documentos", D + timedelta(hours=5))])
    _history(session, theirs, [("documentos", D + timedelta(hours=6))])

    _escalations(
        session, [stuck, enterprise, dropped, stuck, enterprise, fast], start=D, csm_id=csm_id
    )
    answers = [
        (10, fast, COMMENTS[0]),
        (9, slow, ""),
        (7, dropped, COMMENTS[1]),
        (3, stuck, COMMENTS[2]),
    ]
    for index, (score, onboarding, comment) in enumerate(answers):
        session.add(
            NpsResponse(
                onboarding_id=onboarding.id,
                client_id=onboarding.client_id,
                score=score,
                comment=comment,
                answered_at=D + timedelta(days=21, hours=index),
            )
        )
    session.add(
        NpsResponse(onboarding_id=theirs.id, client_id=theirs.client_id, score=0, answered_at=D)
    )
    session.flush()


def _escalations(
    session: Session, onboardings: list[Onboarding], *, start: datetime, csm_id: int
) -> None:
    """One escalation per onboarding, a day after ``start``, answered after 30 min, 2 h, 5 h,
    10 h and 30 h, the last never."""
    delays = [30, 120, 300, 600, 1800, None]
    for index, delay in enumerate(delays):
        onboarding = onboardings[index]
        conversation = conversation_of(session, onboarding)
        opened = start + timedelta(days=1, hours=index)
        session.add(
            Escalation(
                conversation_id=conversation.id,
                onboarding_id=onboarding.id,
                reason="request_human" if index % 2 else "complaint",
                queue=onboarding.segment,
                assigned_to=csm_id,
                created_at=opened,
            )
        )
        if delay is not None:
            session.add(
                Message(
                    conversation_id=conversation.id,
                    direction="out",
                    author="staff",
                    staff_id=csm_id,
                    text="Olá!",
                    status="sent",
                    created_at=opened + timedelta(minutes=delay),
                )
            )
        session.flush()  # one staff message at a time, in order


# ---------------------------------------------------------------------------- comparison
class _Marked(HTMLParser):
    """Collects the text of every element with a ``data-path`` (nested tags included)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._open: list[tuple[str, str | None, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        path = dict(attrs).get("data-path")
        if tag in ("rect", "input", "br", "img", "meta", "link"):
            return
        self._open.append((tag, path, []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, path, texts = self._open.pop()
            if path:
                self.found.append((path, "".join(texts).strip()))
            if self._open:
                self._open[-1][2].extend(texts)
            if open_tag == tag:
                return

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)


def marked(html: str) -> list[tuple[str, str]]:
    """``(path, text)`` of every element of the page with a ``data-path``."""
    parser = _Marked()
    parser.feed(html)
    parser.close()
    return parser.found


def resolve(document: Any, path: str) -> Any:
    value = document
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def leaves(document: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(document, Mapping):
        for key, value in document.items():
            yield from leaves(value, f"{prefix}{key}.")
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from leaves(value, f"{prefix}{index}.")
    else:
        yield prefix[:-1], document


def shown_number(text: str) -> float | None:
    """The number a page text shows (pt-BR: ``33,33 %`` is 0.3333), None for ``—``."""
    if text.strip() in ("—", ""):
        return None
    found = NUMBER.search(text)
    assert found, f"no number in {text!r}"
    value = float(found.group(0).replace(",", "."))
    return value / 100 if "%" in text else value


def same(shown: float | None, expected: Any) -> bool:
    if expected is None or shown is None:
        return shown is None and expected is None
    return abs(shown - float(expected)) < 1e-9


def compare_page(html: str, documents: Mapping[str, Any]) -> int:
    """Every marked number of the page equals the API's; every API number is on the page.
    ``documents``: report name → the API's JSON (and ``buckets`` → the buckets' document).
    Returns how many values were compared."""
    found = marked(html)
    assert found, "the page marks no number"
    seen: set[str] = set()
    for path, text in found:
        report, _, inner = path.partition(":")
        expected = resolve(documents[report], inner)
        if isinstance(expected, str):
            assert text == expected, f"{path}: page {text!r}, API {expected!r}"
        else:
            assert same(shown_number(text), expected), f"{path}: page {text!r}, API {expected!r}"
        seen.add(path)
    for report in API_REPORTS:
        for inner, value in leaves(documents[report]):
            if NOT_SHOWN.match(inner) or isinstance(value, bool):
                continue
            if isinstance(value, int | float) or value is None or inner.endswith(".comment"):
                assert f"{report}:{inner}" in seen, f"{report}:{inner} ({value}) is not on the page"
    return len(found)


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8")), delimiter=";"))


def csv_number(cell: str) -> float | None:
    return None if cell == "" else float(cell.replace(",", "."))
