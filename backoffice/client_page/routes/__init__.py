"""The status page's routes: ``page`` (GET /s/{token}); the actions live in ``actions.py``."""

__all__ = ["page"]
