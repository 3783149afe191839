"""The workplan pages render from the server, charts included, and forms reach the rules."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models import WorkplanProposal
from liaison.workplan.baseline import stable_id
from tests.workplan.india import India, Outbox

Headers = Callable[[str], dict[str, str]]
HTML = {"accept": "text/html"}


def test_pages_show_plan_history_dialogue_and_charts(
    client: TestClient, auth_headers: Headers
) -> None:
    viewer = auth_headers("ca-viewer") | HTML
    dashboard = client.get("/workplan", headers=viewer)
    assert dashboard.status_code == 200
    assert dashboard.text.count("<svg") == 2
    assert "Actions by status, per priority area" in dashboard.text
    assert "Illegal drugs and fentanyl precursors" in dashboard.text
    assert "No exchange data yet" in dashboard.text
    assert 'href="/workplan/report?format=pdf"' in dashboard.text
    plan = client.get("/workplan/plan", headers=viewer).text
    assert 'id="version-number">1<' in plan
    assert "Establish security and law-enforcement liaison officers" in plan
    history = client.get("/workplan/versions", headers=viewer).text
    assert "Baseline agreed at the Ottawa dialogue" in history
    assert "No changes" not in client.get("/workplan/versions/1", headers=viewer).text
    dialogue = client.get("/workplan/dialogue", headers=viewer).text
    assert "6 February 2026, Ottawa" in dialogue
    assert "Minister of Public Safety" in dialogue
    assert "National Security and Intelligence Advisor" in dialogue
    assert "Formalise cooperation on cybersecurity policy" in dialogue
    # Each commitment shows the workplan action that follows it up, with its status.
    assert "Continue discussions on fraud affecting both countries — <strong>Planned" in dialogue
    # A viewer sees proposals but is not offered the form.
    assert "Propose an action" not in client.get("/workplan/proposals", headers=viewer).text
    report = client.get("/workplan/report?format=md", headers=viewer)
    assert report.status_code == 200
    assert "attachment" in report.headers["content-disposition"]


def test_proposal_form_and_its_refusal(
    client: TestClient, auth_headers: Headers, india: India, outbox: Outbox
) -> None:
    officer = auth_headers("ca-officer") | HTML
    form = {
        "base_version": "1",
        "area": "cyber",
        "description": "Exercise the indicator-sharing channel",
        "lead_CA": "CCCS",
        "lead_IN": "CERT-In",
        "milestone_title": "Tabletop exercise",
        "milestone_due": "2027-05-01",
    }
    refused = client.post("/workplan/proposals", data=form, headers=officer)
    assert refused.status_code == 422
    assert "Changes[0]" not in refused.text  # no schema path: the error is beside the field
    beside = refused.text.split('id="milestone_due-error"', 1)[1].split("</p>", 1)[0]
    assert "2027-05-01 is outside the plan period" in beside
    assert 'value="2027-05-01" aria-invalid="true"' in refused.text
    # everything typed is still there
    assert ">Exercise the indicator-sharing channel</textarea>" in refused.text
    assert 'value="Tabletop exercise"' in refused.text
    assert '<option value="CERT-In" selected>' in refused.text
    assert '<option value="cyber" selected>' in refused.text
    assert outbox("workplan.proposal") == []
    form["milestone_due"] = "2027-02-01"
    sent = client.post("/workplan/proposals", data=form, headers=officer, follow_redirects=False)
    assert sent.status_code == 303
    page = client.get(sent.headers["location"], headers=officer).text
    assert "Exercise the indicator-sharing channel" in page
    assert 'id="proposal-status">Open<' in page
    assert "Accept and sign" not in page  # the other party decides on our proposal
    [queued] = outbox("workplan.proposal")
    assert queued["changes"][0]["action"]["leads"] == {"CA": "CCCS", "IN": "CERT-In"}
    assert stable_id("action:cyber") not in queued["changes"][0]["action"]["id"]


def test_progress_form_on_an_action(
    client: TestClient, auth_headers: Headers, india: India, outbox: Outbox
) -> None:
    analyst = auth_headers("ca-analyst") | HTML
    action = stable_id("action:fraud")
    page = client.get(f"/workplan/actions/{action}", headers=analyst).text
    assert "No progress reported yet." in page
    sent = client.post(
        f"/workplan/actions/{action}/progress",
        data={"note": "Working-level call held", "status": "done", "evidence_kind": "case",
              "evidence_ref": "CASE-7", "shareable": "yes"},
        headers=analyst,
        follow_redirects=False,
    )  # fmt: skip
    assert sent.status_code == 303
    page = client.get(f"/workplan/actions/{action}", headers=analyst).text
    assert 'id="action-status">Done<' in page
    assert "Working-level call held" in page
    assert "evidence: case CASE-7" in page
    assert [p["note"] for p in outbox("workplan.progress")] == ["Working-level call held"]
    refused = client.post(
        f"/workplan/actions/{action}/progress", data={"note": ""}, headers=analyst
    )
    assert refused.status_code == 422
    assert "Note" in refused.text


def test_awaiting_countersignature_refreshes_itself(
    client: TestClient, auth_headers: Headers, india: India, seeded: sessionmaker[Session]
) -> None:
    officer = auth_headers("ca-officer") | HTML
    form = {
        "base_version": "1",
        "area": "fraud",
        "description": "Joint typology of call-centre fraud",
        "lead_CA": "RCMP",
        "lead_IN": "CBI",
    }
    sent = client.post("/workplan/proposals", data=form, headers=officer, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    url = sent.headers["location"]
    assert 'hx-trigger="every 5s"' not in client.get(url, headers=officer).text
    with unit_of_work(seeded) as db:
        proposal = db.get(WorkplanProposal, url.rsplit("/", 1)[1])
        assert proposal is not None
        proposal.status = "awaiting_countersignature"
    waiting = client.get(url, headers=officer).text
    assert f'hx-get="{url}" hx-trigger="every 5s" hx-select="#proposal-state"' in waiting
    assert "this page updates itself" in waiting
    with unit_of_work(seeded) as db:
        proposal = db.get(WorkplanProposal, url.rsplit("/", 1)[1])
        assert proposal is not None
        proposal.status = "accepted"
    done = client.get(url, headers={"HX-Request": "true"} | officer).text
    assert 'id="proposal-status">Accepted<' in done
    assert 'hx-trigger="every 5s"' not in done  # polling stops once countersigned
