__all__ = [
    "base",
    "claims",
    "console_events",
    "database",
    "inserts",
    "migrations",
    "models",
    "personal_data",
    "seed",
]
