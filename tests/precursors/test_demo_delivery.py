"""The demo's controlled delivery (``liaison demo``): Canada opens its seeded
controlled-delivery incident as a case to India's NCB and authorises the plan; India's
node holds the case with its kind and the plan, waiting only for India's authorisation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from liaison.kit.db import unit_of_work
from liaison.models import Case, ControlledDelivery
from liaison.precursors.demo import open_demo_delivery
from tests.support.pair import make_node
from tests.support.trio import exchange_all, pin_all


def test_the_demo_opens_a_controlled_delivery_that_waits_for_india(
    url_factory: Callable[[], str], tmp_path: Path
) -> None:
    nodes = [make_node(party, url_factory(), tmp_path) for party in ("CA", "IN")]
    canada, india = nodes
    try:
        with unit_of_work(india.factory) as db:  # India holds no such incident
            assert open_demo_delivery(db, india.settings) is None
        with unit_of_work(canada.factory) as db:  # not before the peer is pinned
            assert open_demo_delivery(db, canada.settings) is None
        pin_all(nodes)
        exchange_all(nodes)
        with unit_of_work(canada.factory) as db:
            case_id = open_demo_delivery(db, canada.settings)
        assert case_id is not None
        with unit_of_work(canada.factory) as db:  # once only
            assert open_demo_delivery(db, canada.settings) is None
        exchange_all(nodes)
        with unit_of_work(india.factory) as db:
            case = db.get(Case, case_id)
            assert case is not None
            assert case.kind == "controlled_delivery"
            plan = db.scalar(
                select(ControlledDelivery).where(ControlledDelivery.case_id == case_id)
            )
            assert plan is not None
            assert plan.substance_cas == "41661-47-6"
            assert [c.get("container") for c in plan.consignments] == ["MSCU1234566"]
            assert set(plan.authorisations) == {"CA"}
            assert plan.status == "proposed"
    finally:
        for node in nodes:
            node.close()
