"""Cartões CNPJ drawn to be hard on purpose: CNPJs full of look-alikes, CEPs full of 7/1/5/9.

Two general causes keep clean cartões below 99 % (bench/ocr/README.md, sixth and seventh
rounds): an alphanumeric CNPJ (2026) whose O/0, I/1, S/5, B/8, Z/2 or G/6 OCR swaps may
still pass the check digits, and a CEP whose 7 reads as 1 (or 5 as 9) by every pass. The
fixed sets hold a handful of each; these drawings hold only such values, in the tuning
family's fonts, so the reader's answer to them can be measured (and tested) without looking
at any held-out failure. Each card is the tuning family's Receita card
(``bench.ocr.receita.cnpj_card``) of a ``make_company`` company whose CNPJ and CEP are
replaced; the CEP lies in its UF's range of the Correios (as on real cards), the fixed sets'
CEPs are drawn at random.

    .venv/bin/python -m bench.ocr.lookalikes --count 12            # read, print, tally
    .venv/bin/python -m bench.ocr.lookalikes --count 12 --json out.json
    .venv/bin/python -m bench.ocr.lookalikes --count 12 --level heavy   # phone photos

Tally: per field (cnpj, cep), how many read right, how many asserted (>= 0.9) and wrong.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import random
import string
import sys
from dataclasses import dataclass

from stdnum.br import cnpj as stdnum_cnpj

from bench.ocr.camera import Box, shoot
from bench.ocr.families import TUNING
from bench.ocr.forms import Pen, text_box
from bench.ocr.generator import TODAY
from bench.ocr.layouts import fmt_date
from bench.ocr.people import PLACES, Company, make_company
from bench.ocr.receita import cnpj_card
from bench.ocr.render import render_image

# the pairs Tesseract swaps in the Receita's sans type
PAIRS = (("O", "0"), ("I", "1"), ("S", "5"), ("B", "8"), ("Z", "2"), ("G", "6"))
SWAP = {a: b for pair in PAIRS for a, b in (pair, pair[::-1])}
# CEP prefixes (first three digits) inside a UF of ``PLACES``, rich in 7, 1, 5 and 9
CEP_PREFIXES = {
    "SP": ("011", "017", "019", "115", "119", "171", "175", "179"),
    "GO": ("751", "757", "759", "741", "745"),
    "DF": ("711", "715", "717", "719", "701"),
    "MT": ("781", "785", "787"),
    "MS": ("791", "795", "797", "799"),
    "TO": ("771", "775", "779"),
    "PE": ("517", "519", "551", "557", "559"),
    "AL": ("571", "575", "579"),
    "PB": ("581", "587"),
    "RN": ("591", "595", "597"),
    "RS": ("911", "915", "917", "951", "957", "971", "977", "991", "997"),
    "MG": ("351", "357", "371", "391"),
    "RJ": ("215", "257", "271"),
}


def twins(cnpj: str) -> list[str]:
    """The other valid CNPJs that differ from ``cnpj`` only by one or two look-alike swaps in
    its first 12 characters: what OCR's swaps could turn it into without the check digits
    noticing."""
    head, tail = cnpj[:12], cnpj[12:]
    slots = [i for i, ch in enumerate(head) if ch in SWAP]
    found = []
    for i in slots:
        for j in [s for s in slots if s > i] + [None]:
            chars = list(head)
            chars[i] = SWAP[chars[i]]
            if j is not None:
                chars[j] = SWAP[chars[j]]
            other = "".join(chars)
            if other != head and stdnum_cnpj.is_valid(other + tail):
                found.append(other + tail)
    return found


def ambiguous_cnpj(rng: random.Random, *, with_twin: bool) -> str:
    """An alphanumeric CNPJ of look-alikes (O, 0, I, 1 most), some of its characters letters;
    ``with_twin``: one a look-alike swap turns into another valid CNPJ."""
    pool = "O0O0I1I1" + "S5B8Z2G6" + string.ascii_uppercase + string.digits
    while True:
        base = "".join(rng.choice(pool) for _ in range(8))
        branch = rng.choice(("0001", "0001", "0OO1", "I0O1", "0002"))
        head = base + branch
        if head.isdigit() or sum(ch in SWAP for ch in head) < 6:
            continue
        cnpj = head + stdnum_cnpj.calc_check_digits(head)
        if bool(twins(cnpj)) == with_twin:
            return cnpj


def sevens_cep(rng: random.Random) -> tuple[str, str, str]:
    """(CEP, municipio, UF): a CEP of 7s, 1s, 5s and 9s within its UF's range."""
    municipio, uf = rng.choice([p for p in PLACES if p[1] in CEP_PREFIXES])
    prefix = rng.choice(CEP_PREFIXES[uf])
    rest = "".join(rng.choice("7711559") for _ in range(5))
    return prefix + rest, municipio, uf


@dataclass(frozen=True, slots=True)
class Card:
    """One drawn card: its PNG and what it says."""

    name: str
    data: bytes
    truth: dict[str, str]
    twins: tuple[str, ...]  # valid look-alikes of its CNPJ


def _photo(pen: Pen, *, level: str, rng: random.Random) -> bytes:
    """The card photographed by the tuning family's phone at ``level`` (JPEG)."""
    px_per_mm = rng.randrange(1900, 2200) / pen.lay.width
    image = render_image(pen.lay, px_per_mm=px_per_mm, rng=rng)

    def px(box: tuple[float, float, float, float]) -> Box:
        return (box[0] * px_per_mm, box[1] * px_per_mm, box[2] * px_per_mm, box[3] * px_per_mm)

    texts = [px(text_box(t, pen.lay)) for t in pen.lay.texts if t.text]
    values = [px(box) for box in pen.boxes.values()]
    return shoot(image, rng=rng, level=level, avoid=texts, protect=values).data


def draw_card(seed: int, *, with_twin: bool = True, level: str = "clean") -> Card:
    """The tuning family's cartão of a company with an ambiguous CNPJ and a 7/1/5/9 CEP: a
    clean scan 1500-1900 px wide (PNG), or a phone photo at ``level`` (moderate, heavy)."""
    rng = random.Random(f"lookalikes/{seed}")
    company = make_company(rng, today=TODAY)
    cep, municipio, uf = sevens_cep(rng)
    cnpj = ambiguous_cnpj(rng, with_twin=with_twin)
    company = dataclasses.replace(company, cnpj=cnpj, cep=cep, municipio=municipio, uf=uf)
    pen = cnpj_card(company, fam=TUNING, rng=rng, emitted=TODAY)
    if level != "clean":
        data = _photo(pen, level=level, rng=random.Random(f"lookalikes/{seed}/{level}"))
        return _card(seed, data=data, company=company, level=level)
    image = render_image(pen.lay, px_per_mm=rng.randrange(1500, 1900) / pen.lay.width, rng=rng)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return _card(seed, data=buffer.getvalue(), company=company, level=level)


def _card(seed: int, *, data: bytes, company: Company, level: str) -> Card:
    truth = {
        "cnpj": company.cnpj,
        "cep": company.cep,
        "municipio": company.municipio,
        "uf": company.uf,
        "data_abertura": fmt_date(company.data_abertura),
    }
    suffix = "" if level == "clean" else f"-{level}"
    return Card(f"lookalike-{seed}{suffix}", data, truth, tuple(twins(company.cnpj)))


def _tally(rows: list[dict[str, object]], name: str) -> dict[str, int]:
    right = sum(1 for r in rows if r[f"{name}_read"] == r[f"{name}_true"])
    sure = [r for r in rows if float(r[f"{name}_conf"]) >= 0.9]  # type: ignore[arg-type]
    return {
        "cards": len(rows),
        "right": right,
        "right_confident": sum(1 for r in sure if r[f"{name}_read"] == r[f"{name}_true"]),
        "confident_wrong": sum(1 for r in sure if r[f"{name}_read"] != r[f"{name}_true"]),
    }


def main(argv: list[str] | None = None) -> int:
    from bot.documents.reading import ReadOptions, read_document

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default="")
    parser.add_argument("--page-timeout", type=float, default=300.0)
    parser.add_argument("--level", default="clean", choices=("clean", "moderate", "heavy"))
    args = parser.parse_args(argv)
    options = ReadOptions(today=TODAY, page_timeout=args.page_timeout)
    rows: list[dict[str, object]] = []
    for seed in range(args.seed, args.seed + args.count):
        card = draw_card(seed, with_twin=seed % 2 == 0, level=args.level)
        got = read_document(card.data, kind="auto", options=options)
        row: dict[str, object] = {"name": card.name, "twins": list(card.twins)}
        for name in ("cnpj", "cep"):
            row[f"{name}_true"] = card.truth[name]
            row[f"{name}_read"] = got.fields.get(name, "")
            row[f"{name}_conf"] = got.confidence.get(name, 0.0)
            row[f"{name}_why"] = got.reasons.get(name, "")
        print(json.dumps(row, ensure_ascii=False), flush=True)
        rows.append(row)
    tally = {name: _tally(rows, name) for name in ("cnpj", "cep")}
    print(json.dumps(tally))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"rows": rows, "tally": tally}, out, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
