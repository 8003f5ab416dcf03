"""CPU per turn of the dialogue engine alone (no database, no HTTP), and with the NLU.

    .venv/bin/python -m bench.dialogue.run [--rounds N] [--repo PATH]

Replays a fixed set of whole conversations (a full registration in Portuguese and in
English, answered with numbers, titles and phrases; corrections, status, help, a person, an
erasure cancelled, the documents) through ``DialogueEngine.handle`` with the real flows and
the real built-in NLU. The NLU results are parsed once beforehand, so ``engine`` measures the
dialogue alone; ``nlu+engine`` parses on every turn too. ``--repo`` runs the same script
against another checkout (e.g. a ``git worktree`` of an earlier commit) for before/after
figures on the same machine; its engine must take ``handle(state, message, nlu, context)``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

SCRIPTS: dict[str, list[str]] = {
    "pt_numbers": [
        "oi", "1", "Maria da Silva", "1", "11.222.333/0001-81", "Padaria Pão Quente Ltda",
        "45", "maria@paoquente.com.br", "(11) 98765-4321", "1", "2", "João Souza",
        "joao@paoquente.com.br", "21 99876 5432", "1", "01310-100", "1000", "sala 12",
        "em que etapa estou?", "1",
    ],
    "pt_phrases": [
        "bom dia", "concordo", "Ana Beatriz Rocha", "sim, vamos lá", "o cnpj é 11222333000181",
        "Padaria Pão Quente Ltda", "uns 80 funcionários", "ana@paoquente.com.br",
        "meu celular é 11 91234-5678", "sou eu mesma", "outra pessoa", "Carlos Lima",
        "carlos@paoquente.com.br", "(21) 98888-7777", "eu", "na verdade são 90 funcionários",
        "01310100", "ajuda", "1500", "não tem", "errei o e-mail do financeiro",
        "financeiro@paoquente.com.br", "está tudo certo",
    ],
    "en": [
        "hello there, I want to register my company", "I agree", "John Smith", "yes",
        "11.222.333/0001-81", "Bakery Ltd", "30", "john@bakery.com", "11 98765 4321",
        "it's me", "someone else", "Mary Jones", "mary@bakery.com", "11 97654 3210", "me",
        "01310-100", "200", "no", "what stage am I in?", "all correct",
    ],
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2])
    args = parser.parse_args()
    sys.path.insert(0, str(args.repo))

    import nlu
    from bot.bootstrap import load_all_flows
    from bot.dialogue.context import ConversationContext
    from bot.dialogue.engine import DialogueEngine
    from bot.dialogue.state import DialogueState
    from bot.domain.messages import Channel, InboundMessage

    engine = DialogueEngine(flows=load_all_flows(None))
    cache = Path(tempfile.mkdtemp(prefix="bench-dialogue-nlu-"))
    interpreter = nlu.build_interpreter(
        backend="builtin", cache_dir=cache, timezone="America/Sao_Paulo"
    )
    now = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
    context = ConversationContext(now=now)
    parsed = {text: interpreter.parse(text, now=now) for s in SCRIPTS.values() for text in s}

    def replay(*, with_nlu: bool) -> int:
        turns = 0
        for name, script in SCRIPTS.items():
            state = DialogueState()
            for index, body in enumerate(script):
                message = InboundMessage(
                    channel=Channel.TERMINAL, address=name, text=body,
                    external_id=f"{name}-{index}", received_at=now,
                )  # fmt: skip
                result = interpreter.parse(body, now=now) if with_nlu else parsed[body]
                state = engine.handle(state, message, nlu=result, context=context).state
                turns += 1
        return turns

    replay(with_nlu=False)  # warm-up
    print(f"repo {args.repo}  machine speed {_machine_speed():.0f} ms (lower is faster)")
    for label, with_nlu in (("engine", False), ("nlu+engine", True)):
        start_cpu = time.process_time()
        turns = sum(replay(with_nlu=with_nlu) for _ in range(args.rounds))
        cpu = time.process_time() - start_cpu
        print(f"{label:<11} {turns:>6} turns  {cpu / turns * 1e6:8.0f} µs CPU per turn")


def _machine_speed() -> float:
    """CPU milliseconds of a fixed pure-Python workload: the shared VM's speed drifts."""
    start = time.process_time()
    total = 0
    for i in range(2_000_000):
        total += i * i % 7
    return (time.process_time() - start) * 1000


if __name__ == "__main__":
    main()
