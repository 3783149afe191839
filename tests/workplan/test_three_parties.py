"""A workplan of three parties (Canada, India, the United States): three nodes in this
process, real delivery workers and inboxes (tests/support/trio.py). A version is current
on every node once all three have signed, and nowhere when one party refuses it; a
signature relayed in a party's name is checked against that party's pinned key.
The steps live in tests/support/workplan_trio.py, to be run against live nodes too."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from liaison.federation import keys
from liaison.federation.outbox import enqueue
from liaison.kit.crypto import b64e
from liaison.kit.db import unit_of_work
from liaison.models import InboxMessage, PeerKey, WorkplanVersion
from liaison.workplan import consent
from tests.support import workplan_trio as steps
from tests.support.pair import AppNode, make_node
from tests.support.trio import exchange_all, pin_all

HTML = {"accept": "text/html"}


@pytest.fixture
def trio(url_factory: Callable[[], str], tmp_path: Path) -> Iterator[list[AppNode]]:
    seeds = steps.seeds_without_workplan()
    nodes = [make_node(party, url_factory(), tmp_path, seeds) for party in ("CA", "IN", "US")]
    pin_all(nodes)
    exchange_all(nodes)
    yield nodes
    for node in nodes:
        node.close()


def _apis(nodes: list[AppNode]) -> tuple[list[steps.PartyApi], Callable[[], None]]:
    return [steps.InProcessApi(node) for node in nodes], lambda: exchange_all(nodes)


def _audit(api: steps.PartyApi, action: str) -> list[dict[str, object]]:
    admin = f"{api.party.lower()}-admin"
    answer = api.call(admin, "GET", f"/api/v1/audit?action={action}&limit=500")
    assert answer.status_code == 200, answer.text
    entries: list[dict[str, object]] = answer.json()["entries"]
    return entries


def test_current_once_all_three_signed_nowhere_once_one_refuses(trio: list[AppNode]) -> None:
    apis, settle = _apis(trio)
    steps.adopt_plan(apis, settle)
    number = steps.signed_by_all(apis, settle)
    # Each node's audit log records every other party's signature on the new version.
    for api in apis:
        recorded = _audit(api, "workplan.signature.recorded")
        parties = {e["detail"]["party"] for e in recorded if e["object_id"] == str(number)}  # type: ignore[index]
        assert parties == {"CA", "IN", "US"} - {api.party}, api.party
    # The version page names every party's signature state.
    page = trio[2].client.get(
        f"/workplan/versions/{number}", headers=trio[2].headers("us-viewer") | HTML
    )
    assert "Signed by 3 of the 3 parties." in page.text
    assert page.text.count(": verified") == 3
    steps.one_rejection(apis, settle)
    steps.concurrent_proposals(apis, settle)
    steps.counter_proposal(apis, settle)
    steps.progress_and_report(apis, settle)


def test_a_pending_version_shows_who_has_not_signed_in_french(trio: list[AppNode]) -> None:
    apis, settle = _apis(trio)
    steps.adopt_plan(apis, settle)
    canada, india, _ = apis
    proposal_id = steps.propose(canada, 1, "Exchange precursor seizure data monthly")
    settle()
    steps.post(india, f"/api/v1/workplan/proposals/{proposal_id}/accept")
    settle()
    headers = trio[0].headers("ca-viewer") | HTML | {"Accept-Language": "fr-CA,fr;q=0.9"}
    page = trio[0].client.get("/workplan/versions/2", headers=headers).text
    assert '<html lang="fr">' in page
    assert "US n\N{RIGHT SINGLE QUOTATION MARK}a pas encore signé" in page
    assert "CA n\N{RIGHT SINGLE QUOTATION MARK}a pas encore signé" in page
    assert "Signé par 1 des 3 parties." in page


def test_a_forged_signature_relayed_in_a_partys_name_is_refused(trio: list[AppNode]) -> None:
    apis, settle = _apis(trio)
    steps.adopt_plan(apis, settle)
    canada, _, us = apis
    proposal_id = steps.propose(us, 1, "Joint controlled deliveries of precursor shipments")
    settle()
    steps.post(canada, f"/api/v1/workplan/proposals/{proposal_id}/accept")
    settle()
    # Canada, misbehaving, signs version 2 with its own key and relays it as India's.
    ca_node, _, us_node = trio
    with unit_of_work(ca_node.factory) as db:
        version = db.get(WorkplanVersion, 2)
        assert version is not None
        india_key = db.scalar(select(PeerKey.key_id).where(PeerKey.peer_party == "IN"))
        assert india_key is not None
        forged = keys.keypair(db, ca_node.settings).signing_key.sign(
            consent.signed_message(version.sha256)
        )
        payload = {
            "version": 2,
            "sha256": version.sha256,
            "key_id": india_key,
            "signature": b64e(forged.signature),
            "party": "IN",
        }
        enqueue(db, "workplan.signature", payload, peers=["US"])
    settle()
    with unit_of_work(us_node.factory) as db:
        refused = db.scalars(
            select(InboxMessage).where(
                InboxMessage.type == "workplan.signature",
                InboxMessage.status == "refused",
            )
        ).all()
    assert len(refused) == 1
    assert refused[0].reason == "invalid_payload"
    protected = json.loads(refused[0].receipt)["protected"]
    receipt = json.loads(base64.urlsafe_b64decode(protected + "=" * (-len(protected) % 4)))
    assert receipt["detail"] == (
        "the signature of IN on version 2 does not verify with the key pinned for that party"
    )
    pending = steps.get(us, "/api/v1/workplan/versions/2")
    assert pending["state"] == "pending"
    assert steps.verified(pending) == {"CA"}
    assert pending["unsigned"] == ["IN", "US"]
    for api in apis:
        assert steps.current(api)["number"] == 1, api.party
