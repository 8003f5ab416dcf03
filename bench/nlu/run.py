"""NLU benchmark: training time, load time, memory, latency, throughput, held-out quality.

Run from the repository root: ``.venv/bin/python -m bench.nlu.run`` (about a minute). Each
measurement that must not see another's imports runs in a fresh child process:

- train: ``nlu.train`` into a new temporary cache (scikit-learn import included);
- load: a process that imports only ``nlu`` and builds the built-in interpreter from the cache;
  reports load time, RSS before/after (the NLU's share) and whether sklearn/scipy got imported;
- latency: per-message ``parse`` on one core (CPU affinity pinned), p50/p90/p99/max;
- throughput: ``python -m nlu parse -`` on 10,000 lines through a pipe (process start included);
- quality: ``evaluate`` on nlu/heldout/test.yml, plus calibration (expected calibration error).

Results are printed and written to bench/results/nlu.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as ``python bench/nlu/run.py``
    sys.path.insert(0, str(ROOT))
HELDOUT = ROOT / "nlu" / "heldout" / "test.yml"
RESULTS = ROOT / "bench" / "results" / "nlu.json"
THROUGHPUT_LINES = 10_000
LATENCY_ROUNDS = 6


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def _corpus() -> list[str]:
    from nlu.training_data import load_training_data

    texts = [e.text for e in load_training_data([HELDOUT]).examples]
    texts += [
        "oi, meu cnpj é 11.222.333/0001-81 e o email financeiro@padaria.com.br",
        "quero remarcar o treinamento pra segunda que vem às 14h",
        "SAIR",
        "o telefone do financeiro é (11) 98765-4321, cep 01310-100",
        "",
        "😀👍",
        "bom dia tudo bem? entao, ontem eu tentei mandar os documentos mas o link nao abria, "
        "ai mandei por aqui mesmo a foto da cnh e o cartao cnpj, o cnpj é 11.222.333/0001-81 "
        "e o email do financeiro é contas@padaria.com.br, o telefone (11) 98765-4321 fala com "
        "a Joana, e queria saber se da pra marcar o treinamento pra quinta que vem às 15h "
        "porque na sexta o pessoal nao pode, obrigado e desculpa a demora kkk",
    ]
    return texts


def _junk(size: int) -> str:
    """A worst case: digits, separators, letters and emoji, ``size`` characters."""
    pattern = "12.345 (11) 9-8765/0001 abc@ 😀 dia 3 às 14h 01310-100 "
    return (pattern * (size // len(pattern) + 1))[:size]


def child_train(cache: str) -> dict[str, object]:
    started = time.perf_counter()
    from nlu import train

    info = train(cache_dir=Path(cache))
    return {"train_s": time.perf_counter() - started, "train_fit_s": info.seconds, **info.to_json()}


def child_load(cache: str) -> dict[str, object]:
    base = _rss_kib()
    started = time.perf_counter()
    from nlu.factory import build_builtin

    interpreter = build_builtin(cache_dir=Path(cache))
    load_s = time.perf_counter() - started
    loaded = _rss_kib()
    _pin_one_core()
    texts = _corpus()
    for text in texts:  # warm-up
        interpreter.parse(text)
    timings: list[float] = []
    cpu: list[float] = []
    for _ in range(LATENCY_ROUNDS):
        for text in texts:
            t0, c0 = time.perf_counter(), time.thread_time()
            interpreter.parse(text)
            cpu.append(time.thread_time() - c0)
            timings.append(time.perf_counter() - t0)
    timings.sort()
    cpu.sort()

    def pct(p: float, values: list[float] = timings) -> float:
        return values[min(len(values) - 1, int(p * len(values)))] * 1000

    worst: list[float] = []
    junk = _junk(10_000)
    for _ in range(5):
        t0 = time.perf_counter()
        interpreter.parse(junk)
        worst.append(time.perf_counter() - t0)
    return {
        "latency_10k_chars_ms": min(worst) * 1000,
        "load_s": load_s,
        "rss_python_mib": base / 1024,
        "rss_total_mib": loaded / 1024,
        "rss_nlu_mib": (loaded - base) / 1024,
        "rss_after_parsing_mib": _rss_kib() / 1024,
        "sklearn_imported": "sklearn" in sys.modules,
        "scipy_imported": "scipy" in sys.modules,
        "parses": len(timings),
        "latency_p50_ms": pct(0.50),
        "latency_p90_ms": pct(0.90),
        "latency_p99_ms": pct(0.99),
        "latency_max_ms": timings[-1] * 1000,
        "cpu_p50_ms": pct(0.50, cpu),
        "cpu_p99_ms": pct(0.99, cpu),
        "load_average": os.getloadavg()[0],
    }


def child_quality(cache: str) -> dict[str, object]:
    import numpy as np

    from nlu.evaluation import EVALUATION_NOW, evaluate
    from nlu.factory import build_builtin
    from nlu.training_data import load_training_data

    interpreter = build_builtin(cache_dir=Path(cache))
    report = evaluate(interpreter, HELDOUT)
    examples = load_training_data([HELDOUT]).examples
    results = [interpreter.parse(e.text, now=EVALUATION_NOW) for e in examples]
    confidence = np.asarray([r.intent.confidence for r in results])
    correct = np.asarray(
        [r.intent.name == e.intent for r, e in zip(results, examples, strict=True)]
    )
    ece = 0.0
    for low in np.linspace(0.0, 0.9, 10):
        mask = (confidence > low) & (confidence <= low + 0.1)
        if mask.any():
            ece += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    entities = report["entities"]
    languages = report["languages"]
    assert isinstance(entities, dict) and isinstance(languages, dict)
    return {
        "heldout_examples": report["examples"],
        "heldout_accuracy": report["accuracy"],
        "heldout_macro_f1": report["macro_f1"],
        "heldout_macro_f1_pt": languages["pt"]["macro_f1"],
        "heldout_macro_f1_en": languages["en"]["macro_f1"],
        "entity_f1": {name: scores["f1"] for name, scores in entities.items()},
        "expected_calibration_error": float(ece),
        "mean_confidence": float(confidence.mean()),
    }


def _child(mode: str, cache: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.nlu.run", "--child", mode, "--cache", str(cache)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def throughput() -> dict[str, object]:
    """``python -m nlu parse -`` on 10,000 lines (its cache, nlu/.cache, is filled first)."""
    subprocess.run(
        [sys.executable, "-m", "nlu", "parse", "oi"], cwd=ROOT, check=True, capture_output=True
    )
    corpus = [t for t in _corpus() if t and "\n" not in t]
    lines = [corpus[i % len(corpus)] for i in range(THROUGHPUT_LINES)]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "nlu", "parse", "-"],
        cwd=ROOT,
        input="\n".join(lines) + "\n",
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    produced = out.stdout.count("\n")
    assert produced == THROUGHPUT_LINES, produced
    return {
        "throughput_lines": THROUGHPUT_LINES,
        "throughput_s": elapsed,
        "throughput_lines_per_s": THROUGHPUT_LINES / elapsed,
        "throughput_cpu_s": cpu_s,
        "throughput_lines_per_cpu_s": THROUGHPUT_LINES / cpu_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=("train", "load", "quality"))
    parser.add_argument("--cache")
    args = parser.parse_args()
    if args.child:
        handler = {"train": child_train, "load": child_load, "quality": child_quality}[args.child]
        print(json.dumps(handler(args.cache)))
        return
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        print("training ...", flush=True)
        figures.update(_child("train", cache))
        print("load, memory and latency ...", flush=True)
        figures.update(_child("load", cache))
        print("held-out quality ...", flush=True)
        figures.update(_child("quality", cache))
    print("throughput of python -m nlu parse - ...", flush=True)
    figures.update(throughput())
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print()
    rows = [
        ("training time (s, incl. scikit-learn import)", figures["train_s"]),
        ("model load time (s)", figures["load_s"]),
        ("RSS: python alone (MiB)", figures["rss_python_mib"]),
        ("RSS: NLU loaded, total (MiB)", figures["rss_total_mib"]),
        ("RSS: NLU delta (MiB)", figures["rss_nlu_mib"]),
        ("RSS after parsing (MiB)", figures["rss_after_parsing_mib"]),
        (
            "sklearn/scipy imported at inference",
            (figures["sklearn_imported"], figures["scipy_imported"]),
        ),
        ("parse latency p50 (ms, one core)", figures["latency_p50_ms"]),
        ("parse latency p90 (ms)", figures["latency_p90_ms"]),
        ("parse latency p99 (ms)", figures["latency_p99_ms"]),
        ("parse latency max (ms)", figures["latency_max_ms"]),
        ("parse CPU time p50 (ms)", figures["cpu_p50_ms"]),
        ("parse CPU time p99 (ms)", figures["cpu_p99_ms"]),
        ("machine load average during latency run", figures["load_average"]),
        ("parse of a 10,000-character junk message (ms)", figures["latency_10k_chars_ms"]),
        ("parse - on 10,000 lines (s, incl. start-up)", figures["throughput_s"]),
        ("parse - throughput (lines/s)", figures["throughput_lines_per_s"]),
        ("parse - CPU time of the process (s)", figures["throughput_cpu_s"]),
        ("parse - lines per CPU second", figures["throughput_lines_per_cpu_s"]),
        ("held-out macro-F1 pt", figures["heldout_macro_f1_pt"]),
        ("held-out macro-F1 en", figures["heldout_macro_f1_en"]),
        ("held-out accuracy (all)", figures["heldout_accuracy"]),
        ("expected calibration error", figures["expected_calibration_error"]),
        ("entity F1", figures["entity_f1"]),
    ]
    for name, value in rows:
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{name:48} {shown}")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
