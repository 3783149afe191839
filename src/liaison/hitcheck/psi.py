"""The cryptographic core of hit/no-hit: an oblivious PRF on ristretto255 (libsodium).

For a normalised identifier ``x`` (a match key such as ``phone:+919876543210``):

- ``H(x)`` hashes it to the group: ``from_hash(SHA-512(DOMAIN || x))``;
- the querier blinds it with a fresh scalar ``a``: ``a·H(x)`` (32 bytes on the wire);
- the answerer, who holds the secret scalar ``b``, returns ``b·(a·H(x))``;
- the querier unblinds with ``1/a`` to ``b·H(x)`` and derives the tag
  ``T(x) = BLAKE2b-64(TAG_DOMAIN || b·H(x))``.

The answerer's blinded index is ``{T(y)}`` for its shareable identifiers ``y``; the
querier holds a copy (synchronised by additions and removals), and a hit is ``T(x)`` in
that copy. Without ``b`` the querier cannot compute a tag for an identifier the answerer
did not evaluate for it; the answerer sees only uniformly random points. See
docs/hitcheck.md for the protocol and its threat model.

libsodium's ristretto functions come from ``rbcl`` (a PyPI wheel that bundles
libsodium; PyNaCl does not expose them). Imported here only: ``liaison --help`` does
not load it.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import rbcl  # type: ignore[import-untyped]
from rbcl._sodium import _sodium as _libsodium  # type: ignore[import-untyped]

from liaison.kit.errors import ValidationFailed

DOMAIN = b"liaison-hitcheck-v1\x00"
TAG_DOMAIN = b"liaison-hitcheck-tag-v1\x00"
KEY_DOMAIN = b"liaison-hitcheck-key-v1\x00"
POINT_BYTES = 32
TAG_BYTES = 8

_from_hash = rbcl.crypto_core_ristretto255_from_hash
_mult = rbcl.crypto_scalarmult_ristretto255
_invert = rbcl.crypto_core_ristretto255_scalar_invert
_random_scalar = rbcl.crypto_core_ristretto255_scalar_random
_reduce = rbcl.crypto_core_ristretto255_scalar_reduce


def hash_to_group(key: str) -> bytes:
    return bytes(_from_hash(hashlib.sha512(DOMAIN + key.encode("utf-8")).digest()))


def tag_of(point: bytes) -> bytes:
    return hashlib.blake2b(TAG_DOMAIN + point, digest_size=TAG_BYTES).digest()


def derive_key(secret: bytes, epoch: int) -> bytes:
    """The answerer's scalar ``b`` for one epoch, derived from the node's secret."""
    wide = hashlib.blake2b(
        KEY_DOMAIN + epoch.to_bytes(8, "big"), key=secret[:64], digest_size=64
    ).digest()
    return bytes(_reduce(wide))


PARALLEL_FROM = 2_000  # identifiers; below this, threads cost more than they save


def index_tags(key: bytes, identifiers: Sequence[str], workers: int = 1) -> list[bytes]:
    """The answerer's tags ``T(y)`` for its own identifiers (index build). With
    ``workers`` > 1, a large batch is split over that many threads: libsodium runs
    without the GIL (ctypes releases it), so the scalar multiplications use every core."""
    if workers <= 1 or len(identifiers) < PARALLEL_FROM:
        return _tags(key, identifiers)
    size = -(-len(identifiers) // workers)
    chunks = [identifiers[i : i + size] for i in range(0, len(identifiers), size)]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hitcheck-tags") as pool:
        return [tag for part in pool.map(_tags, [key] * len(chunks), chunks) for tag in part]


def cores() -> int:
    """The cores this process may run on (an index build's threads)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def _tags(key: bytes, identifiers: Sequence[str]) -> list[bytes]:
    """The build's inner loop, straight into libsodium (no per-call wrapper checks):
    SHA-512 → ristretto255 point → ``b·P`` → BLAKE2b tag."""
    point = ctypes.create_string_buffer(POINT_BYTES)
    product = ctypes.create_string_buffer(POINT_BYTES)
    from_hash = _libsodium.crypto_core_ristretto255_from_hash
    mult = _libsodium.crypto_scalarmult_ristretto255
    sha512, blake2b = hashlib.sha512, hashlib.blake2b
    tags = []
    for y in identifiers:
        from_hash(point, sha512(DOMAIN + y.encode("utf-8")).digest())
        if mult(product, key, point) != 0:
            raise ValidationFailed("the index key is not a valid scalar")
        tags.append(blake2b(TAG_DOMAIN + product.raw, digest_size=TAG_BYTES).digest())
    return tags


class Blinded:
    """The querier's side of one query: blinded points out, tags back."""

    def __init__(self, identifiers: Sequence[str]) -> None:
        self._scalar = bytes(_random_scalar())
        self.points = [bytes(_mult(self._scalar, hash_to_group(x))) for x in identifiers]

    def tags(self, evaluated: Sequence[bytes]) -> list[bytes]:
        """Unblind the answerer's ``b·a·H(x)`` to tags ``T(x)``."""
        if len(evaluated) != len(self.points):
            raise ValidationFailed("the answer does not have one point per identifier asked")
        inverse = bytes(_invert(self._scalar))
        return [tag_of(_checked_mult(inverse, point)) for point in evaluated]


def evaluate(key: bytes, points: Sequence[bytes]) -> list[bytes]:
    """The answerer's step: ``b·P`` for each blinded point (refusing non-canonical ones)."""
    return [_checked_mult(key, point) for point in points]


def _checked_mult(scalar: bytes, point: bytes) -> bytes:
    if len(point) != POINT_BYTES:
        raise ValidationFailed(f"a point must be {POINT_BYTES} bytes")
    try:
        return bytes(_mult(scalar, point))
    except (RuntimeError, ValueError, TypeError):
        raise ValidationFailed("a point is not a valid ristretto255 encoding") from None
