"""The leak suite: TLP:RED and TLP:AMBER+STRICT content reaches nobody outside its audience.

It creates restricted items of every kind a node holds (an inbound RED request and an
inbound AMBER+STRICT request to the analyst's agency, each with entities and an
attachment; two outbound RED disclosures composed by that agency, one held for legal
review; RED and AMBER+STRICT STIX indicators linked to an incident; the notifications,
deadline escalations and assignment they cause), then walks **every**
operation of the OpenAPI schema and **every** web GET page of the app (enumerated from
the app itself, so a new route is covered without touching this file), substituting
the ids it knows for path parameters, as each demo role and an extra analyst of an
uninvolved agency. No byte of a protected field (case titles and summaries, subjects,
bodies, entity values and labels, attachment file names, STIX names and descriptions)
may appear in any answer to a caller outside the audience. As a control, the one user
in every audience (the analyst: ``ca-analyst`` of CBSA, ``in-analyst`` of NCB, the
STIX objects' writer) does see them. It runs on both nodes (Canada's, India's).

Each protected value carries a unique token (``zqleak…``); answers are compared
case-insensitively (labels and search keys are lower-cased copies), headers included.
The ids of restricted messages, attachments and STIX objects are checked too, except
in an answer about that very id (a 404 names what was asked for) and in the audit
trail, the legal review queue and the list of legal obligations, which name the objects
they record, hold or oblige but never their content. Searches are made with the tokens'
common prefix, exports in their text form. Operations other than GET are called with an
empty JSON body by the roles that may write: their refusals and validation errors must
not leak either.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.cyber.incidents import IncidentCreate, IncidentService, LinkCreate
from liaison.cyber.tlp import Tlp
from liaison.exchange import deadlines
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.kit.ids import new_id
from liaison.models import CyberCollection, MessageEntity, Notification, ReviewItem
from liaison.users.auth import caller_for
from liaison.users.repository import find_login_user
from tests.cyber.stix import indicator
from tests.cyber.taxii import objects_url
from tests.exchange import payloads
from tests.security.conftest import Node

Headers = Callable[[str], dict[str, str]]
TAXII = "application/taxii+json;version=2.1"
SEARCH = "zqleak"  # a prefix of every token: searches that would find them, if they leaked
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def outsiders(node: Node) -> tuple[str, ...]:
    """Every demo role but the analyst (whose agency every item involves), and an
    analyst of an agency no item involves."""
    return tuple(node.user(r) for r in ("admin", "officer", "legal", "viewer", "outsider"))


def payload_number() -> str:
    return f"{uuid.uuid4().int % 1_000_000:06d}"


def token(name: str) -> str:
    return f"{SEARCH}{name}{uuid.uuid4().hex[:6]}"


@dataclass
class Planted:
    """What the suite planted: the protected values, and ids to put in paths."""

    needles: list[str] = field(default_factory=list)
    secret_ids: list[str] = field(default_factory=list)  # ids of restricted parts
    ids: dict[str, list[str]] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)  # entity keys, for deconfliction
    # what a legal reviewer reads while it is held for review (need-to-know)
    reviewable: list[str] = field(default_factory=list)

    def without(self, exempt: list[str]) -> Planted:
        return replace(
            self,
            needles=[n for n in self.needles if n not in exempt],
            secret_ids=[i for i in self.secret_ids if i not in exempt],
        )

    def protect(self, *values: str) -> None:
        self.needles.extend(v.lower() for v in values)

    def known(self, kind: str, *ids: str) -> None:
        self.ids.setdefault(kind, []).extend(ids)


# planting -------------------------------------------------------------------------
def _restricted_inbound(
    node: Node, agencies: dict[str, str], planted: Planted, tlp: str, tag: str
) -> dict[str, Any]:
    title, summary, subject, body = (
        token(f"{tag}title"),
        token(f"{tag}summary"),
        token(f"{tag}subject"),
        token(f"{tag}body"),
    )
    person, mailbox = f"Velloruth {token(tag + 'person')}", f"{token(tag + 'mail')}@leak.example"
    birthplace = token(tag + "birthplace")
    filename = f"{token(tag + 'file')}.pdf"
    payload = payloads.inbound(
        agencies,
        case_title=title,
        case_summary=summary,
        subject=subject,
        body=body,
        from_agency_id=agencies[node.peer_agency(node.peer_sender)],
        to_agency_id=agencies[node.agency(node.home)],
        case_origin_party=node.peer,
        originator_party=node.peer,
        case_reference=f"{node.peer}-2026-{payload_number()}",
        entities=[
            {"kind": "person", "name": person, "place_of_birth": birthplace},
            {"kind": "email", "address": mailbox},
        ],
        markings=payloads.markings(tlp=tlp, named_recipients=[agencies[node.agency(node.home)]]),
        attachments=[
            {
                "id": new_id(),
                "filename": filename,
                "sha256": hashlib.sha256(PDF).hexdigest(),
                "size": len(PDF),
                "tlp": tlp,
                "handling_code": "intelligence_only",
                "mime": "application/pdf",
                "transfer": "pull-v1",
            }
        ],
    )
    planted.protect(title, summary, subject, body, person, birthplace, mailbox, filename)
    planted.known("case", payload["case_id"])
    planted.known("message", payload["id"])
    planted.known("attachment", payload["attachments"][0]["id"])
    planted.secret_ids.extend([payload["id"], payload["attachments"][0]["id"]])
    return payload


def _outbound_red(
    node: Node,
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    planted: Planted,
    tag: str,
    offences: tuple[str, ...] = ("drug_trafficking",),
) -> None:
    """A RED disclosure composed by the analyst's agency (``murder``: on Canada's node,
    held for an assurance, in the legal review queue)."""
    headers = auth_headers(node.user("analyst"))
    filename = f"{token(tag + 'file')}.pdf"
    uploaded = client.post(
        "/api/v1/exchange/attachments",
        files={"file": (filename, PDF, "application/pdf")},
        data={"tlp": "RED"},
        headers=headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    title, subject, body = token(tag + "title"), token(tag + "subject"), token(tag + "body")
    person = f"Quorvane {token(tag + 'person')}"
    birthplace = token(tag + "birthplace")
    mailbox = f"{token(tag + 'mail')}@leak.example"
    draft = payloads.compose(
        agencies,
        case_title=title,
        case_summary=token(tag + "summary"),
        type="disclosure",
        from_agency_id=agencies[node.agency(node.home)],
        to_agency_id=agencies[node.peer_agency(node.peer_recipient)],
        subject=subject,
        body=body,
        entities=[
            {"kind": "person", "name": person, "place_of_birth": birthplace},
            {"kind": "email", "address": mailbox},
        ],
        markings=payloads.markings(
            tlp="RED", named_recipients=[agencies[node.peer_agency(node.peer_recipient)]]
        ),
        attachment_ids=[uploaded.json()["id"]],
        offences=list(offences),
    )
    sent = client.post("/api/v1/exchange/cases", json=draft, headers=headers)
    assert sent.status_code == 201, sent.text
    planted.protect(
        title, draft["case_summary"], subject, body, person, birthplace, mailbox, filename
    )
    planted.known("case", sent.json()["case_id"])
    planted.known("message", sent.json()["id"])
    planted.known("attachment", uploaded.json()["id"])
    planted.secret_ids.extend([sent.json()["id"], uploaded.json()["id"]])
    if sent.json()["status"] == "held_for_review":
        values = (
            title, draft["case_summary"], subject, body, person, birthplace, mailbox, filename
        )  # fmt: skip
        planted.reviewable.extend([v.lower() for v in values])
        planted.reviewable.extend([sent.json()["id"], uploaded.json()["id"]])


def _stix(
    node: Node,
    client: TestClient,
    auth_headers: Headers,
    seeded: sessionmaker[Session],
    planted: Planted,
) -> None:
    with unit_of_work(seeded) as db:
        cccs = db.scalar(select(CyberCollection.id).where(CyberCollection.title == node.collection))
    assert cccs is not None
    headers = {**auth_headers(node.user("analyst")), "Accept": TAXII, "Content-Type": TAXII}
    objects = []
    for n, tlp in ((7, Tlp.RED), (8, Tlp.AMBER_STRICT)):
        name, description = token(f"stixname{n}"), token(f"stixdesc{n}")
        objects.append(indicator(n, tlp=tlp, name=name, description=description))
        planted.protect(name, description)
    posted = client.post(objects_url(cccs), json={"objects": objects}, headers=headers)
    assert posted.status_code == 202, posted.text
    with unit_of_work(seeded) as db:
        writer = find_login_user(db, node.user("analyst"))
        assert writer is not None
        incidents = IncidentService(db, caller_for(db, writer))
        incident = incidents.create(
            IncidentCreate(title="Intrusion at a port operator", detected_at=clock.now())
        )
        for obj in objects:
            incidents.link(incident.id, LinkCreate(collection_id=cccs, stix_id=obj["id"]))
        planted.known("incident", incident.id)
    planted.known("collection", cccs)
    planted.known("stix", *[o["id"] for o in objects])
    planted.secret_ids.extend(o["id"] for o in objects)
    planted.known("status", posted.json()["id"])


def _outsider(
    node: Node, client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    user = {
        "username": node.user("outsider"),
        "display_name": "Analyst, CSIS",
        "password": "an outsider's long password",
        "role": "analyst",
        "agency_id": agencies[node.agency(node.outsider_agency)],
    }
    made = client.post("/api/v1/users", json=user, headers=auth_headers(node.user("admin")))
    assert made.status_code == 201, made.text


@pytest.fixture
def planted(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
    seeded: sessionmaker[Session],
    settings: Settings,
    node: Node,
) -> Planted:
    planted = Planted()
    _outsider(node, client, auth_headers, agencies)
    red = _restricted_inbound(node, agencies, planted, "RED", "red")
    strict = _restricted_inbound(node, agencies, planted, "AMBER+STRICT", "strict")
    receive(red)  # notifies the liaison officers (outside the audience)
    receive(strict)
    _outbound_red(node, client, auth_headers, agencies, planted, "out")
    _outbound_red(node, client, auth_headers, agencies, planted, "held", ("murder",))
    _stix(node, client, auth_headers, seeded, planted)
    # an assignment (its notification) and deadline escalations (theirs), by outsiders
    assigned = client.post(
        f"/api/v1/exchange/cases/{red['case_id']}/assign",
        json={"username": node.user("analyst")},
        headers=auth_headers(node.user("officer")),
    )
    assert assigned.status_code == 200, assigned.text
    assert not leaks(assigned.text, planted.needles)
    later = clock.now() + timedelta(days=30)
    clock.set_clock(lambda: later)
    with unit_of_work(seeded) as db:
        assert deadlines.escalate(db, settings) > 0
    clock.reset_clock()
    with unit_of_work(seeded) as db:
        planted.known("notification", *db.scalars(select(Notification.id)))
        planted.known("review", *db.scalars(select(ReviewItem.id)))
    planted.keys = _entity_keys(seeded, planted)
    if node.party == "CA":  # Canada's pack holds it for an assurance
        assert planted.ids.get("review")
    return planted


def _entity_keys(seeded: sessionmaker[Session], planted: Planted) -> list[str]:
    """The deconfliction keys of the planted messages (what another holder would ask)."""
    with unit_of_work(seeded) as db:
        query = select(MessageEntity.key).where(
            MessageEntity.message_id.in_(planted.ids["message"])
        )
        return sorted(set(db.scalars(query)))


# walking ----------------------------------------------------------------------------
def leaks(text: str, needles: list[str]) -> list[str]:
    lowered = text.lower()
    return [n for n in needles if n in lowered]


ID_VIEWS = (
    "/audit",
    "/api/v1/audit",
    "/policy/reviews",
    "/api/v1/policy/reviews",
    "/api/v1/policy/obligations",
)
# search boxes get the prefix of every token; exports their text form (a PDF's is compressed)
SEARCHES = {"q": SEARCH, "search": SEARCH, "format": "md"}
PARAM_KINDS = {
    "case_id": "case",
    "message_id": "message",
    "attachment_id": "attachment",
    "collection_id": "collection",
    "object_id": "stix",
    "stix_id": "stix",
    "status_id": "status",
    "notification_id": "notification",
    "review_id": "review",
    "incident_id": "incident",
}
PLAIN = {"username": "nobody-here", "party": "XX", "number": "1", "rest": "cti/"}


def _fillings(path: str, planted: Planted) -> Iterator[str]:
    """The path with every combination of known ids (others get an unknown id)."""
    names = re.findall(r"{(\w+)(?::\w+)?}", path)
    paths = [path]
    for name in names:
        kind = PARAM_KINDS.get(name)
        values = planted.ids.get(kind, []) if kind else []
        values = values or [PLAIN.get(name, new_id())]
        pattern = re.compile(r"{" + name + r"(?::\w+)?}")
        paths = [pattern.sub(v, p) for p in paths for v in values]
    yield from paths


def _query(operation: dict[str, Any]) -> dict[str, Any]:
    """Required query parameters get the search prefix; search boxes get it too."""
    params = dict(SEARCHES)
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("required"):
            params[parameter["name"]] = SEARCH
    return params


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict[str, Any]
    accept: str


def _calls(client: TestClient, planted: Planted) -> list[Call]:
    schema = client.get("/openapi.json").json()
    calls = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for filled in _fillings(path, planted):
                accept = TAXII if path.startswith("/taxii2") else "application/json"
                calls.append(Call(method.upper(), filled, _query(operation), accept))
    app = client.app
    for route in iter_route_contexts(app.routes):  # type: ignore[attr-defined]
        if getattr(route.original_route, "include_in_schema", True) or not route.path:
            continue
        if "GET" not in (route.methods or set()):
            continue
        for filled in _fillings(route.path, planted):
            calls.append(Call("GET", filled, dict(SEARCHES), "text/html"))
    return calls


def _answer(client: TestClient, call: Call, headers: dict[str, str]) -> str:
    if call.method == "GET":
        response = client.get(
            call.path, params=call.params, headers=headers, follow_redirects=False
        )
    else:  # an empty body: what a refusal or a validation error says must not leak either
        response = client.request(
            call.method,
            call.path,
            params=call.params,
            json={},
            headers=headers,
            follow_redirects=False,
        )
    assert response.status_code < 500, (call, response.text[:500])
    return " ".join([*(f"{k}: {v}" for k, v in response.headers.items()), response.text])


def _walk(
    client: TestClient,
    calls: list[Call],
    users: tuple[str, ...],
    auth_headers: Headers,
    planted: Planted,
) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for username in users:
        headers = auth_headers(username)
        for call in calls:
            answer = _answer(client, call, {**headers, "Accept": call.accept})
            # an id of a restricted part may come back only to who named it (a 404 says it)
            # the audit trail and the legal review queue name the objects they record or
            # hold (never their content)
            named = call.path.startswith(ID_VIEWS)
            ids = [i for i in planted.secret_ids if i not in call.path and not named]
            hits = leaks(answer, planted.needles + ids)
            if hits:
                found[f"{username} {call.method} {call.path}"] = hits
    return found


@pytest.mark.walk
def test_no_restricted_content_reaches_anyone_outside_its_audience(
    client: TestClient, auth_headers: Headers, planted: Planted, node: Node
) -> None:
    calls = _calls(client, planted)
    reads = [c for c in calls if c.method == "GET"]
    assert len({c.path for c in reads}) > 60  # the schema and the pages were enumerated
    # the control: the audience does see what the suite planted
    seen = _walk(client, reads, (node.user("analyst"),), auth_headers, planted)
    assert set().union(*seen.values()) == set(planted.needles + planted.secret_ids)
    # API (JSON), web pages (HTML), TAXII: every role outside the audience, every route
    legal = node.user("legal")
    others = tuple(user for user in outsiders(node) if user != legal)
    assert _walk(client, reads, others, auth_headers, planted) == {}
    # a legal reviewer reads a restricted item only while it is held for their review
    reviewed = planted.without(planted.reviewable)
    assert _walk(client, reads, (legal,), auth_headers, reviewed) == {}
    if planted.reviewable:
        held = _walk(client, reads, (legal,), auth_headers, planted)
        assert set().union(*held.values()) == set(planted.reviewable)
    writes = [c for c in calls if c.method != "GET"]
    # writes with an empty body: refusals and validation errors say nothing either (the
    # roles that may write; the others' answers are the same refusals as for reads)
    writers = tuple(node.user(role) for role in ("admin", "officer", "outsider"))
    assert _walk(client, writes, writers, auth_headers, planted) == {}


def test_deconfliction_says_only_that_another_holding_exists(
    client: TestClient, auth_headers: Headers, planted: Planted, node: Node
) -> None:
    assert planted.keys
    secret_ids = [i for kind in ("case", "message") for i in planted.ids[kind]]
    for username in outsiders(node):
        headers = auth_headers(username)
        answer = client.get(
            "/api/v1/exchange/deconflict", params={"keys": planted.keys}, headers=headers
        )
        assert answer.status_code in (200, 403), answer.text
        if answer.status_code == 403:
            continue
        hits = answer.json()
        if username == node.user("legal"):  # reads what is held for review, nothing else
            hits = [hit for hit in hits if hit["message_id"] not in planted.reviewable]
            answer_text = "".join(str(hit) for hit in hits)
        else:
            answer_text = answer.text
        for hit in hits:
            assert hit["restricted"] is True
            assert hit["contact"]
            assert all(hit[k] is None for k in ("case_id", "message_id", "label", "case_title"))
        body = answer_text.lower()
        assert not [i for i in secret_ids if i in body]
        asked = {k.lower() for k in planted.keys}  # the caller's own words come back
        assert not leaks(
            body, [n for n in planted.needles if n not in asked and not any(n in k for k in asked)]
        )
    own = client.get(
        "/api/v1/exchange/deconflict",
        params={"keys": planted.keys},
        headers=auth_headers(node.user("analyst")),
    ).json()
    assert {h["case_id"] for h in own} >= set(planted.ids["case"])


def test_an_assignment_cannot_widen_the_audience(
    client: TestClient, auth_headers: Headers, planted: Planted, node: Node
) -> None:
    red_case = planted.ids["case"][0]  # inbound TLP:RED to CBSA, named recipient CBSA
    refused = client.post(
        f"/api/v1/exchange/cases/{red_case}/assign",
        json={"username": node.user("outsider")},
        headers=auth_headers(node.user("officer")),
    )
    assert refused.status_code == 403, refused.text
    assert "TLP:RED" in refused.json()["detail"]
    thread = client.get(
        f"/api/v1/exchange/cases/{red_case}", headers=auth_headers(node.user("outsider"))
    )
    assert thread.status_code in (200, 404)
    assert not leaks(thread.text, planted.needles)


def test_the_compose_page_duplicate_check_names_only_whom_to_contact(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    planted: Planted,
    node: Node,
) -> None:
    addresses = [k.removeprefix("email:") for k in planted.keys if k.startswith("email:")]
    form = {
        "action": "check",
        "case_title": "Draft",
        "type": "request",
        "from_agency_id": agencies[node.agency(node.outsider_agency)],
        "to_agency_id": agencies[node.peer_agency(node.peer_recipient)],
        "subject": "Draft",
        "entity_kind": ["email"] * len(addresses),
        "entity_value": addresses,
        "entity_detail": [""] * len(addresses),
    }
    headers = auth_headers(node.user("officer")) | {"Accept": "text/html"}
    page = client.post("/exchange/compose", data=form, headers=headers)
    assert page.status_code in (200, 422), page.text[:300]
    assert "Another holding exists" in page.text
    assert f"contact {node.home}" in page.text  # whom to ask
    asked = [a.lower() for a in addresses]
    assert not leaks(page.text, [n for n in planted.needles if n not in asked])
    assert not leaks(page.text, planted.secret_ids + planted.ids["case"])


def test_routers_see_the_case_with_its_title_and_summary_withheld(
    client: TestClient, auth_headers: Headers, planted: Planted, node: Node
) -> None:
    admin = auth_headers(node.user("admin"))
    listed = client.get("/api/v1/exchange/cases", headers=admin).json()
    mine = [c for c in listed if c["id"] in planted.ids["case"]]
    assert len(mine) == len(planted.ids["case"])
    assert {(c["title"], c["summary"]) for c in mine} == {("[restricted]", "[restricted]")}
    page = client.get(f"/exchange/cases/{mine[0]['id']}", headers=admin | {"Accept": "text/html"})
    assert page.status_code == 200
    assert "[restricted]" in page.text
    own = client.get(
        f"/api/v1/exchange/cases/{mine[0]['id']}", headers=auth_headers(node.user("analyst"))
    )
    assert own.json()["title"].startswith("zqleak")
