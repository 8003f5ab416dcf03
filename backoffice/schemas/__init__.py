"""Pydantic DTOs of the back-office API: separate Create / Update / Public models per resource."""

__all__ = [
    "agreements",
    "clients",
    "common",
    "conversations",
    "erp",
    "escalations",
    "lgpd",
    "onboardings",
    "reports",
    "staff",
    "status_links",
    "training",
]
