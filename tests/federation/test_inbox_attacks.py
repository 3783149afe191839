"""The inbox under attack: a Canadian node, India pinned as its peer with a real key pair,
and envelopes posted in-process. Every refusal must come back as a receipt signed by
Canada, land in the message log, and leave the directory and the sequence untouched;
the stream must go on afterwards. Runs on SQLite and PostgreSQL (docs/protocol.md §3-8).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.app import create_app
from liaison.config import Settings
from liaison.federation import envelope as env
from liaison.federation import keys, peers
from liaison.federation.schemas import KeysDocument, PeerCreate
from liaison.kit import clock
from liaison.kit.crypto import NodeKeyPair, PublicNodeKey, b64e
from liaison.kit.db import unit_of_work
from liaison.kit.errors import InvalidEnvelope
from liaison.models import PeerKey
from tests.federation import forge
from tests.federation.forge import Sender
from tests.support.peering import keys_document

INBOX = "/federation/v1/inbox"
BATCH = "/federation/v1/inbox/batch"
AGENCY_UPSERT = "directory.agency_upsert"
KEY_ANNOUNCE = "federation.key_announce"
# docs/protocol.md §8: the HTTP status that goes with each refusal (403 for the rest).
REFUSAL_HTTP = {
    "malformed": 400,
    "too_large": 413,
    "sequence_gap": 409,
    "replay": 409,
    "unknown_type": 422,
    "invalid_payload": 422,
    "decrypt_failed": 422,
    "policy_refused": 422,
}


@dataclass(frozen=True)
class State:
    """Everything an inbound envelope could change, as an operator sees it."""

    agencies: tuple[tuple[str, str, str], ...]
    last_in_seq: int
    received: int
    refused_here: int
    inbox: tuple[tuple[str, int, str, str | None], ...]
    peer_keys: tuple[str, ...]


@dataclass
class Canada:
    """The CA node under test, seen over HTTP, with India sending to it."""

    http: TestClient
    db: sessionmaker[Session]
    admin: dict[str, str]
    key: PublicNodeKey
    india: Sender

    # --- posting -------------------------------------------------------------------

    def post(self, body: bytes, path: str = INBOX) -> httpx.Response:
        return self.http.post(path, content=body, headers={"Content-Type": "application/json"})

    def post_batch(self, *envelopes: bytes) -> list[env.Receipt]:
        body = json.dumps({"envelopes": [json.loads(raw) for raw in envelopes]}).encode()
        response = self.post(body, BATCH)
        assert response.status_code == 200, response.text
        return [self.verified(receipt) for receipt in response.json()["receipts"]]

    def verified(self, receipt: object) -> env.Receipt:
        """The receipt, if Canada's published key signed it."""
        try:
            return env.verify_receipt(receipt, self.key)
        except InvalidEnvelope as exc:
            pytest.fail(f"not a receipt signed by CA ({exc.reason}: {exc.detail}): {receipt!r}")

    def accept(self, raw: bytes) -> httpx.Response:
        response = self.post(raw)
        receipt = self.verified(response.json())
        assert (response.status_code, receipt.status, receipt.reason) == (200, "accepted", None), (
            receipt.detail
        )
        assert (receipt.envelope_id, receipt.seq) == _id_and_seq(raw)
        return response

    def refuse(self, raw: bytes, reason: str) -> env.Receipt:
        response = self.post(raw)
        receipt = self.verified(response.json())
        assert (receipt.status, receipt.reason) == ("refused", reason), receipt.detail
        assert response.status_code == REFUSAL_HTTP.get(reason, 403)
        return receipt

    # --- what an operator sees -----------------------------------------------------

    def get(self, path: str, **params: str) -> Any:
        response = self.http.get(path, params=params, headers=self.admin)
        assert response.status_code == 200, response.text
        return response.json()

    def agencies(self, party: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.get("/api/v1/agencies", party=party, limit="500")
        return found

    def peer(self) -> dict[str, Any]:
        (india,) = [p for p in self.get("/api/v1/peers") if p["party_code"] == "IN"]
        return dict(india)

    def log(self, status: str | None = None) -> list[dict[str, Any]]:
        params = {"direction": "in", "limit": "500"} | ({"status": status} if status else {})
        entries: list[dict[str, Any]] = self.get("/api/v1/messages", **params)
        return entries

    def refusal_log(self) -> list[tuple[str, str]]:
        """Refusals before sequencing (no seq): (envelope id or log id, reason)."""
        return [(e["id"], e["reason"]) for e in self.log("refused") if e["seq"] is None]

    def inbox(self) -> tuple[tuple[str, int, str, str | None], ...]:
        rows = [(e["id"], e["seq"], e["status"], e["reason"]) for e in self.log() if e["seq"]]
        return tuple(sorted(rows, key=lambda row: row[1]))

    def state(self) -> State:
        with self.db() as db:
            peer_keys = db.scalars(
                select(PeerKey.key_id).where(PeerKey.peer_party == "IN").order_by(PeerKey.key_id)
            ).all()
        peer = self.peer()
        return State(
            agencies=tuple(
                sorted(
                    (a["id"], a["party_code"], a["name"])
                    for p in ("CA", "IN")
                    for a in self.agencies(p)
                )
            ),
            last_in_seq=peer["last_in_seq"],
            received=peer["received"],
            refused_here=peer["refused_here"],
            inbox=self.inbox(),
            peer_keys=tuple(peer_keys),
        )


def _id_and_seq(raw: bytes) -> tuple[str, int]:
    header = forge.header_of(raw)
    return header["id"], header["seq"]


def pin(db: Session, pair: NodeKeyPair) -> None:
    """What 'liaison peer add IN <url> <fingerprint>' does once it has fetched the keys."""
    data = PeerCreate.model_validate(
        {
            "party_code": "IN",
            "base_url": "http://in.invalid",
            "fingerprint": pair.public.fingerprint(),
        }
    )
    peers.add_peer(db, "CA", data, keys_document("IN", pair))


def published_key(http: TestClient) -> PublicNodeKey:
    document = KeysDocument.model_validate(http.get("/federation/v1/keys").json())
    (current,) = [key for key in document.keys if key.current]
    return forge.public_key(current)


@pytest.fixture
def ca(
    client: TestClient,
    seeded: sessionmaker[Session],
    settings: Settings,
    auth_headers: Callable[[str], dict[str, str]],
) -> Canada:
    """CA with its node key, and IN pinned with a fresh key pair valid for 30 days."""
    india = forge.fresh_pair()
    with unit_of_work(seeded) as db:
        keys.ensure_node_key(db, settings)
        pin(db, india)
    key = published_key(client)
    return Canada(client, seeded, auth_headers("ca-admin"), key, Sender(india, key))


@pytest.fixture
def unguarded(ca: Canada) -> TestClient:
    """The same app, answering server errors as 500s instead of raising them."""
    return TestClient(ca.http.app, raise_server_exceptions=False)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    clock.set_clock(lambda: moment)
    try:
        yield
    finally:
        clock.reset_clock()


def assert_unchanged_and_logged(ca: Canada, before: State, raw: bytes | None, reason: str) -> None:
    """Nothing applied, nothing sequenced; the refusal is in the log with its reason."""
    assert ca.state() == before
    (logged,) = ca.refusal_log()
    assert logged[1] == reason
    if raw is not None:
        assert logged[0] == forge.header_of(raw)["id"]


# --- 1. the honest path -----------------------------------------------------------------


def test_valid_envelope_is_applied_once_and_redelivery_returns_the_same_receipt(
    ca: Canada,
) -> None:
    raw = ca.india.seal(1, AGENCY_UPSERT, forge.agency(name="National Investigation Agency"))
    first = ca.accept(raw)

    (nia,) = ca.agencies("IN")
    assert (nia["acronym"], nia["name"]) == ("NIA", "National Investigation Agency")
    after_first = ca.state()
    assert (after_first.last_in_seq, after_first.received) == (1, 1)

    again = ca.post(raw)
    assert (again.status_code, again.content) == (200, first.content)
    assert ca.state() == after_first
    assert ca.refusal_log() == []


def test_redelivery_after_a_fresh_seal_still_applies_nothing(ca: Canada) -> None:
    """A sender retrying seals again (new sent_at, new nonce): same id, same seq."""
    header = ca.india.header(1, AGENCY_UPSERT)
    first = ca.accept(env.seal(header, forge.agency(), ca.india.pair, ca.key))
    after_first = ca.state()
    later = header.model_copy(update={"sent_at": clock.now() + timedelta(seconds=30)})
    different_payload = forge.agency(acronym="NIA2", name="Something else")
    again = ca.post(env.seal(later, different_payload, ca.india.pair, ca.key))
    assert again.content == first.content
    assert ca.state() == after_first


# --- 2. refused before sequencing: nothing changes, the stream goes on ------------------


def _stale(seconds: int) -> Callable[[Canada], bytes]:
    def build(ca: Canada) -> bytes:
        return ca.india.seal(1, sent_at=clock.now() + timedelta(seconds=seconds))

    return build


PRE_AUTH_ATTACKS = [
    pytest.param(
        lambda ca: forge.with_ciphertext_bit_flipped(ca.india.seal(1)),
        "bad_signature",
        id="tampered ciphertext",
    ),
    pytest.param(
        lambda ca: forge.with_header(ca.india.seal(1, AGENCY_UPSERT, forge.agency()), seq=2),
        "bad_signature",
        id="header seq changed",
    ),
    pytest.param(
        lambda ca: forge.with_header(ca.india.seal(1), type=AGENCY_UPSERT),
        "bad_signature",
        id="header type changed",
    ),
    pytest.param(
        lambda ca: forge.with_header(ca.india.seal(1), separators=(", ", ": ")),
        "bad_signature",
        id="same header re-serialised",
    ),
    pytest.param(
        lambda ca: forge.resigned(ca.india.seal(1), forge.fresh_pair()),
        "bad_signature",
        id="impostor key claiming the pinned key id",
    ),
    pytest.param(
        lambda ca: ca.india.seal(1, signer=forge.fresh_pair()),
        "unknown_key",
        id="sender key not pinned",
    ),
    pytest.param(
        lambda ca: ca.india.seal(1, encrypt_to=forge.fresh_pair().public),
        "unknown_key",
        id="recipient key not this node's",
    ),
    pytest.param(
        lambda ca: replace(ca.india, party="US", node="liaison-us").seal(1),
        "unknown_sender",
        id="party not pinned",
    ),
    pytest.param(
        lambda ca: replace(ca.india, node="liaison-in-rogue").seal(1),
        "unknown_sender",
        id="another node of the pinned party",
    ),
    pytest.param(
        lambda ca: ca.india.seal(1, recipient_party="IN", recipient_node="liaison-in"),
        "wrong_recipient",
        id="addressed to another party",
    ),
    pytest.param(
        lambda ca: ca.india.seal(1, recipient_node="liaison-ca-standby"),
        "wrong_recipient",
        id="addressed to another node of this party",
    ),
    pytest.param(_stale(-301), "stale", id="sent 301 s ago"),
    pytest.param(_stale(301), "stale", id="sent 301 s in the future"),
]


@pytest.mark.parametrize(("build", "reason"), PRE_AUTH_ATTACKS)
def test_forged_or_misdirected_envelope_is_refused_and_changes_nothing(
    ca: Canada, build: Callable[[Canada], bytes], reason: str
) -> None:
    raw = build(ca)
    before = ca.state()

    receipt = ca.refuse(raw, reason)

    assert (receipt.envelope_id, receipt.seq) == _id_and_seq(raw)
    assert_unchanged_and_logged(ca, before, raw, reason)
    ca.accept(ca.india.seal(1))


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(lambda key: key.not_after + timedelta(minutes=1), id="after not_after"),
        pytest.param(lambda key: key.not_after, id="at not_after"),
        pytest.param(lambda key: key.not_before - timedelta(seconds=1), id="before not_before"),
    ],
)
def test_envelope_sent_outside_the_sender_keys_validity_is_key_expired(
    ca: Canada, when: Callable[[PublicNodeKey], datetime]
) -> None:
    """docs/protocol.md §2: a key is valid for not_before <= t < not_after."""
    moment = when(ca.india.pair.public)
    before = ca.state()
    with clock_at(moment):
        raw = ca.india.seal(1)
        ca.refuse(raw, "key_expired")
    assert_unchanged_and_logged(ca, before, raw, "key_expired")
    ca.accept(ca.india.seal(1))


def test_refused_envelopes_are_logged_with_the_claimed_sender(ca: Canada) -> None:
    impostor = forge.resigned(ca.india.seal(1), forge.fresh_pair())
    ca.refuse(impostor, "bad_signature")
    (entry,) = [e for e in ca.log("refused") if e["seq"] is None]
    assert (entry["peer"], entry["id"], entry["reason"]) == (
        "IN",
        forge.header_of(impostor)["id"],
        "bad_signature",
    )
    assert entry["detail"]


# --- malformed bodies ---------------------------------------------------------------------


def _without(name: str) -> Callable[[Canada], bytes]:
    def build(ca: Canada) -> bytes:
        parts = forge.fields(ca.india.seal(1))
        del parts[name]
        return json.dumps(parts).encode()

    return build


def _header_missing_sent_at(ca: Canada) -> bytes:
    header = json.loads(env.canonical_json(ca.india.header(1)))
    del header["sent_at"]
    return forge.signed(
        json.dumps(header).encode(), ca.india.box(forge.PING_PAYLOAD), ca.india.pair
    )


def _duplicate_member(ca: Canada) -> bytes:
    """A parser that keeps the last of two "signature" members sees a valid envelope."""
    raw = ca.india.seal(1)
    return raw.replace(b'"signature":', b'"signature":"AAAA","signature":', 1)


MALFORMED = [
    pytest.param(lambda ca: b"", id="empty body"),
    pytest.param(lambda ca: b"hello, Canada", id="not JSON"),
    pytest.param(lambda ca: b"\xa3iprotectedX\x18" + bytes(range(256)), id="CBOR-like binary"),
    pytest.param(lambda ca: b"[" + ca.india.seal(1) + b"]", id="envelope in a JSON array"),
    pytest.param(lambda ca: json.dumps(ca.india.seal(1).decode()).encode(), id="JSON string"),
    pytest.param(lambda ca: b"1" * 5000, id="huge number"),
    pytest.param(lambda ca: b"[" * 100_000, id="nested too deep"),
    pytest.param(_without("signature"), id="missing signature"),
    pytest.param(_without("protected"), id="missing header"),
    pytest.param(
        lambda ca: json.dumps(forge.fields(ca.india.seal(1)) | {"kid": "x"}).encode(),
        id="extra member",
    ),
    pytest.param(
        lambda ca: json.dumps(forge.fields(ca.india.seal(1)) | {"signature": 7}).encode(),
        id="signature not a string",
    ),
    pytest.param(
        lambda ca: json.dumps(
            forge.fields(ca.india.seal(1)) | {"signature": b64e(bytes(64)) + "=="}
        ).encode(),
        id="padded base64",
    ),
    pytest.param(
        lambda ca: forge.signed(b"not json", ca.india.box(b"{}"), ca.india.pair),
        id="header not JSON",
    ),
    pytest.param(_header_missing_sent_at, id="header missing sent_at"),
    pytest.param(_duplicate_member, id="duplicate member"),
    pytest.param(
        lambda ca: ca.india.seal(1).decode().encode("utf-16"), id="valid envelope in UTF-16"
    ),
]


@pytest.mark.parametrize("build", MALFORMED)
def test_malformed_body_is_refused_and_logged(ca: Canada, build: Callable[[Canada], bytes]) -> None:
    body = build(ca)
    before = ca.state()

    receipt = ca.refuse(body, "malformed")

    assert (receipt.envelope_id, receipt.seq) == ("unknown", 0)
    assert_unchanged_and_logged(ca, before, None, "malformed")
    ca.accept(ca.india.seal(1))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not JSON"),
        pytest.param(b"[]", id="JSON array"),
        pytest.param(b'{"envelopes": []}', id="no envelopes"),
        pytest.param(b'{"envelopes": "x"}', id="envelopes not a list"),
    ],
)
def test_malformed_batch_is_refused_with_a_signed_receipt_and_logged(
    ca: Canada, body: bytes
) -> None:
    """docs/protocol.md §6: every refusal is answered with a signed receipt and logged."""
    before = ca.state()
    response = ca.post(body, BATCH)
    assert response.status_code == 400
    receipt = ca.verified(response.json())
    assert (receipt.status, receipt.reason) == ("refused", "malformed")
    assert_unchanged_and_logged(ca, before, None, "malformed")


def test_body_over_the_envelope_limit_is_413_and_changes_nothing(
    ca: Canada, settings: Settings, seeded: sessionmaker[Session]
) -> None:
    bind = seeded.kw["bind"]
    engine: Engine = bind if isinstance(bind, Engine) else bind.engine
    small = Settings(
        party="CA",
        node_name="liaison-ca",
        data_dir=settings.data_dir,
        federation_max_envelope_bytes=4096,
        federation_max_batch_bytes=4096,
    )
    strict = replace(ca, http=TestClient(create_app(small, engine=engine, session_factory=seeded)))
    oversized = strict.india.seal(1, payload=json.dumps({"data": "x" * 5000}).encode())
    fits = strict.india.seal(1, payload=json.dumps({"data": "x" * 1000}).encode())
    assert len(fits) <= 4096 < len(oversized)
    before = strict.state()

    batch = json.dumps({"envelopes": [json.loads(oversized)]}).encode()
    answers = [strict.post(oversized).status_code, strict.post(batch, BATCH).status_code]
    assert answers == [413, 413]

    assert strict.state() == before
    strict.accept(fits)


# --- 2b. refused at sequencing: nothing changes, the sender retries or moves on ---------


def test_reused_envelope_id_with_another_seq_is_a_replay(ca: Canada) -> None:
    first = ca.india.seal(1)
    ca.accept(first)
    before = ca.state()
    replay = ca.india.seal(2, AGENCY_UPSERT, forge.agency(), id=forge.header_of(first)["id"])

    ca.refuse(replay, "replay")

    assert_unchanged_and_logged(ca, before, replay, "replay")
    ca.accept(ca.india.seal(2))


def test_seq_already_used_with_a_new_id_is_a_replay(ca: Canada) -> None:
    ca.accept(ca.india.seal(1))
    ca.accept(ca.india.seal(2))
    before = ca.state()
    replay = ca.india.seal(1, AGENCY_UPSERT, forge.agency())

    ca.refuse(replay, "replay")

    assert_unchanged_and_logged(ca, before, replay, "replay")
    ca.accept(ca.india.seal(3))


def test_seq_jump_is_a_gap_then_both_apply_in_order(ca: Canada) -> None:
    second = ca.india.seal(2, AGENCY_UPSERT, forge.agency(acronym="NIA"))
    before = ca.state()

    ca.refuse(second, "sequence_gap")

    assert_unchanged_and_logged(ca, before, second, "sequence_gap")
    first = ca.india.seal(
        1, AGENCY_UPSERT, forge.agency(acronym="NCB", name="Narcotics Control Bureau")
    )
    ca.accept(first)
    ca.accept(second)
    assert sorted(a["acronym"] for a in ca.agencies("IN")) == ["NCB", "NIA"]
    assert [row[:3] for row in ca.inbox()] == [
        (forge.header_of(first)["id"], 1, "applied"),
        (forge.header_of(second)["id"], 2, "applied"),
    ]


def test_batch_refuses_a_forgery_alone_and_applies_its_neighbours(ca: Canada) -> None:
    genuine = [ca.india.seal(1), ca.india.seal(2, AGENCY_UPSERT, forge.agency())]
    forged = forge.resigned(ca.india.seal(2), forge.fresh_pair())

    receipts = ca.post_batch(genuine[0], forged, genuine[1], genuine[1])

    outcome = [(r.status, r.reason, r.seq) for r in receipts]
    assert outcome == [
        ("accepted", None, 1),
        ("refused", "bad_signature", 2),
        ("accepted", None, 2),
        ("accepted", None, 2),
    ]
    assert receipts[3] == receipts[2]
    assert [a["acronym"] for a in ca.agencies("IN")] == ["NIA"]
    assert ca.peer()["last_in_seq"] == 2


# --- 2c. authenticated, at the expected seq, but not applied: the seq is consumed -------


def _encrypted_elsewhere(ca: Canada) -> bytes:
    header = env.canonical_json(ca.india.header(1))
    return forge.signed(
        header, ca.india.box(forge.PING_PAYLOAD, forge.fresh_pair().public), ca.india.pair
    )


def _overwrite_canadian_agency(ca: Canada) -> bytes:
    (rcmp,) = [a for a in ca.agencies("CA") if a["acronym"] == "RCMP"]
    record = forge.agency(id=rcmp["id"], acronym="RCMP", name="Taken over by IN")
    return ca.india.seal(1, AGENCY_UPSERT, record)


def _announcement_with(**changes: Any) -> Callable[[Canada], bytes]:
    def build(ca: Canada) -> bytes:
        payload = json.loads(forge.announcement(forge.fresh_pair())) | changes
        return ca.india.seal(1, KEY_ANNOUNCE, json.dumps(payload).encode())

    return build


def _agency_named(name: str) -> Callable[[Canada], bytes]:
    def build(ca: Canada) -> bytes:
        return ca.india.seal(1, AGENCY_UPSERT, forge.agency(name=name))

    return build


NOT_APPLIED = [
    pytest.param(
        lambda ca: ca.india.seal(1, "directory.unheard_of"), "unknown_type", id="unknown type"
    ),
    pytest.param(_encrypted_elsewhere, "decrypt_failed", id="encrypted to another key"),
    pytest.param(
        lambda ca: ca.india.seal(1, AGENCY_UPSERT, forge.agency(party="CA", acronym="FAKE")),
        "policy_refused",
        id="IN publishes a Canadian agency",
    ),
    pytest.param(_overwrite_canadian_agency, "policy_refused", id="IN overwrites RCMP by id"),
    pytest.param(
        lambda ca: ca.india.seal(1, payload=b"\xff\xfe"), "invalid_payload", id="payload not JSON"
    ),
    pytest.param(
        lambda ca: ca.india.seal(1, payload=b"[1]"), "invalid_payload", id="payload an array"
    ),
    pytest.param(
        lambda ca: ca.india.seal(1, payload=b'{"data":"x","admin":true}'),
        "invalid_payload",
        id="ping with an extra field",
    ),
    pytest.param(
        lambda ca: ca.india.seal(1, AGENCY_UPSERT, b'{"id":"x","party_code":"IN"}'),
        "invalid_payload",
        id="agency missing fields",
    ),
    pytest.param(
        _announcement_with(key_id="0123456789abcdef"),
        "invalid_payload",
        id="announced key id does not match its keys",
    ),
    pytest.param(
        _announcement_with(verify_key="not base64!"),
        "invalid_payload",
        id="announced key not base64url",
    ),
    pytest.param(_agency_named("NIA\x00"), "invalid_payload", id="agency name with NUL"),
    pytest.param(
        _agency_named("NIA\x1b[2J\x1b[31mpwned"),
        "invalid_payload",
        id="agency name with terminal escapes",
    ),
]


@pytest.mark.parametrize(("build", "reason"), NOT_APPLIED)
def test_authenticated_envelope_that_cannot_be_applied_consumes_its_seq_only(
    ca: Canada, build: Callable[[Canada], bytes], reason: str
) -> None:
    raw = build(ca)
    before = ca.state()

    first = ca.post(raw)
    receipt = ca.verified(first.json())

    assert (receipt.status, receipt.reason, first.status_code) == (
        "refused",
        reason,
        REFUSAL_HTTP[reason],
    ), receipt.detail
    envelope_id = forge.header_of(raw)["id"]
    assert ca.state() == replace(
        before,
        last_in_seq=1,
        refused_here=1,
        inbox=((envelope_id, 1, "refused", reason),),
    )
    assert ca.refusal_log() == []
    assert ca.post(raw).content == first.content
    ca.accept(ca.india.seal(2))


# --- 3. key rotation inbound -------------------------------------------------------------


def test_announced_key_is_used_and_the_old_one_works_until_it_expires(ca: Canada) -> None:
    old = ca.india.pair
    new = forge.fresh_pair(valid_for=timedelta(days=90))

    ca.accept(ca.india.seal(1, KEY_ANNOUNCE, forge.announcement(new)))
    assert ca.state().peer_keys == tuple(sorted([old.public.key_id, new.public.key_id]))

    ca.accept(ca.india.seal(2, AGENCY_UPSERT, forge.agency(), signer=new))
    ca.accept(ca.india.seal(3, signer=old))
    assert [a["acronym"] for a in ca.agencies("IN")] == ["NIA"]

    with clock_at(old.not_after + timedelta(minutes=1)):
        ca.refuse(ca.india.seal(4, signer=old), "key_expired")
        ca.accept(ca.india.seal(4, signer=new))


def test_key_announced_and_used_in_the_same_batch(ca: Canada) -> None:
    new = forge.fresh_pair()
    receipts = ca.post_batch(
        ca.india.seal(1, KEY_ANNOUNCE, forge.announcement(new)),
        ca.india.seal(2, signer=new),
    )
    assert [(r.status, r.seq) for r in receipts] == [("accepted", 1), ("accepted", 2)]


def test_key_announced_by_an_impostor_is_not_pinned(ca: Canada) -> None:
    attacker = forge.fresh_pair()
    raw = forge.resigned(ca.india.seal(1, KEY_ANNOUNCE, forge.announcement(attacker)), attacker)
    before = ca.state()
    ca.refuse(raw, "bad_signature")
    assert_unchanged_and_logged(ca, before, raw, "bad_signature")
    ca.refuse(ca.india.seal(1, signer=attacker), "unknown_key")


# --- 4. fuzzing: no 5xx, every answer a signed receipt (or 413) --------------------------

FUZZ = hypothesis_settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
ENVELOPE_SHAPED = st.builds(
    lambda header, body, signature: {
        "protected": b64e(json.dumps(header).encode()),
        "ciphertext": b64e(body),
        "signature": b64e(signature),
    },
    JSON_VALUES,
    st.binary(min_size=40, max_size=80),
    st.binary(min_size=64, max_size=64),
)


def answer_is_safe(ca: Canada, http: TestClient, body: bytes, path: str) -> None:
    response = http.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code < 500, response.text
    if response.status_code == 413:
        return
    answer = response.json()
    batched = path == BATCH and isinstance(answer, dict) and "receipts" in answer
    for receipt in answer["receipts"] if batched else [answer]:
        ca.verified(receipt)


@pytest.mark.parametrize("path", [INBOX, BATCH])
@FUZZ
@given(body=st.binary(max_size=2000))
def test_arbitrary_bytes_get_a_signed_answer(
    ca: Canada, unguarded: TestClient, path: str, body: bytes
) -> None:
    answer_is_safe(ca, unguarded, body, path)


@pytest.mark.parametrize("path", [INBOX, BATCH])
@FUZZ
@given(value=JSON_VALUES | ENVELOPE_SHAPED)
def test_arbitrary_json_gets_a_signed_answer(
    ca: Canada, unguarded: TestClient, path: str, value: object
) -> None:
    """To the batch endpoint the value goes as an item (a bare value is a bad batch,
    which the arbitrary-bytes test and the malformed-batch tests cover)."""
    body = {"envelopes": [value, value]} if path == BATCH else value
    answer_is_safe(ca, unguarded, json.dumps(body).encode(), path)


@FUZZ
@given(position=st.integers(min_value=0), byte=st.integers(0, 255))
def test_no_single_byte_corruption_of_a_genuine_envelope_is_accepted(
    ca: Canada, unguarded: TestClient, position: int, byte: int
) -> None:
    raw = bytearray(ca.india.seal(1, AGENCY_UPSERT, forge.agency()))
    position %= len(raw)
    assume(raw[position] != byte)
    raw[position] = byte
    answer_is_safe(ca, unguarded, bytes(raw), INBOX)
    assert (ca.peer()["last_in_seq"], ca.agencies("IN")) == (0, [])
