"""Remembering a verified HTTP Basic credential for a short time (TAXII clients page
with Basic auth: one Argon2 verification per page would make paging 17x slower).

What is remembered is a keyed hash — HMAC-SHA256 under a random key made when the
process starts — of the stored password hash and the password presented: never the
password, and useless outside this process. Changing the password changes the stored
hash, so the remembered entry no longer matches. Only successes are remembered: a wrong
password is verified, recorded and counted towards lockout every time. Throttling and
lockout are checked on every request, remembered or not; the sign-in is recorded (login
attempt and audit trail) when the password is verified — first use, and again after
the entry expires (see ``users.auth.remembered_caller``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

TTL_SECONDS = 60.0
MAX_ENTRIES = 10_000


class VerifiedCredentials:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self._key = secrets.token_bytes(32)
        self._ttl = ttl
        self._until: dict[bytes, float] = {}
        self._lock = threading.Lock()

    def _digest(self, password_hash: str, password: str) -> bytes:
        message = password_hash.encode() + b"\0" + password.encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def remembered(self, password_hash: str, password: str) -> bool:
        """True if this credential was verified less than ``ttl`` seconds ago."""
        digest = self._digest(password_hash, password)
        with self._lock:
            until = self._until.get(digest)
        return until is not None and until > time.monotonic()

    def remember(self, password_hash: str, password: str) -> None:
        """Remember a credential just verified."""
        digest = self._digest(password_hash, password)
        now = time.monotonic()
        with self._lock:
            if len(self._until) >= MAX_ENTRIES:
                self._until = {k: v for k, v in self._until.items() if v > now}
                if len(self._until) >= MAX_ENTRIES:
                    self._until.clear()
            self._until[digest] = now + self._ttl


CREDENTIALS = VerifiedCredentials()
