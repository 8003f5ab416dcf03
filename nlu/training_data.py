"""Reading Rasa NLU training data (YAML, ``version: "3.1"``): intents, inline entities, synonyms.

Supported, as Rasa reads them: ``- intent:`` items with ``examples: |`` (a block of ``- text``
lines) or a list of ``{text, metadata}``; intent-level ``metadata`` (we use
``metadata: {language: pt|en}`` to label languages); inline entities ``[text](entity)``,
``[text](entity:value)``, ``[text]{"entity": ..., "value": ...}``; ``synonym:``, ``regex:`` and
``lookup:`` items. A directory is read recursively (``*.yml``, ``*.yaml``), in path order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlu.errors import TrainingDataError

_ENTITY = re.compile(
    r"\[(?P<text>[^\[\]]+)\]"
    r"(?:\((?P<short>[^()]+)\)|(?P<json>\{[^{}]*\})|(?P<list>\[\s*\{.*?\}\s*\]))"
)


@dataclass(frozen=True, slots=True)
class AnnotatedEntity:
    """An entity marked in a training example; ``value`` is set when the annotation names one."""

    entity: str
    start: int
    end: int
    text: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    entities: tuple[AnnotatedEntity, ...] = ()
    language: str | None = None
    source: str = ""


@dataclass(slots=True)
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # variant -> canonical value
    regexes: dict[str, list[str]] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})


def data_files(path: Path) -> list[Path]:
    """The YAML files of ``path`` (a file, or a directory read recursively), in a stable order."""
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())
    raise TrainingDataError(f"no such file or directory: {path}")


def parse_example(line: str, *, intent: str, language: str | None, source: str) -> Example:
    """One example with its inline entity annotations removed and recorded."""
    entities: list[AnnotatedEntity] = []
    plain: list[str] = []
    cursor = 0
    length = 0
    for match in _ENTITY.finditer(line):
        plain.append(line[cursor : match.start()])
        length += match.start() - cursor
        surface = match.group("text")
        for name, value in _annotations(match, source=source):
            entities.append(
                AnnotatedEntity(
                    entity=name, start=length, end=length + len(surface), text=surface, value=value
                )
            )
        plain.append(surface)
        length += len(surface)
        cursor = match.end()
    plain.append(line[cursor:])
    return Example(
        text="".join(plain),
        intent=intent,
        entities=tuple(entities),
        language=language,
        source=source,
    )


def _annotations(match: re.Match[str], *, source: str) -> Iterator[tuple[str, str | None]]:
    short = match.group("short")
    if short is not None:
        name, _, value = short.partition(":")
        yield name.strip(), (value.strip() or None)
        return
    raw = match.group("json") or match.group("list")
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise TrainingDataError(f"{source}: bad entity annotation {match.group(0)!r}") from exc
    for item in parsed if isinstance(parsed, list) else [parsed]:
        if not isinstance(item, dict) or "entity" not in item:
            raise TrainingDataError(f"{source}: bad entity annotation {match.group(0)!r}")
        value = item.get("value")
        yield str(item["entity"]), (None if value is None else str(value))


def _example_lines(raw: object, *, source: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(raw, str):
        for line in raw.splitlines():
            stripped = line.strip()
            if stripped.startswith("- "):
                yield stripped[2:].strip(), {}
            elif stripped == "-" or not stripped:
                continue
            else:
                raise TrainingDataError(f"{source}: example line must start with '- ': {line!r}")
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                meta = item.get("metadata")
                yield item["text"].strip(), meta if isinstance(meta, dict) else {}
            else:
                raise TrainingDataError(f"{source}: bad example item {item!r}")
    else:
        raise TrainingDataError(f"{source}: 'examples' must be a block of '- ' lines or a list")


def _language(meta: dict[str, Any], default: str | None) -> str | None:
    value = meta.get("language", meta.get("lang", default))
    return str(value) if value is not None else None


def _read_file(path: Path, into: TrainingData) -> None:
    source = str(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TrainingDataError(f"cannot read {source}: {exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise TrainingDataError(f"{source}: not valid YAML{where}: {problem}") from exc
    if document is None:
        return
    if not isinstance(document, dict):
        raise TrainingDataError(f"{source}: expected a mapping with an 'nlu' key")
    items = document.get("nlu", [])
    if not isinstance(items, list):
        raise TrainingDataError(f"{source}: 'nlu' must be a list")
    for item in items:
        if not isinstance(item, dict):
            raise TrainingDataError(f"{source}: every 'nlu' item must be a mapping")
        raw = item.get("examples", [])
        if "intent" in item:
            intent = str(item["intent"])
            meta = item.get("metadata")
            default_language = _language(meta if isinstance(meta, dict) else {}, None)
            for text, example_meta in _example_lines(raw, source=source):
                into.examples.append(
                    parse_example(
                        text,
                        intent=intent,
                        language=_language(example_meta, default_language),
                        source=source,
                    )
                )
        elif "synonym" in item:
            canonical = str(item["synonym"])
            for text, _ in _example_lines(raw, source=source):
                into.synonyms[text] = canonical
        elif "regex" in item:
            into.regexes.setdefault(str(item["regex"]), []).extend(
                text for text, _ in _example_lines(raw, source=source)
            )
        elif "lookup" in item:
            into.lookups.setdefault(str(item["lookup"]), []).extend(
                text for text, _ in _example_lines(raw, source=source)
            )
        else:
            raise TrainingDataError(f"{source}: unknown nlu item {sorted(item)!r}")


def load_training_data(paths: Iterable[Path]) -> TrainingData:
    """Everything in the given files or directories, merged as Rasa merges it."""
    data = TrainingData()
    files = [f for p in paths for f in data_files(Path(p))]
    if not files:
        raise TrainingDataError("no training data files found")
    for path in files:
        _read_file(path, data)
    # Annotated entity values that differ from their text behave like synonyms in Rasa.
    for example in data.examples:
        for entity in example.entities:
            if entity.value is not None and entity.value != entity.text:
                data.synonyms.setdefault(entity.text, entity.value)
    return data
