"""BrasilAPI client for CNPJ and CEP look-ups (enrichment after a document is read).

``GET {base}/cnpj/v1/{cnpj}`` and ``GET {base}/cep/v2/{cep}`` through httpx with a timeout,
bounded retries with exponential backoff on 429, 5xx and network errors (``Retry-After`` is
honoured up to the cap), and an injectable TTL cache. Failures come out as ``NotFound`` (the
number does not exist) or ``Unavailable`` (try again later; never block the conversation).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from bot.documents.errors import NotFound, Unavailable
from bot.domain.retrying import RetryPolicy, retry_after_seconds

DEFAULT_BASE_URL = "https://brasilapi.com.br/api"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _optional_date(value: object) -> object:
    return None if value in (None, "") else value


Text = Annotated[str, BeforeValidator(_text)]
OptionalDate = Annotated[date | None, BeforeValidator(_optional_date)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Partner(_Record):
    """One member of the company's QSA (quadro de sócios e administradores)."""

    nome_socio: Text = ""
    qualificacao_socio: Text = ""
    data_entrada_sociedade: OptionalDate = None


class SecondaryActivity(_Record):
    codigo: int | None = None
    descricao: Text = ""


class CompanyRecord(_Record):
    """Receita Federal's registration of a CNPJ, as BrasilAPI returns it."""

    cnpj: Text
    razao_social: Text = ""
    nome_fantasia: Text = ""
    situacao_cadastral: int | None = None
    descricao_situacao_cadastral: Text = ""
    data_situacao_cadastral: OptionalDate = None
    data_inicio_atividade: OptionalDate = None
    cnae_fiscal: int | None = None
    cnae_fiscal_descricao: Text = ""
    cnaes_secundarios: list[SecondaryActivity] = []
    porte: Text = ""
    natureza_juridica: Text = ""
    opcao_pelo_simples: bool | None = None
    opcao_pelo_mei: bool | None = None
    descricao_tipo_de_logradouro: Text = ""
    logradouro: Text = ""
    numero: Text = ""
    complemento: Text = ""
    bairro: Text = ""
    cep: Text = ""
    municipio: Text = ""
    uf: Text = ""
    email: Text = ""
    ddd_telefone_1: Text = ""
    qsa: list[Partner] = []

    @property
    def active(self) -> bool:
        return self.descricao_situacao_cadastral.upper() == "ATIVA" or (
            not self.descricao_situacao_cadastral and self.situacao_cadastral == 2
        )

    def age_days(self, today: date) -> int | None:
        """Days since the company opened, or None when BrasilAPI did not say."""
        if self.data_inicio_atividade is None:
            return None
        return (today - self.data_inicio_atividade).days


class AddressRecord(_Record):
    """A CEP's address (``/cep/v2``)."""

    cep: Text
    state: Text = ""
    city: Text = ""
    neighborhood: Text = ""
    street: Text = ""
    service: Text = ""


class Cache(Protocol):
    def get(self, key: str) -> object | None: ...

    def set(self, key: str, value: object) -> None: ...


class TtlCache:
    """A small in-memory cache: entries expire ``ttl`` seconds after being set (LRU bound)."""

    def __init__(
        self,
        *,
        ttl: float = 24 * 3600.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._items: OrderedDict[str, tuple[float, object]] = OrderedDict()

    def get(self, key: str) -> object | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if self._clock() >= expires:
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return value

    def set(self, key: str, value: object) -> None:
        self._items[key] = (self._clock() + self.ttl, value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)


Model = TypeVar("Model", CompanyRecord, AddressRecord)


class BrasilApiClient:
    """Async BrasilAPI client; use as ``async with`` or call ``aclose()``."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        cache: Cache | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        user_agent: str = "acolhe-onboarding/0.1",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._policy = RetryPolicy(max_attempts=retries + 1, base_s=backoff, cap_s=max_backoff)
        self.cache: Cache = cache if cache is not None else TtlCache()
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            transport=transport,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
        )

    async def __aenter__(self) -> BrasilApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def cnpj(self, number: str) -> CompanyRecord:
        """Look a CNPJ up (punctuation ignored; 2026 alphanumeric CNPJs kept uppercase)."""
        compact = re.sub(r"[^0-9A-Za-z]", "", number).upper()
        if len(compact) != 14:
            raise NotFound(f"CNPJ {number!r} must have 14 characters")
        return await self._lookup(f"/cnpj/v1/{compact}", CompanyRecord, key=f"cnpj:{compact}")

    async def cep(self, number: str) -> AddressRecord:
        compact = re.sub(r"\D", "", number)
        if len(compact) != 8:
            raise NotFound(f"CEP {number!r} must have 8 digits")
        return await self._lookup(f"/cep/v2/{compact}", AddressRecord, key=f"cep:{compact}")

    async def _lookup(self, path: str, model: type[Model], *, key: str) -> Model:
        cached = self.cache.get(key)
        if isinstance(cached, model):
            return cached
        payload = await self._get_json(path)
        try:
            record = model.model_validate(payload)
        except ValidationError as exc:
            raise Unavailable(f"BrasilAPI answered {path} with unexpected data") from exc
        self.cache.set(key, record)
        return record

    async def _get_json(self, path: str) -> Any:
        url = f"{self.base_url}{path}"
        last = "no attempt"
        for attempt in range(self.retries + 1):
            retry_after: float | None = None
            try:
                response = await self._http.get(url)
            except httpx.TimeoutException:
                last = "timeout"
            except httpx.TransportError as exc:
                last = f"network error: {type(exc).__name__}"
            else:
                if response.status_code in (400, 404):
                    raise NotFound(f"BrasilAPI: {path} not found ({response.status_code})")
                if response.status_code in RETRY_STATUS:
                    last = f"HTTP {response.status_code}"
                    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                elif response.is_success:
                    try:
                        return response.json()
                    except ValueError as exc:
                        raise Unavailable(f"BrasilAPI: malformed JSON for {path}") from exc
                else:
                    raise Unavailable(f"BrasilAPI: HTTP {response.status_code} for {path}")
            if attempt < self.retries:  # the shared policy, Retry-After honoured up to the cap
                await self._sleep(
                    min(self._policy.delay(attempt + 1, retry_after), self.max_backoff)
                )
        raise Unavailable(f"BrasilAPI unavailable for {path}: {last}")
