"""Deliver queued envelopes to peers, in sequence order, and record their signed receipts.

Per peer, a worker holds the peer's delivery cursor row (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers share peers without sending out of order), sends a batch
of the oldest pending envelopes, and stores each receipt. A backlog goes pipelined:
the next batch is sealed while the peer works on one, and posted once that one's
answer is in (batches still arrive one after another, in order). Transport failures back off
exponentially with jitter; nothing is marked delivered without a verified receipt.

Sequence numbers are given here, not when a row is queued: holding the cursor, the
deliverer numbers the peer's committed, unnumbered rows (in queue order) from
``peers.next_out_seq`` and commits that before anything is sealed, so an envelope
keeps its number across retries and crashes. Lock order: cursor, then peer row; the
inbox takes only the peer row and senders take neither, so no cycle can form.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import httpx
from sqlalchemy import Select, bindparam, exists, literal_column, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.federation import envelope as env
from liaison.federation import keys, metrics, resync, sending
from liaison.federation.sending import DeliveryFailed
from liaison.kit import clock
from liaison.kit.db import Base, run_in_transaction, unit_of_work
from liaison.kit.errors import InvalidEnvelope
from liaison.kit.plugin import Registry
from liaison.models import DeliveryCursor, OutboxMessage, Peer, PeerKey, PeerResync

BASE_BACKOFF_SECONDS = 0.5
PROBE_SECONDS = 5.0  # how often a peer that could not be reached is asked if it is back
# Failures that mean "could not reach the peer" (as _failed records them), after which a
# peer that answers its health endpoint again ends the backoff.
_TRANSPORT_ERRORS = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.PoolTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)
_UNREACHABLE = (
    *(f"{error.__name__}:" for error in _TRANSPORT_ERRORS),
    *(f"DeliveryFailed: peer answered HTTP {code}" for code in (502, 503, 504)),
)


def backoff(attempts: int, ceiling: float) -> timedelta:
    """Exponential with full jitter in [50 %, 100 %] so retries from many rows spread out."""
    delay = min(ceiling, BASE_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=delay * random.uniform(0.5, 1.0))  # noqa: S311  (not crypto)


_RECIPIENT_KEY = (  # built once: every envelope sealed to a peer reads it
    select(PeerKey)
    .where(
        PeerKey.peer_party == bindparam("party"),
        PeerKey.not_before <= bindparam("now"),
        PeerKey.not_after > bindparam("now"),
    )
    .order_by(PeerKey.added_at.desc(), PeerKey.not_before.desc())
)


_CURSOR = (
    select(DeliveryCursor)
    .where(DeliveryCursor.peer_party == bindparam("party"))
    .with_for_update(skip_locked=True)
)


# Per peer (a handful of rows), an index probe on (peer_party, status): a DISTINCT over
# the outbox's pending rows read the whole index on every pass of a busy worker.
_BUSY_PEERS = (
    select(Peer.party_code)
    .where(
        or_(
            exists().where(
                OutboxMessage.peer_party == Peer.party_code, OutboxMessage.status == "pending"
            ),
            exists().where(
                PeerResync.peer_party == Peer.party_code, PeerResync.status == "pending"
            ),
        )
    )
    .order_by(Peer.party_code)
)


def recipient_key(db: Session, peer: Peer) -> PeerKey:
    key = db.scalar(_RECIPIENT_KEY, {"party": peer.party_code, "now": clock.now()})
    if key is None:
        raise DeliveryFailed(f"no valid key known for peer {peer.party_code}")
    return key


SEQUENCE_CHUNK = 1000


@lru_cache(maxsize=4)
def _unnumbered(dialect: str) -> Select[str]:
    """The ids of a peer's unnumbered rows in queue order (built once per dialect)."""
    queue_order = (
        OutboxMessage.queued
        if dialect == "postgresql"
        else literal_column("outbox.rowid")  # one writer at a time: insert order
    )
    return (
        select(OutboxMessage.id)
        .where(OutboxMessage.peer_party == bindparam("party"), OutboxMessage.seq.is_(None))
        .order_by(queue_order, OutboxMessage.id)
        .limit(SEQUENCE_CHUNK)
    )


_LOCKED_PEER = (
    select(Peer).where(Peer.party_code == bindparam("party")).with_for_update(key_share=True)
)
_OUTBOX = Base.metadata.tables[OutboxMessage.__tablename__]
_NUMBER = update(_OUTBOX).where(_OUTBOX.c.id == bindparam("b_id")).values(seq=bindparam("b_seq"))


def assign_sequence(db: Session, party: str) -> int:
    """Number the peer's queued, unnumbered envelopes; returns how many were numbered.

    Takes the delivery cursor (skipped if another worker holds it), then the peer row
    (FOR NO KEY UPDATE: senders' foreign-key checks on the row do not wait for it).
    """
    if db.scalar(_CURSOR, {"party": party}) is None:
        return 0
    ids = list(db.scalars(_unnumbered(db.get_bind().dialect.name), {"party": party}))
    if not ids:
        return 0
    peer = db.scalar(_LOCKED_PEER, {"party": party})
    if peer is None:
        return 0
    first = peer.next_out_seq
    db.execute(
        _NUMBER, [{"b_id": row_id, "b_seq": first + offset} for offset, row_id in enumerate(ids)]
    )
    peer.next_out_seq = first + len(ids)
    db.flush()
    return len(ids)


class Deliverer:
    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        client: httpx.Client,
        registry: Registry,
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.client = client
        self.registry = registry  # each domain's follow-up to what the peer accepted
        self._probed: dict[str, float] = {}  # party -> time.monotonic() of the last probe
        self._resync_after: dict[str, float] = {}  # party -> time.monotonic() of next ask

    def run_once(self) -> int:
        """One pass over every peer with pending envelopes (due, or waiting out a backoff
        the peer may have ended by answering again); returns how many were settled."""
        with self.factory() as db:
            parties = list(db.scalars(_BUSY_PEERS))
        return sum(self.deliver_to(party) for party in parties)

    def resynced(self, party: str) -> bool:
        """After a restore, the peer is asked to resync before anything else goes to it
        (federation/resync.py); False while that has not succeeded."""
        with self.factory() as db:
            asking = resync.pending(db, party)
            if asking is None:
                return True
            if time.monotonic() < self._resync_after.get(party, 0.0):
                return False
            peer = db.get_one(Peer, party)
            try:
                request_id, sealed = resync.request_for(
                    db, self.settings, asking, peer, recipient_key(db, peer)
                )
            except DeliveryFailed as exc:
                return self._resync_failed(party, str(exc))
            url = f"{peer.base_url.rstrip('/')}{resync.PATH}"
        try:
            response = self.client.post(
                url,
                content=sealed,
                headers={"Content-Type": "application/json"},
                timeout=self.settings.federation_timeout_seconds,
            )
        except httpx.HTTPError as exc:
            return self._resync_failed(party, f"{type(exc).__name__}: {exc}")
        if response.status_code != 200:
            return self._resync_failed(
                party, f"peer answered HTTP {response.status_code}: {response.text[:300]}"
            )

        def settle(db: Session) -> None:
            asked = resync.pending(db, party)
            if asked is not None:
                resync.complete(db, self.settings, asked, request_id, response.content)

        try:
            run_in_transaction(self.factory, settle)
        except InvalidEnvelope as exc:
            return self._resync_failed(party, f"the peer's answer is refused: {exc}")
        return True

    def _resync_failed(self, party: str, error: str) -> bool:
        def note(db: Session) -> int:
            asked = resync.pending(db, party)
            if asked is None:
                return 0
            resync.failed(asked, f"resync: {error}")
            return asked.attempts

        attempts = run_in_transaction(self.factory, note)
        delay = backoff(attempts, self.settings.worker_max_backoff_seconds).total_seconds()
        self._resync_after[party] = time.monotonic() + delay
        return False

    def _answers_again(self, peer: Peer) -> bool:
        """Is a peer we could not reach back? It sent us an envelope since the failure,
        or (at most every PROBE_SECONDS) its health endpoint answers. A peer that
        answered with a refusal or an HTTP error was reachable: its backoff stands."""
        failed_at = peer.last_error_at
        if failed_at is None or not (peer.last_error or "").startswith(_UNREACHABLE):
            return False
        contact = peer.last_contact_at
        if contact is not None and clock.as_utc(contact) > clock.as_utc(failed_at):
            return True
        now = time.monotonic()
        if now - self._probed.get(peer.party_code, -PROBE_SECONDS) < PROBE_SECONDS:
            return False
        self._probed[peer.party_code] = now
        try:
            answer = self.client.get(f"{peer.base_url.rstrip('/')}/healthz", timeout=5)
        except httpx.HTTPError:
            return False
        return answer.status_code == 200

    def deliver_to(self, party: str) -> int:
        """Send the peer's backlog batch after batch, pipelined: while the peer works
        on one batch, the next is claimed and sealed; it is posted as soon as the
        answer to the previous one is in and checked (so batches arrive in order),
        then that answer's receipts are stored while the peer works on the new one."""
        if not self.resynced(party):
            return 0
        run_in_transaction(self.factory, lambda db: assign_sequence(db, party))
        settled = 0
        flight: Flight | None = None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="liaison-post") as poster:
            while True:
                with unit_of_work(self.factory) as db:
                    done, flight = self._step(db, party, flight, poster)
                settled += done
                if flight is None:
                    return settled

    def _step(
        self, db: Session, party: str, flight: Flight | None, poster: Executor
    ) -> tuple[int, Flight | None]:
        """One transaction: claim and seal the next batch, settle the one in flight (if
        any) and post the next; returns how many were settled and what is in flight."""
        cursor = db.scalar(_CURSOR, {"party": party})
        if cursor is None:
            return 0, None  # another worker holds this peer (it resends what is in flight)
        peer = db.get_one(Peer, party)
        if flight is None:
            rows = sending.claim(db, party, 0, self.settings.federation_batch_size)
            if not rows:
                return 0, None
            if rows[0].next_attempt_at > clock.now() and not self._answers_again(peer):
                return 0, None  # backing off, and the peer has given no sign of life
            cursor.claimed_at = clock.now()
            body, error = self._seal(db, peer, rows)
            if error is not None:
                self._failed(db, peer, rows, error)
                return 0, None
            self._end_read(db)
            return 0, self._post(poster, peer, rows, body) if body else None
        return self._follow(db, peer, flight, poster)

    def _follow(
        self, db: Session, peer: Peer, flight: Flight, poster: Executor
    ) -> tuple[int, Flight | None]:
        """Seal the batch after the one in flight, take the peer's answer to that one,
        post the next if the answer lets the pipeline go on, and store the receipts."""
        rows = sending.claim(
            db, peer.party_code, flight.rows[-1].seq, self.settings.federation_batch_size
        )
        body, seal_error = self._seal(db, peer, rows) if rows else (None, None)
        self._end_read(db)
        try:
            answer = self._answer(db, peer.party_code, flight)
        except (DeliveryFailed, httpx.HTTPError, InvalidEnvelope, ValueError) as exc:
            self._failed(db, peer, flight.rows, f"{type(exc).__name__}: {exc}")
            return 0, None
        following = None
        if answer.stopped is None and body is not None:
            following = self._post(poster, peer, rows, body)
        sending.settle(db, peer.party_code, answer.settled)
        peer.last_contact_at = clock.now()
        if answer.settled:
            peer.last_error = None
        if answer.stopped is not None:
            row, error = answer.stopped
            self._failed(db, peer, [row], error)
        elif seal_error is not None:  # the next batch could not be sealed: said, retried
            self._failed(db, peer, rows, seal_error)
        # after the peer row's changes: accepted_hooks flushes them before its own writes
        sending.follow_up_accepted(db, self.registry, peer.party_code, answer.settled)
        return len(answer.settled), following

    @staticmethod
    def _end_read(db: Session) -> None:
        if db.get_bind().dialect.name == "sqlite":
            # One worker per SQLite file: no claim to hold. Ending the read here lets
            # the results be written after the network call without a stale snapshot.
            db.commit()

    def _seal(
        self, db: Session, peer: Peer, rows: list[sending.Outgoing]
    ) -> tuple[bytes | None, str | None]:
        """The sealed batch, or why it could not be sealed."""
        try:
            recipient = keys.public_of(recipient_key(db, peer))
            to = env.NodeRef(party=peer.party_code, node=peer.node_name, key=recipient.key_id)
            return sending.seal_batch(db, self.settings, rows, recipient, to), None
        except (DeliveryFailed, InvalidEnvelope, ValueError) as exc:
            return None, f"{type(exc).__name__}: {exc}"

    def _post(
        self, poster: Executor, peer: Peer, rows: list[sending.Outgoing], body: bytes
    ) -> Flight:
        url = f"{peer.base_url.rstrip('/')}/federation/v1/inbox/batch"
        future = poster.submit(
            self.client.post,
            url,
            content=body,
            headers={"Content-Type": "application/json"},
            timeout=self.settings.federation_timeout_seconds,
        )
        return Flight(rows, future)

    @staticmethod
    def _answer(db: Session, party: str, flight: Flight) -> sending.Answer:
        response = flight.response.result()
        if response.status_code != 200:
            raise DeliveryFailed(
                f"peer answered HTTP {response.status_code}: {response.text[:300]}"
            )
        return sending.read_answer(db, party, flight.rows, response.json())

    def _failed(self, db: Session, peer: Peer, rows: list[sending.Outgoing], error: str) -> None:
        now = clock.now()
        ceiling = self.settings.worker_max_backoff_seconds
        sending.fail(db, rows, error, lambda attempts: backoff(attempts, ceiling))
        peer.last_error = error[:2000]
        peer.last_error_at = now
        metrics.record_failure(peer.party_code)


@dataclass(frozen=True)
class Flight:
    """A batch posted to the peer whose answer is awaited."""

    rows: list[sending.Outgoing]
    response: Future[httpx.Response]
