"""The workplan's periodic job: sign and share version signatures with the peers."""

from __future__ import annotations

from liaison.kit.jobs import in_transaction
from liaison.workplan.federation import share_signatures

share_signatures_job = in_transaction(share_signatures)
