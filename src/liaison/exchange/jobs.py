"""The exchange's periodic jobs: deadline escalation and the attachment blob sweep."""

from __future__ import annotations

from liaison.exchange.deadlines import escalate
from liaison.exchange.retention import sweep_blobs
from liaison.kit.jobs import in_transaction

escalate_job = in_transaction(escalate)
sweep_blobs_job = in_transaction(sweep_blobs)
