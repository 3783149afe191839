"""Claim an idempotency key in the caller's transaction; find the first outcome.

A key is claimed (its row inserted) inside the transaction of the write it guards,
so the row commits if and only if the write does. A concurrent request with the same
key waits on the primary key until the first transaction ends, then either finds the
committed row (and answers with the first outcome) or, if the first rolled back,
claims the key itself. Keys expire after ``KEY_TTL``; an expired key is free again.
Follows draft-ietf-httpapi-idempotency-key-header: same key and same request, the
first response; same key and another request, 422; first request still running, 409.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.errors import Conflict, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.models import IdempotencyKey

KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
DOCS = "https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/"


class KeyReused(ValidationFailed):
    code = "idempotency_key_reused"
    title = N_("Idempotency key reused")


class KeyInUse(Conflict):
    code = "idempotency_key_in_use"
    title = N_("Request with this idempotency key in progress")


def fingerprint(*parts: str | bytes) -> str:
    """SHA-256 over the parts (method, path, body...), each length-prefixed."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def check_key(key: str, field: str = "Idempotency-Key") -> str:
    """1..255 visible ASCII characters (a UUID is a good key)."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 for c in key):
        raise ValidationFailed.on_field(
            field,
            Text(
                N_("must be 1 to %(MAX_KEY_LENGTH)s visible ASCII characters, e.g. a UUID"),
                MAX_KEY_LENGTH=MAX_KEY_LENGTH,
            ),
        )
    return key


def claim(
    db: Session,
    *,
    principal: str,
    channel: str,
    key: str,
    request_fingerprint: str,
    method: str,
    path: str,
) -> tuple[IdempotencyKey, bool]:
    """``(row, True)``: the key is now this transaction's, go ahead and record the
    outcome on ``row``. ``(row, False)``: an earlier request with this key committed;
    answer with its outcome. Raises KeyReused (another request) or KeyInUse."""
    now = clock.now()
    db.execute(
        delete(IdempotencyKey)
        .where(IdempotencyKey.principal == principal, IdempotencyKey.expires_at <= now)
        .execution_options(synchronize_session=False)
    )
    row = IdempotencyKey(
        principal=principal,
        channel=channel,
        key=key,
        fingerprint=request_fingerprint,
        method=method,
        path=path[:500],
        created_at=now,
        expires_at=now + KEY_TTL,
    )
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
        return row, True
    except IntegrityError:
        pass  # committed by an earlier request (we waited for it if it was running)
    first = db.get(IdempotencyKey, (principal, channel, key), populate_existing=True)
    if first is None:  # pragma: no cover - it was there a moment ago and cannot expire so soon
        raise KeyInUse(N_("a request with this idempotency key is in progress: retry shortly"))
    if first.fingerprint != request_fingerprint:
        raise KeyReused(
            Text(
                N_(
                    "this Idempotency-Key was used for a different request "
                    "(%(method)s %(path)s) in the last %(value).0f h: use a new "
                    "key for a new request"
                ),
                method=first.method,
                path=first.path,
                value=KEY_TTL.total_seconds() / 3600,
            )
        )
    if first.status_code is None and first.location is None:
        raise KeyInUse(N_("a request with this idempotency key is in progress: retry shortly"))
    return first, False


def forget_expired(db: Session, _settings: Settings) -> int:
    """The expiry job: delete every key past its expiry (a resend after that is new)."""
    expired = delete(IdempotencyKey).where(IdempotencyKey.expires_at <= clock.now())
    result = cast(CursorResult[Any], db.execute(expired))
    return int(result.rowcount or 0)
