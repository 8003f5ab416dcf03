__all__ = [
    "alerts",
    "document_rows",
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
