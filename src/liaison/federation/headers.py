"""The signed parts of envelopes and receipts (docs/protocol.md §4 and §5), and a fast path
for the header, which every envelope carries.

The pydantic models are the definition: they validate anything, and their errors are
what a refusal quotes. The hot path adds two shortcuts that never change a decision:

- ``read_canonical`` reads a header that is byte for byte the canonical JSON a sender
  writes (§1) with one regular expression and a few hand checks, and builds the model
  without running the validator. Anything else (another layout, an escape, a value
  the checks do not settle) answers ``None`` and takes the validator, so every refusal
  and its wording come from the one place they always came from;
- ``new_header`` builds the header a sender seals from values it holds, checked by
  hand with the models' own patterns and bounds (``ValueError`` like the validator).

tests/federation/test_envelope.py checks both against the validator on random headers.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
UUID_PATTERN = f"^{_UUID}$"
# A receipt for an envelope whose header could not be read names envelope "unknown", seq 0.
RECEIPT_ID_PATTERN = f"^(?:{_UUID}|unknown)$"
_TYPE = r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+"
TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$"
MAX_SEQ = 2**63 - 1
MAX_TYPE = 100
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
    type: Annotated[str, StringConstraints(max_length=MAX_TYPE, pattern=TYPE_PATTERN)]
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


_HEADER_FIELDS = frozenset(EnvelopeHeader.model_fields)
_ID = re.compile(_UUID)
_TYPE_RE = re.compile(_TYPE)


def _built(values: dict[str, Any]) -> EnvelopeHeader:
    """The model from values already checked, as ``model_construct`` makes it (less the
    generic bookkeeping, which costs more than the rest of the header path)."""
    header = EnvelopeHeader.__new__(EnvelopeHeader)
    setattr_ = object.__setattr__
    setattr_(header, "__dict__", values)
    setattr_(header, "__pydantic_fields_set__", set(_HEADER_FIELDS))
    setattr_(header, "__pydantic_extra__", None)
    setattr_(header, "__pydantic_private__", None)
    return header


def new_header(
    envelope_id: str,
    message_type: str,
    sender: NodeRef,
    recipient: NodeRef,
    seq: int,
    created_at: datetime,
    sent_at: datetime,
) -> EnvelopeHeader:
    """The header a sender seals, without the validator; ``ValueError`` if a value is
    one the validator would refuse."""
    if not isinstance(envelope_id, str) or not _ID.fullmatch(envelope_id):
        raise ValueError(f"envelope id {envelope_id!r} is not a canonical UUID")
    if (
        not isinstance(message_type, str)
        or len(message_type) > MAX_TYPE
        or not _TYPE_RE.fullmatch(message_type)
    ):
        raise ValueError(f"message type {message_type!r} is not a valid type")
    if type(seq) is not int or not 1 <= seq <= MAX_SEQ:
        raise ValueError(f"sequence number {seq!r} is out of range")
    if not isinstance(sender, NodeRef) or not isinstance(recipient, NodeRef):
        raise ValueError("sender and recipient are NodeRefs")
    times = []
    for when in (created_at, sent_at):
        if not isinstance(when, datetime) or when.utcoffset() is None:
            raise ValueError(f"{when!r} is not a datetime with a time zone")
        times.append(_to_utc(when))
    return _built(
        {
            "v": 1,
            "id": envelope_id,
            "type": message_type,
            "sender": sender,
            "recipient": recipient,
            "seq": seq,
            "created_at": times[0],
            "sent_at": times[1],
        }
    )


_REF = rb'\{"key":"[0-9a-f]{16}","node":"[a-z0-9][a-z0-9._-]{0,99}","party":"[A-Z]{2}"\}'
_TIME = rb'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?Z)"'
_CANONICAL_HEADER = re.compile(
    rb'\{"created_at":' + _TIME + rb',"id":"(' + _UUID.encode() + rb')","recipient":('
    + _REF + rb'),"sender":(' + _REF + rb'),"sent_at":' + _TIME
    + rb',"seq":([1-9][0-9]{0,18}),"type":"(' + _TYPE.encode() + rb')","v":1\}'
)  # fmt: skip


@lru_cache(maxsize=256)
def _ref(text: bytes) -> NodeRef:
    """A node reference, validated once per distinct text (a node talks to few)."""
    return NodeRef.model_validate_json(text, strict=True)


def read_canonical(data: bytes) -> EnvelopeHeader | None:
    """The header, if ``data`` is exactly its canonical JSON and every value is one the
    validator accepts as it stands; ``None`` means: ask the validator."""
    match = _CANONICAL_HEADER.fullmatch(data)
    if match is None:
        return None
    created, envelope_id, recipient, sender, sent, seq, message_type = match.groups()
    number = int(seq)
    if number > MAX_SEQ or len(message_type) > MAX_TYPE:
        return None
    try:
        created_at = datetime.fromisoformat(created.decode("ascii"))
        sent_at = datetime.fromisoformat(sent.decode("ascii"))
    except ValueError:
        return None  # e.g. 30 February: the validator words the refusal
    return _built(
        {
            "v": 1,
            "id": envelope_id.decode("ascii"),
            "type": message_type.decode("ascii"),
            "sender": _ref(sender),
            "recipient": _ref(recipient),
            "seq": number,
            "created_at": created_at.astimezone(UTC),
            "sent_at": sent_at.astimezone(UTC),
        }
    )


def _time_json(value: datetime) -> str:
    """A UTC datetime as pydantic writes it in JSON (``...Z``)."""
    return value.isoformat()[:-6] + "Z"


@lru_cache(maxsize=256)
def _ref_json(ref: NodeRef) -> str:
    # The patterns allow no character JSON escapes: the text is the canonical JSON.
    return f'{{"key":"{ref.key}","node":"{ref.node}","party":"{ref.party}"}}'


def write_canonical(header: EnvelopeHeader) -> bytes | None:
    """The canonical JSON of a header whose values are validated (by the model or by
    ``new_header``); ``None`` for one that is not in UTC (built some other way)."""
    created, sent = header.created_at, header.sent_at
    if created.utcoffset() or sent.utcoffset():
        return None
    return (
        f'{{"created_at":"{_time_json(created)}","id":"{header.id}",'
        f'"recipient":{_ref_json(header.recipient)},"sender":{_ref_json(header.sender)},'
        f'"sent_at":"{_time_json(sent)}","seq":{header.seq},"type":"{header.type}","v":1}}'
    ).encode("ascii")


def accepted_receipt_json(
    envelope_id: str, seq: int, receiver: NodeRef, issued_at: datetime
) -> bytes | None:
    """The canonical JSON of an "accepted" receipt (no reason, no detail) for an envelope
    whose header was validated; ``None`` if ``issued_at`` is not in UTC."""
    if issued_at.utcoffset() is None or issued_at.utcoffset():
        return None
    return (
        f'{{"detail":null,"envelope_id":"{envelope_id}","issued_at":"{_time_json(issued_at)}",'
        f'"reason":null,"receiver":{_ref_json(receiver)},"seq":{seq},"status":"accepted"}}'
    ).encode("ascii")
