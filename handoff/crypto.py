"""Personal data encrypted at rest, transparently, and a keyed hash for lookups.

Columns typed ``EncryptedText`` / ``EncryptedJSON`` hold Fernet tokens (AES-128-CBC +
HMAC-SHA256) made with ``ENCRYPTION_KEY``; code reads and writes plain values. The LINE user
id is also stored as an HMAC (key derived from the encryption key by HKDF) so a resident's
cases can be found, and erased, without decrypting every row.

Whoever starts the process installs the key once (``configure``): the composition root
(bot/services.py), a command's ``main``, migrations/env.py, the tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

LOOKUP_INFO = b"tsunagu/handoff/line-user-lookup/v1"


class EncryptionKeyError(RuntimeError):
    """No usable encryption key, or a stored value cannot be decrypted with it."""


@dataclass(frozen=True)
class Keyring:
    fernet: Fernet
    lookup_key: bytes

    @classmethod
    def from_key(cls, encryption_key: str) -> Keyring:
        try:
            fernet = Fernet(encryption_key.encode())
        except ValueError as exc:
            raise EncryptionKeyError("ENCRYPTION_KEY must be 32 bytes, urlsafe base64") from exc
        lookup_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=LOOKUP_INFO).derive(
            encryption_key.encode()
        )
        return cls(fernet=fernet, lookup_key=lookup_key)


_keyring: Keyring | None = None


def configure(encryption_key: str) -> None:
    """Install the key used by every encrypted column in this process (start-up)."""
    global _keyring
    _keyring = Keyring.from_key(encryption_key)


def configured() -> bool:
    return _keyring is not None


def keyring() -> Keyring:
    if _keyring is None:
        raise EncryptionKeyError("no encryption key in this process: call handoff.crypto.configure at start-up")
    return _keyring


def encrypt(plain: str) -> str:
    return keyring().fernet.encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return keyring().fernet.decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise EncryptionKeyError("stored value does not decrypt with ENCRYPTION_KEY") from exc


def lookup_hash(line_user_id: str) -> str:
    """Keyed hash of a LINE user id: equal ids match, the id itself is not recoverable."""
    return _lookup_hash(keyring().lookup_key, line_user_id)


@lru_cache(maxsize=65_536)  # asked several times per event (takeover, open case): keyed by the key too
def _lookup_hash(key: bytes, line_user_id: str) -> str:
    return hmac.new(key, line_user_id.encode("utf-8"), hashlib.sha256).hexdigest()


class EncryptedText(TypeDecorator[str]):
    """A text column stored as ciphertext."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(value)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON document stored as ciphertext (answers may quote the resident)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(decrypt(value))
