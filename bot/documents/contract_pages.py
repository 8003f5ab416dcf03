"""A scanned contract page's text: which read of it to keep, clause by clause.

A scanned page is read first binarized and sparse (``--psm 11``); when that text does not
read as a whole contract page, the grey page is read again as prose (``--psm 3``), which keeps
noisy letters the binarized pass loses. The passes of a noisy page lose different partners, so
the two texts are cut after each CPF and each piece taken from the read in which more of the
contract's grammar holds (bench/ocr/README).
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

from bot.documents.contract_company import company_cnpj, company_name
from bot.documents.contract_numbering import partners_shown
from bot.documents.contract_partners import (
    CPF_CUE,
    cpfs_named,
    flat,
    introduced_cpfs,
    joined,
    lost_cpfs,
    partners,
)
from bot.documents.imaging import Prepared
from bot.documents.orientation import MIN_DOCUMENT_WORDS
from bot.documents.page import Page
from bot.documents.tesseract import OcrEngine


def prose_text(prepared: Prepared, *, ocr: OcrEngine) -> str:
    """A scanned contract page's text: its grey page read as blocks of prose (``--psm 3``),
    which keeps noisy letters that the binarized sparse pass loses (bench/ocr/README)."""
    grey = Image.fromarray(np.clip(prepared.gray, 0, 255).astype(np.uint8))
    size = (float(prepared.image.width), float(prepared.image.height))
    return Page(tuple(ocr.words(grey, psm=3)), *size).text()


def page_text(prepared: Prepared, *, first: Page, poor: bool, ocr: OcrEngine) -> str:
    """A scanned contract page's text: the first (binarized, sparse) pass's when it reads as
    a whole contract page; else the grey prose as well (``prose_text``), keeping the text in
    which more of the contract's grammar holds (bench/ocr/README: heavy 120-dpi pages measure
    "ok" yet lose a partner's CPF or name in the binarized pass)."""
    text = first.text()
    if len(first.words) < MIN_DOCUMENT_WORDS or (not poor and _complete(text)):
        return text  # a near-blank page (a footer, a stamp) holds no clause to read again
    prose = prose_text(prepared, ocr=ocr)
    if grammar_score(prose) >= grammar_score(text):
        return clause_by_clause(prose, text)
    return clause_by_clause(text, prose)


def clause_by_clause(primary: str, other: str) -> str:
    """One page's text from two reads of it, clause by clause: both texts are cut after each
    number introduced as a CPF (when both read as many "CPF" cues; else after each CPF both
    read validly, in the same order), and each piece (a partner's qualification, or the
    clauses after the last CPF) is taken from the read in which more of the contract's
    grammar holds; ``primary`` on a tie, and whole when nothing is taken from ``other``.
    The passes of a noisy page lose different partners (bench/ocr/README)."""
    a, b = flat(primary), flat(other)
    cuts_a, cuts_b = _cue_ends(a), _cue_ends(b)
    if len(cuts_a) != len(cuts_b):
        at_a, at_b = _cpf_ends(a), _cpf_ends(b)
        cuts_a, cuts_b = [], []
        for cpf, end in at_a.items():
            if cpf in at_b and at_b[cpf] > (cuts_b or [0])[-1]:
                cuts_a.append(end)
                cuts_b.append(at_b[cpf])
    cuts_a, cuts_b = [0, *cuts_a, len(a)], [0, *cuts_b, len(b)]
    pieces, taken = [], False
    for i in range(len(cuts_a) - 1):
        piece_a, piece_b = a[cuts_a[i] : cuts_a[i + 1]], b[cuts_b[i] : cuts_b[i + 1]]
        better = grammar_score(piece_b) > grammar_score(piece_a)
        taken |= better
        pieces.append(piece_b if better else piece_a)
    return "".join(pieces) if taken else primary


_CUED_NUMBER = re.compile(r"[^\d;]{0,30}?\d[\dA-Za-z?.,/-]*(?:\s?[\d?.,/-][\dA-Za-z?.,/-]*)*")


def _cue_ends(text: str) -> list[int]:
    """Where the number after each "CPF" cue ends (read or garbled)."""
    ends = []
    for cue in CPF_CUE.finditer(text):
        number = _CUED_NUMBER.match(text, cue.end())
        ends.append(number.end() if number else cue.end())
    return [end for i, end in enumerate(ends) if i == 0 or end > ends[i - 1]]


def _cpf_ends(text: str) -> dict[str, int]:
    """Where each CPF introduced as one (cue before it, check digits holding) first ends."""
    ends: dict[str, int] = {}
    for match, parsed in introduced_cpfs(text):
        ends.setdefault(parsed.value, match.end())
    return ends


def grammar_score(text: str) -> int:
    """How much of a contract's grammar a page's text satisfies: a company named, a CNPJ whose
    check digits hold, each partner's CPF valid and introduced by a qualified name; each
    number named as a CPF that gives no partner (misread, its holder's name lost) counts
    against it."""
    text = joined(text)
    company = company_name(text)
    listed = partners(text, company=company.value if company else "")
    named = {p.cpf for p in listed if p.name is not None}
    unmatched = cpfs_named(text) - {p.cpf for p in listed}
    return (
        (company is not None)
        + (company_cnpj(text) is not None)
        + 2 * len(named)
        - 2 * len(unmatched)
        - 2 * lost_cpfs(text)
    )


def _complete(text: str) -> bool:
    """Company, CNPJ and at least one partner read, every CPF named has its partner, and the
    page shows no more partners than were read (a partner lost whole: his share in the
    capital clause, his signature, "únicos sócios" with one partner read)."""
    text = joined(text)
    company = company_name(text)
    listed = partners(text, company=company.value if company else "")
    return (
        company is not None
        and company_cnpj(text) is not None
        and bool(listed)
        and all(p.name is not None for p in listed)
        and not (cpfs_named(text) - {p.cpf for p in listed})
        and not lost_cpfs(text)
        and partners_shown(text) <= len(listed)
    )
