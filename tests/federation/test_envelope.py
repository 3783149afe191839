"""Envelope wire format, receipts and node key material (docs/protocol.md)."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import nacl.public
import nacl.signing
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from liaison.federation import envelope as env
from liaison.kit import crypto
from liaison.kit.crypto import NodeKeyPair, PublicNodeKey, b64d, b64e
from liaison.kit.errors import ConfigurationError, InvalidEnvelope, ValidationFailed

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2027, 1, 1, tzinfo=UTC)
SENT = datetime(2026, 2, 7, 12, 0, tzinfo=UTC)
CA = NodeKeyPair.from_seed(b"\x01" * 32, START, END)
IN = NodeKeyPair.from_seed(b"\x02" * 32, START, END)
OTHER = NodeKeyPair.from_seed(b"\x03" * 32, START, END)
PAYLOAD = b'{"data":"hello"}'
LIMIT = 1 << 20


def ref(party: str, node: str, pair: NodeKeyPair) -> env.NodeRef:
    return env.NodeRef(party=party, node=node, key=pair.public.key_id)


def make_header(**changes: Any) -> env.EnvelopeHeader:
    fields: dict[str, Any] = {
        "v": 1,
        "id": "01900000-0000-7000-8000-000000000001",
        "type": "federation.ping",
        "sender": ref("CA", "liaison-ca", CA),
        "recipient": ref("IN", "liaison-in", IN),
        "seq": 1,
        "created_at": SENT,
        "sent_at": SENT,
    }
    return env.EnvelopeHeader(**(fields | changes))


def sealed(header: env.EnvelopeHeader | None = None, payload: bytes = PAYLOAD) -> dict[str, str]:
    return json.loads(env.seal(header or make_header(), payload, CA, IN.public))


def forge(header_json: bytes, ciphertext: bytes, signer: NodeKeyPair = CA) -> bytes:
    """An envelope built by hand, validly signed by ``signer`` whatever it contains."""
    protected, body = b64e(header_json), b64e(ciphertext)
    signature = signer.signing_key.sign(env.signing_input(protected, body)).signature
    return json.dumps(
        {"protected": protected, "ciphertext": body, "signature": b64e(signature)}
    ).encode()


def header_dict(**changes: Any) -> dict[str, Any]:
    return json.loads(env.canonical_json(make_header())) | changes


def reason_of(raw: bytes, max_bytes: int = LIMIT) -> str:
    with pytest.raises(InvalidEnvelope) as caught:
        env.parse(raw, max_bytes)
    return caught.value.reason


def refusal(call: Any, *args: Any) -> InvalidEnvelope:
    with pytest.raises(InvalidEnvelope) as caught:
        call(*args)
    return caught.value


# --- round trip ----------------------------------------------------------------------


def test_sealed_envelope_opens_to_the_same_header_and_payload() -> None:
    header = make_header()
    parsed = env.parse(env.seal(header, PAYLOAD, CA, IN.public), LIMIT)
    env.verify(parsed, CA.public)
    assert (parsed.header, env.decrypt(parsed, IN, CA.public)) == (header, PAYLOAD)


def test_large_payload_round_trips() -> None:
    payload = bytes(range(256)) * 256
    parsed = env.parse(env.seal(make_header(), payload, CA, IN.public), LIMIT)
    assert env.decrypt(parsed, IN, CA.public) == payload


def test_sealed_envelope_has_exactly_the_three_fields() -> None:
    assert list(sealed()) == ["protected", "ciphertext", "signature"]


def test_sealing_twice_uses_fresh_nonces() -> None:
    assert sealed()["ciphertext"] != sealed()["ciphertext"]


def test_header_is_signed_as_sorted_compact_json() -> None:
    assert (
        b64d(sealed()["protected"])
        == json.dumps(
            json.loads(b64d(sealed()["protected"])), separators=(",", ":"), sort_keys=True
        ).encode()
    )


def test_sealing_refuses_a_header_naming_another_sender_key() -> None:
    with pytest.raises(ValueError, match="sender"):
        env.seal(make_header(sender=ref("CA", "liaison-ca", OTHER)), PAYLOAD, CA, IN.public)


# --- tampering -----------------------------------------------------------------------


def test_flipped_ciphertext_byte_breaks_the_signature() -> None:
    envelope = sealed()
    body = bytearray(b64d(envelope["ciphertext"]))
    body[30] ^= 0x01
    parsed = env.parse_obj(envelope | {"ciphertext": b64e(bytes(body))})
    assert refusal(env.verify, parsed, CA.public).reason == "bad_signature"


def test_changed_header_field_breaks_the_signature() -> None:
    envelope = sealed()
    changed = json.loads(b64d(envelope["protected"])) | {"seq": 2}
    protected = b64e(json.dumps(changed, separators=(",", ":"), sort_keys=True).encode())
    parsed = env.parse_obj(envelope | {"protected": protected})
    assert refusal(env.verify, parsed, CA.public).reason == "bad_signature"


def test_signature_by_another_key_is_refused() -> None:
    envelope = sealed()
    message = env.signing_input(envelope["protected"], envelope["ciphertext"])
    parsed = env.parse_obj(
        envelope | {"signature": b64e(OTHER.signing_key.sign(message).signature)}
    )
    assert refusal(env.verify, parsed, CA.public).reason == "bad_signature"


def test_verifying_with_a_key_the_header_does_not_name_is_refused() -> None:
    # Same signing key, another key generation: the signature verifies, the key id does not.
    regenerated = PublicNodeKey.of(CA.public.verify_key, OTHER.public.encryption_key, START, END)
    parsed = env.parse_obj(sealed())
    assert refusal(env.verify, parsed, regenerated).reason == "bad_signature"


def test_signed_envelope_encrypted_to_another_key_cannot_be_decrypted() -> None:
    box = nacl.public.Box(CA.encryption_key, nacl.public.PublicKey(OTHER.public.encryption_key))
    raw = forge(env.canonical_json(make_header()), bytes(box.encrypt(PAYLOAD)))
    parsed = env.parse(raw, LIMIT)
    env.verify(parsed, CA.public)
    assert refusal(env.decrypt, parsed, IN, CA.public).reason == "decrypt_failed"


def test_envelope_naming_another_recipient_key_is_not_decrypted() -> None:
    box = nacl.public.Box(CA.encryption_key, nacl.public.PublicKey(IN.public.encryption_key))
    header = make_header(recipient=ref("IN", "liaison-in", OTHER))
    parsed = env.parse(forge(env.canonical_json(header), bytes(box.encrypt(PAYLOAD))), LIMIT)
    assert refusal(env.decrypt, parsed, IN, CA.public).reason == "decrypt_failed"


# --- parsing -------------------------------------------------------------------------


def test_envelope_over_the_limit_is_too_large() -> None:
    raw = env.seal(make_header(), PAYLOAD, CA, IN.public)
    assert reason_of(raw, max_bytes=len(raw) - 1) == "too_large"


def test_envelope_at_the_limit_is_accepted() -> None:
    raw = env.seal(make_header(), PAYLOAD, CA, IN.public)
    assert env.parse(raw, max_bytes=len(raw)).header == make_header()


def test_size_is_checked_before_anything_else() -> None:
    assert reason_of(b"not json at all", max_bytes=5) == "too_large"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"protected":', id="truncated JSON"),
        pytest.param(json.dumps(list(sealed().values())).encode(), id="JSON array"),
        pytest.param(json.dumps(json.dumps(sealed())).encode(), id="JSON string"),
        pytest.param(b"\xff\xfe{}", id="not UTF-8"),
        pytest.param(json.dumps(sealed()).encode("utf-16"), id="envelope in UTF-16"),
        pytest.param(b"[" * 100_000, id="nested too deep"),
        pytest.param(b"1" * 5000, id="huge number"),
    ],
)
def test_non_object_input_is_malformed(raw: bytes) -> None:
    assert reason_of(raw) == "malformed"


def _with(**changes: Any) -> bytes:
    envelope: dict[str, Any] = sealed() | changes
    return json.dumps({k: v for k, v in envelope.items() if v is not None}).encode()


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(_with(signature=None), id="missing field"),
        pytest.param(_with(kid="30e0ff76416b6e1b"), id="extra field"),
        pytest.param(_with(signature=12), id="number instead of text"),
        pytest.param(_with(signature="not base64!"), id="non-base64 text"),
        pytest.param(_with(signature=b64e(bytes(64)) + "=="), id="padded base64"),
        pytest.param(_with(signature=b64e(bytes(64)).replace("A", "+")), id="standard alphabet"),
        pytest.param(_with(signature=b64e(bytes(63))), id="short signature"),
        pytest.param(_with(ciphertext=b64e(bytes(39))), id="ciphertext shorter than nonce+tag"),
        pytest.param(_with(protected=b64e(b"not json")), id="header not JSON"),
        pytest.param(_with(protected=b64e(b"[1]")), id="header not an object"),
    ],
)
def test_structural_damage_is_malformed(raw: bytes) -> None:
    assert reason_of(raw) == "malformed"


def test_duplicate_keys_are_malformed() -> None:
    raw = _with().replace(b'"signature"', b'"signature": "x", "signature"')
    assert reason_of(raw) == "malformed"


def test_malformed_detail_names_the_problem() -> None:
    assert "missing ['signature']" in refusal(env.parse, _with(signature=None), LIMIT).detail


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"created_at": "2026-02-07T12:00:00"}, id="naive created_at"),
        pytest.param({"sent_at": "2026-02-07T12:00:00"}, id="naive sent_at"),
        pytest.param({"type": "Federation.Ping"}, id="upper-case type"),
        pytest.param({"type": "ping"}, id="type without a dot"),
        pytest.param({"type": "federation." + "a" * 100}, id="type too long"),
        pytest.param({"id": "01900000-0000-7000-8000-00000000000A"}, id="upper-case id"),
        pytest.param({"sent_at": "0001-01-01T00:30:00+01:00"}, id="before year 1 in UTC"),
        pytest.param({"seq": 0}, id="seq zero"),
        pytest.param({"seq": 2**63}, id="seq too large"),
        pytest.param({"seq": "1"}, id="seq as text"),
        pytest.param({"v": 2}, id="version 2"),
        pytest.param({"extra": 1}, id="extra header field"),
        pytest.param(
            {"sender": {"party": "ca", "node": "liaison-ca", "key": "0" * 16}}, id="party"
        ),
    ],
)
def test_signed_header_that_breaks_the_model_is_malformed(changes: dict[str, Any]) -> None:
    raw = forge(json.dumps(header_dict(**changes)).encode(), bytes(56))
    assert reason_of(raw) == "malformed"


def test_header_missing_a_field_is_malformed() -> None:
    fields = header_dict()
    del fields["sent_at"]
    assert (
        "sent_at" in refusal(env.parse, forge(json.dumps(fields).encode(), bytes(56)), LIMIT).detail
    )


def test_header_with_an_offset_is_read_as_utc() -> None:
    raw = forge(json.dumps(header_dict(sent_at="2026-02-07T17:30:00+05:30")).encode(), bytes(56))
    assert env.parse(raw, LIMIT).header.sent_at.isoformat() == "2026-02-07T12:00:00+00:00"


def test_header_datetime_with_tz_is_normalised_to_utc_when_built() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    assert make_header(sent_at=SENT.astimezone(ist)).sent_at.utcoffset() == timedelta(0)


def test_details_quoting_input_are_printable_and_short() -> None:
    raw = forge(json.dumps(header_dict(**{"\x00\x1b[31m" * 200: 1})).encode(), bytes(56))
    detail = refusal(env.parse, raw, LIMIT).detail
    assert (detail.isprintable(), len(detail) <= 300) == (True, True)


# --- receipts ------------------------------------------------------------------------


def make_receipt(**changes: Any) -> env.Receipt:
    fields: dict[str, Any] = {
        "envelope_id": "01900000-0000-7000-8000-000000000001",
        "seq": 1,
        "status": "refused",
        "reason": "policy_refused",
        "detail": "no legal basis",
        "receiver": ref("IN", "liaison-in", IN),
        "issued_at": SENT,
    }
    return env.Receipt(**(fields | changes))


def test_signed_receipt_verifies_to_the_same_receipt() -> None:
    assert env.verify_receipt(env.sign_receipt(make_receipt(), IN), IN.public) == make_receipt()


def test_receipt_key_id_names_the_signing_key() -> None:
    assert env.receipt_key_id(env.sign_receipt(make_receipt(), IN)) == IN.public.key_id


def test_tampered_receipt_is_refused() -> None:
    signed = env.sign_receipt(make_receipt(), IN)
    changed = json.loads(b64d(signed["protected"])) | {"status": "accepted", "reason": None}
    protected = b64e(json.dumps(changed, separators=(",", ":"), sort_keys=True).encode())
    forged = signed | {"protected": protected}
    assert refusal(env.verify_receipt, forged, IN.public).reason == "bad_signature"


def test_receipt_signed_by_another_key_is_refused() -> None:
    signed = env.sign_receipt(make_receipt(), IN)
    other = OTHER.signing_key.sign(signed["protected"].encode()).signature
    forged = signed | {"signature": b64e(other)}
    assert refusal(env.verify_receipt, forged, IN.public).reason == "bad_signature"


def test_receipt_checked_against_a_key_it_does_not_name_is_refused() -> None:
    signed = env.sign_receipt(make_receipt(receiver=ref("IN", "liaison-in", OTHER)), OTHER)
    # Same signing key, different key generation: the signature verifies, the id does not.
    regenerated = PublicNodeKey.of(OTHER.public.verify_key, IN.public.encryption_key, START, END)
    assert refusal(env.verify_receipt, signed, regenerated).reason == "bad_signature"


@pytest.mark.parametrize(
    "obj",
    [
        pytest.param(list(env.sign_receipt(make_receipt(), IN).values()), id="array"),
        pytest.param({"protected": "e30"}, id="missing signature"),
        pytest.param({"protected": "e30", "signature": b64e(bytes(64)), "x": ""}, id="extra"),
        pytest.param({"protected": "e30", "signature": "***"}, id="bad base64"),
    ],
)
def test_malformed_receipt_is_refused(obj: object) -> None:
    assert refusal(env.verify_receipt, obj, IN.public).reason == "malformed"


def test_signed_receipt_with_invalid_content_is_malformed() -> None:
    protected = b64e(json.dumps({"status": "maybe"}).encode())
    signed = {
        "protected": protected,
        "signature": b64e(IN.signing_key.sign(protected.encode()).signature),
    }
    assert refusal(env.verify_receipt, signed, IN.public).reason == "malformed"


def test_refused_receipt_needs_a_reason() -> None:
    with pytest.raises(ValidationError, match="reason"):
        make_receipt(reason=None)


def test_accepted_receipt_has_no_reason() -> None:
    with pytest.raises(ValidationError, match="reason"):
        make_receipt(status="accepted")


def test_receipt_for_an_unreadable_envelope_names_it_unknown() -> None:
    receipt = make_receipt(envelope_id="unknown", seq=0, reason="malformed")
    assert env.verify_receipt(env.sign_receipt(receipt, IN), IN.public).envelope_id == "unknown"


def test_receipt_detail_control_characters_are_replaced() -> None:
    assert make_receipt(detail="a\x00b\nc").detail == "a?b\nc"


# --- node keys -----------------------------------------------------------------------


def test_fingerprint_is_sha256_of_tag_and_both_keys() -> None:
    public = CA.public
    data = b"liaison-node-key-v1\x00" + public.verify_key + public.encryption_key
    assert public.fingerprint() == hashlib.sha256(data).hexdigest()


def test_key_id_is_the_fingerprint_prefix() -> None:
    assert CA.public.key_id == CA.public.fingerprint()[:16]


def test_from_seed_derives_x25519_from_sha256_of_the_seed() -> None:
    expected = hashlib.sha256(b"x25519" + b"\x01" * 32).digest()
    assert bytes(CA.encryption_key) == expected


def test_generated_pairs_differ_in_both_keys() -> None:
    first, second = NodeKeyPair.generate(START, END).public, NodeKeyPair.generate(START, END).public
    same = (first.verify_key == second.verify_key, first.encryption_key == second.encryption_key)
    assert same == (False, False)


def test_public_key_with_a_wrong_key_id_is_refused() -> None:
    public = CA.public
    with pytest.raises(ValidationFailed, match="key_id"):
        PublicNodeKey("0" * 16, public.verify_key, public.encryption_key, START, END)


def test_public_key_with_a_short_key_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="verify_key"):
        PublicNodeKey.of(bytes(31), bytes(32), START, END)


def test_key_validity_must_be_aware_and_ordered() -> None:
    with pytest.raises(ValidationFailed, match="not_after"):
        NodeKeyPair.from_seed(b"\x01" * 32, END, START)


def test_key_validity_refuses_naive_datetimes() -> None:
    with pytest.raises(ValidationFailed, match="not_before"):
        NodeKeyPair.from_seed(b"\x01" * 32, datetime(2026, 1, 1), END)


def test_key_is_valid_from_not_before_until_not_after() -> None:
    public = CA.public
    checks = [
        public.valid_at(START),
        public.valid_at(END - timedelta(seconds=1)),
        public.valid_at(END),
    ]
    assert checks == [True, True, False]


def test_formatted_fingerprint_reads_in_blocks_and_normalises_back() -> None:
    fp = CA.public.fingerprint()
    shown = crypto.format_fingerprint(fp)
    assert (shown.split()[0], crypto.normalise_fingerprint(shown.upper())) == (fp[:4], fp)


def test_fingerprint_pasted_with_colons_is_normalised() -> None:
    fp = CA.public.fingerprint()
    pasted = ":".join(fp[i : i + 2] for i in range(0, 64, 2)).upper()
    assert crypto.normalise_fingerprint(pasted) == fp


@pytest.mark.parametrize("text", ["", "abc", "g" * 64, "0" * 63, "0" * 65])
def test_fingerprint_that_is_not_64_hex_digits_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        crypto.normalise_fingerprint(text)
    assert caught.value.errors[0].field == "fingerprint"


def test_sealed_private_keys_unseal_to_the_same_keys() -> None:
    secret = bytes(range(32))
    pair = crypto.unseal_private(crypto.seal_private(CA, secret), secret, START, END)
    assert (bytes(pair.signing_key), bytes(pair.encryption_key)) == (
        bytes(CA.signing_key),
        bytes(CA.encryption_key),
    )


def test_sealed_private_keys_do_not_contain_the_keys() -> None:
    blob = crypto.seal_private(CA, bytes(range(32)))
    assert bytes(CA.signing_key) not in blob


def test_private_keys_sealed_under_another_secret_are_refused() -> None:
    blob = crypto.seal_private(CA, bytes(range(32)))
    with pytest.raises(ConfigurationError, match="cannot be decrypted with this secret key"):
        crypto.unseal_private(blob, bytes(32), START, END)


def test_truncated_sealed_private_keys_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        crypto.unseal_private(b"short", bytes(32), START, END)


@pytest.mark.parametrize(
    "text", ["a+b/", "AAA=", "AB", "A", "héllo", "AA\n"], ids=lambda text: repr(text)
)
def test_b64d_refuses_anything_but_canonical_base64url(text: str) -> None:
    with pytest.raises(ValueError, match="base64url"):
        b64d(text)


@given(st.binary())
def test_b64_round_trips(data: bytes) -> None:
    assert b64d(b64e(data)) == data


# --- property tests: parse never raises anything but InvalidEnvelope -----------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)
HEADERISH = st.fixed_dictionaries(
    {},
    optional={key: st.just(value) | JSON for key, value in header_dict().items()},
)


def _only_invalid_envelope(call: Any, *args: Any) -> None:
    with contextlib.suppress(InvalidEnvelope):
        call(*args)


@given(st.binary())
def test_parse_arbitrary_bytes(raw: bytes) -> None:
    _only_invalid_envelope(env.parse, raw, LIMIT)


@given(JSON)
def test_parse_arbitrary_json(value: object) -> None:
    _only_invalid_envelope(env.parse, json.dumps(value).encode(), LIMIT)
    _only_invalid_envelope(env.parse_obj, value)
    _only_invalid_envelope(env.verify_receipt, value, IN.public)


@given(st.text(), st.text(), st.text())
def test_parse_three_arbitrary_texts(protected: str, ciphertext: str, signature: str) -> None:
    obj = {"protected": protected, "ciphertext": ciphertext, "signature": signature}
    _only_invalid_envelope(env.parse, json.dumps(obj).encode(), LIMIT)


@given(HEADERISH | JSON)
def test_parse_arbitrary_signed_headers(header: object) -> None:
    raw = forge(json.dumps(header).encode(), bytes(56))
    _only_invalid_envelope(env.parse, raw, LIMIT)


NODE_REF = st.builds(
    env.NodeRef,
    party=st.from_regex(r"[A-Z]{2}", fullmatch=True),
    node=st.from_regex(r"[a-z0-9][a-z0-9._-]{0,99}", fullmatch=True),
    key=st.just("0" * 16),
)
ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
)
MOMENTS = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(9000, 1, 1), timezones=ZONES
)
HEADERS = st.builds(
    env.EnvelopeHeader,
    v=st.just(1),
    id=st.uuids().map(str),
    type=st.from_regex(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+", fullmatch=True).filter(
        lambda text: len(text) <= 100
    ),
    sender=NODE_REF.map(lambda node: node.model_copy(update={"key": CA.public.key_id})),
    recipient=NODE_REF.map(lambda node: node.model_copy(update={"key": IN.public.key_id})),
    seq=st.integers(1, env.MAX_SEQ),
    created_at=MOMENTS,
    sent_at=MOMENTS,
)


@given(HEADERS, st.binary())
def test_any_header_and_payload_round_trip(header: env.EnvelopeHeader, payload: bytes) -> None:
    parsed = env.parse(env.seal(header, payload, CA, IN.public), LIMIT)
    env.verify(parsed, CA.public)
    assert (parsed.header, env.decrypt(parsed, IN, CA.public)) == (header, payload)


@given(HEADERS)
def test_the_fast_header_encoding_is_the_canonical_one(header: env.EnvelopeHeader) -> None:
    assert env.header_json(header) == env.canonical_json(header)


def test_an_envelope_with_its_fields_reordered_or_spaced_still_parses() -> None:
    """``parse`` reads the exact text ``seal`` writes on a fast path; any other valid JSON
    of the same envelope takes the general path and reads the same."""
    raw = env.seal(make_header(), PAYLOAD, CA, IN.public)
    fields = json.loads(raw)
    for text in (json.dumps(fields, indent=1), json.dumps(dict(reversed(fields.items())))):
        parsed = env.parse(text.encode(), LIMIT)
        env.verify(parsed, CA.public)
        assert env.decrypt(parsed, IN, CA.public) == PAYLOAD


# --- test vectors in docs/protocol.md ------------------------------------------------


def _doc_vectors() -> list[tuple[str, str]]:
    text = (ROOT / "docs" / "protocol.md").read_text()
    block = re.search(
        r"<!-- vectors:begin -->\s*```text\n(.*?)```\s*<!-- vectors:end -->", text, re.S
    )
    assert block is not None, "docs/protocol.md has no test-vector block"
    lines = block.group(1).strip().splitlines()
    return [(name, value) for name, _, value in (line.partition(": ") for line in lines)]


def _script_vectors() -> list[tuple[str, str]]:
    spec = importlib.util.spec_from_file_location(
        "protocol_vectors", ROOT / "bench" / "protocol_vectors.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.vectors())


def test_documented_vectors_are_what_the_code_computes() -> None:
    assert _doc_vectors() == _script_vectors()


def test_documented_vectors_check_out_independently() -> None:
    doc = dict(_doc_vectors())
    verify_key, encryption_key = b64d(doc["ca.verify_key"]), b64d(doc["ca.encryption_key"])
    tagged = b"liaison-node-key-v1\x00" + verify_key + encryption_key
    nacl.signing.VerifyKey(verify_key).verify(doc["signing_input"].encode(), b64d(doc["signature"]))
    box = nacl.public.Box(
        nacl.public.PrivateKey(bytes.fromhex(doc["in.x25519_private_hex"])),
        nacl.public.PublicKey(encryption_key),
    )
    assert (
        hashlib.sha256(tagged).hexdigest(),
        doc["signing_input"],
        json.loads(b64d(doc["protected"])),
        box.decrypt(b64d(doc["ciphertext"])),
        b64d(doc["ciphertext"])[:24],
    ) == (
        doc["ca.fingerprint"],
        doc["protected"] + "." + doc["ciphertext"],
        json.loads(doc["header_json"]),
        doc["payload"].encode(),
        bytes.fromhex(doc["nonce_hex"]),
    )
