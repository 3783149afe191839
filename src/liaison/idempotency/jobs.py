"""The expiry job of idempotency keys, one transaction a pass."""

from __future__ import annotations

from liaison.idempotency import store
from liaison.kit.jobs import in_transaction

forget_expired = in_transaction(store.forget_expired)
