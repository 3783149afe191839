"""Concurrent sends, delivery and inbound traffic on one PostgreSQL node.

Officers send (new cases, and replies on cases India is writing to at the same
moment) through the HTTP API from several threads; delivery workers deliver to a
stand-in India that answers signed receipts and checks every sequence number;
India's envelopes (new requests, replies on Canada's cases, delivery notices) are
received in batches, as the inbox endpoint does. Used by
``tests/federation/test_contention.py`` and ``bench/contention.py``.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from liaison import domains
from liaison.app import create_app
from liaison.config import Settings
from liaison.demo.seed import seed_demo
from liaison.directory import seed_data
from liaison.exchange.delivered import DELIVERED
from liaison.exchange.federation import MESSAGE
from liaison.federation import envelope as env
from liaison.federation.delivery import Deliverer
from liaison.federation.inbox import Inbox
from liaison.federation.keys import ensure_node_key, valid_keys
from liaison.federation.keys import public_of as public_key_of
from liaison.kit import clock
from liaison.kit.crypto import NodeKeyPair
from liaison.kit.db import make_engine, make_session_factory, run_in_transaction, unit_of_work
from liaison.kit.migrate import upgrade
from liaison.models import Agency, Case, InboxMessage, Message, OutboxMessage
from liaison.users import service
from liaison.users.auth import caller_for
from liaison.users.repository import find_login_user
from liaison.users.schemas import TokenCreate
from tests.exchange import payloads
from tests.federation.forge import Sender
from tests.support.peering import pin_peer


@contextmanager
def private_schema(base_url: str) -> Iterator[str]:
    """A fresh schema built by Alembic (real commits, unlike the rolled-back test schema)."""
    schema = f"liaison_contention_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base_url}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Node:
    factory: sessionmaker[Session]
    settings: Settings
    india: NodeKeyPair
    agencies: dict[str, str]
    token: str


def build_node(url: str, data_dir: Path) -> Node:
    settings = Settings(party="CA", node_name="liaison-ca", data_dir=data_dir)
    settings.ensure_secret_key()
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as db:
        seed_demo(db, "CA", domains.registry())
        ensure_node_key(db, settings)
        india = pin_peer(db, "IN")
        for seed in seed_data.AGENCIES["IN"]:
            db.add(
                Agency(
                    party_code="IN",
                    name=seed.name,
                    acronym=seed.acronym,
                    mandate_areas=list(seed.mandate_areas),
                    origin_node="liaison-in",
                )
            )
        db.flush()
        rows = db.execute(select(Agency.acronym, Agency.party_code, Agency.id)).all()
        user = find_login_user(db, "ca-officer")
        assert user is not None
        _, token = service.issue_token(
            db, settings.secret_key, caller_for(db, user), "ca-officer", TokenCreate(name="load")
        )
    agencies = {f"{party}:{acronym}": agency_id for acronym, party, agency_id in rows}
    return Node(factory, settings, india, agencies, token)


@dataclass
class Outcome:
    sends: int = 0
    replies: int = 0
    inbound: int = 0
    send_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what[:500])


class StandInIndia:
    """Answers delivery batches with signed receipts; checks sequence numbers."""

    def __init__(self, pair: NodeKeyPair, outcome: Outcome) -> None:
        self.pair = pair
        self.outcome = outcome
        self.last_seq = 0
        self.lock = threading.Lock()
        self.received: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        receipts = []
        with self.lock:
            for raw in json.loads(request.content)["envelopes"]:
                header = env.parse_obj(raw).header
                if header.id in self.received:
                    status = "duplicate"
                elif header.seq != self.last_seq + 1:
                    self.outcome.error(f"India got seq {header.seq} after {self.last_seq}")
                    return httpx.Response(409, json={"error": "sequence_gap"})
                else:
                    status = "accepted"
                    self.last_seq = header.seq
                    self.received.add(header.id)
                receipt = env.Receipt(
                    envelope_id=header.id,
                    seq=header.seq,
                    status=status,
                    receiver=env.NodeRef(
                        party="IN", node="liaison-in", key=self.pair.public.key_id
                    ),
                    issued_at=clock.now(),
                )
                receipts.append(env.sign_receipt(receipt, self.pair))
        return httpx.Response(200, json={"receipts": receipts})


def _own_public_key(node: Node) -> Any:
    with node.factory() as db:
        return public_key_of(valid_keys(db)[0])


def run(node: Node, *, sends: int, senders: int = 4, inbound_every: int = 3) -> Outcome:
    """``sends`` officer sends over ``senders`` threads (a third of them replies on
    India's open requests), two delivery workers, and one India envelope batch per
    ``inbound_every`` sends. Returns the counts and every error seen."""
    outcome = Outcome()
    app = create_app(node.settings, engine=None, session_factory=node.factory)
    done_sending = threading.Event()
    india = StandInIndia(node.india, outcome)
    requests_from_india: list[str] = []  # inbound request ids, for officers to answer
    india_cases: list[tuple[str, str]] = []  # (case id, request id) India opened
    ours: list[tuple[str, str]] = []  # (case id, message id) sent by Canada
    shared = threading.Lock()

    def sender(count: int, seed: int) -> None:
        rng = random.Random(seed)
        headers = {"Authorization": f"Bearer {node.token}"}
        with TestClient(app) as client:
            for _ in range(count):
                with shared:
                    target = rng.choice(requests_from_india) if requests_from_india else None
                if target is not None and rng.random() < 0.33:
                    response = client.post(
                        f"/api/v1/exchange/messages/{target}/reply",
                        json={"type": "acknowledgement", "body": "Received, working on it."},
                        headers=headers,
                    )
                    kind = "replies"
                else:
                    body = payloads.compose(node.agencies, subject=f"Load {uuid.uuid4()}")
                    response = client.post(
                        "/api/v1/exchange/cases",
                        json=body,
                        headers=headers | {"Idempotency-Key": str(uuid.uuid4())},
                    )
                    kind = "sends"
                if response.status_code != 201:
                    outcome.error(f"send answered {response.status_code}: {response.text}")
                    continue
                sent = response.json()
                with shared:
                    ours.append((sent["case_id"], sent["id"]))
                    setattr(outcome, kind, getattr(outcome, kind) + 1)

    def deliverer() -> None:
        with httpx.Client(transport=httpx.MockTransport(india)) as client:
            worker = Deliverer(node.factory, node.settings, client, domains.registry())
            while True:
                try:
                    moved = worker.run_once()
                except Exception as exc:  # noqa: BLE001  (counted: the point of the run)
                    outcome.error(f"delivery: {type(exc).__name__}: {exc}")
                    moved = 0
                if not moved:
                    if done_sending.is_set() and _undelivered(node) == 0:
                        return
                    time.sleep(0.02)

    def inbound() -> None:
        sender_keys = Sender(node.india, _own_public_key(node))
        registry = domains.registry()
        seq = 0
        rng = random.Random(7)
        while not done_sending.is_set():
            batch: list[bytes] = []
            with shared:
                sample = rng.sample(ours, min(len(ours), 3))
            for case_id, message_id in sample:
                seq += 1
                reply = payloads.inbound(
                    node.agencies,
                    case_id=case_id,
                    type="reply",
                    in_reply_to=message_id,
                    outcome="answered",
                    subject="Re: load",
                )
                batch.append(sender_keys.seal(seq, MESSAGE, json.dumps(reply).encode()))
                seq += 1
                notice = json.dumps({"message_id": message_id}).encode()
                batch.append(sender_keys.seal(seq, DELIVERED, notice))
            with shared:
                chased = rng.sample(india_cases, min(len(india_cases), 2))
            for case_id, request_id in chased:  # India chases a request officers answer
                seq += 1
                follow_up = payloads.inbound(
                    node.agencies,
                    case_id=case_id,
                    type="follow_up",
                    in_reply_to=request_id,
                    subject="Any news?",
                )
                batch.append(sender_keys.seal(seq, MESSAGE, json.dumps(follow_up).encode()))
            seq += 1
            request = payloads.inbound(node.agencies)
            batch.append(sender_keys.seal(seq, MESSAGE, json.dumps(request).encode()))
            envelopes = [json.loads(raw) for raw in batch]

            def receive(db: Session, envelopes: list[Any] = envelopes) -> list[str]:
                inbox = Inbox(db, node.settings, registry, "127.0.0.1")
                statuses = [inbox.receive(raw).status for raw in envelopes]
                inbox.finish()
                return statuses

            try:
                statuses = run_in_transaction(node.factory, receive)
            except Exception as exc:  # noqa: BLE001  (counted: the point of the run)
                outcome.error(f"inbound: {type(exc).__name__}: {exc}")
                return
            if set(statuses) != {"accepted"}:
                outcome.error(f"inbound statuses {statuses}")
            outcome.inbound += len(envelopes)
            with shared:
                requests_from_india.append(request["id"])
                india_cases.append((request["case_id"], request["id"]))
            time.sleep(0.01 * inbound_every)

    threads = [threading.Thread(target=deliverer) for _ in range(2)]
    threads.append(threading.Thread(target=inbound))
    share = [sends // senders + (1 if i < sends % senders else 0) for i in range(senders)]
    sending = [threading.Thread(target=sender, args=(n, i)) for i, n in enumerate(share)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    for thread in sending:
        thread.start()
    for thread in sending:
        thread.join()
    outcome.send_seconds = time.monotonic() - started
    done_sending.set()
    for thread in threads:
        thread.join(timeout=600)
    outcome.errors.extend(check(node, outcome, india))
    return outcome


def _undelivered(node: Node) -> int:
    with node.factory() as db:
        return int(
            db.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == "pending")
            )
            or 0
        )


def check(node: Node, outcome: Outcome, india: StandInIndia) -> list[str]:
    """Nothing lost, nothing doubled: one case per send, every envelope delivered once,
    sequence numbers 1..n with no gap, every inbound envelope applied once."""
    problems = []
    with node.factory() as db:
        ours = db.scalar(select(func.count()).select_from(Case).where(Case.origin_party == "CA"))
        out_messages = db.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "out")
        )
        seqs = list(db.scalars(select(OutboxMessage.seq).order_by(OutboxMessage.seq)))
        statuses = set(db.scalars(select(OutboxMessage.status).distinct()))
        applied = db.scalar(
            select(func.count()).select_from(InboxMessage).where(InboxMessage.status == "applied")
        )
    if ours != outcome.sends:
        problems.append(f"{ours} cases for {outcome.sends} sends")
    if out_messages != outcome.sends + outcome.replies:
        problems.append(f"{out_messages} messages for {outcome.sends + outcome.replies} sends")
    if seqs != list(range(1, len(seqs) + 1)):
        problems.append("outbox sequence numbers are not 1..n")
    if statuses - {"delivered"}:
        problems.append(f"outbox statuses {statuses}")
    if india.last_seq != len(seqs):
        problems.append(f"India received up to {india.last_seq} of {len(seqs)}")
    if applied != outcome.inbound:
        problems.append(f"{applied} inbound applied of {outcome.inbound}")
    return problems
