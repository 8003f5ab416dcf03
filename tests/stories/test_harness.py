"""The harness itself: failures show the transcript, matching is loose, typos are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialogue.effects import CompanyChecked, Escalate, SetStage
from bot.domain.company import CompanyLookupResult

from .matching import effect_label, effect_matches, fold
from .runner import Kit, StoryFailed, run_story
from .story_format import Story, StoryFormatError, load_stories


def _story(body: dict[str, object]) -> Story:
    return Story.model_validate({"name": "harness", "file": "harness", **body})


def test_a_failure_shows_the_transcript_with_numbered_choices(story_kit: Kit) -> None:
    story = _story({"turns": [{"user": "oi"}, {"user": "1", "bot": ["qual é o seu CNPJ"]}]})
    with pytest.raises(StoryFailed) as failed:
        run_story(story, story_kit)
    message = str(failed.value)
    assert "1. client: oi" in message
    assert "1) Concordo   [id yes]" in message and "2) Não concordo" in message
    assert "2. client: 1" in message and "nome completo" in message
    assert "FAILED at turn 2 (1)" in message
    assert "expected 'qual é o seu CNPJ' in the replies" in message
    assert "at registration/person_name" in message


def test_a_tap_on_a_button_nobody_offered_fails_clearly(story_kit: Kit) -> None:
    story = _story({"turns": [{"user": "oi"}, {"tap": "full"}]})
    with pytest.raises(StoryFailed, match=r"tap 'full': the last offer had \['yes', 'no'\]"):
        run_story(story, story_kit)


def test_matching_folds_case_accents_bold_and_spaces() -> None:
    assert fold("  Etapa *Validação*:\n  CONCLUÍDA ") == "etapa validacao: concluida"


def test_effects_match_by_name_and_any_value() -> None:
    checked = CompanyChecked(cnpj="11222333000181", result=CompanyLookupResult("not_found"))
    assert effect_matches("CompanyChecked:not_found", checked)
    assert effect_matches("CompanyChecked:11222333000181", checked)
    assert effect_matches("Escalate", Escalate("complaint", "ruim"))
    assert not effect_matches("Escalate:request_human", Escalate("complaint"))
    assert not effect_matches("SetStage:documentos", SetStage("validacao", "ok"))
    assert effect_label(Escalate("request_human", "humano")) == "Escalate:request_human"


def test_an_unknown_key_names_the_file_and_the_story(tmp_path: Path) -> None:
    (tmp_path / "typo.yml").write_text(
        "stories:\n  - name: typo\n    turns:\n      - user: oi\n        effect: [OptOut]\n",
        encoding="utf-8",
    )
    with pytest.raises(StoryFormatError, match=r"(?s)typo\.yml: story 'typo'.*turns.0.effect"):
        load_stories(tmp_path, prefixes={})


def test_a_gap_outside_known_gaps_is_refused(tmp_path: Path) -> None:
    (tmp_path / "topic.yml").write_text(
        "stories:\n  - name: fixed\n    gap: old\n    turns:\n      - user: oi\n",
        encoding="utf-8",
    )
    with pytest.raises(StoryFormatError, match="belongs in known_gaps.yml"):
        load_stories(tmp_path, prefixes={})
