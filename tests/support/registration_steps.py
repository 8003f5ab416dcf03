"""The happy path of the shipped registration in Portuguese, answer by answer, to bring a chat
(through the service or the dialogue alone) to a named step."""

from __future__ import annotations

from typing import Protocol

__all__ = ["ANSWERS", "Sayer", "to_step"]

# (step whose prompt the answer leads to, the answer given at the step before)
ANSWERS = (
    ("consent", "oi"),
    ("person_name", "1"),
    ("form_mode", "Maria da Silva"),
    ("cnpj", "1"),
    ("company_name", "11222333000181"),
    ("employees", "Padaria Pão Quente"),
    ("admin_email", "45"),
    ("admin_phone", "maria@paoquente.com.br"),
    ("finance", "11987654321"),
    ("finance_name", "2"),
    ("finance_email", "Paulo Lima"),
    ("finance_phone", "paulo@paoquente.com.br"),
    ("tech", "11 91234-5678"),
    ("cs", "1"),
    ("cep", "1"),
)


class Sayer(Protocol):
    def say(self, text: str) -> str: ...


def to_step(chat: Sayer, step: str) -> None:
    """Answers the happy path up to the named step (its prompt is the last reply)."""
    for name, message in ANSWERS:
        chat.say(message)
        if name == step:
            return
    raise AssertionError(f"unknown step {step}")
