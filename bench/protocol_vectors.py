"""Deterministic test vectors for docs/protocol.md (envelope, keys, receipt).

Run: ``uv run python bench/protocol_vectors.py``. The output is pasted verbatim into
docs/protocol.md; tests/federation/test_envelope.py recomputes it and compares, so the
document cannot drift from the code. A second implementation should reproduce every
line from the inputs alone (seeds, header fields, payload, a nonce of 24 zero bytes).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from liaison.federation.envelope import (
    EnvelopeHeader,
    NodeRef,
    Receipt,
    canonical_json,
    seal_with_nonce,
    sign_receipt,
    signing_input,
)
from liaison.kit.crypto import NodeKeyPair, b64e, format_fingerprint

SEEDS = {"ca": b"\x01" * 32, "in": b"\x02" * 32}
NOT_BEFORE = datetime(2026, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime(2027, 1, 1, tzinfo=UTC)
NONCE = bytes(24)
PAYLOAD = b'{"data":"hello"}'
SENT = datetime(2026, 2, 7, 12, 0, 0, tzinfo=UTC)
RECEIPT_ISSUED = datetime(2026, 2, 7, 12, 0, 1, tzinfo=UTC)


def vectors() -> list[tuple[str, str]]:
    pairs = {
        name: NodeKeyPair.from_seed(seed, NOT_BEFORE, NOT_AFTER) for name, seed in SEEDS.items()
    }
    ca, in_ = pairs["ca"], pairs["in"]
    lines: list[tuple[str, str]] = []
    for name, pair in pairs.items():
        public = pair.public
        lines += [
            (f"{name}.seed_hex", SEEDS[name].hex()),
            (f"{name}.x25519_private_hex", bytes(pair.encryption_key).hex()),
            (f"{name}.verify_key", b64e(public.verify_key)),
            (f"{name}.encryption_key", b64e(public.encryption_key)),
            (f"{name}.fingerprint", public.fingerprint()),
            (f"{name}.fingerprint_formatted", format_fingerprint(public.fingerprint())),
            (f"{name}.key_id", public.key_id),
        ]
    header = EnvelopeHeader(
        v=1,
        id="01900000-0000-7000-8000-000000000001",
        type="federation.ping",
        sender=NodeRef(party="CA", node="liaison-ca", key=ca.public.key_id),
        recipient=NodeRef(party="IN", node="liaison-in", key=in_.public.key_id),
        seq=1,
        created_at=SENT,
        sent_at=SENT,
    )
    raw = seal_with_nonce(header, PAYLOAD, ca, in_.public, NONCE)
    envelope = json.loads(raw)
    receipt = Receipt(
        envelope_id=header.id,
        seq=header.seq,
        status="accepted",
        receiver=NodeRef(party="IN", node="liaison-in", key=in_.public.key_id),
        issued_at=RECEIPT_ISSUED,
    )
    signed_receipt = sign_receipt(receipt, in_)
    lines += [
        ("header_json", canonical_json(header).decode("ascii")),
        ("protected", envelope["protected"]),
        ("payload", PAYLOAD.decode("ascii")),
        ("nonce_hex", NONCE.hex()),
        ("ciphertext", envelope["ciphertext"]),
        ("signing_input", signing_input(envelope["protected"], envelope["ciphertext"]).decode()),
        ("signature", envelope["signature"]),
        ("envelope", raw.decode("ascii")),
        ("receipt_json", canonical_json(receipt).decode("ascii")),
        ("receipt_protected", signed_receipt["protected"]),
        ("receipt_signature", signed_receipt["signature"]),
        ("receipt", json.dumps(signed_receipt, separators=(",", ":"))),
    ]
    return lines


def main() -> None:
    for name, value in vectors():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
