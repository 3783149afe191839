"""Node key material: an Ed25519 signing key and an X25519 encryption key per node.

Keys carry a validity period. A public key is identified by its fingerprint
(SHA-256 over a domain tag and both public keys) and by a short ``key_id``, the
first 16 hex characters of that fingerprint. Peers pin fingerprints out of band.
Pure functions and values only: storing keys is the caller's business.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Self

import nacl.exceptions
import nacl.public
import nacl.secret
import nacl.signing

from liaison.kit.errors import ConfigurationError, ValidationFailed

FINGERPRINT_DOMAIN = b"liaison-node-key-v1\x00"
KEY_ID_LENGTH = 16
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
_KEY_SIZE = 32
# The node's secret key also peppers token hashes; sealing uses a derived sub-key.
_SEAL_CONTEXT = b"liaison-node-key-seal-v1"


_STANDARD_TO_URL = bytes.maketrans(b"+/", b"-_")


def b64e(data: bytes) -> str:
    """Base64url without padding (RFC 4648 §5, as in JWS)."""
    return b64e_ascii(data).decode("ascii")


def b64e_ascii(data: bytes) -> bytes:
    """``b64e`` as ASCII bytes (as written on the wire)."""
    return binascii.b2a_base64(data, newline=False).rstrip(b"=").translate(_STANDARD_TO_URL)


_URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# base64url -> standard base64 for binascii's strict decoder; "+", "/" and "=" are not
# base64url, so they become "*", which the strict decoder refuses.
_URL_TO_STANDARD = bytes.maketrans(b"-_+/=", b"+/***")
# Each base64url character's 6-bit value, by byte (other bytes never get this far).
_URL_BITS = {ord(char): value for value, char in enumerate(_URL_ALPHABET)}


def b64d(text: str) -> bytes:
    """Decode base64url without padding; anything else (padding, other alphabets,
    non-canonical trailing bits) raises ``ValueError``, so each value has one encoding."""
    if not isinstance(text, str) or not text.isascii():
        raise ValueError("not base64url text (alphabet A-Z a-z 0-9 - _, no padding)")
    return b64d_ascii(text.encode("ascii"))


def b64d_ascii(data: bytes) -> bytes:
    """``b64d`` for text already held as ASCII bytes (as read off the wire)."""
    tail = len(data) % 4
    if tail == 1:
        raise ValueError("not valid base64url: the length cannot be that of any bytes")
    try:
        decoded = binascii.a2b_base64(
            data.translate(_URL_TO_STANDARD) + b"=" * (-tail % 4), strict_mode=True
        )
    except binascii.Error:
        raise ValueError("not base64url text (alphabet A-Z a-z 0-9 - _, no padding)") from None
    # The last character of a 2- or 3-character tail carries unused bits: they must be 0.
    if tail and _URL_BITS[data[-1]] & (0b1111 if tail == 2 else 0b11):
        raise ValueError("not canonical base64url (unused trailing bits are set)")
    return decoded


def fingerprint_of(verify_key: bytes, encryption_key: bytes) -> str:
    """SHA-256 over the domain tag, the Ed25519 key and the X25519 key; lower-case hex."""
    return hashlib.sha256(FINGERPRINT_DOMAIN + verify_key + encryption_key).hexdigest()


def format_fingerprint(fp: str) -> str:
    """Group a fingerprint in blocks of four for reading aloud: ``ab12 cd34 ...``."""
    fp = normalise_fingerprint(fp)
    return " ".join(fp[i : i + 4] for i in range(0, len(fp), 4))


def normalise_fingerprint(text: str) -> str:
    """Accept a fingerprint as typed or pasted (spaces, colons, any case)."""
    value = re.sub(r"[\s:]", "", text).lower()
    if not _FINGERPRINT.fullmatch(value):
        raise ValidationFailed.on_field("fingerprint", "must be 64 hexadecimal characters")
    return value


def _utc(name: str, value: datetime) -> datetime:
    if value.utcoffset() is None:
        raise ValidationFailed.on_field(name, "must be a timezone-aware datetime")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValidationFailed.on_field(name, "is out of range") from None


def _check_period(not_before: datetime, not_after: datetime) -> tuple[datetime, datetime]:
    start, end = _utc("not_before", not_before), _utc("not_after", not_after)
    if end <= start:
        raise ValidationFailed.on_field("not_after", "must be later than not_before")
    return start, end


@dataclass(frozen=True)
class PublicNodeKey:
    """A node's public keys and their validity period, as published and pinned."""

    key_id: str
    verify_key: bytes
    encryption_key: bytes
    not_before: datetime
    not_after: datetime

    def __post_init__(self) -> None:
        for name in ("verify_key", "encryption_key"):
            if len(getattr(self, name)) != _KEY_SIZE:
                raise ValidationFailed.on_field(name, f"must be {_KEY_SIZE} bytes")
        if self.key_id != self.fingerprint()[:KEY_ID_LENGTH]:
            raise ValidationFailed.on_field("key_id", "does not match the keys' fingerprint")
        start, end = _check_period(self.not_before, self.not_after)
        object.__setattr__(self, "not_before", start)
        object.__setattr__(self, "not_after", end)

    @classmethod
    def of(
        cls, verify_key: bytes, encryption_key: bytes, not_before: datetime, not_after: datetime
    ) -> Self:
        """Build from the raw keys, computing ``key_id``."""
        key_id = fingerprint_of(verify_key, encryption_key)[:KEY_ID_LENGTH]
        return cls(key_id, verify_key, encryption_key, not_before, not_after)

    def fingerprint(self) -> str:
        return fingerprint_of(self.verify_key, self.encryption_key)

    def valid_at(self, when: datetime) -> bool:
        """True if ``not_before <= when < not_after``."""
        return self.not_before <= when < self.not_after


@dataclass(frozen=True)
class NodeKeyPair:
    """A node's private keys. Never serialise it except through ``seal_private``."""

    signing_key: nacl.signing.SigningKey = field(repr=False)
    encryption_key: nacl.public.PrivateKey = field(repr=False)
    not_before: datetime
    not_after: datetime

    def __post_init__(self) -> None:
        start, end = _check_period(self.not_before, self.not_after)
        object.__setattr__(self, "not_before", start)
        object.__setattr__(self, "not_after", end)

    @cached_property
    def public(self) -> PublicNodeKey:
        """Computed once: the envelope path asks for it several times per envelope."""
        return PublicNodeKey.of(
            bytes(self.signing_key.verify_key),
            bytes(self.encryption_key.public_key),
            self.not_before,
            self.not_after,
        )

    @classmethod
    def generate(cls, not_before: datetime, not_after: datetime) -> Self:
        return cls(
            nacl.signing.SigningKey.generate(),
            nacl.public.PrivateKey.generate(),
            not_before,
            not_after,
        )

    @classmethod
    def from_seed(cls, seed32: bytes, not_before: datetime, not_after: datetime) -> Self:
        """Deterministic keys (test vectors): Ed25519 from the seed, X25519 from
        SHA-256(b"x25519" + seed)."""
        if len(seed32) != _KEY_SIZE:
            raise ValueError(f"seed must be {_KEY_SIZE} bytes")
        x25519 = hashlib.sha256(b"x25519" + seed32).digest()
        return cls(
            nacl.signing.SigningKey(seed32), nacl.public.PrivateKey(x25519), not_before, not_after
        )


def _seal_box(secret_key: bytes) -> nacl.secret.SecretBox:
    if len(secret_key) != _KEY_SIZE:
        raise ConfigurationError(f"the node's secret key must be {_KEY_SIZE} bytes")
    subkey = hashlib.blake2b(_SEAL_CONTEXT, key=secret_key, digest_size=_KEY_SIZE).digest()
    return nacl.secret.SecretBox(subkey)


def seal_private(pair: NodeKeyPair, secret_key: bytes) -> bytes:
    """Encrypt the private keys for storage (XSalsa20-Poly1305, random nonce prefixed)."""
    plain = bytes(pair.signing_key) + bytes(pair.encryption_key)
    return bytes(_seal_box(secret_key).encrypt(plain))


def unseal_private(
    blob: bytes, secret_key: bytes, not_before: datetime, not_after: datetime
) -> NodeKeyPair:
    try:
        plain = _seal_box(secret_key).decrypt(blob)
    except nacl.exceptions.CryptoError:  # also covers a truncated blob (nacl's ValueError)
        raise ConfigurationError(
            "node keys cannot be decrypted with this secret key: was the secret key file "
            "replaced or the database copied from another node?"
        ) from None
    if len(plain) != 2 * _KEY_SIZE:
        raise ConfigurationError("stored node keys are corrupt (unexpected length)")
    return NodeKeyPair(
        nacl.signing.SigningKey(plain[:_KEY_SIZE]),
        nacl.public.PrivateKey(plain[_KEY_SIZE:]),
        not_before,
        not_after,
    )
