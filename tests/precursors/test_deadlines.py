"""Two nodes in one process: India notifies Canada; silence past the deadline is flagged
on both sides (the exporter learns the importer did not answer, the importer that it
did not), once; a late answer still arrives and is counted on the dashboard."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.models import Notification, PrecursorNotice
from liaison.precursors.deadlines import flag_overdue
from tests.precursors import payloads
from tests.support.pair import AppNode, exchange


def _flag(node: AppNode) -> int:
    with unit_of_work(node.factory) as db:
        return flag_overdue(db, node.settings)


def _subjects(node: AppNode) -> list[str]:
    with unit_of_work(node.factory) as db:
        return list(db.scalars(select(Notification.subject)))


def test_silence_past_the_deadline_is_flagged_to_both_parties(
    pair: tuple[AppNode, AppNode],
) -> None:
    canada, india = pair
    sent = india.client.post(
        "/api/v1/precursors/notices",
        json=payloads.notice(respond_within_days=3),
        headers=india.headers("in-officer"),
    )
    assert sent.status_code == 201, sent.text
    notice = sent.json()
    exchange(canada, india)
    received = canada.client.get(
        f"/api/v1/precursors/notices/{notice['id']}", headers=canada.headers("ca-officer")
    ).json()
    assert received["status"] == "received"
    assert received["respond_by"] == notice["respond_by"]
    assert received["tlp"] == "AMBER"
    assert received["legal_basis"] == "statute"
    assert any(s.startswith("Pre-export notification from IN") for s in _subjects(canada))

    assert _flag(india) == 0  # not yet due
    assert _flag(canada) == 0
    later = clock.now() + timedelta(days=3, minutes=1)
    clock.set_clock(lambda: later)
    assert _flag(india) == 1
    assert _flag(canada) == 1
    assert _flag(india) == 0, "flagged once"
    assert any(s.startswith("No answer from CA") for s in _subjects(india))
    assert any(s.startswith("Not answered in time") for s in _subjects(canada))
    for node in (canada, india):
        with unit_of_work(node.factory) as db:
            row = db.get(PrecursorNotice, notice["id"])
            assert row is not None
            assert row.overdue_flagged_at is not None

    late = canada.client.post(
        f"/api/v1/precursors/notices/{notice['id']}/answer",
        json={"outcome": "legitimate"},
        headers=canada.headers("ca-officer"),
    )
    assert late.status_code == 200, late.text
    exchange(canada, india)
    figures = india.client.get(
        "/api/v1/precursors/dashboard", headers=india.headers("in-viewer")
    ).json()
    to_canada = next(a for a in figures["answers"] if a["party"] == "CA")
    assert to_canada["overdue"] >= 1
    assert to_canada["answered"] >= 1
    page = india.client.get(
        f"/api/v1/precursors/notices/{notice['id']}", headers=india.headers("in-officer")
    ).json()
    assert page["status"] == "legitimate"
