"""The precursors' periodic job: flag notifications whose answer deadline passed."""

from __future__ import annotations

from liaison.kit.jobs import in_transaction
from liaison.precursors.deadlines import flag_overdue

flag_overdue_job = in_transaction(flag_overdue)
