"""The register page: an administrator or legal reviewer imports a CSV and sees the count;
a bad row is refused naming its line; an officer may not see the register; the register's
entries are under retention. A hit/no-hit follow-up naming a registered claimant is
blocked though the officer's draft says nothing of the person's protection."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.domains import registry
from liaison.hitcheck.identifiers import Category, Identifier
from liaison.hitcheck.service import follow_up_link
from liaison.kit.db import unit_of_work
from liaison.models import AuditEntry
from liaison.policy import register
from liaison.policy.register import CATEGORY, name_key
from tests.exchange.test_web_pages import _form
from tests.support.web import HTML, sign_in

HEADER = "name,date_of_birth,protection_status,feared_country,reference\n"
GOOD = (
    HEADER
    + "Harjit Singh,1985-03-01,refugee_claimant,IN,IRB-1\n"
    + "Amandeep Kaur,,protected_person,in,IRB-2\n"
)
BAD = HEADER + "A B,,refugee_claimant,India,X\n"


def _post(client: TestClient, token: str, text: str) -> str:
    files = {"file": ("register.csv", text.encode(), "text/csv")}
    answer = client.post(
        "/policy/protected-persons", data={"csrf_token": token}, files=files, headers=HTML
    )
    return f"{answer.status_code} {answer.text}"


def test_a_legal_reviewer_imports_the_register(client: TestClient) -> None:
    token = sign_in(client, "ca-legal", "/policy/protected-persons")
    page = client.get("/policy/protected-persons", headers=HTML).text
    assert "<strong>0</strong> entries" in page
    refused = _post(client, token, BAD)
    assert refused.startswith("422")
    assert "line 2, feared_country" in refused
    imported = _post(client, token, GOOD)
    assert imported.startswith("200")
    assert "<strong>2</strong> entries" in imported
    again = _post(client, token, GOOD)  # same references: replaced, not doubled
    assert "<strong>2</strong> entries" in again


def test_an_officer_does_not_see_the_register(client: TestClient) -> None:
    sign_in(client, "ca-officer")
    assert client.get("/policy/protected-persons", headers=HTML).status_code == 403


def test_names_match_across_case_accents_and_punctuation() -> None:
    assert name_key("  JASPREET  Kaur-Dhillon ") == name_key("jaspreet kaur dhillon")
    assert name_key("José Núñez") == name_key("jose nunez")
    assert name_key("Harjit Singh") != name_key("Harjit Singh Gill")


def test_the_register_is_kept_under_retention() -> None:
    assert CATEGORY in {rule.retention_category for rule in registry().purge_rules.values()}


def test_a_hit_follow_up_naming_a_registered_claimant_is_blocked(
    client: TestClient,
    auth_headers: Callable[[str], dict[str, str]],
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    """The officer drafts the follow-up request of a hit on a person and sends it as
    pre-filled: the register makes the person a refugee claimant who fears India, though
    the draft says nothing of it, and the request is blocked (answer and audit log)."""
    with unit_of_work(seeded) as db:
        register.import_csv(db, GOOD, actor="user:test", party="CA")
    hit = Identifier(category=Category.PERSON, value="Harjit Singh", date_of_birth="1985-03-01")
    link = follow_up_link(hit, "query-1", "criminal investigation: fraud", "police_cooperation")
    draft = {key: values if key.startswith("entity_") else values[0]
             for key, values in parse_qs(urlsplit(link).query).items()}  # fmt: skip
    assert draft["entity_kind"] == ["person"]
    sent = client.post(
        "/exchange/compose",
        data=_form(agencies, offences=["fraud"]) | draft,
        headers=auth_headers("ca-officer") | HTML,
    )
    assert sent.status_code == 403, sent.text[:300]
    assert "ca.non_refoulement" in sent.text
    assert "IRPA s. 115" in sent.text
    with unit_of_work(seeded) as db:
        entry = db.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "policy.decision")
            .order_by(AuditEntry.sequence.desc())
        )
        assert entry is not None
        assert entry.decision == "block"
        assert "ca.non_refoulement" in entry.rule_ids
        assert "IRPA s. 115" in entry.detail["citations"]["ca.non_refoulement"]
