"""The use cases: what the channels, the workers and the back-office ask of the conversation
runtime, each in one transaction.

A message's path here: ``inbox`` (the conversation's turn, the batcher) → ``conversations``
(``handle_many``: one transaction per batch; the dialogue's ``Turn`` → ``Handled``, with the
replies as stored) using ``new_conversations`` (first messages), ``turn_context`` (what the
dialogue may ask), ``records`` (the turn's effects) and ``message_store`` (messages and outbox
rows). Beside it: ``web_chat``, ``client_page_actions`` (the status page's actions),
``status_links``, ``deliveries`` (delivery reports), ``jobs`` (due work), ``progress``,
``addresses`` and ``companies`` (BrasilAPI), and ``training/`` (sessions, bookings, invites).
"""

__all__ = [
    "addresses",
    "client_page_actions",
    "companies",
    "conversations",
    "deliveries",
    "inbox",
    "jobs",
    "message_store",
    "new_conversations",
    "progress",
    "records",
    "reminders",
    "reminders_idle",
    "status_links",
    "training",
    "turn_context",
    "web_chat",
]
