"""Every slot key the flows can fill (``cnpj``, ``finance.email``...) with its step and label.

Used to show summaries, to find what a correction ("errei o e-mail do financeiro") refers to,
and to validate a corrected value with the same validator as the original answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from flows import AskStep, CallStep, Flow, Text


@dataclass(frozen=True, slots=True)
class SlotInfo:
    key: str
    step: AskStep
    namespace_label: Text | None
    namespace_aliases: tuple[str, ...]

    @property
    def namespace(self) -> str:
        return self.key.rsplit(".", 1)[0] if "." in self.key else ""

    def names(self) -> tuple[str, ...]:
        """What a client may call this slot: its aliases and its labels."""
        return (*self.step.aliases, self.step.label.pt, self.step.label.en)

    def label(self, language: str) -> str:
        own = self.step.label.get(language)
        if self.namespace_label is None:
            return own
        return f"{own} ({self.namespace_label.get(language)})"


# Words clients use for each contact area, besides the call step's label.
_NAMESPACE_WORDS: dict[str, tuple[str, ...]] = {
    "finance": ("financeiro", "financeira", "finance", "financas", "cobranca"),
    "tech": ("ti", "tecnico", "tecnologia", "tech", "it", "informatica"),
    "cs": ("sucesso", "cs", "customer success", "dia a dia", "operacao", "usuario"),
}


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lowercase without accents or punctuation, for matching what clients type (cached: the
    flows' titles and aliases are folded on every turn)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", re.sub(r"[^\w@+\s]", " ", plain)).strip()


def _mentions(folded_text: str, phrase: str) -> bool:
    folded = fold(phrase)
    return (
        bool(folded) and folded in folded_text and _phrase(folded).search(folded_text) is not None
    )


@lru_cache(maxsize=4096)
def _phrase(folded: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(folded)}(?!\w)")


class SlotCatalog:
    """The slots of a root flow and of the flows it calls, in the order they are asked."""

    def __init__(self, flows: Mapping[str, Flow], root: str) -> None:
        self._slots: dict[str, SlotInfo] = {}
        self._collect(flows, flows[root], namespace="", label=None, aliases=())
        self._names = frozenset(fold(n) for info in self._slots.values() for n in info.names())

    def _collect(
        self,
        flows: Mapping[str, Flow],
        flow: Flow,
        *,
        namespace: str,
        label: Text | None,
        aliases: tuple[str, ...],
    ) -> None:
        for step in flow.steps.values():
            if isinstance(step, AskStep):
                key = f"{namespace}.{step.slot}" if namespace else step.slot
                self._slots[key] = SlotInfo(key, step, label, aliases)
            elif isinstance(step, CallStep) and not namespace:
                words = (step.label.pt, step.label.en, *_NAMESPACE_WORDS.get(step.namespace, ()))
                self._collect(
                    flows,
                    flows[step.flow],
                    namespace=step.namespace,
                    label=step.label,
                    aliases=words,
                )

    @property
    def folded_names(self) -> frozenset[str]:
        """Every label and alias of every slot, folded: what is never an answer to a free-text
        question ("número de funcionários" is not a name)."""
        return self._names

    def __iter__(self) -> Iterator[SlotInfo]:
        return iter(self._slots.values())

    def get(self, key: str) -> SlotInfo | None:
        return self._slots.get(key)

    def areas_said(self, text: str) -> list[SlotInfo]:
        """One slot of each contact area whose words the sentence says ("o financeiro")."""
        text = _EMAIL.sub(" ", text)
        folded = fold(text)
        found: dict[str, SlotInfo] = {}
        for info in self._slots.values():
            if (
                info.namespace
                and info.namespace not in found
                and any(_area_said(text, folded, alias=a) for a in info.namespace_aliases)
            ):
                found[info.namespace] = info
        return list(found.values())

    def mentioned(
        self,
        text: str,
        *,
        answered: list[str],
        slots: Mapping[str, object] | None = None,
        exclude: tuple[str, ...] = (),
    ) -> SlotInfo | None:
        found = self.mentioned_all(text, answered=answered, slots=slots, exclude=exclude)
        return found[0] if found else None

    def mentioned_all(
        self,
        text: str,
        *,
        answered: list[str],
        slots: Mapping[str, object] | None = None,
        exclude: tuple[str, ...] = (),
    ) -> list[SlotInfo]:
        """The answered slots a sentence talks about, the likeliest first.

        A contact area is named by its words ("do financeiro") or by the contact's name ("o
        telefone da Beatriz"); a slot named without an area is the client's own when there is
        one ("meu e-mail", "o telefone").
        """
        text = _EMAIL.sub(" ", text)  # "bia@empresa.com.br" names no company
        folded = fold(text)
        found: list[tuple[int, SlotInfo]] = []  # (longest name said, slot), most recent first
        for key in reversed(answered):
            info = self._slots.get(key)
            if key in exclude or info is None:
                continue
            said = [len(fold(n)) for n in info.names() if _mentions(folded, n)]
            if said:
                found.append((max(said), info))
        # "o número de funcionários" is the head count, not the address number: the longest
        # name said wins, then the most recent answer.
        found.sort(key=lambda pair: -pair[0])
        candidates = [info for _, info in found]
        named = _named_namespaces(folded, slots or {})
        scoped = [
            c
            for c in candidates
            if any(_area_said(text, folded, alias=a) for a in c.namespace_aliases)
            or (c.namespace and c.namespace in named)
        ]
        unscoped = [c for c in candidates if c.namespace_label is None]
        first = scoped or unscoped or candidates
        return first + [c for c in candidates if c not in first]


_EMAIL = re.compile(r"[^\s,;]+@[^\s,;]+")


def _area_said(text: str, folded: str, *, alias: str) -> bool:
    """An area's word in the sentence; "IT" only in capitals (not the "it" of "it's")."""
    if alias.lower() == "it":
        return re.search(r"\bIT\b", text) is not None
    return _mentions(folded, alias)


def _named_namespaces(folded: str, slots: Mapping[str, object]) -> set[str]:
    """Contact areas whose contact's first name the sentence says (not the client's own)."""
    own = slots.get("person_name")
    found: set[str] = set()
    for key, value in slots.items():
        if not key.endswith(".name") or not isinstance(value, str) or value == own:
            continue
        first = fold(value).split()[:1]
        if first and len(first[0]) >= 3 and _mentions(folded, first[0]):
            found.add(key.rsplit(".", 1)[0])
    return found
