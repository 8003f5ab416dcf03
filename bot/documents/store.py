"""Content-addressed document files: ``root/ab/cd/<sha256>``, Fernet-encrypted at rest.

The address is the SHA-256 of the plain content, so the same upload is stored once. Writes go
to a temporary file in the target folder and are renamed into place, so a crash never leaves
a partial document under its final name.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bot.documents.errors import DocumentError, DocumentNotFound

SHA256 = re.compile(r"[0-9a-f]{64}")
# The ``MediaRef.url`` of a file checked and stored as it arrived on another channel's
# conversation (the client's status page): the document worker reads it back from this store,
# whatever the conversation's channel. Followed by the file's SHA-256.
STORED_URL = "stored:"


class DocumentStore:
    """Files under ``root``; encrypted with ``fernet_key`` (a Fernet key) when one is given."""

    def __init__(self, root: Path, fernet_key: str | None = None) -> None:
        self.root = Path(root)
        self._fernet = Fernet(fernet_key.encode()) if fernet_key else None

    @property
    def encrypted(self) -> bool:
        return self._fernet is not None

    def path(self, sha256: str) -> Path:
        if not SHA256.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` (idempotent) and return its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        payload = self._fernet.encrypt(data) if self._fernet else data
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return digest

    def get(self, sha256: str) -> bytes:
        try:
            payload = self.path(sha256).read_bytes()
        except FileNotFoundError as exc:
            raise DocumentNotFound(sha256) from exc
        if self._fernet is None:
            return payload
        try:
            return self._fernet.decrypt(payload)
        except InvalidToken as exc:
            raise DocumentError(f"document {sha256} cannot be decrypted with this key") from exc

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def delete(self, sha256: str) -> bool:
        """Remove the file (LGPD retention); True when something was deleted."""
        target = self.path(sha256)
        try:
            target.unlink()
        except FileNotFoundError:
            return False
        for parent in (target.parent, target.parent.parent):
            try:
                parent.rmdir()
            except OSError:
                break
        return True
