"""Content-addressed, encrypted, atomic document storage."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.documents import DocumentError, DocumentNotFound, DocumentStore


def test_put_get_delete_plain(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path)
    digest = store.put(b"hello")
    assert digest == hashlib.sha256(b"hello").hexdigest()
    assert store.path(digest) == tmp_path / digest[:2] / digest[2:4] / digest
    assert store.get(digest) == b"hello" and store.exists(digest)
    assert store.put(b"hello") == digest  # idempotent
    assert store.delete(digest) and not store.exists(digest)
    assert not store.delete(digest)
    with pytest.raises(DocumentNotFound):
        store.get(digest)


def test_encrypted_at_rest(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    store = DocumentStore(tmp_path, key)
    secret = b"CPF 111.444.777-35"
    digest = store.put(secret)
    on_disk = store.path(digest).read_bytes()
    assert secret not in on_disk
    assert store.get(digest) == secret
    other = DocumentStore(tmp_path, Fernet.generate_key().decode())
    with pytest.raises(DocumentError):
        other.get(digest)


def test_no_temporary_files_left_and_bad_hashes_refused(tmp_path: Path) -> None:
    store = DocumentStore(tmp_path, Fernet.generate_key().decode())
    digest = store.put(b"x" * 10_000)
    files = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [digest]
    with pytest.raises(ValueError):
        store.get("../../etc/passwd")
