"""The register page: an administrator or legal reviewer imports a CSV and sees the count;
a bad row is refused naming its line; an officer may not see the register; the register's
entries are under retention."""

from __future__ import annotations

from fastapi.testclient import TestClient

from liaison.domains import registry
from liaison.policy.register import CATEGORY, name_key
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
