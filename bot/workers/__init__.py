__all__ = [
    "alerts",
    "documents",
    "erp",
    "loop",
    "outbox",
    "outbox_decisions",
    "outbox_outcomes",
    "outbox_rows",
    "reminders",
    "retention",
]
