"""The incremental resolution job: new messages' entities against existing clusters,
and the records of erased messages forgotten.

Each message is resolved in its own short transaction. On SQLite a transaction that
writes holds the node's one write lock until it commits; resolving a batch of
messages in one would make an officer's send wait on the whole batch (and fail with
"database busy" on a loaded machine), one message's records are written in
milliseconds.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from liaison.kit.db import unit_of_work
from liaison.kit.plugin import JobContext
from liaison.models import Message, NetworkRecord
from liaison.networks.resolve import (
    current_weights,
    pending_messages,
    resolve_message,
    sweep_erased,
)


def resolve_job(context: JobContext) -> int:
    with unit_of_work(context.sessions) as db:
        done = sweep_erased(db)
        pending = [message.id for message in pending_messages(db)]
        weights = current_weights(db)
    for message_id in pending:
        with unit_of_work(context.sessions) as db:
            resolved = db.scalar(select(exists().where(NetworkRecord.message_id == message_id)))
            message = db.get(Message, message_id)
            if message is not None and not resolved:  # another worker may have been first
                done += resolve_message(db, message, weights)
    return done
