"""The Rasa backend: ``POST {rasa_url}/model/parse`` over httpx, with the built-in fallback.

Rasa's answer (``intent``, ``intent_ranking``, ``entities`` with ``start/end/value/entity/
extractor``) becomes an :class:`~nlu.types.NLUResult`. Rasa's entity values are raw text, so for
the seven built-in types the span is re-read by our own extractors relative to ``now`` (a CNPJ
with wrong check digits is dropped, a phone becomes E.164); entities of other types pass
through. Where Rasa's span and one of ours overlap, the longer span wins (:func:`merge_entity`):
DIET often tags only "amanhã" in "depois de amanhã" or "dia 3" in "dia 3 de dezembro", and the
shorter reading is another day. Entities our extractors find and Rasa missed are added. Rasa's
``nlu_fallback`` pseudo-intent is removed so the ranking holds real intents (with their low
confidence, which the dialogue acts on).

When Rasa is down, slow (``timeout_s``) or answers something unusable, the built-in backend
answers instead, a warning is logged and ``acolhe_nlu_fallback_total{reason}`` counts it. After a
failure Rasa is left alone for ``retry_after_s`` (a slow server would otherwise cost every
message the whole timeout).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from nlu.builtin import BuiltinInterpreter
from nlu.entities.spans import Candidate
from nlu.errors import BackendError
from nlu.metrics import fallback_counter
from nlu.types import ENTITY_TYPES, Entity, IntentScore, NLUResult

if TYPE_CHECKING:  # httpx and prometheus_client load only when a Rasa backend is built
    import httpx
    from prometheus_client import CollectorRegistry

logger = logging.getLogger(__name__)

RASA_FALLBACK_INTENT = "nlu_fallback"
MAX_SENT_CHARS = 2000


class RasaInterpreter:
    """``Interpreter`` that asks a Rasa server and falls back to the built-in backend."""

    backend = "rasa"

    def __init__(
        self,
        *,
        rasa_url: str,
        fallback: BuiltinInterpreter,
        timeout_s: float = 2.0,
        retry_after_s: float = 30.0,
        registry: CollectorRegistry | None = None,
        transport: httpx.BaseTransport | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = rasa_url.rstrip("/") + "/model/parse"
        self._fallback = fallback
        self._retry_after_s = retry_after_s
        self._registry = registry
        self._monotonic = monotonic
        import httpx

        self._client = httpx.Client(timeout=httpx.Timeout(timeout_s), transport=transport)
        self._lock = threading.Lock()
        self._down_until = -math.inf

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RasaInterpreter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def parse(self, text: str, *, now: datetime | None = None) -> NLUResult:
        moment = now or self._fallback.now()
        with self._lock:
            resting = self._monotonic() < self._down_until
        if resting:
            return self._fall_back(text, moment, reason="circuit_open", detail="recent failure")
        try:
            payload = self._ask(text)
            result = self._to_result(text, payload, moment=moment)
        except BackendError as exc:
            with self._lock:
                self._down_until = self._monotonic() + self._retry_after_s
            return self._fall_back(text, moment, reason=exc.reason, detail=str(exc))
        return result

    def _fall_back(self, text: str, moment: datetime, *, reason: str, detail: str) -> NLUResult:
        fallback_counter(self._registry).labels(reason=reason).inc()
        if reason == "circuit_open":
            logger.debug("rasa skipped after a recent failure; using the built-in NLU")
        else:
            logger.warning("rasa parse failed (%s: %s); using the built-in NLU", reason, detail)
        result = self._fallback.parse(text, now=moment)
        return NLUResult(
            text=result.text,
            intent=result.intent,
            intent_ranking=result.intent_ranking,
            entities=result.entities,
            language=result.language,
            backend="builtin",
            extra={"fallback": reason},
        )

    def _ask(self, text: str) -> dict[str, Any]:
        import httpx

        try:
            response = self._client.post(self._url, json={"text": text[:MAX_SENT_CHARS]})
        except httpx.TimeoutException as exc:
            raise BackendError(f"timeout: {exc!r}", "timeout") from exc
        except httpx.HTTPError as exc:
            raise BackendError(f"connection: {exc!r}", "connection") from exc
        if response.status_code != 200:
            raise BackendError(f"HTTP {response.status_code}", "http_status")
        try:
            payload = response.json()
        except ValueError as exc:
            raise BackendError("response is not JSON", "invalid_response") from exc
        if not isinstance(payload, dict):
            raise BackendError("response is not a JSON object", "invalid_response")
        return payload

    def _to_result(self, text: str, payload: dict[str, Any], *, moment: datetime) -> NLUResult:
        ranking = _ranking(payload)
        sent = text[:MAX_SENT_CHARS]
        entities = self._entities(sent, payload.get("entities", []), moment=moment)
        return NLUResult(
            text=text,
            intent=ranking[0],
            intent_ranking=ranking,
            entities=entities,
            language=self._fallback.language(text),
            backend=self.backend,
        )

    def _entities(self, text: str, raw: object, *, moment: datetime) -> tuple[Entity, ...]:
        if not isinstance(raw, list):
            raise BackendError("'entities' is not a list", "invalid_response")
        ours = self._fallback.extractor.candidates(text, now=moment)
        kept: list[Entity] = [Entity(c.entity, c.value, c.start, c.end) for c in ours]
        for item in raw:
            entity = _rasa_entity(item, len(text))
            if entity is None:
                continue
            name, start, end, value, extractor = entity
            if name in ENTITY_TYPES:
                normalized = self._renormalize(text, name, start=start, end=end, moment=moment)
                if normalized is None:
                    continue
                theirs = Entity(
                    name,
                    normalized.value,
                    normalized.start,
                    normalized.end,
                    extractor=f"rasa:{extractor}",
                )
                kept = merge_entity(kept, theirs)
            elif not any(k.start < end and start < k.end for k in kept):
                kept.append(Entity(name, value, start, end, extractor=f"rasa:{extractor}"))
        return tuple(sorted(kept, key=lambda e: (e.start, e.end)))

    def _renormalize(
        self, text: str, name: str, *, start: int, end: int, moment: datetime
    ) -> Candidate | None:
        """Our reading of Rasa's span as entity ``name``, or None if it is not a valid one."""
        span = text[start:end]
        found = [
            c for c in self._fallback.extractor.proposals(span, now=moment) if c.entity == name
        ]
        if not found:
            return None
        best = max(found, key=lambda c: (c.end - c.start, c.priority))
        return Candidate(name, best.value, start + best.start, start + best.end, best.priority)


def merge_entity(kept: list[Entity], theirs: Entity) -> list[Entity]:
    """``kept`` with Rasa's (re-read) entity ``theirs`` added where it is the better span.

    Against every overlapping entity already kept, the longer span wins, so a span that contains
    another wins. On equal spans Rasa's type beats ours (it may know a bare number is a CPF),
    and among Rasa's own entities the first one stays.
    """
    rivals = [k for k in kept if k.start < theirs.end and theirs.start < k.end]
    size = theirs.end - theirs.start
    for rival in rivals:
        rival_size = rival.end - rival.start
        if rival_size > size or (rival_size == size and rival.extractor != "builtin"):
            return kept
    return [k for k in kept if k not in rivals] + [theirs]


def _ranking(payload: dict[str, Any]) -> tuple[IntentScore, ...]:
    intent = payload.get("intent")
    raw = payload.get("intent_ranking") or ([intent] if isinstance(intent, dict) else [])
    if not isinstance(raw, list):
        raise BackendError("'intent_ranking' is not a list", "invalid_response")
    ranking: list[IntentScore] = []
    for item in raw:
        if not isinstance(item, dict):
            raise BackendError("bad intent in ranking", "invalid_response")
        name, confidence = item.get("name"), item.get("confidence")
        if not isinstance(name, str) or not isinstance(confidence, int | float):
            raise BackendError("intent without name or confidence", "invalid_response")
        if name != RASA_FALLBACK_INTENT:
            ranking.append(IntentScore(name, max(0.0, min(1.0, float(confidence)))))
    if not ranking:
        raise BackendError("no intent in the response", "invalid_response")
    ranking.sort(key=lambda s: s.confidence, reverse=True)
    return tuple(ranking)


def _rasa_entity(item: object, length: int) -> tuple[str, int, int, str, str] | None:
    if not isinstance(item, dict):
        raise BackendError("bad entity in response", "invalid_response")
    name, start, end = item.get("entity"), item.get("start"), item.get("end")
    if not isinstance(name, str) or not isinstance(start, int) or not isinstance(end, int):
        raise BackendError("entity without entity/start/end", "invalid_response")
    if not 0 <= start < end <= length:
        return None
    return name, start, end, str(item.get("value", "")), str(item.get("extractor", "rasa"))
