"""Two live nodes: a Canadian request about a fentanyl-precursor shipment reaches India,
is assigned, answered with an attachment, and the reply threads back into the case.
India's policy decides on the received envelope (TLP:AMBER stays with the recipient:
``joint.inbound.handling_constraints``, cited in the message and India's audit log)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from tests.exchange import payloads
from tests.support.nodes import LiveNode, wait_for

pytestmark = pytest.mark.live
INBOUND_RULE = "joint.inbound.handling_constraints"
REPORT = b"%PDF-1.4\n% NCB seizure report, Mundra, container MSCU1234566\n%%EOF\n"


def _agencies(node: LiveNode, username: str, party: str) -> dict[str, str]:
    with node.api(username) as api:
        rows = api.get("/api/v1/agencies", params={"party": party, "limit": 100}).json()
    return {f"{party}:{row['acronym']}": row["id"] for row in rows}


def _case(node: LiveNode, username: str, case_id: str) -> dict[str, Any] | None:
    with node.api(username) as api:
        response = api.get(f"/api/v1/exchange/cases/{case_id}")
    return response.json() if response.status_code == 200 else None


def test_precursor_request_is_answered_with_an_attachment_across_the_border(
    peered: tuple[LiveNode, LiveNode],
) -> None:
    canada, india = peered
    wait_for(lambda: "IN:NCB" in _agencies(canada, "ca-officer", "IN"), what="India's agencies")
    wait_for(lambda: "CA:RCMP" in _agencies(india, "in-officer", "CA"), what="Canada's agencies")
    agencies = {**_agencies(canada, "ca-officer", "CA"), **_agencies(canada, "ca-officer", "IN")}
    with canada.api("ca-officer") as api:
        sent = api.post("/api/v1/exchange/cases", json=payloads.compose(agencies))
        assert sent.status_code == 201, sent.text
    request = sent.json()
    case_id = request["case_id"]

    def arrived_in_india() -> bool:
        with india.api("in-officer") as api:
            items = api.get("/api/v1/exchange/inbox", params={"direction": "in"}).json()["items"]
        return any(item["id"] == request["id"] for item in items)

    wait_for(arrived_in_india, what="the request in India's inbox")
    with india.api("in-officer") as api:
        received = api.get(f"/api/v1/exchange/messages/{request['id']}").json()
        assert received["status"] == "received"
        assert received["deadline_at"] is not None
        assert received["tlp"] == "AMBER"
        assert received["legal_basis"] == "police_cooperation"
        # India's policy decides on the envelope: TLP:AMBER stays with the recipient
        [kept] = [o for o in received["obligations"] if o["rule_id"] == INBOUND_RULE]
        assert "FIRST Traffic Light Protocol 2.0" in kept["citation"]
    with india.api("in-admin") as api:
        query = {"action": "exchange.message.receive", "object_id": request["id"]}
        [entry] = api.get("/api/v1/audit", params=query).json()["entries"]
    assert INBOUND_RULE in entry["rule_ids"]
    assert "FIRST Traffic Light Protocol 2.0" in entry["detail"]["citations"][INBOUND_RULE]
    with india.api("in-officer") as api:
        assigned = api.post(
            f"/api/v1/exchange/cases/{case_id}/assign", json={"username": "in-analyst"}
        )
        assert assigned.status_code == 200, assigned.text
    with india.api("in-analyst") as api:
        upload = api.post(
            "/api/v1/exchange/attachments",
            files={"file": ("seizure-report.pdf", REPORT, "application/pdf")},
        )
        assert upload.status_code == 201, upload.text
        answer = api.post(
            f"/api/v1/exchange/messages/{request['id']}/reply",
            json={
                "body": "Exporter: Shree Chem Traders, Ankleshwar. Consignee: a shell company.",
                "attachment_ids": [upload.json()["id"]],
            },
        )
        assert answer.status_code == 201, answer.text
    reply_id = answer.json()["id"]

    def reply_threaded() -> bool:
        case = _case(canada, "ca-officer", case_id)
        return case is not None and any(m["id"] == reply_id for m in case["messages"])

    def attachment_pulled() -> bool:  # the message shows first, its attachment arriving
        case = _case(canada, "ca-officer", case_id)
        replies = [m for m in case["messages"] if m["id"] == reply_id] if case else []
        return bool(replies and replies[0]["attachments"])

    wait_for(reply_threaded, what="the reply in Canada's case")
    wait_for(attachment_pulled, what="the reply's attachment pulled from India")
    case = _case(canada, "ca-officer", case_id)
    assert case is not None
    assert case["reference"] == _case(india, "in-officer", case_id)["reference"]
    by_id = {m["id"]: m for m in case["messages"]}
    assert by_id[request["id"]]["status"] == "answered"
    reply = by_id[reply_id]
    assert reply["in_reply_to"] == request["id"]
    assert reply["direction"] == "in"
    sha = hashlib.sha256(REPORT).hexdigest()
    assert [a["sha256"] for a in reply["attachments"]] == [sha]
    with canada.api("ca-officer") as api:
        content = api.get(f"/api/v1/exchange/attachments/{reply['attachments'][0]['id']}/content")
    assert hashlib.sha256(content.content).hexdigest() == sha
