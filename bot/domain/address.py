"""Postal addresses and the port that finds one from a CEP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Address:
    cep: str
    street: str
    district: str
    city: str
    uf: str

    def one_line(self) -> str:
        parts = [self.street, self.district, f"{self.city}/{self.uf}" if self.city else self.uf]
        return ", ".join(part for part in parts if part)


class AddressLookup(Protocol):
    """Finds the address of a CEP; None when it is unknown or the service is unavailable."""

    def lookup(self, cep: str) -> Address | None: ...


class NoAddressLookup:
    """Used when no look-up service is configured: the client types the address."""

    def lookup(self, cep: str) -> Address | None:
        return None
