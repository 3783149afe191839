"""Password hashing (Argon2id) and opaque secret tokens (hashed at rest)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A valid hash to verify against when the user does not exist, so that the time
# taken does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("liaison-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_digest(secret_key: bytes, token: str) -> str:
    """Keyed hash of a token: a stolen database alone cannot be used to forge lookups."""
    return hmac.new(secret_key, token.encode(), hashlib.sha256).hexdigest()
