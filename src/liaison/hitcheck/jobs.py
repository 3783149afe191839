"""The indexing job: catch the blinded index up with the exchange's entity rows."""

from __future__ import annotations

from liaison.hitcheck.index import catch_up
from liaison.kit.jobs import in_transaction

index_job = in_transaction(catch_up)
