"""Why correct fields stay below 0.9: per kind x level x field, the rule that held each down.

    OMP_THREAD_LIMIT=1 nice -n 10 python -m bench.ocr.confidence_why --family tuning --count 6
    python -m bench.ocr.confidence_why --family tuning --count 6 --receita   # + Receita's record
    python -m bench.ocr.confidence_why --family tuning --count 2 --unusable  # photos to refuse

Reads the family's fixed set as ``bench.ocr.run`` does (the intake's refusals skipped) and
prints, per kind x level x field: fields correct, correct below 0.9, and the rule of
``bot/documents/confidence.py`` that scored each of those (``Extraction.reasons``; "set later"
when a later step gave the score: the CIN's number, a date that cannot be). Then the
totals: correct & confident, and confident but wrong (each listed).

``--receita`` also corroborates each cartão CNPJ with the Receita's record of its CNPJ, as the
worker does when the client's company is known (``corroborate(company=...)``): the record is
the card's truth, which is what the Receita holds. The plain bench (``bench.ocr.run``) has no
such record; the figure with it is reported apart. ``--unusable`` reads the photos to refuse
(``bench.ocr.run --unusable``) that the intake lets through, level = defect: whatever is read
from them must not be confident and wrong either.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from bench.ocr.camera import DEFECTS
from bench.ocr.run import intake_check
from bench.ocr.synthetic import (
    ALL_KINDS,
    FIXED_SEED,
    LEVELS,
    TODAY,
    Sample,
    draw_sample,
    draw_unusable,
)
from bot.documents.brasilapi import CompanyRecord
from bot.documents.confidence import Evidence, explain
from bot.documents.corroboration import corroborate
from bot.documents.fields import FieldRead
from bot.documents.identifiers import Parsed
from bot.documents.page import Word
from bot.documents.reading import Extraction, ReadOptions, read_document

ASSERTED = 0.9
# the bench's options; a long page timeout, as 6 people share the machine's 2 cores
OPTIONS = ReadOptions(today=TODAY, page_timeout=120.0)
Key = tuple[str, str, str]  # kind, level, field


def receita_record(sample: Sample) -> CompanyRecord:
    """What the Receita answers for the card's CNPJ: the card's own (true) values."""
    truth = sample.truth
    opened = truth.get("data_abertura", "")
    return CompanyRecord(
        cnpj=truth["cnpj"],
        razao_social=truth.get("razao_social", ""),
        nome_fantasia=truth.get("nome_fantasia", ""),
        descricao_situacao_cadastral=truth.get("situacao_cadastral", ""),
        data_inicio_atividade=datetime.strptime(opened, "%d/%m/%Y").date() if opened else None,
        cep=truth.get("cep", ""),
        municipio=truth.get("municipio", ""),
        uf=truth.get("uf", ""),
    )


def read(sample: Sample, *, receita: bool) -> Extraction:
    """The sample's reading, corroborated with the Receita's record when asked."""
    extraction = read_document(sample.data, kind="auto", options=OPTIONS)
    if receita and extraction.kind == "cnpj_card" and sample.kind == "cnpj_card":
        extraction = corroborate(extraction, company=receita_record(sample), today=TODAY)
    return extraction


def why(extraction: Extraction, name: str) -> str:
    """The rule that scored ``name``, or "set later" when a later step gave its score."""
    return extraction.reasons.get(name) or "set later"


def _parsed(parsed: Parsed | None) -> list[object] | None:
    return None if parsed is None else [parsed.value, parsed.valid, parsed.repairs, parsed.checked]


def inputs(extraction: Extraction, name: str) -> dict[str, object]:
    """What ``name`` was scored from, so a new rule can score it again (``rescore``)."""
    if name not in extraction.scored:
        return {}
    read, evidence = extraction.scored[name]
    return {
        "scored": explain(read, evidence)[0],
        "via": read.via,
        "parsed": _parsed(read.parsed),
        "min_conf": read.min_conf,
        "words": len(read.words),
        "second": _parsed(evidence.second),
        "evidence": [
            evidence.text_layer,
            evidence.image_poor,
            evidence.verified,
            evidence.lost_accent,
            evidence.agrees,
        ],
    }


def rescore(row: dict[str, object], rule: Callable[[FieldRead, Evidence], float]) -> float:
    """The row's confidence under ``rule``; unchanged when a later step gave the score."""
    final = float(str(row["confidence"]))
    if "scored" not in row or row["scored"] != final:
        return final
    parsed = Parsed(*cast(list[Any], row["parsed"]))
    conf = float(str(row["min_conf"]))
    words = tuple(Word("x", 0, 0, 1, 1, conf) for _ in range(int(str(row["words"]))))
    read = FieldRead(str(row["field"]), parsed, parsed.value, words, str(row["via"]))
    second = None if row["second"] is None else Parsed(*cast(list[Any], row["second"]))
    flags = cast(list[bool], row["evidence"])
    return rule(read, Evidence(second, *flags))


def tally(
    rows: list[dict[str, object]],
) -> tuple[dict[Key, Counter[str]], dict[Key, int], list[tuple[Key, str]]]:
    """Per key: reasons of correct fields below 0.9, count of correct fields; wrong & sure."""
    held: dict[Key, Counter[str]] = defaultdict(Counter)
    correct: dict[Key, int] = Counter()
    wrong_sure: list[tuple[Key, str]] = []
    for row in rows:
        key = (str(row["kind"]), str(row["level"]), str(row["field"]))
        right = row["got"] == row["truth"]
        sure = float(str(row["confidence"])) >= ASSERTED
        if right:
            correct[key] += 1
            if not sure:
                held[key][str(row["reason"])] += 1
        elif sure:
            line = f"{row['sample']} {row['field']}: {row['got']!r} != {row['truth']!r}"
            wrong_sure.append((key, line))
    return held, correct, wrong_sure


def _draw(args: argparse.Namespace, *, kind: str, level: str, index: int) -> Sample:
    seed = FIXED_SEED[args.family] + index
    if args.unusable:
        return draw_unusable(kind, seed=seed, family=args.family, defect=level)
    return draw_sample(kind, seed=seed, family=args.family, level=level)


def collect(args: argparse.Namespace) -> list[dict[str, object]]:
    """One row per field of every document read (refused ones skipped, as they read nothing)."""
    check = intake_check()
    rows: list[dict[str, object]] = []
    levels = DEFECTS if args.unusable else [x for x in args.levels.split(",") if x]
    for level in levels:
        for kind in [x for x in args.kinds.split(",") if x]:
            if args.unusable and kind == "contrato_social":
                continue  # photos only
            for i in range(args.count):
                sample = _draw(args, kind=kind, level=level, index=i)
                if check is not None and sample.mime != "application/pdf" and check(sample.data):
                    continue
                extraction = read(sample, receita=args.receita)
                for name in set(sample.truth) | set(extraction.fields):
                    rows.append(
                        {
                            "sample": sample.name,
                            "kind": kind,
                            "level": level,
                            "field": name,
                            "got": extraction.fields.get(name),
                            "truth": sample.truth.get(name),
                            "confidence": extraction.confidence.get(name, 0.0),
                            "reason": why(extraction, name),
                            **inputs(extraction, name),
                        }
                    )
            print(f"read {kind} {level}", flush=True)
    return rows


def report(rows: list[dict[str, object]]) -> str:
    """The why-table and the two figures, as markdown."""
    held, correct, wrong_sure = tally(rows)
    lines = [
        "| kind | level | field | correct | below 0.9 | held down by |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key in sorted(correct):
        below = sum(held[key].values())
        if below:
            reasons = ", ".join(f"{r} {n}" for r, n in held[key].most_common())
            lines.append(f"| {' | '.join(key)} | {correct[key]} | {below} | {reasons} |")
    lines += ["", "| kind | level | correct | correct & confident | confident wrong |"]
    lines.append("| --- | --- | --- | --- | --- |")
    groups = sorted({(k, lv) for k, lv, _ in correct})
    for kind, level in groups:
        n = sum(c for (k, lv, _), c in correct.items() if (k, lv) == (kind, level))
        low = sum(sum(h.values()) for (k, lv, _), h in held.items() if (k, lv) == (kind, level))
        bad = sum(1 for key, _ in wrong_sure if key[:2] == (kind, level))
        lines.append(f"| {kind} | {level} | {n} | {(n - low) / max(n, 1):.1%} | {bad} |")
    totals: Counter[str] = Counter()
    for counter in held.values():
        totals.update(counter)
    lines += ["", "held down, all: " + ", ".join(f"{r} {n}" for r, n in totals.most_common())]
    lines += ["confident but wrong: " + ("; ".join(line for _, line in wrong_sure) or "none")]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=("tuning", "heldout"), default="tuning")
    parser.add_argument("--count", type=int, default=6)
    parser.add_argument("--levels", default=",".join(x for x in LEVELS if x != "pdf"))
    parser.add_argument("--kinds", default=",".join(ALL_KINDS))
    parser.add_argument("--receita", action="store_true", help="corroborate cards (see top)")
    parser.add_argument(
        "--unusable", action="store_true", help="the photos to refuse that the intake lets through"
    )
    parser.add_argument("--json", type=Path, help="write every field's row to this file")
    parser.add_argument("--rows", type=Path, help="report from rows a --json run wrote")
    args = parser.parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    if args.rows is not None:
        rows = json.loads(args.rows.read_text())
    else:
        rows = collect(args)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False))
    print(report(rows))


if __name__ == "__main__":
    main()
