"""Reading inbox bodies without holding them in memory.

A body is spooled to a temporary file (in memory up to ``SPOOL_IN_MEMORY``, on disk
beyond) while its size is counted, then scanned envelope by envelope. The grammar is
the one this node's senders write (docs/protocol.md §4), and nothing looser:

    batch    = {"envelopes": [envelope, ...]}
    envelope = {"protected": "<b64url>", "ciphertext": "<b64url>", "signature": "<b64url>"}

members in that order, strings without escapes. Because ``protected`` comes first, the
sender's identity (recipient, pinned peer, known key) is checked before the ciphertext is
read: the ciphertext of an envelope from nobody this node knows is skipped, not kept.
Only an envelope whose header names a pinned peer and key is held, one at a time.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import IO

from liaison.federation.envelope import ENVELOPE_FIELDS, EnvelopeHeader, parse_header
from liaison.kit.errors import InvalidEnvelope

SPOOL_IN_MEMORY = 256 * 1024
CHUNK = 64 * 1024
_WS = b" \t\r\n"
_HEADER_CAP = 16 * 1024
_SIGNATURE_CAP = 256


class Malformed(Exception):
    """The body (not just one envelope) does not follow the grammar."""


@dataclass(frozen=True)
class Rejected:
    """An envelope refused while it was read (its ciphertext was skipped)."""

    reason: str
    detail: str
    header: EnvelopeHeader | None


# Checks a header before its ciphertext is read: None to go on, or the refusal.
Admit = Callable[[str], Rejected | None]
Item = dict[str, str] | Rejected


async def spool(chunks: AsyncIterator[bytes], limit: int) -> IO[bytes]:
    """The body in a temporary file; ``too_large`` as soon as it passes ``limit``."""
    spooled: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    size = 0
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise InvalidEnvelope(
                    "too_large", f"body is over the limit of {limit} bytes per request"
                )
            spooled.write(chunk)
    except BaseException:
        spooled.close()
        raise
    spooled.seek(0)
    return spooled


class _Reader:
    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.buf = b""
        self.pos = 0

    def _fill(self) -> bool:
        chunk = self.source.read(CHUNK)
        if not chunk:
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> int | None:
        """The next byte that is not white space (not consumed); None at the end."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return None

    def take(self, char: bytes) -> None:
        if self.peek() != char[0]:
            raise Malformed(f"expected '{char.decode()}'")
        self.pos += 1

    def string(self, cap: int) -> str | None:
        """A string without escapes; None (and skipped) if longer than ``cap`` bytes."""
        self.take(b'"')
        parts: list[bytes] = []
        size = 0
        while True:
            end = self.buf.find(b'"', self.pos)
            stop = len(self.buf) if end < 0 else end
            piece = self.buf[self.pos : stop]
            if b"\\" in piece:
                raise Malformed("escapes are not used in envelopes")
            size += len(piece)
            if size <= cap:
                parts.append(piece)
            else:
                parts.clear()
            if end >= 0:
                self.pos = end + 1
                break
            self.pos = len(self.buf)
            if not self._fill():
                raise Malformed("unterminated string")
        if size > cap:
            return None
        try:
            return b"".join(parts).decode("ascii")
        except UnicodeDecodeError:
            raise Malformed("envelope members are ASCII base64url text") from None

    def end(self) -> None:
        if self.peek() is not None:
            raise Malformed("unexpected data after the JSON value")


def _envelope(reader: _Reader, admit: Admit, max_bytes: int) -> Item:
    reader.take(b"{")
    values: dict[str, str] = {}
    rejected: Rejected | None = None
    for index, name in enumerate(ENVELOPE_FIELDS):
        if index:
            reader.take(b",")
        if reader.string(32) != name:
            raise Malformed(f"envelope members are {', '.join(ENVELOPE_FIELDS)}, in that order")
        reader.take(b":")
        cap = {"protected": _HEADER_CAP, "signature": _SIGNATURE_CAP}.get(name, max_bytes)
        value = reader.string(0 if rejected else cap)
        if rejected is not None:
            continue
        if value is None:
            rejected = Rejected("too_large", f"envelope.{name} is over {cap} bytes", None)
            continue
        values[name] = value
        if name == "protected":
            rejected = admit(value)
    reader.take(b"}")
    return rejected or values


def envelopes(source: IO[bytes], admit: Admit, max_bytes: int, max_items: int) -> Iterator[Item]:
    """The items of a batch body, in order; ``Malformed`` if the body is not a batch."""
    reader = _Reader(source)
    reader.take(b"{")
    if reader.string(32) != "envelopes":
        raise Malformed('a batch is {"envelopes": [...]}')
    reader.take(b":")
    reader.take(b"[")
    if reader.peek() == ord("]"):
        raise Malformed("a batch holds at least one envelope")
    count = 0
    while True:
        count += 1
        if count > max_items:
            raise Malformed(f"a batch holds at most {max_items} envelopes")
        yield _envelope(reader, admit, max_bytes)
        if reader.peek() == ord(","):
            reader.take(b",")
            continue
        reader.take(b"]")
        break
    reader.take(b"}")
    reader.end()


def envelope_headers(
    source: IO[bytes], max_bytes: int, max_items: int
) -> dict[str, EnvelopeHeader]:
    """The readable headers of a batch by their ``protected`` text, ciphertexts skipped
    (the receiving pass reuses them); what cannot be read is left for it to refuse."""
    headers: dict[str, EnvelopeHeader] = {}
    skip = Rejected("skipped", "", None)

    def note(protected: str) -> Rejected:
        with contextlib.suppress(InvalidEnvelope):
            headers[protected] = parse_header(protected)
        return skip

    with contextlib.suppress(Malformed):
        for _ in envelopes(source, note, max_bytes, max_items):
            pass
    return headers


def single(source: IO[bytes], admit: Admit, max_bytes: int) -> Item:
    """The one envelope of a body posted to the single inbox."""
    reader = _Reader(source)
    item = _envelope(reader, admit, max_bytes)
    reader.end()
    return item
