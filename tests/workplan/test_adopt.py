"""Adopting version 1 of a plan (how a plan of three or more parties starts): only an
administrator, only a sound document, only on a node that holds no plan yet."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.support.workplan_trio import PLAN
from tests.workplan.india import India

Headers = Callable[[str], dict[str, str]]
ADOPT = "/api/v1/workplan/adopt"


def _field_errors(answer: Any) -> dict[str, str]:
    assert answer.status_code == 422, answer.text
    return {e["field"]: e["message"] for e in answer.json()["errors"]}


def test_only_an_administrator_adopts_a_plan(client: TestClient, auth_headers: Headers) -> None:
    answer = client.post(ADOPT, json=PLAN, headers=auth_headers("ca-officer"))
    assert answer.status_code == 403
    assert "only an administrator may adopt a workplan" in answer.json()["detail"]


def test_a_plan_must_name_this_party_and_a_lead_for_each_party(
    client: TestClient, auth_headers: Headers
) -> None:
    admin = auth_headers("ca-admin")
    without_us = copy.deepcopy(PLAN) | {"parties": ["IN", "US"]}
    errors = _field_errors(client.post(ADOPT, json=without_us, headers=admin))
    assert errors["parties"] == "CA is not a party of this plan"
    one_lead_short = copy.deepcopy(PLAN)
    del one_lead_short["actions"][0]["leads"]["US"]
    errors = _field_errors(client.post(ADOPT, json=one_lead_short, headers=admin))
    assert errors["actions[0].leads"] == "name one lead agency for each party: CA, IN, US"
    twice = copy.deepcopy(PLAN)
    twice["actions"].append(copy.deepcopy(twice["actions"][0]))
    errors = _field_errors(client.post(ADOPT, json=twice, headers=admin))
    assert errors["actions[1].id"] == "an id is used twice in the plan"


def test_a_node_with_a_plan_changes_it_by_proposals(
    client: TestClient, auth_headers: Headers, india: India
) -> None:
    """Even the very document it holds (India pinned: its agencies are known here)."""
    ottawa = client.get("/api/v1/workplan", headers=auth_headers("ca-viewer")).json()["document"]
    answer = client.post(ADOPT, json=ottawa, headers=auth_headers("ca-admin"))
    assert answer.status_code == 409
    assert "already holds a workplan" in answer.json()["detail"]
    assert (
        client.get("/api/v1/workplan/versions", headers=auth_headers("ca-viewer")).json()[0][
            "number"
        ]
        == 1
    )
