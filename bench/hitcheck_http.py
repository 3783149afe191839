"""End to end: one-identifier checks through Canada's API, over the federation endpoint
to India and back (sealed envelopes, both databases), both nodes in this process on
SQLite (ASGI in-process: no sockets, so network latency is not included)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from tests.exchange import payloads
from tests.support.pair import AppNode, make_node, pin_each_other

from liaison.hitcheck import index
from liaison.kit.db import make_engine, unit_of_work
from liaison.kit.migrate import upgrade


def _node(party: str, root: Path) -> AppNode:
    url = f"sqlite:///{root / f'{party.lower()}.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return make_node(party, url, root)


def end_to_end(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        canada, india = _node("CA", root), _node("IN", root)
        pin_each_other(canada, india)
        canada.client.app.state.hitcheck_http = india.client  # type: ignore[attr-defined]
        canada.settings.hitcheck_officer_daily_quota = 10**9
        canada.settings.hitcheck_agency_daily_quota = 10**9
        officer = india.headers("in-officer")
        found: dict[str, str] = {}
        for party in ("CA", "IN"):
            rows = india.client.get(
                "/api/v1/agencies", params={"party": party, "limit": 100}, headers=officer
            ).json()
            found |= {f"{party}:{row['acronym']}": row["id"] for row in rows}
        body = payloads.compose(
            found,
            from_agency_id=found["IN:NCB"],
            to_agency_id=found["CA:RCMP"],
            entities=[payloads.PHONE_IN],
        )
        assert india.client.post("/api/v1/exchange/cases", json=body, headers=officer).is_success
        with unit_of_work(india.factory) as db:
            index.catch_up(db, india.settings)
        headers = canada.headers("ca-officer")
        check = {
            "purpose": "bench",
            "legal_basis": "police_cooperation",
            "identifiers": [{"category": "phone", "value": "+91 98765 43210"}],
        }
        samples = []
        for _ in range(repeats):
            start = time.perf_counter()
            answer = canada.client.post("/api/v1/hitcheck/checks", json=check, headers=headers)
            samples.append(time.perf_counter() - start)
            assert answer.json()["hits"] == 1, answer.text
        ordered = sorted(samples)
        print(
            f"\nend to end through both nodes' APIs (in-process ASGI, SQLite), 1 identifier: "
            f"p50 {statistics.median(samples) * 1e3:.1f} ms  "
            f"p99 {ordered[int(0.99 * len(ordered))] * 1e3:.1f} ms  ({repeats} checks)"
        )
        canada.close()
        india.close()
