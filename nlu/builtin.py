"""The built-in backend: entity extraction plus the numpy intent and language classifiers.

``parse`` accepts any string: empty, emoji only, control characters, very long text (the
first ``classify_chars`` characters are classified, the first ``extract_chars`` searched for
entities). It keeps no state between calls, so one instance serves many threads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from nlu.entities import EntityExtractor
from nlu.model import IntentModel, Prediction
from nlu.normalization import normalize
from nlu.types import Entity, IntentScore, NLUResult

FALLBACK_INTENT = "out_of_scope"
RANKING_SIZE = 10


class BuiltinInterpreter:
    """``Interpreter`` backed by a trained :class:`IntentModel` and an :class:`EntityExtractor`."""

    backend = "builtin"

    def __init__(
        self,
        *,
        model: IntentModel,
        extractor: EntityExtractor,
        clock: Callable[[], datetime] | None = None,
        classify_chars: int = 1000,
    ) -> None:
        self._model = model
        self._extractor = extractor
        self._clock = clock or (lambda: datetime.now(extractor.zone))
        self._classify_chars = classify_chars

    @property
    def model(self) -> IntentModel:
        return self._model

    @property
    def extractor(self) -> EntityExtractor:
        return self._extractor

    def now(self) -> datetime:
        return self._clock()

    def entities(self, text: str, *, now: datetime | None = None) -> list[Entity]:
        return self._extractor.extract(text, now=now or self._clock())

    def language(self, text: str) -> str:
        """``"pt"`` or ``"en"`` for ``text`` (Portuguese when there is nothing to go on)."""
        return self._language(self._model.predict(normalize(text[: self._classify_chars])))

    @staticmethod
    def _language(prediction: Prediction) -> str:
        return "en" if prediction.known_features and prediction.english >= 0.5 else "pt"

    def parse(self, text: str, *, now: datetime | None = None) -> NLUResult:
        moment = now or self._clock()
        spans = self._extractor.candidates(text, now=moment)
        entities = tuple(Entity(c.entity, c.value, c.start, c.end) for c in spans)
        head = text[: self._classify_chars]
        normalized = normalize(
            head,
            placeholders=[(c.start, c.end, c.entity) for c in spans if c.end <= len(head)],
        )
        if not normalized:
            return NLUResult(
                text=text,
                intent=IntentScore(FALLBACK_INTENT, 0.0),
                entities=entities,
                backend=self.backend,
            )
        prediction = self._model.predict(normalized)
        order = prediction.probabilities.argsort()[::-1][:RANKING_SIZE]
        ranking = tuple(
            IntentScore(self._model.intents[i], float(prediction.probabilities[i])) for i in order
        )
        return NLUResult(
            text=text,
            intent=ranking[0],
            intent_ranking=ranking,
            entities=entities,
            language=self._language(prediction),
            backend=self.backend,
        )
