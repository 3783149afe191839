"""Deliver queued envelopes to peers, in sequence order, and record their signed receipts.

Per peer, a worker holds the peer's delivery cursor row (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers share peers without sending out of order), sends a batch
of the oldest pending envelopes, and stores each receipt. Transport failures back off
exponentially with jitter; nothing is marked delivered without a verified receipt.

Sequence numbers are given here, not when a row is queued: holding the cursor, the
deliverer numbers the peer's committed, unnumbered rows (in queue order) from
``peers.next_out_seq`` and commits that before anything is sealed, so an envelope
keeps its number across retries and crashes. Lock order: cursor, then peer row; the
inbox takes only the peer row and senders take neither, so no cycle can form.
"""

from __future__ import annotations

import json
import random
import time
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import bindparam, literal_column, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.federation import envelope as env
from liaison.federation import keys, metrics, resync
from liaison.federation.inbox import SEQUENCE_CONSUMING_REASONS
from liaison.kit import clock
from liaison.kit.crypto import NodeKeyPair, PublicNodeKey
from liaison.kit.db import run_in_transaction, unit_of_work
from liaison.kit.errors import InvalidEnvelope
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


class DeliveryFailed(Exception):
    pass


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


def recipient_key(db: Session, peer: Peer) -> PeerKey:
    key = db.scalar(_RECIPIENT_KEY, {"party": peer.party_code, "now": clock.now()})
    if key is None:
        raise DeliveryFailed(f"no valid key known for peer {peer.party_code}")
    return key


SEQUENCE_CHUNK = 1000


def assign_sequence(db: Session, party: str) -> int:
    """Number the peer's queued, unnumbered envelopes; returns how many were numbered.

    Takes the delivery cursor (skipped if another worker holds it), then the peer row
    (FOR NO KEY UPDATE: senders' foreign-key checks on the row do not wait for it).
    """
    cursor = db.scalar(
        select(DeliveryCursor)
        .where(DeliveryCursor.peer_party == party)
        .with_for_update(skip_locked=True)
    )
    if cursor is None:
        return 0
    queue_order = (
        OutboxMessage.queued
        if db.get_bind().dialect.name == "postgresql"
        else literal_column("outbox.rowid")  # one writer at a time: insert order
    )
    rows = list(
        db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.peer_party == party, OutboxMessage.seq.is_(None))
            .order_by(queue_order, OutboxMessage.id)
            .limit(SEQUENCE_CHUNK)
        )
    )
    if not rows:
        return 0
    peer = db.scalar(select(Peer).where(Peer.party_code == party).with_for_update(key_share=True))
    if peer is None:
        return 0
    first = peer.next_out_seq
    for offset, row in enumerate(rows):
        row.seq = first + offset
    peer.next_out_seq = first + len(rows)
    db.flush()
    return len(rows)


class Deliverer:
    def __init__(
        self, factory: sessionmaker[Session], settings: Settings, client: httpx.Client
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.client = client
        self._probed: dict[str, float] = {}  # party -> time.monotonic() of the last probe
        self._resync_after: dict[str, float] = {}  # party -> time.monotonic() of next ask

    def run_once(self) -> int:
        """One pass over every peer with pending envelopes (due, or waiting out a backoff
        the peer may have ended by answering again); returns how many were settled."""
        with self.factory() as db:
            parties = list(
                db.scalars(
                    select(OutboxMessage.peer_party)
                    .where(OutboxMessage.status == "pending")
                    .distinct()
                )
            )
            asked = db.scalars(
                select(PeerResync.peer_party).where(PeerResync.status == "pending").distinct()
            )
            parties += [party for party in asked if party not in parties]
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
        if not self.resynced(party):
            return 0
        run_in_transaction(self.factory, lambda db: assign_sequence(db, party))
        with unit_of_work(self.factory) as db:
            cursor = db.scalar(
                select(DeliveryCursor)
                .where(DeliveryCursor.peer_party == party)
                .with_for_update(skip_locked=True)
            )
            if cursor is None:
                return 0  # another worker holds this peer
            rows = list(
                db.scalars(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.peer_party == party,
                        OutboxMessage.status == "pending",
                        OutboxMessage.seq.is_not(None),
                    )
                    .order_by(OutboxMessage.seq)
                    .limit(self.settings.federation_batch_size)
                )
            )
            if not rows:
                return 0
            peer = db.get_one(Peer, party)
            if rows[0].next_attempt_at > clock.now() and not self._answers_again(peer):
                return 0  # backing off, and the peer has given no sign of life
            cursor.claimed_at = clock.now()
            if db.get_bind().dialect.name == "sqlite":
                # One worker per SQLite file: no claim to hold. Ending the read here lets
                # the results be written after the network call without a stale snapshot.
                db.commit()
            try:
                return self._send(db, peer, rows)
            except (DeliveryFailed, httpx.HTTPError, InvalidEnvelope, ValueError) as exc:
                self._failed(peer, rows, f"{type(exc).__name__}: {exc}")
                return 0

    def _seal_batch(self, db: Session, peer: Peer, rows: list[OutboxMessage]) -> bytes:
        """The batch body: each envelope exactly as ``seal`` wrote it, no re-encoding."""
        recipient = keys.public_of(recipient_key(db, peer))
        to = env.NodeRef(party=peer.party_code, node=peer.node_name, key=recipient.key_id)
        senders: dict[str, tuple[NodeKeyPair, env.NodeRef]] = {}
        sent_at = clock.now()
        sealed = []
        for row in rows:
            if row.sender_key_id not in senders:
                pair = keys.keypair(db, self.settings, row.sender_key_id)
                ref = env.NodeRef(
                    party=self.settings.party, node=self.settings.node_name, key=pair.public.key_id
                )
                senders[row.sender_key_id] = (pair, ref)
            sender, ref = senders[row.sender_key_id]
            assert row.seq is not None  # only numbered rows are claimed
            header = env.new_header(row.id, row.type, ref, to, row.seq, row.created_at, sent_at)
            sealed.append(env.seal(header, row.payload.encode(), sender, recipient))
        return b'{"envelopes":[' + b",".join(sealed) + b"]}"

    def _send(self, db: Session, peer: Peer, rows: list[OutboxMessage]) -> int:
        response = self.client.post(
            f"{peer.base_url.rstrip('/')}/federation/v1/inbox/batch",
            content=self._seal_batch(db, peer, rows),
            headers={"Content-Type": "application/json"},
            timeout=self.settings.federation_timeout_seconds,
        )
        if response.status_code != 200:
            raise DeliveryFailed(
                f"peer answered HTTP {response.status_code}: {response.text[:300]}"
            )
        receipts = response.json().get("receipts")
        if not isinstance(receipts, list) or len(receipts) != len(rows):
            raise DeliveryFailed("peer answered without one receipt per envelope")
        peer_keys = {
            k.key_id: keys.public_of(k)
            for k in db.scalars(select(PeerKey).where(PeerKey.peer_party == peer.party_code))
        }
        settled = 0
        for row, signed in zip(rows, receipts, strict=True):
            receipt = self._verified(signed, peer_keys)
            if receipt.envelope_id != row.id:
                raise DeliveryFailed(
                    f"receipt for {receipt.envelope_id} answered envelope {row.id}"
                )
            if receipt.status == "refused" and receipt.reason not in SEQUENCE_CONSUMING_REASONS:
                self._failed(peer, [row], f"{receipt.reason}: {receipt.detail}")
                break
            self._settle(row, receipt, signed)
            settled += 1
        peer.last_contact_at = clock.now()
        if settled:
            peer.last_error = None
        return settled

    @staticmethod
    def _verified(signed: Any, peer_keys: dict[str, PublicNodeKey]) -> env.Receipt:
        receipt = env.read_receipt(signed)
        key = peer_keys.get(receipt.receiver.key)
        if key is None:
            raise DeliveryFailed(f"receipt signed with unknown key {receipt.receiver.key}")
        env.check_receipt(signed, receipt, key)
        return receipt

    def _settle(self, row: OutboxMessage, receipt: env.Receipt, signed: Any) -> None:
        now = clock.now()
        row.status = "refused" if receipt.status == "refused" else "delivered"
        row.delivered_at = now
        row.receipt = json.dumps(signed)
        row.receipt_status = receipt.status
        row.receipt_reason = receipt.reason
        row.last_error = receipt.detail if receipt.status == "refused" else None
        metrics.record_settled(row.peer_party, row.status, (now - row.created_at).total_seconds())

    def _failed(self, peer: Peer, rows: list[OutboxMessage], error: str) -> None:
        now = clock.now()
        for row in rows:
            if row.status != "pending":
                continue  # settled by a receipt earlier in this batch
            row.attempts += 1
            row.last_error = error[:2000]
            row.next_attempt_at = now + backoff(
                row.attempts, self.settings.worker_max_backoff_seconds
            )
        peer.last_error = error[:2000]
        peer.last_error_at = now
        metrics.record_failure(peer.party_code)
