"""One module per resource; each has ``register(router)`` adding its routes (built per app,
never at import time)."""

__all__ = [
    "agreements",
    "clients",
    "conversations",
    "erp",
    "escalations",
    "onboardings",
    "privacy",
    "reports",
    "staff",
    "status_links",
    "training",
    "training_bookings",
]
