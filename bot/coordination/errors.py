"""Errors of the coordination package (locks, de-duplication, rate limits).

    CoordinationError                 root: anything this package raises on purpose
    ├── CoordinationUnavailable       the shared backend (Redis) failed or is unreachable
    └── LockTimeout                   a conversation lock was not obtained within ``timeout_s``

Redis's own exceptions are translated once, in the Redis adapters.
"""

from __future__ import annotations

__all__ = ["CoordinationError", "CoordinationUnavailable", "LockTimeout"]


class CoordinationError(Exception):
    """Root of the coordination package's errors."""


class CoordinationUnavailable(CoordinationError):
    """The coordination backend could not be reached or answered with an error."""


class LockTimeout(CoordinationError):
    """Waiting for a conversation's turn took longer than the caller allowed."""
