"""The trained model: numpy inference equals training-time features, save/load, the cache."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from nlu.cache import load_or_train, model_path
from nlu.entities import EntityExtractor
from nlu.errors import ModelError
from nlu.model import IntentModel
from nlu.training import TrainingConfig, Vectorizer, classifier_text, train_model
from nlu.training_data import load_training_data

SMALL = """version: "3.1"
nlu:
- intent: greet
  metadata: {language: pt}
  examples: |
    - oi
    - ola
    - bom dia
    - boa tarde
    - oi tudo bem
    - e ai
    - opa
    - boa noite
    - salve
    - oi gente
- intent: greet
  metadata: {language: en}
  examples: |
    - hi
    - hello
    - good morning
    - hey there
    - hi all
- intent: opt_out
  metadata: {language: pt}
  examples: |
    - sair
    - parar
    - para de mandar mensagem
    - nao quero mais mensagens
    - me tira da lista
    - chega de msg
    - descadastrar
    - nao me mande mais nada
    - pare
    - quero sair da lista
- intent: opt_out
  metadata: {language: en}
  examples: |
    - stop
    - unsubscribe
    - stop texting me
    - remove me from the list
    - no more messages
"""


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "nlu.yml").write_text(SMALL, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    return EntityExtractor()


def test_inference_matches_training_features(small_data: Path, extractor: EntityExtractor) -> None:
    data = load_training_data([small_data])
    model = train_model(data, extractor=extractor, config=TrainingConfig(calibration_folds=3))
    texts = [classifier_text(t, extractor=extractor) for t in ["oi tudo bem", "STOP pls", "xyz"]]
    matrix = Vectorizer(model.vocabulary, model.idf, model.feature_config).transform(texts)
    for row, text in enumerate(texts):
        indices, values = model.vectorize(text)
        dense = np.zeros(len(model.vocabulary))
        dense[indices] = values
        assert np.allclose(dense, matrix[row].toarray()[0], atol=1e-6)
    assert model.intents == ("greet", "opt_out")
    assert model.intents[int(model.predict(texts[0]).probabilities.argmax())] == "greet"
    assert model.intents[int(model.predict(texts[1]).probabilities.argmax())] == "opt_out"
    assert model.predict("hello there").english > 0.5
    assert model.predict("bom dia pessoal").english < 0.5


def test_save_and_load_round_trip(
    small_data: Path, extractor: EntityExtractor, tmp_path: Path
) -> None:
    data = load_training_data([small_data])
    model = train_model(data, extractor=extractor, config=TrainingConfig(calibration_folds=3))
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = IntentModel.load(path)
    assert loaded.intents == model.intents and loaded.temperature == model.temperature
    for text in ["oi", "sair", "whatever"]:
        assert np.allclose(loaded.predict(text).probabilities, model.predict(text).probabilities)
    assert not list(tmp_path.glob("*.tmp"))


def test_damaged_model_file(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot read model"):
        IntentModel.load(path)


def test_cache_is_keyed_by_the_data(
    small_data: Path, extractor: EntityExtractor, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    _, first = load_or_train(cache_dir=cache, extractor=extractor, data_dir=small_data)
    _, again = load_or_train(cache_dir=cache, extractor=extractor, data_dir=small_data)
    assert first.trained and not again.trained and first.path == again.path
    with (small_data / "nlu.yml").open("a", encoding="utf-8") as out:
        out.write("    - sai fora\n")
    _, changed = load_or_train(cache_dir=cache, extractor=extractor, data_dir=small_data)
    assert changed.trained and changed.fingerprint != first.fingerprint
    assert changed.path == model_path(cache, changed.fingerprint)


def test_damaged_cache_entry_is_retrained(
    small_data: Path, extractor: EntityExtractor, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    _, first = load_or_train(cache_dir=cache, extractor=extractor, data_dir=small_data)
    first.path.write_bytes(b"garbage")
    _, second = load_or_train(cache_dir=cache, extractor=extractor, data_dir=small_data)
    assert second.trained and second.path == first.path


def test_real_model_loads_from_its_file(nlu_cache_dir: Path) -> None:
    # How fast it loads is bench/nlu's to measure, not a test's.
    (path,) = nlu_cache_dir.glob("nlu-model-*.npz")
    model = IntentModel.load(path)
    assert len(model.intents) == 18


def test_unknown_learner_is_refused(small_data: Path, extractor: EntityExtractor) -> None:
    with pytest.raises(ModelError, match="unknown learner"):
        train_model(
            load_training_data([small_data]),
            extractor=extractor,
            config=TrainingConfig(learner="magic"),
        )


def test_old_models_are_pruned(
    small_data: Path, extractor: EntityExtractor, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    for i in range(5):
        (cache / f"nlu-model-old{i}.npz").write_bytes(b"x")
        os.utime(cache / f"nlu-model-old{i}.npz", (1000 + i, 1000 + i))
    _, info = load_or_train(cache_dir=cache, extractor=extractor, data_dir=small_data)
    assert sorted(p.name for p in cache.glob("*.npz")) == sorted(
        [info.path.name, "nlu-model-old4.npz", "nlu-model-old3.npz"]
    )
