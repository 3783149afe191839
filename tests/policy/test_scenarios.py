"""The scenario suite: items as an officer sends them through the real compose and
forward API, each with the effect, the rule and the citation it must produce, in the
answer and in the audit log. Near-miss twins must not be blocked.

One YAML file per area in ``tests/policy/scenarios/``; a scenario is::

    - name: what the officer does
      setup: {assurance: {...}}          # optional: recorded first, by a legal reviewer
      compose: {offences: [...], entities: [...], markings: {...}, to: IN:NCB}
      expect:
        effect: block | held | sent | invalid
        rule: ca.non_refoulement          # fires (answer and audit log)
        citation: "IRPA s. 115"           # in the answer
        absent: [ca.non_refoulement]      # must not fire
        field: offences.0                 # for invalid: the field named in the 422
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.directory import seed_data
from liaison.kit.db import unit_of_work
from liaison.models import Agency, AuditEntry
from tests.exchange import payloads
from tests.support.peering import pin_peer

Headers = Callable[[str], dict[str, str]]
FOLDER = Path(__file__).parent / "scenarios"
FILES = sorted(FOLDER.glob("*.yaml"))
EFFECTS = {
    "block": {"block"},
    "held": {"allow_with_obligations"},
    "sent": {"allow", "allow_with_obligations"},
}


def load(path: Path) -> list[dict[str, Any]]:
    scenarios: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return scenarios


def test_the_suite_has_at_least_forty_scenarios_with_near_miss_twins() -> None:
    scenarios = [s for path in FILES for s in load(path)]
    assert len(scenarios) >= 40
    names = [s["name"] for s in scenarios]
    assert len(names) == len(set(names))
    twins = [s for s in scenarios if s.get("twin_of")]
    assert len(twins) >= 10
    assert all(s["expect"]["effect"] != "block" for s in twins)


@pytest.fixture
def agencies(seeded: sessionmaker[Session]) -> dict[str, str]:
    with unit_of_work(seeded) as db:
        for seed in seed_data.AGENCIES["IN"]:
            db.add(
                Agency(
                    party_code="IN",
                    name=seed.name,
                    acronym=seed.acronym,
                    mandate_areas=list(seed.mandate_areas),
                    origin_node="liaison-in",
                )
            )
        pin_peer(db, "IN")
        db.flush()
        rows = db.execute(select(Agency.acronym, Agency.party_code, Agency.id)).all()
    return {f"{party}:{acronym}": agency_id for acronym, party, agency_id in rows}


def _last_decision(factory: sessionmaker[Session]) -> AuditEntry | None:
    with unit_of_work(factory) as db:
        return db.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "policy.decision")
            .order_by(AuditEntry.sequence.desc())
            .limit(1)
        )


def _body(agencies: dict[str, str], compose: dict[str, Any]) -> dict[str, Any]:
    compose = dict(compose)
    markings = payloads.markings(**compose.pop("markings", {}))
    to = compose.pop("to", "IN:NCB")
    return payloads.compose(agencies, markings=markings, to_agency_id=agencies[to], **compose)


def _fired(answer: Any) -> tuple[set[str], str]:
    """Rule ids and the citations text from a compose answer (block or sent/held)."""
    data = answer.json()
    if answer.status_code == 403:
        rules = data.get("rules", [])
        return {r["rule_id"] for r in rules}, " ".join(r["citation"] for r in rules)
    obligations = data.get("obligations", [])
    return {o["rule_id"] for o in obligations}, " ".join(o["citation"] for o in obligations)


def run(
    scenario: dict[str, Any],
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    factory: sessionmaker[Session],
) -> list[str]:
    """The problems with one scenario (empty when it behaves as written)."""
    name, expect = scenario["name"], scenario["expect"]
    setup = scenario.get("setup", {})
    if "assurance" in setup:
        made = client.post(
            "/api/v1/policy/assurances", json=setup["assurance"], headers=auth_headers("ca-legal")
        )
        if made.status_code != 201:
            return [f"{name}: assurance not recorded: {made.text}"]
    before = _last_decision(factory)
    answer = client.post(
        "/api/v1/exchange/cases",
        json=_body(agencies, scenario["compose"]),
        headers=auth_headers("ca-officer"),
    )
    effect = expect["effect"]
    problems: list[str] = []
    if effect == "invalid":
        if answer.status_code != 422:
            return [f"{name}: expected 422, got {answer.status_code}: {answer.text[:300]}"]
        fields = {e["field"] for e in answer.json().get("errors", [])}
        if expect["field"] not in fields:
            problems.append(f"{name}: 422 names {sorted(fields)}, not {expect['field']}")
        return problems
    wanted_status = 403 if effect == "block" else 201
    if answer.status_code != wanted_status:
        return [f"{name}: expected {wanted_status}, got {answer.status_code}: {answer.text[:300]}"]
    if effect != "block":
        status = answer.json()["status"]
        wanted = "held_for_review" if effect == "held" else "sent"
        if status != wanted:
            problems.append(f"{name}: message {status}, expected {wanted}")
    fired, citations = _fired(answer)
    entry = _last_decision(factory)
    if entry is None or (before is not None and entry.sequence == before.sequence):
        return [*problems, f"{name}: no policy decision in the audit log"]
    if entry.decision not in EFFECTS[effect]:
        problems.append(f"{name}: audit decision {entry.decision}, expected {EFFECTS[effect]}")
    rule = expect.get("rule")
    if rule and (rule not in fired or rule not in entry.rule_ids):
        problems.append(
            f"{name}: {rule} not fired (answer {sorted(fired)}, audit {entry.rule_ids})"
        )
    if expect.get("citation") and expect["citation"] not in citations:
        problems.append(f"{name}: citation {expect['citation']!r} not in {citations!r}")
    for absent in expect.get("absent", []):
        if absent in entry.rule_ids:
            problems.append(f"{name}: {absent} fired but must not")
    return problems


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenarios(
    path: Path,
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    problems = [
        problem
        for scenario in load(path)
        for problem in run(scenario, client, auth_headers, agencies, seeded)
    ]
    assert not problems, "\n".join(problems)
