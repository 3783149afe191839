"""The envelope wire format (docs/protocol.md), modelled on JWS compact serialisation:
``{"protected": b64url(header JSON), "ciphertext": b64url(nonce + Box ciphertext),
"signature": b64url(Ed25519 over ASCII protected + "." + ciphertext)}``. The signature
covers the exact transmitted text; ``parse`` raises only ``InvalidEnvelope``; ``verify``
and ``decrypt`` need the peer's pinned keys. Receipts are signed alike, unencrypted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, Literal, NoReturn, Self, TypeVar

import nacl.exceptions
import nacl.public
import nacl.signing
import nacl.utils
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from liaison.kit.crypto import NodeKeyPair, PublicNodeKey, b64d, b64e
from liaison.kit.errors import InvalidEnvelope

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
UUID_PATTERN = f"^{_UUID}$"
# A receipt for an envelope whose header could not be read names envelope "unknown", seq 0.
RECEIPT_ID_PATTERN = f"^(?:{_UUID}|unknown)$"
TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
MAX_SEQ = 2**63 - 1
NONCE_SIZE = 24
SIGNATURE_SIZE = 64
MIN_CIPHERTEXT_SIZE = NONCE_SIZE + 16  # nonce, then at least the Poly1305 tag
ENVELOPE_FIELDS = ("protected", "ciphertext", "signature")
RECEIPT_FIELDS = ("protected", "signature")
_DETAIL_LIMIT = 300
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

M = TypeVar("M", bound=BaseModel)


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("datetime is out of range") from None


def _printable(value: str) -> str:
    """Control characters (other than tab and newlines) become "?": no NUL reaches storage."""
    return _CONTROL.sub("?", value)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
Seq = Annotated[int, Field(ge=1, le=MAX_SEQ)]
EnvelopeId = Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
ReasonCode = Annotated[str, StringConstraints(max_length=50, pattern=r"^[a-z][a-z0-9_]*$")]
Detail = Annotated[str, StringConstraints(max_length=500), AfterValidator(_printable)]


class NodeRef(BaseModel):
    """One node of one party, and the key it signs or receives with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    party: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    node: Annotated[str, StringConstraints(max_length=100, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
    key: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]


class EnvelopeHeader(BaseModel):
    """The signed, unencrypted part of an envelope: enough to route, authenticate and
    order it before anything is decrypted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1]
    id: EnvelopeId
    type: Annotated[str, StringConstraints(max_length=100, pattern=TYPE_PATTERN)]
    sender: NodeRef
    recipient: NodeRef
    seq: Seq
    created_at: UtcDatetime
    sent_at: UtcDatetime


class Receipt(BaseModel):
    """The receiver's signed answer to one envelope."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    envelope_id: Annotated[str, StringConstraints(pattern=RECEIPT_ID_PATTERN)]
    seq: Annotated[int, Field(ge=0, le=MAX_SEQ)]
    status: Literal["accepted", "duplicate", "refused"]
    reason: ReasonCode | None = None
    detail: Detail | None = None
    receiver: NodeRef
    issued_at: UtcDatetime

    @model_validator(mode="after")
    def _reason_fits_status(self) -> Self:
        if self.status == "refused" and self.reason is None:
            raise ValueError("a refused receipt must give a reason")
        if self.status == "accepted" and self.reason is not None:
            raise ValueError("an accepted receipt has no reason")
        return self


@dataclass(frozen=True)
class ParsedEnvelope:
    """A well-formed envelope whose signature has not yet been checked."""

    header: EnvelopeHeader
    protected: str
    ciphertext: str
    signature: str
    sealed: bytes = field(default=b"", repr=False)  # the ciphertext, decoded once


_CANONICAL = json.JSONEncoder(separators=(",", ":"), sort_keys=True)
# The exact text ``seal`` writes; anything else is parsed the slow, general way.
_WIRE = re.compile(
    rb'\{"protected":"([A-Za-z0-9_-]+)","ciphertext":"([A-Za-z0-9_-]+)",'
    rb'"signature":"([A-Za-z0-9_-]+)"\}'
)


def canonical_json(model: BaseModel) -> bytes:
    """Compact, key-sorted, ASCII-only JSON of a model: the bytes that get signed."""
    return _CANONICAL.encode(model.model_dump(mode="json")).encode("ascii")


def _json_time(value: datetime) -> str:
    """A UTC datetime as pydantic writes it in JSON (``...Z``)."""
    return value.isoformat()[:-6] + "Z"


def _ref_json(ref: NodeRef) -> dict[str, str]:
    return {"key": ref.key, "node": ref.node, "party": ref.party}


def header_json(header: EnvelopeHeader) -> bytes:
    """``canonical_json(header)`` without pydantic's generic serialiser (the hot path);
    tests/federation/test_envelope.py checks the two agree."""
    if header.created_at.utcoffset() or header.sent_at.utcoffset():
        return canonical_json(header)  # not normalised to UTC: never from the validator
    value = {
        "created_at": _json_time(header.created_at),
        "id": header.id,
        "recipient": _ref_json(header.recipient),
        "sender": _ref_json(header.sender),
        "sent_at": _json_time(header.sent_at),
        "seq": header.seq,
        "type": header.type,
        "v": header.v,
    }
    return _CANONICAL.encode(value).encode("ascii")


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
    box = _box(bytes(sender.encryption_key), recipient.encryption_key)
    protected = b64e(header_json(header))
    ciphertext = b64e(bytes(box.encrypt(payload, nonce)))
    signature = sender.signing_key.sign(signing_input(protected, ciphertext)).signature
    # base64url text needs no JSON escaping: this is the JSON object, in _WIRE's order.
    return (
        f'{{"protected":"{protected}","ciphertext":"{ciphertext}","signature":"{b64e(signature)}"}}'
    ).encode("ascii")


@lru_cache(maxsize=64)
def _box(own_private: bytes, their_public: bytes) -> nacl.public.Box:
    """Boxes precompute the X25519 shared key; one per key pair is enough."""
    return nacl.public.Box(nacl.public.PrivateKey(own_private), nacl.public.PublicKey(their_public))


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


def _parts(obj: object, names: tuple[str, ...], what: str) -> dict[str, tuple[str, bytes]]:
    """The named string fields, each as (text, decoded bytes); nothing else allowed."""
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
    parts: dict[str, tuple[str, bytes]] = {}
    for name in names:
        text = obj[name]
        if not isinstance(text, str):
            _fail("malformed", f"{what}.{name} must be a string")
        try:
            parts[name] = (text, b64d(text))
        except ValueError as error:
            _fail("malformed", f"{what}.{name}: {error}")
    if len(parts["signature"][1]) != SIGNATURE_SIZE:
        _fail("malformed", f"{what}.signature is not {SIGNATURE_SIZE} bytes")
    return parts


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


def parse(raw: bytes, max_bytes: int) -> ParsedEnvelope:
    """Check the size, then the structure; raises only ``InvalidEnvelope``."""
    if len(raw) > max_bytes:
        _fail("too_large", f"envelope is {len(raw)} bytes, over the limit of {max_bytes}")
    wire = _WIRE.fullmatch(raw)
    if wire is not None:
        fields = (part.decode("ascii") for part in wire.groups())
        return parse_obj(dict(zip(ENVELOPE_FIELDS, fields, strict=True)))
    return parse_obj(load_json(raw, "envelope"))


def parse_header(protected: str) -> EnvelopeHeader:
    """The header alone, to identify the sender before the ciphertext is read."""
    try:
        data = b64d(protected)
    except ValueError as error:
        _fail("malformed", f"envelope.protected: {error}")
    return _model(EnvelopeHeader, data, "header")


def parse_obj(obj: object) -> ParsedEnvelope:
    """``parse`` for an already decoded JSON value (an item of a batch)."""
    parts = _parts(obj, ENVELOPE_FIELDS, "envelope")
    if len(parts["ciphertext"][1]) < MIN_CIPHERTEXT_SIZE:
        _fail("malformed", f"envelope.ciphertext is shorter than {MIN_CIPHERTEXT_SIZE} bytes")
    return ParsedEnvelope(
        header=_model(EnvelopeHeader, parts["protected"][1], "header"),
        protected=parts["protected"][0],
        ciphertext=parts["ciphertext"][0],
        signature=parts["signature"][0],
        sealed=parts["ciphertext"][1],
    )


def _check_key(claimed: str, actual: str, reason: str, role: str) -> None:
    if claimed != actual:
        _fail(reason, f"the {role} key named is {claimed}, not {actual}")


@lru_cache(maxsize=64)
def _verifier(verify_key: bytes) -> nacl.signing.VerifyKey:
    return nacl.signing.VerifyKey(verify_key)


def _check_signature(key: PublicNodeKey, message: bytes, signature: str) -> None:
    try:
        _verifier(key.verify_key).verify(message, b64d(signature))
    except (nacl.exceptions.CryptoError, ValueError):
        _fail("bad_signature", f"the signature does not verify with key {key.key_id}")


def verify(env: ParsedEnvelope, sender_key: PublicNodeKey) -> None:
    """Check the sender's signature; validity periods are the caller's to check."""
    _check_key(env.header.sender.key, sender_key.key_id, "bad_signature", "sender")
    _check_signature(sender_key, signing_input(env.protected, env.ciphertext), env.signature)


def decrypt(env: ParsedEnvelope, recipient: NodeKeyPair, sender_key: PublicNodeKey) -> bytes:
    """Open the payload. Call ``verify`` first: decrypting proves nothing about the header."""
    _check_key(env.header.recipient.key, recipient.public.key_id, "decrypt_failed", "recipient")
    box = _box(bytes(recipient.encryption_key), sender_key.encryption_key)
    try:
        return bytes(box.decrypt(env.sealed or b64d(env.ciphertext)))
    except (nacl.exceptions.CryptoError, ValueError):
        _fail("decrypt_failed", "the payload cannot be decrypted with this node's key")


def sign_receipt(receipt: Receipt, signer: NodeKeyPair) -> dict[str, str]:
    if receipt.receiver.key != signer.public.key_id:
        raise ValueError("receipt.receiver.key is not the key id of the signing key pair")
    protected = b64e(canonical_json(receipt))
    signature = signer.signing_key.sign(protected.encode("ascii")).signature
    return {"protected": protected, "signature": b64e(signature)}


def receipt_key_id(obj: object) -> str:
    """The key id an unverified signed receipt claims, to look the key up with."""
    parts = _parts(obj, RECEIPT_FIELDS, "receipt")
    return _model(Receipt, parts["protected"][1], "receipt").receiver.key


def verify_receipt(obj: object, signer_key: PublicNodeKey) -> Receipt:
    """Check a receipt's signature, then its content; raises only ``InvalidEnvelope``."""
    parts = _parts(obj, RECEIPT_FIELDS, "receipt")
    protected, signature = parts["protected"], parts["signature"]
    _check_signature(signer_key, protected[0].encode("ascii"), signature[0])
    receipt = _model(Receipt, protected[1], "receipt")
    _check_key(receipt.receiver.key, signer_key.key_id, "bad_signature", "receiver")
    return receipt
