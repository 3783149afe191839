"""Refusals a user meets: each names the field and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.kit.errors import Conflict
from liaison.models import (
    WorkplanAction,
    WorkplanMilestone,
    WorkplanSignature,
    WorkplanVersion,
)
from tests.workplan.india import India, Outbox, new_action

Headers = Callable[[str], dict[str, str]]


def _propose(client: TestClient, headers: dict[str, str], action: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/workplan/proposals",
        json={"base_version": 1, "changes": [{"op": "add_action", "action": action}]},
        headers=headers,
    )


def _nothing_changed(client: TestClient, headers: dict[str, str], outbox: Outbox) -> None:
    assert client.get("/api/v1/workplan/proposals", headers=headers).json() == []
    assert outbox("workplan.proposal") == []
    assert [
        v["number"] for v in client.get("/api/v1/workplan/versions", headers=headers).json()
    ] == [1]


def test_milestone_after_the_plan_ends(
    client: TestClient, auth_headers: Headers, india: India, outbox: Outbox
) -> None:
    officer = auth_headers("ca-officer")
    late = new_action(milestones=[{"title": "Too late", "due": "2027-06-30"}])
    refused = _propose(client, officer, late)
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["errors"][0]["field"] == "changes[0].action.milestones[0].due"
    assert "outside the plan period 2026-02-07 to 2027-03-31" in problem["detail"]
    _nothing_changed(client, officer, outbox)


def test_unknown_agency(
    client: TestClient, auth_headers: Headers, india: India, outbox: Outbox
) -> None:
    officer = auth_headers("ca-officer")
    refused = _propose(client, officer, new_action(leads={"CA": "CBSA", "IN": "FBI"}))
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["errors"][0]["field"] == "changes[0].action.leads.IN"
    assert "'FBI' is not a known agency of IN" in problem["detail"]
    missing = _propose(client, officer, new_action(leads={"CA": "CBSA"}))
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "changes[0].action.leads"
    _nothing_changed(client, officer, outbox)


def test_editing_an_accepted_version_is_refused(
    client: TestClient, auth_headers: Headers, seeded: sessionmaker[Session]
) -> None:
    admin = auth_headers("ca-admin")
    before = client.get("/api/v1/workplan/versions/1", headers=admin).json()
    for method in ("put", "patch"):
        refused = client.request(
            method, "/api/v1/workplan/versions/1", json={"document": {}}, headers=admin
        )
        assert refused.status_code == 409
        assert "version 1 is accepted and cannot be edited" in refused.json()["detail"]
        assert "propose a change" in refused.json()["detail"]
    # Not even code that bypasses the API can rewrite it.
    with unit_of_work(seeded) as db:
        version = db.get(WorkplanVersion, 1)
        assert version is not None
        version.document = version.document.replace("Fraud", "Frauds")
        with pytest.raises(Conflict, match="immutable"):
            db.flush()
        db.rollback()
    assert client.get("/api/v1/workplan/versions/1", headers=admin).json() == before


def test_viewer_may_not_propose_and_bad_types_name_the_field(
    client: TestClient, auth_headers: Headers, india: India, outbox: Outbox
) -> None:
    viewer = auth_headers("ca-viewer")
    assert _propose(client, viewer, new_action()).status_code == 403
    officer = auth_headers("ca-officer")
    bad = _propose(client, officer, new_action(status="finished"))
    assert bad.status_code == 422
    assert "status" in bad.json()["errors"][0]["field"]
    _nothing_changed(client, officer, outbox)


def test_report_for_an_empty_plan(
    client: TestClient, auth_headers: Headers, seeded: sessionmaker[Session]
) -> None:
    with unit_of_work(seeded) as db:
        for model in (WorkplanMilestone, WorkplanAction, WorkplanSignature, WorkplanVersion):
            db.execute(delete(model))
    refused = client.get(
        "/api/v1/workplan/report", params={"format": "pdf"}, headers=auth_headers("ca-viewer")
    )
    assert refused.status_code == 409
    assert "no actions yet, so there is nothing to report" in refused.json()["detail"]
    dashboard = client.get("/api/v1/workplan/dashboard", headers=auth_headers("ca-viewer"))
    assert dashboard.json()["areas"] == []
