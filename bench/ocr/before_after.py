"""Print a before/after table from two ``bench.ocr.run --family ... --json`` files.

    python -m bench.ocr.before_after before.json after.json [--title tuning]

One row per kind x level (and the level's totals over the three kinds the old reader knew and
over all five): fields exact, correct fields that were confident, confident fields that were
wrong, refused documents, CPU p50 per document, before -> after. Two ``--unusable`` files
(keys are defects): one row per defect, photos refused before -> after.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

OLD_KINDS = ("cnpj_card", "cnh", "rg")


def _cell(
    before: dict[str, float] | None, after: dict[str, float] | None, *, key: str, fmt: str
) -> str:
    def one(row: dict[str, float] | None) -> str:
        return "—" if row is None else format(row[key], fmt)

    return f"{one(before)} → {one(after)}"


def _totals(
    report: dict[str, dict[str, float]], level: str, *, kinds: tuple[str, ...]
) -> dict[str, float] | None:
    rows = [report[f"{k}/{level}"] for k in kinds if f"{k}/{level}" in report]
    if not rows:
        return None
    fields = sum(r["fields"] for r in rows)
    exact = sum(r["exact"] * r["fields"] for r in rows)
    confident = sum(r["confident_share"] * r["fields"] for r in rows)
    wrong = sum(r["confident_wrong"] for r in rows)
    docs = sum(r["documents"] for r in rows)
    return {
        "exact": exact / fields,
        "correct_confident": (confident - wrong) / max(exact, 1),
        "confident_wrong": wrong,
        "refused_documents": sum(r["refused_documents"] * r["documents"] for r in rows) / docs,
        "p50_cpu_s": sorted(r["p50_cpu_s"] for r in rows)[len(rows) // 2],
    }


def table(before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]) -> str:
    lines = [
        "| kind | level | fields exact | correct & confident | confident wrong | refused | "
        "p50 s CPU |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    keys = [k for k in after if not k.startswith("all/")] or [
        k for k in before if not k.startswith("all/")
    ]
    levels = list(dict.fromkeys(k.split("/")[1] for k in keys))
    kinds = list(dict.fromkeys(k.split("/")[0] for k in keys))
    for level in levels:
        rows = [
            (kind, before.get(f"{kind}/{level}"), after.get(f"{kind}/{level}")) for kind in kinds
        ]
        rows.append(
            (
                "three old kinds",
                _totals(before, level, kinds=OLD_KINDS),
                _totals(after, level, kinds=OLD_KINDS),
            )
        )
        rows.append(
            (
                "all five",
                _totals(before, level, kinds=tuple(kinds)),
                _totals(after, level, kinds=tuple(kinds)),
            )
        )
        for kind, b, a in rows:
            lines.append(
                f"| {kind} | {level} | {_cell(b, a, key='exact', fmt='.1%')} | "
                f"{_cell(b, a, key='correct_confident', fmt='.1%')} | "
                f"{_cell(b, a, key='confident_wrong', fmt='.0f')} | "
                f"{_cell(b, a, key='refused_documents', fmt='.0%')} | "
                f"{_cell(b, a, key='p50_cpu_s', fmt='.2f')} |"
            )
    return "\n".join(lines)


def defects_table(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]) -> str:
    """Photos to refuse, per defect: refused of photos, before -> after."""
    lines = ["| defect | refused |", "| --- | --- |"]
    for defect in dict.fromkeys([*before, *after]):

        def one(row: dict[str, int] | None) -> str:
            return "—" if row is None else f"{row['refused']} of {row['photos']}"

        lines.append(f"| {defect} | {one(before.get(defect))} → {one(after.get(defect))} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args()
    before, after = json.loads(args.before.read_text()), json.loads(args.after.read_text())
    if all("/" not in key for key in [*before, *after]):  # --unusable runs: keys are defects
        print(defects_table(before, after))
        return
    print(table(before, after))


if __name__ == "__main__":
    main()
