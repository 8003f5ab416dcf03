"""CEP and CNPJ look-ups for the dialogue (synchronous ports) on top of the async BrasilAPI
client.

The dialogue runs in worker threads (and in the terminal's main thread); the client's HTTP
connections belong to one event loop. This adapter keeps that loop in a daemon thread of its
own and waits for each look-up with a deadline, so a slow BrasilAPI costs the client at most a
few seconds and then they simply type the address.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading

from bot.documents import BrasilApiClient, EnrichmentError, NotFound
from bot.documents.brasilapi import CompanyRecord
from bot.domain.address import Address
from bot.domain.company import CompanyFacts, CompanyLookupResult

log = logging.getLogger(__name__)


class BrasilApiLookups:
    """``AddressLookup`` (``/cep/v2``: None when unknown or unavailable) and ``CompanyLookup``
    (``/cnpj/v1``) backed by BrasilAPI."""

    def __init__(self, base_url: str, *, deadline_s: float = 4.0) -> None:
        self.base_url = base_url
        self.deadline_s = deadline_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: BrasilApiClient | None = None
        self._started = threading.Lock()

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._started:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=loop.run_forever, name="brasilapi", daemon=True
                )
                self._thread.start()
                self._client = asyncio.run_coroutine_threadsafe(self._make_client(), loop).result()
                self._loop = loop
            return self._loop

    async def _make_client(self) -> BrasilApiClient:
        return BrasilApiClient(self.base_url, timeout=self.deadline_s / 2, retries=1)

    def lookup(self, cep: str) -> Address | None:
        loop = self._ensure_loop()
        assert self._client is not None
        future = asyncio.run_coroutine_threadsafe(self._client.cep(cep), loop)
        try:
            record = future.result(timeout=self.deadline_s)
        except (EnrichmentError, concurrent.futures.TimeoutError) as exc:
            future.cancel()
            log.info("CEP %s not found or BrasilAPI unavailable: %s", cep, exc)
            return None
        return Address(
            cep=record.cep,
            street=record.street,
            district=record.neighborhood,
            city=record.city,
            uf=record.state,
        )

    def company(self, cnpj: str) -> CompanyLookupResult:
        loop = self._ensure_loop()
        assert self._client is not None
        future = asyncio.run_coroutine_threadsafe(self._client.cnpj(cnpj), loop)
        try:
            record = future.result(timeout=self.deadline_s)
        except NotFound:
            return CompanyLookupResult("not_found")
        except (EnrichmentError, concurrent.futures.TimeoutError) as exc:
            future.cancel()
            log.info("CNPJ look-up unavailable, retried later: %s", exc)
            return CompanyLookupResult("unavailable")
        return CompanyLookupResult("found", company_facts(record))

    def close(self) -> None:
        loop, client = self._loop, self._client
        if loop is None or client is None:
            return
        asyncio.run_coroutine_threadsafe(client.aclose(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=5)
        loop.close()
        self._loop = self._client = self._thread = None


def company_facts(record: CompanyRecord) -> CompanyFacts:
    situacao = record.descricao_situacao_cadastral.upper() or ("ATIVA" if record.active else "")
    return CompanyFacts(
        cnpj=record.cnpj,
        razao_social=record.razao_social.strip(),
        nome_fantasia=record.nome_fantasia.strip(),
        situacao=situacao,
        opened_on=record.data_inicio_atividade,
        cnae_fiscal=str(record.cnae_fiscal or ""),
        porte=record.porte,
        simples=record.opcao_pelo_simples,
        municipio=record.municipio,
        uf=record.uf,
    )
