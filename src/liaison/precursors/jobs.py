"""The precursors' periodic jobs: flag notifications whose answer deadline passed; send
controlled-delivery changes that waited for their case to reach the peer."""

from __future__ import annotations

from liaison.kit.jobs import in_transaction
from liaison.precursors.deadlines import flag_overdue
from liaison.precursors.delivery_outbound import send_waiting

flag_overdue_job = in_transaction(flag_overdue)
send_waiting_job = in_transaction(send_waiting)
