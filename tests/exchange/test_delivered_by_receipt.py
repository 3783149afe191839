"""A message is "delivered" when the peer's signed receipt accepts its envelope: the
receiver sends nothing back for it (no ``exchange.delivered`` envelope, which cost a
second trip through both nodes per message), a refused message never reads
"delivered", and a peer on an earlier release that still acknowledges is understood."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from liaison.exchange.delivered import DELIVERED
from liaison.federation.outbox import enqueue
from liaison.kit.db import unit_of_work
from liaison.models import Agency, Message, OutboxMessage
from tests.audit.test_refusals import activate_extra_rule
from tests.exchange import payloads
from tests.support.pair import AppNode, deliver


def _send(canada: AppNode, purpose: str | None = None) -> dict[str, Any]:
    with unit_of_work(canada.factory) as db:
        rows = db.execute(select(Agency.acronym, Agency.party_code, Agency.id)).all()
    agencies = {f"{party}:{acronym}": agency_id for acronym, party, agency_id in rows}
    markings = payloads.markings(purpose=purpose) if purpose else None
    body = payloads.compose(agencies, **({"markings": markings} if markings else {}))
    sent = canada.client.post(
        "/api/v1/exchange/cases", json=body, headers=canada.headers("ca-officer")
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "sent"
    return dict(sent.json())


def _status(node: AppNode, message_id: str) -> str:
    with unit_of_work(node.factory) as db:
        message = db.get(Message, message_id)
        assert message is not None
        return message.status


def _queued_types(node: AppNode) -> list[str]:
    with unit_of_work(node.factory) as db:
        return list(db.scalars(select(OutboxMessage.type).where(OutboxMessage.status == "pending")))


def test_the_peers_receipt_alone_makes_a_message_delivered(pair: tuple[AppNode, AppNode]) -> None:
    canada, india = pair
    sent = _send(canada)
    assert deliver(canada, india) == 1  # one way only: India sends nothing back
    assert _status(canada, sent["id"]) == "delivered"
    assert _status(india, sent["id"]) == "received"
    assert DELIVERED not in _queued_types(india)
    listed = canada.client.get(
        f"/api/v1/exchange/messages/{sent['id']}", headers=canada.headers("ca-officer")
    )
    assert listed.status_code == 200, listed.text
    assert listed.json()["status"] == "delivered"


def test_a_message_the_peer_refuses_is_never_delivered(pair: tuple[AppNode, AppNode]) -> None:
    canada, india = pair
    activate_extra_rule(
        india.factory,
        "in.toml",
        'context.direction == "inbound" && context.purpose like "*refuse at the border*"',
    )
    refused = _send(canada, purpose="test: refuse at the border")
    accepted = _send(canada)
    assert deliver(canada, india) == 2
    assert _status(canada, refused["id"]) == "sent"
    assert _status(canada, accepted["id"]) == "delivered"
    with unit_of_work(canada.factory) as db:
        receipts = dict(
            db.execute(select(OutboxMessage.receipt_status, OutboxMessage.receipt_reason)).all()
        )
    assert receipts.get("refused") == "policy_refused"


def test_an_acknowledgement_from_a_peer_on_an_earlier_release_still_counts(
    pair: tuple[AppNode, AppNode],
) -> None:
    canada, india = pair
    sent = _send(canada)
    with unit_of_work(canada.factory) as db:  # no receipt will say so this time
        db.execute(delete(OutboxMessage).where(OutboxMessage.status == "pending"))
    with unit_of_work(india.factory) as db:  # what India sent before this release
        enqueue(db, DELIVERED, {"message_id": sent["id"]}, peers=["CA"])
    assert deliver(india, canada) == 1
    assert _status(canada, sent["id"]) == "delivered"
