__all__ = [
    "alerts",
    "documents",
    "erp",
    "group_commit",
    "loop",
    "outbox",
    "outbox_rows",
    "reminders",
    "retention",
]
