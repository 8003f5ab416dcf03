"""Entity extraction with normalized values: cnpj, cpf, email, phone, cep, date, time."""

from nlu.entities.extractor import EntityExtractor
from nlu.entities.registry_numbers import is_valid_cnpj, is_valid_cpf
from nlu.entities.spans import Candidate

__all__ = [
    "Candidate",
    "EntityExtractor",
    "is_valid_cnpj",
    "is_valid_cpf",
    "contacts",
    "dates",
    "extractor",
    "numerals",
    "postal_codes",
    "registry_numbers",
    "spans",
    "times",
]
