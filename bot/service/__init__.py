__all__ = [
    "addresses",
    "client_page_actions",
    "companies",
    "conversations",
    "inbox",
    "jobs",
    "message_store",
    "new_conversations",
    "progress",
    "records",
    "status_links",
    "web_chat",
]
