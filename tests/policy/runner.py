"""Runs one scenario of the suite through a real path of a Canadian node and says what
differs from what it expects (see test_scenarios.py for the format).

Paths: ``compose`` (the officer's API compose), ``forward`` (a message received from
India, then forwarded by the officer), ``inbound`` (a message India's node sends, applied
by the registered handler as the inbox does) and ``release`` (a STIX object written to a
collection shared with India: the cyber release decision; an indicator, or with
``person`` the identity of an individual).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.cyber.schemas import CollectionCreate, ShareCreate
from liaison.cyber.service import CyberService
from liaison.cyber.tlp import MARKING_FOR, Tlp
from liaison.kit.db import unit_of_work
from liaison.models import AuditEntry, OutboxMessage
from liaison.policy import register
from liaison.users.auth import caller_for
from liaison.users.repository import find_login_user
from tests.cyber.stix import STAMP, indicator
from tests.exchange import payloads
from tests.support.peering import apply_inbound

Headers = Callable[[str], dict[str, str]]
PATHS = ("compose", "forward", "inbound", "release")
DECISIONS = ("policy.decision", "exchange.message.receive", "cyber.received")
EFFECTS = {
    "block": {"block"},
    "held": {"allow_with_obligations"},
    "consent": {"block"},  # a forward kept until the originator consents
    "sent": {"allow", "allow_with_obligations"},
    "received": {"allow", "allow_with_obligations"},
}


@dataclass
class Node:
    client: TestClient
    auth_headers: Headers
    agencies: dict[str, str]
    factory: sessionmaker[Session]
    settings: Settings


@dataclass
class Outcome:
    """What a user sees: the answer's status, rules and citations; the audit entries."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    fired: set[str] = field(default_factory=set)
    citations: str = ""


def path_of(scenario: dict[str, Any]) -> str:
    return next(p for p in PATHS if p in scenario)


def _last_sequence(factory: sessionmaker[Session]) -> int:
    with unit_of_work(factory) as db:
        entry = db.scalar(select(AuditEntry.sequence).order_by(AuditEntry.sequence.desc()))
        return entry or 0


def _decisions_since(factory: sessionmaker[Session], sequence: int) -> list[AuditEntry]:
    with unit_of_work(factory) as db:
        query = (
            select(AuditEntry)
            .where(AuditEntry.sequence > sequence, AuditEntry.action.in_(DECISIONS))
            .order_by(AuditEntry.sequence)
        )
        return list(db.scalars(query))


def _markings(node: Node, given: dict[str, Any]) -> dict[str, Any]:
    given = dict(given)
    if "named_recipients" in given:
        given["named_recipients"] = [node.agencies[a] for a in given["named_recipients"]]
    return payloads.markings(**given)


def _answered(answer: Any) -> Outcome:
    data = answer.json()
    if answer.status_code == 403:
        rules = data.get("rules", [])
        fired = {r["rule_id"] for r in rules}
        return Outcome(403, data, fired, " ".join(r["citation"] for r in rules))
    obligations = data.get("obligations", []) if isinstance(data, dict) else []
    fired = {o["rule_id"] for o in obligations}
    return Outcome(answer.status_code, data, fired, " ".join(o["citation"] for o in obligations))


def _compose(node: Node, item: dict[str, Any]) -> Outcome:
    item = dict(item)
    markings = _markings(node, item.pop("markings", {}))
    to = node.agencies[item.pop("to", "IN:NCB")]
    body = payloads.compose(node.agencies, markings=markings, to_agency_id=to, **item)
    headers = node.auth_headers("ca-officer")
    return _answered(node.client.post("/api/v1/exchange/cases", json=body, headers=headers))


def _receive(node: Node, item: dict[str, Any]) -> dict[str, Any]:
    item = dict(item)
    markings = _markings(node, item.pop("markings", {}))
    payload = payloads.inbound(node.agencies, markings=markings, **item)
    apply_inbound(node.factory, node.settings, "exchange.message", payload)
    return payload


def _forward(node: Node, item: dict[str, Any]) -> Outcome:
    item = dict(item)
    to = node.agencies[item.pop("to")]
    received = _receive(node, item)
    answer = node.client.post(
        f"/api/v1/exchange/messages/{received['id']}/forward",
        json={"to_agency_id": to, "note": "for your action"},
        headers=node.auth_headers("ca-officer"),
    )
    return _answered(answer)


def _inbound(node: Node, item: dict[str, Any]) -> Outcome:
    received = _receive(node, item)
    answer = node.client.get(
        f"/api/v1/exchange/messages/{received['id']}", headers=node.auth_headers("ca-officer")
    )
    return _answered(answer)


def _individual(name: str, tlp: Tlp) -> dict[str, Any]:
    """A STIX identity of a person (e.g. the registrant behind a phishing domain)."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": f"identity--{uuid.uuid4()}",
        "created": STAMP,
        "modified": STAMP,
        "name": name,
        "identity_class": "individual",
        "object_marking_refs": [MARKING_FOR[tlp]],
    }


def _release(node: Node, item: dict[str, Any]) -> Outcome:
    """Write one indicator (or a person's identity) to a collection shared with India;
    201 if it was queued."""
    with unit_of_work(node.factory) as db:
        user = find_login_user(db, "ca-admin")
        assert user is not None
        service = CyberService(db, caller_for(db, user))
        collection = service.create_collection(CollectionCreate(title="Shared with India"))
        service.share(collection.id, ShareCreate(party="IN"))
        before = len(db.scalars(select(OutboxMessage.id)).all())
        obj = indicator(tlp=Tlp(item["tlp"]))
        if "person" in item:  # a STIX identity of an individual instead
            obj = _individual(item["person"], Tlp(item["tlp"]))
        service.write(collection.id, [obj], audience=item.get("audience", []))
        queued = len(db.scalars(select(OutboxMessage.id)).all()) - before
    return Outcome(201 if queued else 403)


RUNNERS: dict[str, Callable[[Node, dict[str, Any]], Outcome]] = {
    "compose": _compose,
    "forward": _forward,
    "inbound": _inbound,
    "release": _release,
}


def _invalid(name: str, outcome: Outcome, expect: dict[str, Any]) -> list[str]:
    if outcome.status != 422:
        return [f"{name}: expected 422, got {outcome.status}: {str(outcome.body)[:300]}"]
    fields = {e["field"] for e in outcome.body.get("errors", [])}
    if expect["field"] not in fields:
        return [f"{name}: 422 names {sorted(fields)}, not {expect['field']}"]
    return []


def run(scenario: dict[str, Any], node: Node) -> list[str]:
    """The problems with one scenario (empty when it behaves as written)."""
    name, expect = scenario["name"], scenario["expect"]
    setup = scenario.get("setup", {})
    if "assurance" in setup:
        made = node.client.post(
            "/api/v1/policy/assurances",
            json=setup["assurance"],
            headers=node.auth_headers("ca-legal"),
        )
        if made.status_code != 201:
            return [f"{name}: assurance not recorded: {made.text}"]
    if "register" in setup:
        with unit_of_work(node.factory) as db:
            register.import_csv(db, setup["register"], actor="user:test", party="CA")
    path = path_of(scenario)
    before = _last_sequence(node.factory)
    outcome = RUNNERS[path](node, scenario[path])
    effect = expect["effect"]
    if effect == "invalid":
        return _invalid(name, outcome, expect)
    wanted_status = 403 if effect == "block" else (200 if path == "inbound" else 201)
    if outcome.status != wanted_status:
        return [f"{name}: expected {wanted_status}, got {outcome.status}: {outcome.body}"]
    problems: list[str] = []
    if path in ("compose", "forward") and effect != "block":
        status = outcome.body["status"]
        kept = {"held": {"held_for_review"}, "consent": {"awaiting_consent"}}
        if status not in kept.get(effect, {"sent", "delivered"}):
            problems.append(f"{name}: message {status}, expected {effect}")
    entries = _decisions_since(node.factory, before)
    if not entries:
        return [*problems, f"{name}: no policy decision in the audit log"]
    audited = {rule for entry in entries for rule in entry.rule_ids}
    cited = " ".join(
        citation for entry in entries for citation in entry.detail.get("citations", {}).values()
    )
    decisions = {entry.decision for entry in entries}
    wanted_decisions = EFFECTS[effect]
    refused = effect in ("block", "consent")  # consent: blocked until the originator agrees
    if refused and "block" not in decisions:
        problems.append(f"{name}: no block in the audit log ({decisions})")
    if not refused and not decisions <= wanted_decisions:
        problems.append(f"{name}: audit decisions {decisions}, expected {wanted_decisions}")
    rule = expect.get("rule")
    in_answer = path == "release" or rule in outcome.fired
    if rule and (not in_answer or rule not in audited):
        problems.append(
            f"{name}: {rule} not fired (answer {sorted(outcome.fired)}, audit {sorted(audited)})"
        )
    citation = expect.get("citation")
    if citation and citation not in cited:
        problems.append(f"{name}: citation {citation!r} not in the audit log ({cited!r})")
    if citation and path != "release" and citation not in outcome.citations:
        problems.append(f"{name}: citation {citation!r} not in the answer")
    problems += [
        f"{name}: {r} fired but must not" for r in expect.get("absent", []) if r in audited
    ]
    return problems
