"""The legal reviewer picks the assurance that releases a held message from the recorded
ones that cover it (not retyped); one that does not cover the item is refused; the decided
card names the assurance that released it, and the assurance obligation is discharged."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.exchange import payloads
from tests.support.web import HTML, sign_in

Headers = Callable[[str], dict[str, str]]


def _assurance(reference: str, **scope: Any) -> dict[str, Any]:
    return {
        "reference": reference,
        "given_by": "Ministry of Home Affairs, Government of India",
        "given_on": "2026-03-01",
        "party": "IN",
        "text": "The death penalty will not be sought or carried out.",
        **scope,
    }


def test_the_reviewer_picks_a_covering_assurance(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    body = payloads.compose(agencies, offences=["murder"], entities=[payloads.PHONE_IN])
    held = client.post("/api/v1/exchange/cases", json=body, headers=auth_headers("ca-officer"))
    assert held.json()["status"] == "held_for_review"
    message_id = held.json()["id"]
    legal = auth_headers("ca-legal")
    for made in (
        _assurance("DP-OTHER-CASE", scope="case", scope_value="CA-2026-999999"),
        _assurance("DP-MURDER", scope="offence", scope_value="murder"),
    ):
        assert client.post("/api/v1/policy/assurances", json=made, headers=legal).status_code == 201

    token = sign_in(client, "ca-legal", "/policy/reviews")
    page = client.get("/policy/reviews", headers=HTML).text
    # titled as people call it, by case number, not by object type and UUID
    assert re.search(r"<h2>Message · case CA-2026-\d{6}", page)
    assert "<h2>exchange.message" not in page
    card = page[page.index(message_id) :]
    card = card[: card.index("Record decision")]
    assert "Held for legal review" in card
    assert "Allowed with obligations" not in card
    offered = re.findall(r'<option value="(DP-[A-Z-]+)"', card)
    assert offered == ["DP-MURDER"]  # the other case's assurance is not offered

    review_id = re.search(r'action="/policy/reviews/([0-9a-f-]+)/decide"', card)
    assert review_id
    url = f"/policy/reviews/{review_id.group(1)}/decide"
    form = {"csrf_token": token, "status": "approved", "reasons": "Assurance received"}
    refused = client.post(url, data=form | {"assurance_reference": "DP-OTHER-CASE"}, headers=HTML)
    assert refused.status_code == 422
    assert "does not cover this item" in refused.text
    approved = client.post(url, data=form | {"assurance_reference": "DP-MURDER"}, headers=HTML)
    assert approved.status_code == 200, approved.text[:300]
    assert "Released on the recorded assurance</strong> DP-MURDER" in approved.text
    sent = client.get(f"/api/v1/exchange/messages/{message_id}", headers=auth_headers("ca-officer"))
    assert sent.json()["status"] == "sent"
    # the assurance obligation is discharged by the release, with the assurance's reference
    query = {"object_id": message_id, "open": "false"}
    settled = client.get("/api/v1/policy/obligations", params=query, headers=legal).json()
    assert [(o["kind"], o["reference"]) for o in settled] == [("assurance_required", "DP-MURDER")]
    assert settled[0]["discharged_at"] is not None
