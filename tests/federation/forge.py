"""Envelopes as a peer (or an attacker posing as one) would build them: real keys, real
signatures and encryption, plus the few hand-made forgeries the inbox must refuse."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import nacl.public

from liaison.federation import control
from liaison.federation import envelope as env
from liaison.federation.schemas import PublicKeyOut
from liaison.kit import clock
from liaison.kit.crypto import NodeKeyPair, PublicNodeKey, b64d, b64e
from liaison.kit.ids import new_id
from liaison.models import NodeKey

PING = "federation.ping"
PING_PAYLOAD = b'{"data":"hello"}'


def public_key(published: PublicKeyOut) -> PublicNodeKey:
    """A key as /federation/v1/keys publishes it (its key id is checked against the keys)."""
    return PublicNodeKey(
        key_id=published.key_id,
        verify_key=b64d(published.verify_key),
        encryption_key=b64d(published.encryption_key),
        not_before=published.not_before,
        not_after=published.not_after,
    )


def fresh_pair(valid_for: timedelta = timedelta(days=30)) -> NodeKeyPair:
    now = clock.now()
    return NodeKeyPair.generate(now - timedelta(days=1), now + valid_for)


@dataclass
class Sender:
    """One node sending to one receiver: the sender's key pair signs, the receiver's
    public key encrypts; anything in the header can be overridden."""

    pair: NodeKeyPair
    receiver: PublicNodeKey
    party: str = "IN"
    node: str = "liaison-in"
    receiver_party: str = "CA"
    receiver_node: str = "liaison-ca"

    def header(self, seq: int, type: str = PING, **changes: Any) -> env.EnvelopeHeader:
        now = clock.now()
        fields: dict[str, Any] = {
            "v": 1,
            "id": new_id(),
            "type": type,
            "sender": env.NodeRef(party=self.party, node=self.node, key=self.pair.public.key_id),
            "recipient": env.NodeRef(
                party=self.receiver_party, node=self.receiver_node, key=self.receiver.key_id
            ),
            "seq": seq,
            "created_at": now,
            "sent_at": now,
        }
        return env.EnvelopeHeader(**(fields | changes))

    def seal(
        self,
        seq: int,
        type: str = PING,
        payload: bytes = PING_PAYLOAD,
        *,
        signer: NodeKeyPair | None = None,
        encrypt_to: PublicNodeKey | None = None,
        **changes: Any,
    ) -> bytes:
        """A genuine envelope; ``signer`` and ``encrypt_to`` replace the keys named in
        the header (which then names them too, as an honest sender's would)."""
        signer = signer or self.pair
        encrypt_to = encrypt_to or self.receiver
        sender = env.NodeRef(party=self.party, node=self.node, key=signer.public.key_id)
        recipient = env.NodeRef(
            party=changes.pop("recipient_party", self.receiver_party),
            node=changes.pop("recipient_node", self.receiver_node),
            key=encrypt_to.key_id,
        )
        header = self.header(seq, type, sender=sender, recipient=recipient, **changes)
        return env.seal(header, payload, signer, encrypt_to)

    def box(self, payload: bytes, to: PublicNodeKey | None = None) -> bytes:
        """``nonce || crypto_box`` of ``payload`` from this sender to ``to``."""
        box = nacl.public.Box(
            self.pair.encryption_key,
            nacl.public.PublicKey((to or self.receiver).encryption_key),
        )
        return bytes(box.encrypt(payload))


# --- forgeries -------------------------------------------------------------------------


def fields(raw: bytes) -> dict[str, str]:
    parsed: dict[str, str] = json.loads(raw)
    return parsed


def header_of(raw: bytes) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(b64d(fields(raw)["protected"]))
    return header


def assemble(protected: str, ciphertext: str, signature: bytes) -> bytes:
    envelope = {"protected": protected, "ciphertext": ciphertext, "signature": b64e(signature)}
    return json.dumps(envelope, separators=(",", ":")).encode()


def signed(header_json: bytes, ciphertext: bytes, signer: NodeKeyPair) -> bytes:
    """A hand-made envelope, validly signed by ``signer`` whatever the header says."""
    protected, body = b64e(header_json), b64e(ciphertext)
    signature = signer.signing_key.sign(env.signing_input(protected, body)).signature
    return assemble(protected, body, signature)


def resigned(raw: bytes, signer: NodeKeyPair) -> bytes:
    """The same header and ciphertext, signed by another key."""
    parts = fields(raw)
    message = env.signing_input(parts["protected"], parts["ciphertext"])
    return assemble(
        parts["protected"], parts["ciphertext"], signer.signing_key.sign(message).signature
    )


def with_ciphertext_bit_flipped(raw: bytes, index: int = 30) -> bytes:
    parts = fields(raw)
    body = bytearray(b64d(parts["ciphertext"]))
    body[index] ^= 0x01
    return json.dumps(parts | {"ciphertext": b64e(bytes(body))}).encode()


def with_header(raw: bytes, separators: tuple[str, str] = (",", ":"), **changes: Any) -> bytes:
    """The header changed and re-encoded; the original signature kept."""
    header = header_of(raw) | changes
    text = json.dumps(header, separators=separators, sort_keys=True).encode()
    return json.dumps(fields(raw) | {"protected": b64e(text)}).encode()


# --- payloads --------------------------------------------------------------------------


def agency(party: str = "IN", **changes: Any) -> bytes:
    record = {
        "id": new_id(),
        "party_code": party,
        "name": "National Investigation Agency",
        "acronym": "NIA",
        "mandate_areas": ["counter_terrorism", "organised_crime"],
        "updated_at": clock.now().isoformat(),
    } | changes
    # Not validated here: forged records must reach the inbox even when they are invalid.
    return json.dumps(record).encode()


def announcement(pair: NodeKeyPair) -> bytes:
    """What ``control.rotate_and_announce`` queues for a new key generation."""
    public = pair.public
    row = NodeKey(
        key_id=public.key_id,
        verify_key=public.verify_key,
        encryption_key=public.encryption_key,
        not_before=public.not_before,
        not_after=public.not_after,
    )
    return json.dumps(control.announcement(row)).encode()
