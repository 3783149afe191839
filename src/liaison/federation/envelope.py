"""The envelope wire format (docs/protocol.md), modelled on JWS compact serialisation:
``{"protected": b64url(header JSON), "ciphertext": b64url(nonce + Box ciphertext),
"signature": b64url(Ed25519 over ASCII protected + "." + ciphertext)}``. The signature
covers the exact transmitted text; ``parse`` raises only ``InvalidEnvelope``; ``verify``
and ``decrypt`` need the peer's pinned keys. Receipts are signed alike, unencrypted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, NoReturn, TypeVar

import nacl.bindings
import nacl.exceptions
import nacl.utils
from pydantic import BaseModel, ValidationError

from liaison.federation.headers import (
    MAX_SEQ,
    RECEIPT_ID_PATTERN,
    TYPE_PATTERN,
    UUID_PATTERN,
    EnvelopeHeader,
    NodeRef,
    Receipt,
    accepted_receipt_json,
    new_header,
    read_canonical,
    write_canonical,
)
from liaison.kit.crypto import NodeKeyPair, PublicNodeKey, b64d, b64d_ascii, b64e, b64e_ascii
from liaison.kit.errors import InvalidEnvelope

__all__ = [
    "MAX_SEQ",
    "RECEIPT_ID_PATTERN",
    "TYPE_PATTERN",
    "UUID_PATTERN",
    "EnvelopeHeader",
    "NodeRef",
    "ParsedEnvelope",
    "Receipt",
    "new_header",
]

NONCE_SIZE = 24
SIGNATURE_SIZE = 64
MIN_CIPHERTEXT_SIZE = NONCE_SIZE + 16  # nonce, then at least the Poly1305 tag
ENVELOPE_FIELDS = ("protected", "ciphertext", "signature")
RECEIPT_FIELDS = ("protected", "signature")
_DETAIL_LIMIT = 300

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class ParsedEnvelope:
    """A well-formed envelope whose signature has not yet been checked."""

    header: EnvelopeHeader
    protected: str
    ciphertext: str
    signature: str
    sealed: bytes = field(default=b"", repr=False)  # the ciphertext, decoded once
    signature_bytes: bytes = field(default=b"", repr=False)  # the signature, decoded once
    # ``signing_input(protected, ciphertext)``, kept as read off the wire (derived: not compared)
    signed: bytes = field(default=b"", repr=False, compare=False)


_CANONICAL = json.JSONEncoder(separators=(",", ":"), sort_keys=True)
# The exact text ``seal`` writes is split without a JSON parser (``_split_wire``);
# anything else is parsed the slow, general way.
_WIRE_OPEN, _WIRE_MID, _WIRE_SIG, _WIRE_CLOSE = (
    b'{"protected":"',
    b'","ciphertext":"',
    b'","signature":"',
    b'"}',
)


def _split_wire(raw: bytes) -> tuple[bytes, bytes, bytes] | None:
    """The three member texts if ``raw`` has ``seal``'s layout; None for anything else
    (which the general parser reads, or refuses). The texts are not yet known to be
    base64url: ``_from_wire`` decodes them and hands anything else back to the general
    parser, so a quote inside a text can never move a member boundary unnoticed."""
    if not (raw.startswith(_WIRE_OPEN) and raw.endswith(_WIRE_CLOSE)):
        return None
    mid = raw.find(_WIRE_MID)
    sig = raw.find(_WIRE_SIG, mid + 1)
    if mid < 0 or sig < 0:
        return None
    return (
        raw[len(_WIRE_OPEN) : mid],
        raw[mid + len(_WIRE_MID) : sig],
        raw[sig + len(_WIRE_SIG) : -len(_WIRE_CLOSE)],
    )


def canonical_json(model: BaseModel) -> bytes:
    """Compact, key-sorted, ASCII-only JSON of a model: the bytes that get signed."""
    return _CANONICAL.encode(model.model_dump(mode="json")).encode("ascii")


def header_json(header: EnvelopeHeader) -> bytes:
    """``canonical_json(header)`` without pydantic's generic serialiser (the hot path);
    tests/federation/test_envelope.py checks the two agree."""
    return write_canonical(header) or canonical_json(header)


def signing_input(protected: str, ciphertext: str) -> bytes:
    return f"{protected}.{ciphertext}".encode("ascii")


def seal(
    header: EnvelopeHeader, payload: bytes, sender: NodeKeyPair, recipient: PublicNodeKey
) -> bytes:
    """Encrypt ``payload`` to ``recipient``, sign, and serialise the envelope."""
    return seal_with_nonce(header, payload, sender, recipient, nacl.utils.random(NONCE_SIZE))


def seal_with_nonce(
    header: EnvelopeHeader,
    payload: bytes,
    sender: NodeKeyPair,
    recipient: PublicNodeKey,
    nonce: bytes,
) -> bytes:
    """``seal`` with a given nonce: for test vectors only (a reused nonce leaks plaintext)."""
    if header.sender.key != sender.public.key_id:
        raise ValueError("header.sender.key is not the key id of the sending key pair")
    if header.recipient.key != recipient.key_id:
        raise ValueError("header.recipient.key is not the key id of the recipient's key")
    if len(nonce) != NONCE_SIZE:
        raise ValueError(f"a nonce is {NONCE_SIZE} bytes")
    shared = _shared_key(bytes(sender.encryption_key), recipient.encryption_key)
    boxed = nacl.bindings.crypto_box_easy_afternm(payload, nonce, shared)
    protected = b64e_ascii(header_json(header))
    ciphertext = b64e_ascii(nonce + boxed)
    signature = _sign(b"%s.%s" % (protected, ciphertext), bytes(sender.signing_key))
    # base64url text needs no JSON escaping: this is the JSON object, in _split_wire's order.
    return b"".join(
        (
            _WIRE_OPEN,
            protected,
            _WIRE_MID,
            ciphertext,
            _WIRE_SIG,
            b64e_ascii(signature),
            _WIRE_CLOSE,
        )
    )


@lru_cache(maxsize=64)
def _shared_key(own_private: bytes, their_public: bytes) -> bytes:
    """The X25519 + HSalsa20 shared key (``crypto_box_beforenm``), once per key pair."""
    return nacl.bindings.crypto_box_beforenm(their_public, own_private)


@lru_cache(maxsize=64)
def _signing_secret(seed: bytes) -> bytes:
    """libsodium's 64-byte Ed25519 secret key for a 32-byte seed, derived once."""
    return nacl.bindings.crypto_sign_seed_keypair(seed)[1]


def _sign(message: bytes, seed: bytes) -> bytes:
    return nacl.bindings.crypto_sign(message, _signing_secret(seed))[:SIGNATURE_SIZE]


def _fail(reason: str, detail: str) -> NoReturn:
    """Details may quote the sender's input: keep them printable and short."""
    detail = "".join(char if char.isprintable() else "?" for char in detail)
    raise InvalidEnvelope(reason, detail[:_DETAIL_LIMIT])


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({key for key, _ in pairs}) != len(pairs):
        raise ValueError("an object has a duplicate key")
    return dict(pairs)


_STRICT_JSON = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys)


def load_json(data: bytes, what: str) -> object:
    """Strict JSON: UTF-8 only, no duplicate keys; raises only ``InvalidEnvelope``."""
    try:
        return _STRICT_JSON.decode(data.decode("utf-8"))
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        _fail("malformed", f"{what} is not valid UTF-8 JSON: {error}")


def _parts(obj: object, names: tuple[str, ...], what: str) -> tuple[list[str], list[bytes]]:
    """The named string fields, as texts and decoded bytes; nothing else allowed. The
    last is the signature, which must be 64 bytes."""
    if not isinstance(obj, dict):
        _fail("malformed", f"{what} must be a JSON object")
    missing = [name for name in names if name not in obj]
    extra = sorted(repr(key) for key in obj if key not in names)
    if missing or extra:
        _fail(
            "malformed",
            f"{what} needs exactly {', '.join(names)}; missing {missing}, "
            f"unexpected [{', '.join(extra[:5])}]",
        )
    texts, data = [], []
    for name in names:
        text = obj[name]
        if not isinstance(text, str):
            _fail("malformed", f"{what}.{name} must be a string")
        try:
            data.append(b64d(text))
        except ValueError as error:
            _fail("malformed", f"{what}.{name}: {error}")
        texts.append(text)
    if len(data[-1]) != SIGNATURE_SIZE:
        _fail("malformed", f"{what}.signature is not {SIGNATURE_SIZE} bytes")
    return texts, data


def _model(model: type[M], data: bytes, what: str) -> M:
    load_json(data, what)  # refuses duplicate keys, which pydantic would let through
    try:
        return model.model_validate_json(data, strict=True)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in item['loc']) or what}: {item['msg']}"
            for item in error.errors(include_url=False, include_input=False)[:3]
        ]
        _fail("malformed", f"{what} is invalid: {'; '.join(problems)}")


def _header(data: bytes) -> EnvelopeHeader:
    """Canonical headers on the fast path; any other text through the validator."""
    return read_canonical(data) or _model(EnvelopeHeader, data, "header")


def parse(raw: bytes, max_bytes: int) -> ParsedEnvelope:
    """Check the size, then the structure; raises only ``InvalidEnvelope``."""
    if len(raw) > max_bytes:
        _fail("too_large", f"envelope is {len(raw)} bytes, over the limit of {max_bytes}")
    wire = _split_wire(raw)
    parsed = None if wire is None else _from_wire(wire)
    if parsed is not None:
        return parsed
    return parse_obj(load_json(raw, "envelope"))


def _from_wire(parts: tuple[bytes, bytes, bytes]) -> ParsedEnvelope | None:
    """``parse_obj`` for the three texts of ``seal``'s layout, kept as bytes: the same
    checks in the same order, without a JSON object in between. None if a text is not
    base64url (then it may hold a quote, and only the JSON parser can say what it is)."""
    try:
        protected, ciphertext, signature = (b64d_ascii(part) for part in parts)
    except ValueError:
        return None
    if len(signature) != SIGNATURE_SIZE:
        _fail("malformed", f"envelope.signature is not {SIGNATURE_SIZE} bytes")
    if len(ciphertext) < MIN_CIPHERTEXT_SIZE:
        _fail("malformed", f"envelope.ciphertext is shorter than {MIN_CIPHERTEXT_SIZE} bytes")
    return ParsedEnvelope(
        header=_header(protected),
        protected=parts[0].decode("ascii"),
        ciphertext=parts[1].decode("ascii"),
        signature=parts[2].decode("ascii"),
        sealed=ciphertext,
        signature_bytes=signature,
        signed=b"%s.%s" % (parts[0], parts[1]),
    )


def parse_header(protected: str) -> EnvelopeHeader:
    """The header alone, to identify the sender before the ciphertext is read."""
    try:
        data = b64d(protected)
    except ValueError as error:
        _fail("malformed", f"envelope.protected: {error}")
    return _header(data)


def parse_obj(obj: object, header: EnvelopeHeader | None = None) -> ParsedEnvelope:
    """``parse`` for an already decoded JSON value (an item of a batch); ``header`` is
    the one already read from this item's ``protected`` (``parse_header``), if any."""
    texts, (protected, ciphertext, signature) = _parts(obj, ENVELOPE_FIELDS, "envelope")
    if len(ciphertext) < MIN_CIPHERTEXT_SIZE:
        _fail("malformed", f"envelope.ciphertext is shorter than {MIN_CIPHERTEXT_SIZE} bytes")
    return ParsedEnvelope(
        header=header or _header(protected),
        protected=texts[0],
        ciphertext=texts[1],
        signature=texts[2],
        sealed=ciphertext,
        signature_bytes=signature,
    )


def _check_key(claimed: str, actual: str, reason: str, role: str) -> None:
    if claimed != actual:
        _fail(reason, f"the {role} key named is {claimed}, not {actual}")


def _check_signature(key: PublicNodeKey, message: bytes, signature: bytes) -> None:
    try:
        nacl.bindings.crypto_sign_open(signature + message, key.verify_key)
    except (nacl.exceptions.CryptoError, ValueError):
        _fail("bad_signature", f"the signature does not verify with key {key.key_id}")


def verify(env: ParsedEnvelope, sender_key: PublicNodeKey) -> None:
    """Check the sender's signature; validity periods are the caller's to check."""
    _check_key(env.header.sender.key, sender_key.key_id, "bad_signature", "sender")
    signature = env.signature_bytes or _signature_bytes(env.signature)
    message = env.signed or signing_input(env.protected, env.ciphertext)
    _check_signature(sender_key, message, signature)


def _signature_bytes(text: str) -> bytes:
    try:
        return b64d(text)
    except ValueError:
        _fail("bad_signature", "the signature is not base64url")


def decrypt(env: ParsedEnvelope, recipient: NodeKeyPair, sender_key: PublicNodeKey) -> bytes:
    """Open the payload. Call ``verify`` first: decrypting proves nothing about the header."""
    _check_key(env.header.recipient.key, recipient.public.key_id, "decrypt_failed", "recipient")
    shared = _shared_key(bytes(recipient.encryption_key), sender_key.encryption_key)
    try:
        sealed = env.sealed or b64d(env.ciphertext)
        nonce, boxed = sealed[:NONCE_SIZE], sealed[NONCE_SIZE:]
        return nacl.bindings.crypto_box_open_easy_afternm(boxed, nonce, shared)
    except (nacl.exceptions.CryptoError, ValueError):
        _fail("decrypt_failed", "the payload cannot be decrypted with this node's key")


def sign_receipt(receipt: Receipt, signer: NodeKeyPair) -> dict[str, str]:
    if receipt.receiver.key != signer.public.key_id:
        raise ValueError("receipt.receiver.key is not the key id of the signing key pair")
    protected = b64e(canonical_json(receipt))
    signature = _sign(protected.encode("ascii"), bytes(signer.signing_key))
    return {"protected": protected, "signature": b64e(signature)}


def sign_accepted(
    header: EnvelopeHeader, receiver: NodeRef, issued_at: datetime, signer: NodeKeyPair
) -> dict[str, str]:
    """``sign_receipt`` of the "accepted" receipt for ``header``, without the validator
    (every value in it is already valid); the same bytes, so the same signature."""
    data = accepted_receipt_json(header.id, header.seq, receiver, issued_at)
    if data is None or receiver.key != signer.public.key_id:
        receipt = Receipt(
            envelope_id=header.id,
            seq=header.seq,
            status="accepted",
            receiver=receiver,
            issued_at=issued_at,
        )
        return sign_receipt(receipt, signer)
    protected = b64e(data)
    signature = _sign(protected.encode("ascii"), bytes(signer.signing_key))
    return {"protected": protected, "signature": b64e(signature)}


def receipt_key_id(obj: object) -> str:
    """The key id an unverified signed receipt claims, to look the key up with."""
    return read_receipt(obj).receiver.key


def read_receipt(obj: object) -> Receipt:
    """A signed receipt's content, not yet verified (``check_receipt`` does that)."""
    _, (protected, _signature) = _parts(obj, RECEIPT_FIELDS, "receipt")
    return _model(Receipt, protected, "receipt")


def check_receipt(obj: object, receipt: Receipt, signer_key: PublicNodeKey) -> None:
    """``verify_receipt`` for a receipt already read with ``read_receipt``."""
    texts, (_protected, signature) = _parts(obj, RECEIPT_FIELDS, "receipt")
    _check_signature(signer_key, texts[0].encode("ascii"), signature)
    _check_key(receipt.receiver.key, signer_key.key_id, "bad_signature", "receiver")


def verify_receipt(obj: object, signer_key: PublicNodeKey) -> Receipt:
    """Check a receipt's signature, then its content; raises only ``InvalidEnvelope``."""
    texts, (protected, signature) = _parts(obj, RECEIPT_FIELDS, "receipt")
    _check_signature(signer_key, texts[0].encode("ascii"), signature)
    receipt = _model(Receipt, protected, "receipt")
    _check_key(receipt.receiver.key, signer_key.key_id, "bad_signature", "receiver")
    return receipt
