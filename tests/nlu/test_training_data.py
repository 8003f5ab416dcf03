"""Reading Rasa NLU YAML (entities, metadata, synonyms, regexes, errors) and the project data."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu.errors import TrainingDataError
from nlu.training_data import load_training_data, parse_example
from nlu.types import ENTITY_TYPES, INTENTS
from tests.nlu.support import NOW

DATA = Path(__file__).resolve().parents[2] / "nlu" / "data"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "nlu.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_inline_entities_are_stripped_and_located() -> None:
    example = parse_example(
        'cnpj [11.222.333/0001-81](cnpj) e [amanhã]{"entity": "date", "value": "tomorrow"} '
        "[x](cep:01310100)",
        intent="inform",
        language="pt",
        source="t",
    )
    assert example.text == "cnpj 11.222.333/0001-81 e amanhã x"
    assert [(e.entity, example.text[e.start : e.end], e.value) for e in example.entities] == [
        ("cnpj", "11.222.333/0001-81", None),
        ("date", "amanhã", "tomorrow"),
        ("cep", "x", "01310100"),
    ]


def test_reads_rasa_yaml(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """version: "3.1"
nlu:
- intent: greet
  metadata:
    language: en
  examples: |
    - hi
    - hello [Ana](person)
- intent: greet
  examples:
  - text: oi
    metadata:
      language: pt
- synonym: finance
  examples: |
    - financeiro
- regex: cep
  examples: |
    - \\d{5}-\\d{3}
- lookup: city
  examples: |
    - Recife
""",
    )
    data = load_training_data([path])
    assert [(e.text, e.intent, e.language) for e in data.examples] == [
        ("hi", "greet", "en"),
        ("hello Ana", "greet", "en"),
        ("oi", "greet", "pt"),
    ]
    assert data.synonyms == {"financeiro": "finance"}
    assert data.regexes == {"cep": [r"\d{5}-\d{3}"]}
    assert data.lookups == {"city": ["Recife"]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("nlu: [1, 2\n", "not valid YAML at line"),
        ("- a\n- b\n", "expected a mapping"),
        ("nlu:\n- intent: greet\n  examples: |\n    oi\n", "must start with '- '"),
        ("nlu:\n- story: x\n", "unknown nlu item"),
        ('nlu:\n- intent: g\n  examples: |\n    - [x]{"entity" 1}\n', "bad entity annotation"),
    ],
)
def test_malformed_files(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(TrainingDataError, match=message):
        load_training_data([write(tmp_path, content)])


def test_missing_path() -> None:
    with pytest.raises(TrainingDataError, match="no such file"):
        load_training_data([Path("/no/such/dir")])


def test_project_data_covers_every_intent_and_entity() -> None:
    data = load_training_data([DATA])
    assert set(data.intents) == set(INTENTS)
    annotated = {e.entity for ex in data.examples for e in ex.entities}
    assert set(ENTITY_TYPES) <= annotated
    assert all(ex.language in ("pt", "en") for ex in data.examples)
    assert data.regexes  # for Rasa's RegexFeaturizer
    inform = [e for e in data.examples if e.intent == "inform"]
    assert len(inform) > 2 * 75


def test_project_annotations_match_the_builtin_extractors() -> None:
    """Every annotated identifier in nlu/data is one our extractors find with that value."""

    from nlu.entities import EntityExtractor
    from nlu.evaluation import canonical_value

    extractor = EntityExtractor()
    for example in load_training_data([DATA]).examples:
        found = {
            (e.entity, e.start, e.end, e.value) for e in extractor.extract(example.text, now=NOW)
        }
        for gold in example.entities:
            if gold.entity in ("date", "time"):
                assert any(
                    f[0] == gold.entity and f[1] < gold.end and gold.start < f[2] for f in found
                ), example.text
            else:
                expected = canonical_value(gold.entity, gold.text)
                assert (gold.entity, gold.start, gold.end, expected) in found, example.text
