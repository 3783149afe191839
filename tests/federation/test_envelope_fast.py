"""The envelope's fast paths (federation/headers.py, envelope._split_wire) decide exactly
what the validator decides: same header, same refusal, same wording."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from liaison.federation import envelope as env
from liaison.federation import headers
from liaison.kit.crypto import b64e
from liaison.kit.errors import InvalidEnvelope
from tests.federation.test_envelope import CA, HEADERS, IN, LIMIT, PAYLOAD, forge, make_header


def _slow_header(data: bytes) -> env.EnvelopeHeader | InvalidEnvelope:
    try:
        return env._model(env.EnvelopeHeader, data, "header")
    except InvalidEnvelope as error:
        return error


def _outcome(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except InvalidEnvelope as error:
        return (error.reason, error.detail)


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(HEADERS)
def test_a_canonical_header_reads_the_same_on_the_fast_path(header: env.EnvelopeHeader) -> None:
    data = env.canonical_json(header)
    fast = headers.read_canonical(data)
    assert fast is not None
    assert fast == _slow_header(data) == header
    assert fast.model_dump() == header.model_dump()


TIMES = st.sampled_from(
    [
        "2026-02-07T12:00:00Z",
        "2026-02-30T12:00:00Z",  # no such day
        "2026-02-07T24:00:00Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999Z",
        "2026-02-07T12:00:60Z",
        "2026-02-07T12:00:00.000000Z",
    ]
)
SEQS = st.sampled_from([0, 1, 2**63 - 1, 2**63, 10**18, 99999999999999999999])
TYPES = st.sampled_from(["federation.ping", "a." + "b" * 98, "a." + "b" * 99, "x.y"])


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(TIMES, TIMES, SEQS, TYPES)
def test_the_fast_header_path_never_accepts_what_the_validator_refuses(
    created: str, sent: str, seq: int, message_type: str
) -> None:
    value = json.loads(env.canonical_json(make_header()))
    value |= {"created_at": created, "sent_at": sent, "seq": seq, "type": message_type}
    data = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    fast, slow = headers.read_canonical(data), _slow_header(data)
    if fast is not None:
        assert fast == slow
    expected = (slow.reason, slow.detail) if isinstance(slow, InvalidEnvelope) else slow
    assert _outcome(env.parse_header, b64e(data)) == expected


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(HEADERS)
def test_new_header_builds_what_the_validator_builds(header: env.EnvelopeHeader) -> None:
    built = env.new_header(
        header.id,
        header.type,
        header.sender,
        header.recipient,
        header.seq,
        header.created_at,
        header.sent_at,
    )
    assert built == header
    assert env.header_json(built) == env.canonical_json(header)


@pytest.mark.parametrize(
    "changes",
    [
        {"id": "01900000-0000-7000-8000-00000000000G"},
        {"id": "01900000-0000-7000-8000-000000000001\n"},
        {"type": "ping"},
        {"type": "a." + "b" * 99},
        {"seq": 0},
        {"seq": 2**63},
        {"created_at": make_header().created_at.replace(tzinfo=None)},
    ],
)
def test_new_header_refuses_what_the_validator_refuses(changes: dict[str, Any]) -> None:
    fields = make_header().model_dump() | changes
    with pytest.raises(ValidationError):
        env.EnvelopeHeader(**fields)
    with pytest.raises(ValueError, match=r"not a|out of range"):
        env.new_header(
            fields["id"],
            fields["type"],
            env.NodeRef(**fields["sender"]),
            env.NodeRef(**fields["recipient"]),
            fields["seq"],
            fields["created_at"],
            fields["sent_at"],
        )


def test_a_sealed_envelope_is_split_without_the_json_parser_and_reads_the_same() -> None:
    raw = env.seal(make_header(), PAYLOAD, CA, IN.public)
    assert env._split_wire(raw) is not None
    fast = env.parse(raw, LIMIT)
    general = env.parse_obj(json.loads(raw))
    assert fast == general
    env.verify(fast, CA.public)
    assert env.decrypt(fast, IN, CA.public) == PAYLOAD


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw.replace(b'"ciphertext":"', b'"ciphertext":"+', 1),
        lambda raw: raw.replace(b'"signature":"', b'"signature":"=', 1),
        lambda raw: raw[:-2] + b'=="}',
        lambda raw: raw.replace(b'","ciphertext', b'\\u0022,"ciphertext', 1),
        lambda raw: raw.replace(b'"signature":"', b'"signature":"A', 1),
        lambda raw: raw.replace(b'"protected":"', b'"protected":"', 1) + b" ",
    ],
)
def test_a_mangled_envelope_gets_the_general_parsers_refusal(mangle: Any) -> None:
    raw = mangle(env.seal(make_header(), PAYLOAD, CA, IN.public))
    general = _outcome(lambda: env.parse_obj(env.load_json(raw, "envelope")))
    assert _outcome(env.parse, raw, LIMIT) == general


def test_a_forged_header_signed_by_the_sender_reads_as_the_validator_reads_it() -> None:
    data = env.canonical_json(make_header()).replace(b'"v":1', b'"v":2')
    raw = forge(data, bytes(56))
    with pytest.raises(InvalidEnvelope) as caught:
        env.parse(raw, LIMIT)
    assert caught.value.reason == "malformed"
    assert "header is invalid" in caught.value.detail


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(HEADERS)
def test_an_accepted_receipt_signed_fast_is_the_validated_one(header: env.EnvelopeHeader) -> None:
    receiver = env.NodeRef(party="IN", node="liaison-in", key=IN.public.key_id)
    receipt = env.Receipt(
        envelope_id=header.id,
        seq=header.seq,
        status="accepted",
        receiver=receiver,
        issued_at=header.sent_at,
    )
    signed = env.sign_accepted(header, receiver, header.sent_at, IN)
    assert signed == env.sign_receipt(receipt, IN)
    assert env.verify_receipt(signed, IN.public) == receipt
