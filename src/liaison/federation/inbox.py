"""Inbound envelopes: authenticate, sequence, decrypt, apply — exactly once.

An envelope is applied and its id recorded in the same transaction, so a redelivery
finds the id and gets the original receipt back without changing anything.

A batch is one transaction: the envelope ids already seen are fetched in one query
and the inbox rows inserted together at the end (inbox_batch.py), and a savepoint is
taken only around handlers that write domain rows (``PURE_TYPES`` only validate).
Refusals before the sender is authenticated go to the refusal log only; refusals of
an authenticated envelope at the expected sequence number consume that number (the
stream goes on) and are kept in the inbox with their negative receipt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation import envelope as env
from liaison.federation import keys
from liaison.federation.control import PING
from liaison.federation.inbox_batch import InboxBatch
from liaison.federation.stream import Rejected
from liaison.kit import clock
from liaison.kit.crypto import PublicNodeKey
from liaison.kit.errors import InvalidEnvelope, LiaisonError
from liaison.kit.plugin import InboundContext, PayloadRefused, Registry
from liaison.ledger.service import trail
from liaison.models import Peer, PeerKey, Refusal

# Refusals of an authenticated envelope at its expected sequence number: the number
# is used up and the stream goes on. Every other refusal leaves the envelope
# unreceived, and the sender keeps retrying it (unknown_sender, for instance, lasts
# only until the peer's operator pins this node).
SEQUENCE_CONSUMING_REASONS = frozenset(
    {"unknown_type", "invalid_payload", "decrypt_failed", "policy_refused"}
)
# Message types whose handlers write nothing (they validate, or refuse): no savepoint.
PURE_TYPES = frozenset({PING})


@dataclass(frozen=True)
class Outcome:
    receipt: dict[str, str]
    status: str
    reason: str | None


class _Refused(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


# Built once: every envelope received reads these (building costs more than running).
_LOCKED_PEER = (
    select(Peer).where(Peer.party_code == bindparam("party")).with_for_update(key_share=True)
)
_PEER_KEY = select(PeerKey).where(
    PeerKey.key_id == bindparam("key_id"), PeerKey.peer_party == bindparam("party")
)


class Inbox:
    def __init__(
        self, db: Session, settings: Settings, registry: Registry, remote_addr: str
    ) -> None:
        self.db = db
        self.settings = settings
        self.registry = registry
        self.remote_addr = remote_addr[:64]
        # Looked up once per batch: the keys of this node valid now, and peer keys seen.
        self._own_valid = {row.key_id for row in keys.valid_keys(db)}
        self._peer_keys: dict[tuple[str, str], PublicNodeKey] = {}
        self._locked_peers: dict[str, Peer | None] = {}
        # The header ``admit`` read, so ``receive`` does not read it again.
        self._admitted: tuple[str, env.EnvelopeHeader] | None = None
        self._batch = InboxBatch(db)
        self._read_ahead: dict[str, env.EnvelopeHeader] = {}

    def _receipt(
        self,
        envelope_id: str,
        seq: int,
        status: str,
        reason: str | None = None,
        detail: str | None = None,
        key_id: str | None = None,
    ) -> dict[str, str]:
        signer = keys.keypair(self.db, self.settings, key_id)
        receipt = env.Receipt(
            envelope_id=envelope_id,
            seq=seq,
            status=status,
            reason=reason,
            detail=detail[:500] if detail else None,
            receiver=env.NodeRef(
                party=self.settings.party,
                node=self.settings.node_name,
                key=signer.public.key_id,
            ),
            issued_at=clock.now(),
        )
        return env.sign_receipt(receipt, signer)

    def _refuse_unattributed(
        self, reason: str, detail: str, header: env.EnvelopeHeader | None
    ) -> Outcome:
        self.db.add(
            Refusal(
                claimed_party=header.sender.party if header else None,
                envelope_id=header.id if header else None,
                reason=reason,
                detail=detail[:2000],
                remote_addr=self.remote_addr,
            )
        )
        self.db.flush()
        receipt = self._receipt(
            header.id if header else "unknown",
            header.seq if header else 0,
            "refused",
            reason,
            detail,
            self._own_key_id(header),
        )
        return Outcome(receipt, "refused", reason)

    def _own_key_id(self, header: env.EnvelopeHeader | None) -> str | None:
        """Sign with the key the sender addressed, if it is ours and still valid."""
        if header is None:
            return None
        return header.recipient.key if header.recipient.key in self._own_valid else None

    def throttled(self) -> Outcome:
        """A signed 'rate_limited' answer that writes nothing (the source is throttled)."""
        detail = "too many refused requests from this address; try again in a minute"
        receipt = self._receipt("unknown", 0, "refused", "rate_limited", detail)
        return Outcome(receipt, "refused", "rate_limited")

    def log_suppressed(self, count: int, since: str) -> None:
        """One row for a window of requests answered 429 without a row each."""
        self.db.add(
            Refusal(
                reason="rate_limited",
                detail=f"{count} further refused request(s) from {self.remote_addr} since "
                f"{since} were answered 429 and not logged one by one",
                remote_addr=self.remote_addr,
            )
        )
        self.db.flush()

    def refuse(self, reason: str, detail: str) -> Outcome:
        """Refuse a request that carries no readable envelope (a malformed batch)."""
        return self._refuse_unattributed(reason, detail, None)

    def admit(self, protected: str) -> Rejected | None:
        """Before the ciphertext is read: is the header addressed to this node, from a
        pinned peer, with a key it knows? (The signature is checked in ``receive``.)"""
        header: env.EnvelopeHeader | None = self._read_ahead.get(protected)
        try:
            if header is None:
                header = env.parse_header(protected)
            self._identify(header)
        except (InvalidEnvelope, _Refused) as exc:
            return Rejected(exc.reason, exc.detail, header)
        self._admitted = (protected, header)
        return None

    def expect(self, headers: dict[str, env.EnvelopeHeader]) -> None:
        """The headers of the batch about to be received (by their ``protected`` text),
        read ahead: their ids are looked up in one query, and ``admit`` reuses them."""
        self._read_ahead = headers
        self._batch.expect(header.id for header in headers.values())

    def finish(self) -> None:
        """Insert the batch's inbox rows (before the transaction commits)."""
        self._batch.finish()

    def receive(self, raw: object) -> Outcome:
        """One envelope: raw bytes, an item of a decoded batch, or one refused as read."""
        if isinstance(raw, Rejected):
            return self._refuse_unattributed(raw.reason, raw.detail, raw.header)
        header: env.EnvelopeHeader | None = None
        try:
            if isinstance(raw, bytes):
                parsed = env.parse(raw, self.settings.federation_max_envelope_bytes)
            else:
                admitted, self._admitted = self._admitted, None
                known = None
                if admitted and isinstance(raw, dict) and raw.get("protected") == admitted[0]:
                    known = admitted[1]
                parsed = env.parse_obj(raw, known)
            header = parsed.header
            peer, sender_key = self._authenticate(parsed)
        except InvalidEnvelope as exc:
            return self._refuse_unattributed(exc.reason, exc.detail, header)
        except _Refused as exc:
            return self._refuse_unattributed(exc.reason, exc.detail, header)
        return self._sequence_and_apply(parsed, peer, sender_key)

    def authenticate(self, parsed: env.ParsedEnvelope) -> tuple[Peer, PublicNodeKey]:
        """The channel's checks for a direct request (hitcheck): addressed here, from a
        pinned peer, signed with a valid key, inside the clock window. Replay is the
        caller's to check (by envelope id); raises ``InvalidEnvelope``."""
        try:
            return self._authenticate(parsed)
        except _Refused as exc:
            raise InvalidEnvelope(exc.reason, exc.detail) from None

    def _locked_peer(self, party: str) -> Peer | None:
        """The peer row, locked for the batch so sequence checks cannot interleave."""
        if party not in self._locked_peers:
            self._locked_peers[party] = self.db.scalar(_LOCKED_PEER, {"party": party})
        return self._locked_peers[party]

    def _peer_key(self, party: str, key_id: str) -> PublicNodeKey | None:
        """A pinned or announced key of the peer (misses are not cached: a key may be
        announced earlier in the same batch)."""
        cached = self._peer_keys.get((party, key_id))
        if cached is None:
            row = self.db.scalar(_PEER_KEY, {"key_id": key_id, "party": party})
            if row is None:
                return None
            cached = self._peer_keys[(party, key_id)] = keys.public_of(row)
        return cached

    def _identify(self, header: env.EnvelopeHeader) -> tuple[Peer, PublicNodeKey]:
        """Addressed here, from a pinned peer, naming a key of that peer."""
        if (header.recipient.party, header.recipient.node) != (
            self.settings.party,
            self.settings.node_name,
        ):
            raise _Refused(
                "wrong_recipient",
                f"addressed to {header.recipient.party}/{header.recipient.node}, "
                f"this is {self.settings.party}/{self.settings.node_name}",
            )
        peer = self._locked_peer(header.sender.party)
        if peer is None or peer.node_name != header.sender.node:
            raise _Refused(
                "unknown_sender", f"{header.sender.party}/{header.sender.node} is not a pinned peer"
            )
        sender_key = self._peer_key(peer.party_code, header.sender.key)
        if sender_key is None:
            raise _Refused("unknown_key", f"sender key {header.sender.key} is not known here")
        return peer, sender_key

    def _authenticate(self, parsed: env.ParsedEnvelope) -> tuple[Peer, PublicNodeKey]:
        header = parsed.header
        peer, sender_key = self._identify(header)
        env.verify(parsed, sender_key)
        if not sender_key.not_before <= header.sent_at < sender_key.not_after:
            raise _Refused(
                "key_expired",
                f"sender key {sender_key.key_id} was not valid at {header.sent_at.isoformat()}",
            )
        if header.recipient.key not in self._own_valid:
            raise _Refused(
                "unknown_key",
                f"recipient key {header.recipient.key} is not a valid key of this node",
            )
        window = timedelta(seconds=self.settings.federation_clock_window_seconds)
        if abs(clock.now() - header.sent_at) > window:
            raise _Refused(
                "stale",
                f"sent at {header.sent_at.isoformat()}, outside the {window.seconds} s window",
            )
        return peer, sender_key

    def _sequence_and_apply(
        self, parsed: env.ParsedEnvelope, peer: Peer, sender_key: PublicNodeKey
    ) -> Outcome:
        header = parsed.header
        seen = self._batch.seen(header.id, peer.party_code)
        if seen is not None:
            if seen.peer_party != peer.party_code or seen.seq != header.seq:
                return self._refuse_unattributed("replay", "envelope id already used", header)
            peer.last_contact_at = clock.now()
            return Outcome(json.loads(seen.receipt), "duplicate", seen.reason)
        expected = peer.last_in_seq + 1
        if header.seq < expected:
            return self._refuse_unattributed(
                "replay", f"sequence {header.seq} already used (next expected {expected})", header
            )
        if header.seq > expected:
            return self._refuse_unattributed(
                "sequence_gap", f"sequence {header.seq} arrived before {expected}", header
            )
        status, reason, detail = self._apply(parsed, peer, sender_key)
        if status == "accepted":
            signer = keys.keypair(self.db, self.settings, header.recipient.key)
            receiver = env.NodeRef(
                party=self.settings.party, node=self.settings.node_name, key=signer.public.key_id
            )
            receipt = env.sign_accepted(header, receiver, clock.now(), signer)
        else:
            receipt = self._receipt(
                header.id, header.seq, status, reason, detail, header.recipient.key
            )
        text = json.dumps(receipt)
        now = clock.now()
        self._batch.add(
            envelope_id=header.id,
            peer_party=peer.party_code,
            seq=header.seq,
            message_type=header.type,
            created_at=header.created_at,
            received_at=now,
            status="applied" if status == "accepted" else "refused",
            reason=reason,
            receipt=text,
        )
        peer.last_in_seq = header.seq
        peer.last_contact_at = now
        trail(
            self.db,
            f"node:{peer.party_code}",
            f"federation.envelope.{status}",
            "federation.envelope",
            header.id,
            type=header.type,
            seq=header.seq,
            reason=reason,
        )
        return Outcome(receipt, status, reason)

    def _apply(
        self, parsed: env.ParsedEnvelope, peer: Peer, sender_key: PublicNodeKey
    ) -> tuple[str, str | None, str | None]:
        header = parsed.header
        handler = self.registry.handler_for(header.type)
        if handler is None:
            return "refused", "unknown_type", f"this node does not accept '{header.type}'"
        try:
            plaintext = env.decrypt(
                parsed, keys.keypair(self.db, self.settings, header.recipient.key), sender_key
            )
            payload: Any = json.loads(plaintext)
            if not isinstance(payload, dict):
                raise ValueError("payload is not a JSON object")
        except InvalidEnvelope as exc:
            return "refused", exc.reason, exc.detail
        except (ValueError, RecursionError) as exc:
            return "refused", "invalid_payload", f"payload is not a JSON object: {exc}"[:300]
        context = InboundContext(
            settings=self.settings,
            sender_party=peer.party_code,
            sender_node=peer.node_name,
            envelope_id=header.id,
            seq=header.seq,
            registry=self.registry,
        )
        # A handler that writes runs in a savepoint, so a refusal undoes its writes.
        savepoint = None if header.type in PURE_TYPES else self.db.begin_nested()
        try:
            handler(self.db, context, payload)
            if savepoint is not None:
                self.db.flush()
        except (PayloadRefused, ValueError, LiaisonError) as exc:
            if savepoint is not None:
                savepoint.rollback()
            return _handler_refusal(exc)
        if savepoint is not None:
            savepoint.commit()
        return "accepted", None, None


def _handler_refusal(
    exc: PayloadRefused | ValueError | LiaisonError,
) -> tuple[str, str | None, str | None]:
    if isinstance(exc, PayloadRefused):
        return "refused", exc.reason, exc.detail
    if isinstance(exc, ValidationError):
        problems = exc.errors(include_url=False, include_input=False)[:3]
        return "refused", "invalid_payload", str(problems)[:500]
    if isinstance(exc, ValueError):  # e.g. undecodable base64 in a key announcement
        return "refused", "invalid_payload", str(exc)[:500]
    return "refused", "invalid_payload", str(exc)
