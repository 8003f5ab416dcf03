"""The exception family of the NLU package.

::

    NLUError                      root: catch this at the edge (CLI, bot)
    ├── TrainingDataError         a Rasa YAML file is missing, unreadable or malformed
    ├── ModelError                the cached model cannot be trained, written or read
    └── BackendError              a remote NLU backend (Rasa) failed; the caller falls back
"""

from __future__ import annotations


class NLUError(Exception):
    """Root of every error raised on purpose by ``nlu``."""


class TrainingDataError(NLUError):
    """A training or test file is missing, unreadable or not Rasa NLU YAML."""


class ModelError(NLUError):
    """The built-in model could not be trained, saved or loaded."""


class BackendError(NLUError):
    """A remote backend answered late, not at all, or with something unusable.

    ``reason`` is a short label for metrics: timeout, connection, http_status, invalid_response.
    """

    def __init__(self, message: str, reason: str = "error") -> None:
        super().__init__(message)
        self.reason = reason
