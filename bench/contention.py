"""Concurrent sends, delivery and inbound traffic on PostgreSQL: errors and throughput.

Officers send through the HTTP API from several threads (new cases, and replies on
cases India writes to at the same moment), two delivery workers deliver to a stand-in
India that checks every sequence number, and India's envelopes arrive in batches.
Prints, for this build and beside it for the allocation it replaced (``next_out_seq``
bumped in the sender's transaction, no retry of lost deadlocks): sends, errors,
sends/s, and the consistency checks (one case per send, sequence 1..n, all applied).

Run: ``uv run python bench/contention.py [--sends 10000] [--legacy-sends 1000]
[--senders 4]`` (``--legacy-sends 0`` skips the comparison; the old allocation is
several times slower, so its run is shorter by default)
(needs the PostgreSQL of ``LIAISON_TEST_PG_URL``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session
from tests.federation.contention import Outcome, build_node, private_schema, run

from liaison.api.retry import RetryTransient
from liaison.federation.inbox import Inbox
from liaison.models import OutboxMessage, Peer

PG_URL = os.environ.get("LIAISON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _legacy_numbering(session: Session, _context: Any, _instances: Any) -> None:
    """As before: the sender's transaction bumps ``peers.next_out_seq`` when it queues."""
    for obj in session.new:
        if isinstance(obj, OutboxMessage) and obj.seq is None:
            obj.seq = (
                session.connection()
                .execute(
                    update(Peer)
                    .where(Peer.party_code == obj.peer_party)
                    .values(next_out_seq=Peer.next_out_seq + 1)
                    .returning(Peer.next_out_seq)
                )
                .scalar_one()
                - 1
            )


def _legacy_peer_lock(inbox: Inbox, party: str) -> Peer | None:
    """As before: the inbox locked the peer row FOR UPDATE (foreign-key checks wait)."""
    if party not in inbox._locked_peers:
        inbox._locked_peers[party] = inbox.db.scalar(
            select(Peer).where(Peer.party_code == party).with_for_update()
        )
    return inbox._locked_peers[party]


def one_run(sends: int, senders: int, *, legacy: bool) -> Outcome:
    defaults = RetryTransient.__init__.__defaults__
    locked_peer = Inbox._locked_peer
    if legacy:
        event.listen(Session, "before_flush", _legacy_numbering)
        RetryTransient.__init__.__defaults__ = (1, *(defaults or ())[1:])
        Inbox._locked_peer = _legacy_peer_lock  # type: ignore[method-assign]
    try:
        with private_schema(PG_URL) as url, tempfile.TemporaryDirectory() as tmp:
            node = build_node(url, Path(tmp))
            outcome = run(node, sends=sends, senders=senders)
            node.factory.kw["bind"].dispose()
    finally:
        if legacy:
            event.remove(Session, "before_flush", _legacy_numbering)
            RetryTransient.__init__.__defaults__ = defaults
            Inbox._locked_peer = locked_peer  # type: ignore[method-assign]
    return outcome


def report(label: str, outcome: Outcome) -> None:
    total = outcome.sends + outcome.replies
    kinds = Counter(error.split(":")[0][:60] for error in outcome.errors)
    print(
        f"{label:<34} sends {total:>6} (replies {outcome.replies:>5})  "
        f"inbound {outcome.inbound:>5}  errors {len(outcome.errors):>4}  "
        f"{total / max(outcome.send_seconds, 1e-9):7.1f} sends/s"
    )
    for kind, count in kinds.most_common(5):
        print(f"    {count:>5} x {kind}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--legacy-sends", type=int, default=1_000)
    args = parser.parse_args()
    if args.sends:
        ours = one_run(args.sends, args.senders, legacy=False)
        report("this build (seq at delivery, retry)", ours)
    if args.legacy_sends:
        legacy = one_run(args.legacy_sends, args.senders, legacy=True)
        report("before (seq in sender's tx)", legacy)


if __name__ == "__main__":
    main()
