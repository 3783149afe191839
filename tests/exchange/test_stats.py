"""Exchange figures on the workplan dashboard: requests each way, answered on time or
late, median answer time, from the messages the node holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.exchange import payloads
from tests.exchange.payloads import T0

Headers = Callable[[str], dict[str, str]]


def _reply(client: TestClient, headers: dict[str, str], request_id: str) -> None:
    answer = client.post(
        f"/api/v1/exchange/messages/{request_id}/reply",
        json={"outcome": "answered", "body": "Exporter identified; details attached."},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text


def test_dashboard_counts_requests_each_way_and_answer_times(
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
    client: TestClient,
    auth_headers: Headers,
    at: list[datetime],
) -> None:
    officer = auth_headers("ca-officer")
    urgent = payloads.inbound(agencies, priority="urgent")  # 8 h to answer
    normal = payloads.inbound(agencies, priority="normal")  # 7 days
    unanswered = payloads.inbound(agencies, priority="normal")
    for payload in (urgent, normal, unanswered):
        receive(payload)
    sent = client.post("/api/v1/exchange/cases", json=payloads.compose(agencies), headers=officer)
    assert sent.status_code == 201, sent.text

    at[0] = T0 + timedelta(hours=10)  # urgent answered 2 h late
    _reply(client, officer, urgent["id"])
    at[0] = T0 + timedelta(hours=20)  # normal answered in time
    _reply(client, officer, normal["id"])

    figures = client.get("/api/v1/workplan/dashboard", headers=auth_headers("ca-viewer")).json()
    by_party = {row["party_code"]: row for row in figures["exchange"]["parties"]}
    assert by_party["CA"]["requests_received"] == 3
    assert by_party["CA"]["requests_sent"] == 1
    assert by_party["IN"]["requests_sent"] == 3
    assert (by_party["CA"]["answered_within_deadline"], by_party["CA"]["answered_late"]) == (1, 1)
    assert by_party["CA"]["median_answer_hours"] == pytest.approx(15.0)
    assert by_party["IN"]["median_answer_hours"] is None
    page = client.get("/workplan", headers=auth_headers("ca-viewer") | {"accept": "text/html"})
    assert "No exchange data yet" not in page.text
    assert "15.0" in page.text
