"""The graph page in Chromium: the demo node's resolved network draws under the strict
CSP, and a 2,000-entity graph still draws and answers a click."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, Route, expect
from sqlalchemy import select

from liaison.exchange.indexing import index_message, parse_entities
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.ids import new_id
from liaison.models import Agency, Case, Message
from tests.networks.conftest import MULE, PHONE
from tests.support.browser import sign_in
from tests.support.nodes import LiveNode

pytestmark = [pytest.mark.browser, pytest.mark.live]
KINDS = ("person", "phone", "bank_account", "organisation")


def _big_graph(n: int = 2000) -> dict[str, object]:
    nodes = [
        {
            "data": {
                "id": f"n{i}",
                "label": f"Entity {i}",
                "kind": KINDS[i % 4],
                "parties": ["CA"] if i % 2 else ["IN"],
                "tlp": "AMBER",
                "community": i % 7,
                "broker": i == 0,
            }
        }
        for i in range(n)
    ]
    edges = [
        {
            "data": {
                "id": f"e{i}",
                "source": f"n{i}",
                "target": f"n{(i * 7 + 1) % n}",
                "type": "communication",
            }
        }
        for i in range(n)
    ]
    return {"nodes": nodes, "edges": edges}


def _messages_in(node: LiveNode) -> None:
    """Two local messages (RCMP to CBSA) naming one person in Latin and in Devanagari."""
    engine = make_engine(node.sqlalchemy_url)
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            ids = {row[0]: row[1] for row in db.execute(select(Agency.acronym, Agency.id))}
            case = Case(
                reference=f"CA-NET-{new_id()[-8:]}",
                title="Courier network",
                parties=["CA"],
                origin_party="CA",
                created_by="user:ca-officer",
            )
            db.add(case)
            db.flush()
            for entities in (
                [
                    {"kind": "person", "name": "Gurpreet Sandhu", "date_of_birth": "1988-11-02"},
                    PHONE,
                ],
                [{"kind": "person", "name": "गुरप्रीत सिंह संधू", "date_of_birth": "1988-11-02"}, MULE],
            ):
                message = Message(
                    case_id=case.id,
                    type="request",
                    direction="local",
                    from_agency_id=ids["RCMP"],
                    to_agency_id=ids["CBSA"],
                    from_party="CA",
                    to_party="CA",
                    originator_party="CA",
                    priority="high",
                    subject="Courier",
                    entities=entities,
                    tlp="AMBER",
                    handling_code="intelligence_only",
                    legal_basis="police_cooperation",
                    purpose="investigation",
                    status="delivered",
                    created_by="user:ca-officer",
                )
                db.add(message)
                db.flush()
                index_message(db, message, parse_entities(entities))
    finally:
        engine.dispose()


def _click_entity(page: Page, entity_id: str) -> None:
    """Zoom in on one entity, as a user would, and click it once the page is still.

    The page settles first (two animation frames after the scroll): cytoscape maps a
    click through the container's position, which it re-reads on the scroll event."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    x, y = page.evaluate(
        "(id) => { const cy = document.getElementById('network-graph').cy;"
        " cy.fit(cy.getElementById(id), 150); const p = cy.getElementById(id).renderedPosition();"
        " return new Promise(r => requestAnimationFrame(() => r([p.x, p.y]))); }",
        entity_id,
    )
    box = page.locator("#network-graph").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_graph_page_draws_the_network_and_2000_entities(page: Page, node: LiveNode) -> None:
    _messages_in(node)
    node.cli("networks", "resolve")
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    sign_in(page, "ca-officer", "/networks")
    graph = page.locator("#network-graph")
    expect(graph).to_have_attribute("data-ready", re.compile(r"^[1-9][0-9]*$"), timeout=30_000)
    drawn = int(graph.get_attribute("data-ready") or "0")
    assert drawn > 0
    expect(page.get_by_role("link", name=re.compile("Gurpreet Sandhu")).first).to_be_visible()
    assert violations == []

    big = json.dumps(_big_graph())

    def fulfil(route: Route) -> None:
        route.fulfill(status=200, content_type="application/json", body=big)

    page.route("**/networks/data*", fulfil)
    page.reload()
    expect(page.locator("#network-graph")).to_have_attribute("data-ready", "2000", timeout=60_000)
    page.locator("#network-graph").scroll_into_view_if_needed()
    _click_entity(page, "n0")
    expect(page.locator("#network-selected")).to_contain_text("Entity 0 (person")
    assert violations == []
