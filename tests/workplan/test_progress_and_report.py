"""Progress updates, the dashboard's figures and the joint/internal report."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from liaison.domains import DOMAINS
from liaison.kit import clock
from liaison.kit.plugin import Plugin, Ref, Registry
from liaison.workplan.baseline import stable_id
from liaison.workplan.dashboard import ExchangeStats, PartyExchangeStats
from tests.workplan.india import India, Outbox

Headers = Callable[[str], dict[str, str]]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LIAISON_OFFICERS = stable_id("action:liaison-officers")
PRECURSORS = stable_id("action:precursors")


@pytest.fixture
def april_2026() -> Iterator[None]:
    clock.set_clock(lambda: datetime(2026, 4, 20, 9, 0, tzinfo=UTC))
    yield
    clock.reset_clock()


def _provider(_db: Session) -> ExchangeStats:
    return ExchangeStats(
        parties=[
            PartyExchangeStats("CA", 12, 9, 8, 1, 30.5),
            PartyExchangeStats("IN", 9, 12, 10, 2, 41.0),
        ]
    )


FIGURES = Plugin(name="test-figures", figures={"exchange": Ref(f"{__name__}:_provider")})


def _progress(client: TestClient, headers: dict[str, str], action: str, **body: object) -> None:
    answer = client.post(f"/api/v1/workplan/actions/{action}/progress", json=body, headers=headers)
    assert answer.status_code == 201, answer.text


def test_progress_is_shared_only_when_shareable_and_moves_the_dashboard(
    client: TestClient, auth_headers: Headers, india: India, outbox: Outbox, april_2026: None
) -> None:
    analyst = auth_headers("ca-analyst")
    before = client.get("/api/v1/workplan/dashboard", headers=analyst).json()
    officers = next(a for a in before["areas"] if a["key"] == "liaison_officers")
    assert officers["by_status"]["in_progress"] == 1
    # 20 April 2026: two liaison-officer milestones (2 and 31 March) are overdue, and the
    # precursors' contact points (30 April) are due within 30 days.
    assert officers["milestones_overdue"] == 2
    drugs = next(a for a in before["areas"] if a["key"] == "drugs_precursors")
    assert drugs["milestones_due_soon"] == 1

    _progress(
        client,
        analyst,
        LIAISON_OFFICERS,
        note="RCMP officer in post in New Delhi",
        status="done",
        evidence=[{"kind": "document", "ref": "LO-2026-014", "title": "Posting order"}],
    )
    _progress(client, analyst, PRECURSORS, note="Internal: CBSA staffing gap", shareable=False)
    [shared] = outbox("workplan.progress")
    assert shared["note"] == "RCMP officer in post in New Delhi"
    audited = client.get(
        "/api/v1/audit",
        params={"action": "workplan.progress.reported"},
        headers=auth_headers("ca-admin"),
    ).json()["entries"]
    assert {(e["object_id"], e["actor"]) for e in audited} == {
        (LIAISON_OFFICERS, "user:ca-analyst"),
        (PRECURSORS, "user:ca-analyst"),
    }
    assert shared["status"] == "done"
    after = client.get("/api/v1/workplan/dashboard", headers=analyst).json()
    officers = next(a for a in after["areas"] if a["key"] == "liaison_officers")
    assert officers["by_status"]["done"] == 1
    assert officers["milestones_overdue"] == 0
    assert after["exchange"] is None

    # India's shared progress arrives and counts too.
    india.send(
        "workplan.progress",
        {
            "id": "01900000-0000-7000-8000-000000000001",
            "action_id": PRECURSORS,
            "party_code": "IN",
            "author": "Demo analyst (IN)",
            "note": "NCB designated its point of contact",
            "status": "in_progress",
            "evidence": [],
            "reported_at": "2026-04-18T10:00:00Z",
        },
    )
    joint = client.get("/api/v1/workplan/report", params={"format": "md"}, headers=analyst).text
    assert "RCMP officer in post in New Delhi" in joint
    assert "IN 2026-04-18: NCB designated its point of contact" in joint
    assert "CBSA staffing gap" not in joint
    internal = client.get(
        "/api/v1/workplan/report", params={"format": "md", "internal": True}, headers=analyst
    ).text
    assert "Internal: CBSA staffing gap" in internal


def test_viewer_may_not_report_progress(client: TestClient, auth_headers: Headers) -> None:
    refused = client.post(
        f"/api/v1/workplan/actions/{PRECURSORS}/progress",
        json={"note": "x"},
        headers=auth_headers("ca-viewer"),
    )
    assert refused.status_code == 403
    missing = client.post(
        "/api/v1/workplan/actions/no-such-action/progress",
        json={"note": "x"},
        headers=auth_headers("ca-analyst"),
    )
    assert missing.status_code == 404


def test_exchange_statistics_come_from_the_plugin_that_declares_them(
    client: TestClient, auth_headers: Headers
) -> None:
    without_exchange = [p for p in DOMAINS if p.name != "exchange"]
    client.app.state.registry = Registry([*without_exchange, FIGURES])  # type: ignore[attr-defined]
    figures = client.get("/api/v1/workplan/dashboard", headers=auth_headers("ca-viewer")).json()
    assert figures["exchange"]["parties"][1]["requests_sent"] == 9
    page = client.get("/workplan", headers=auth_headers("ca-viewer") | {"accept": "text/html"})
    assert "No exchange data yet" not in page.text
    assert "41.0" in page.text
    client.app.state.registry = Registry(without_exchange)  # type: ignore[attr-defined]
    page = client.get("/workplan", headers=auth_headers("ca-viewer") | {"accept": "text/html"})
    assert "No exchange data yet" in page.text


def test_pdf_report_has_the_sections_and_charts(
    client: TestClient,
    auth_headers: Headers,
    india: India,
    april_2026: None,
    request: pytest.FixtureRequest,
) -> None:
    answer = client.get(
        "/api/v1/workplan/report", params={"format": "pdf"}, headers=auth_headers("ca-viewer")
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert "workplan-report-2026-04-20.pdf" in answer.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(answer.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "Joint progress report",
        "As of 20 April 2026",
        "1. Summary",
        "Actions by status",
        "Milestones",
        "2. Progress by priority area",
        "Illegal drugs and fentanyl precursors",
        "3. Dialogue record",
        "6 February 2026, Ottawa",
        "4. Information exchange",
        "No exchange data yet",
        "5. Fentanyl precursors",  # the precursors plug-in's section, with its charts
        "Answers per importing party",
        "Flows by substance",
        "48 kg/L",  # the seized-quantity chart's bar label
        "6. Agreement",
    ):
        assert expected in text, expected
    for number, page in enumerate(reader.pages, 1):  # header and footer of every page
        assert page.extract_text().count("TLP:AMBER") == 2, f"page {number}"
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = pypdfium2.PdfDocument(answer.content)
    assert pypdfium2.raw.FPDFCatalog_IsTagged(pdf.raw)  # PDF/UA: tagged for screen readers
    image = pdf[0].render(scale=1.5).to_pil()
    backend = request.node.callspec.id
    target = ARTIFACTS / f"workplan-report-page1-{backend}.png"
    image.save(target)
    assert image.width > 800
    assert target.stat().st_size > 20_000  # a real page with charts, not a blank one
    # The chart's bars are drawn: the page has the in-progress blue of the status chart.
    colours = {pixel[:3] for pixel in image.getdata()}
    assert (0x2B, 0x6C, 0xB0) in colours
    assert {(0xFF, 0xC0, 0x00), (0, 0, 0)} <= colours  # TLP:AMBER as FIRST draws it
