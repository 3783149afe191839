"""A live India node that holds identifiers for hit/no-hit checks (browser test, bench)."""

from __future__ import annotations

from typing import Any

from tests.exchange import payloads
from tests.support.nodes import LiveNode, wait_for


def india_holds(india: LiveNode, entities: list[dict[str, Any]], indexed: int) -> None:
    """India's officer sends Canada's RCMP a request naming ``entities``; returns when
    India's hit/no-hit index holds at least ``indexed`` tags."""

    def agencies() -> dict[str, str]:
        found: dict[str, str] = {}
        with india.api("in-officer") as api:
            for party in ("CA", "IN"):
                rows = api.get("/api/v1/agencies", params={"party": party, "limit": 100}).json()
                found |= {f"{party}:{row['acronym']}": row["id"] for row in rows}
        return found

    wait_for(lambda: "CA:RCMP" in agencies(), what="Canada's agencies at India")
    known = agencies()
    body = payloads.compose(
        known, from_agency_id=known["IN:NCB"], to_agency_id=known["CA:RCMP"], entities=entities
    )
    with india.api("in-officer") as api:
        sent = api.post("/api/v1/exchange/cases", json=body)
        assert sent.status_code == 201, sent.text

    def done() -> bool:
        with india.api("in-admin") as api:
            return int(api.get("/api/v1/hitcheck/index").json()["live"]) >= indexed

    wait_for(done, what="India's hit/no-hit index")
