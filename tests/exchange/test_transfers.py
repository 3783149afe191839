"""Attachments between two live nodes: the envelope names them, the receiving node pulls
them range by range over sealed requests, through a man in the middle that can tamper
with or hold the answers; a killed worker resumes where it was; only the addressed peer
may pull, only attachments of messages sent to it."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange import transfer_wire as wire
from liaison.federation import direct, keys
from liaison.federation.delivery import recipient_key
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.models import Peer
from tests.exchange import payloads
from tests.exchange.transfer_proxy import Proxy
from tests.federation import forge
from tests.support.fixtures_live import Prepared, new_node
from tests.support.nodes import LiveNode, drop_schemas, wait_for

pytestmark = pytest.mark.live
MIB = 1024 * 1024
Pair = tuple[LiveNode, LiveNode, Proxy]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def pair(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, prepared: Prepared
) -> Iterator[Pair]:
    """Canada (serve with its worker) and India (serve, and a worker of its own that the
    tests kill); India reaches Canada through the proxy."""
    root = tmp_path_factory.mktemp("transfers")
    schemas: list[str] = []
    canada = new_node(request.param, "CA", root, schemas, prepared).start()
    india = new_node(request.param, "IN", root, schemas, prepared).start(with_worker=False)
    india.start_worker()
    proxy = Proxy(canada.url)
    canada.cli(
        "peer", "add", "--party", "IN", "--url", india.url, "--fingerprint", india.fingerprint()
    )
    india.cli(
        "peer", "add", "--party", "CA", "--url", proxy.url, "--fingerprint", canada.fingerprint()
    )
    yield canada, india, proxy
    proxy.close()
    canada.stop()
    india.stop()
    drop_schemas(*schemas)


def _agencies(node: LiveNode, party: str) -> dict[str, str]:
    with node.api(f"{node.party.lower()}-officer") as api:
        rows = api.get("/api/v1/agencies", params={"party": party, "limit": 100}).json()
    return {f"{party}:{row['acronym']}": row["id"] for row in rows}


def _send(canada: LiveNode, content: bytes, filename: str) -> tuple[str, str]:
    """Canada's officer sends a request to India with one attachment: (message, attachment)."""
    wait_for(lambda: "IN:NCB" in _agencies(canada, "IN"), what="India's agencies in Canada")
    agencies = {**_agencies(canada, "CA"), **_agencies(canada, "IN")}
    with canada.api("ca-officer") as api:
        upload = api.post(
            "/api/v1/exchange/attachments",
            files={"file": (filename, content, "application/pdf")},
            data={"tlp": "AMBER"},
        )
        assert upload.status_code == 201, upload.text
        sent = api.post(
            "/api/v1/exchange/cases",
            json=payloads.compose(agencies, attachment_ids=[upload.json()["id"]]),
        )
        assert sent.status_code == 201, sent.text
    return sent.json()["id"], upload.json()["id"]


def _message(india: LiveNode, message_id: str) -> dict[str, Any] | None:
    with india.api("in-officer") as api:
        response = api.get(f"/api/v1/exchange/messages/{message_id}")
    return response.json() if response.status_code == 200 else None


def _arrived(india: LiveNode, message_id: str) -> dict[str, Any]:
    def done() -> bool:
        message = _message(india, message_id)
        return message is not None and bool(message["attachments"])

    wait_for(done, timeout=240, what="the attachment in India")  # a loaded machine: slow
    message = _message(india, message_id)
    assert message is not None
    assert message["incoming_attachments"] == []
    return message


def _content(india: LiveNode, attachment_id: str) -> bytes:
    with india.api("in-officer") as api:
        response = api.get(f"/api/v1/exchange/attachments/{attachment_id}/content")
    assert response.status_code == 200, response.text
    return response.content


def _audited(node: LiveNode, action: str, object_id: str) -> int:
    return node.scalar(
        f"select count(*) from audit_log where action = '{action}' and object_id = '{object_id}'"  # noqa: S608
    )


def _pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(size - 16) + b"\n%%EOF\n"


def test_a_four_mebibyte_file_arrives_intact_and_a_tampered_range_is_refused(pair: Pair) -> None:
    canada, india, proxy = pair
    content = _pdf(4 * MIB + 12_345)
    proxy.tamper = 1  # the first range answer is altered on its way
    message_id, attachment_id = _send(canada, content, "manifest-scan.pdf")
    message = _arrived(india, message_id)
    (attachment,) = message["attachments"]
    assert attachment["id"] == attachment_id
    assert attachment["sha256"] == hashlib.sha256(content).hexdigest()
    assert (
        hashlib.sha256(_content(india, attachment_id)).digest() == hashlib.sha256(content).digest()
    )
    assert _audited(india, "exchange.attachment.chunk_refused", attachment_id) == 1
    assert _audited(india, "exchange.attachment.received", attachment_id) == 1
    # served: the first range twice (once tampered with on its way), and the last
    assert _audited(canada, "exchange.attachment.served", attachment_id) == 3


def _india_settings(india: LiveNode) -> Settings:
    return Settings(
        party="IN",
        node_name=india.name,
        data_dir=india.data_dir,
        database_url=india.sqlalchemy_url,
    )


def _sealed_request(india: LiveNode, asked: wire.ChunkRequest, forged: bool = False) -> bytes:
    """A range request as India's node (or, ``forged``, someone with another key) seals it."""
    settings = _india_settings(india)
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            return _seal(db, settings, asked, forged)
    finally:
        engine.dispose()


def _seal(db: Session, settings: Settings, asked: wire.ChunkRequest, forged: bool) -> bytes:
    peer = db.get_one(Peer, "CA")
    signer = forge.fresh_pair() if forged else keys.keypair(db, settings)
    target = keys.public_of(recipient_key(db, peer))
    return direct.seal(settings, wire.REQUEST, asked, signer, peer, target)


def test_only_the_addressed_peer_pulls_only_what_was_sent_to_it(pair: Pair) -> None:
    canada, india, _ = pair
    message_id, attachment_id = _send(canada, _pdf(70_000), "waybill.pdf")
    _arrived(india, message_id)
    with canada.api("ca-officer") as api:  # an upload never sent to anyone
        draft = api.post(
            "/api/v1/exchange/attachments",
            files={"file": ("draft.pdf", _pdf(5_000), "application/pdf")},
        ).json()["id"]

    def ask(attachment: str, message: str = message_id, forged: bool = False) -> int:
        request = wire.ChunkRequest(
            message_id=message, attachment_id=attachment, offset=0, length=1024
        )
        sealed = _sealed_request(india, request, forged)
        return httpx.post(canada.url + wire.PATH, content=sealed, timeout=30).status_code

    assert ask(attachment_id) == 200  # India's own request, as its worker makes it
    assert ask(draft) == 404
    assert ask(draft, message=draft) == 404
    assert ask(attachment_id, forged=True) == 400  # not signed with India's pinned key
    assert _audited(canada, "exchange.attachment.pull_refused", draft) == 2


def test_a_transfer_killed_midway_shows_arriving_and_resumes(pair: Pair) -> None:
    canada, india, proxy = pair
    content = _pdf(3 * MIB)
    proxy.passed, proxy.hold_after = 0, 2  # two ranges through, then the third is held
    proxy.holding.clear()
    proxy.release.clear()
    message_id, attachment_id = _send(canada, content, "ledger-extract.pdf")
    assert proxy.holding.wait(timeout=240), "the third range was never asked for"
    india.kill_worker()
    proxy.hold_after = None
    proxy.release.set()
    message = _message(india, message_id)
    assert message is not None
    assert message["attachments"] == []
    (incoming,) = message["incoming_attachments"]
    assert (incoming["status"], incoming["received"]) == ("arriving", 2 * wire.CHUNK_BYTES)
    india.start_worker()
    _arrived(india, message_id)
    assert (
        hashlib.sha256(_content(india, attachment_id)).digest() == hashlib.sha256(content).digest()
    )
    # resumed at the third range: the first range was served once (the first and the
    # last are audited), and nothing of the transfer is left behind
    assert _audited(india, "exchange.attachment.transfer_started", attachment_id) == 1
    assert _audited(canada, "exchange.attachment.served", attachment_id) == 2
    assert not list((india.data_dir / "incoming").glob("*.part"))
