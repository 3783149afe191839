"""The bypasses found in issue 14, each now failing closed (through the real API).

- party codes typed in lower case or as names;
- offence codes typed loosely or invented;
- any non-empty assurance string clearing the death-penalty hold;
- the death-penalty rule ignoring onward disclosure (Canada -> a third party -> India);
- any alleged offence lifting the lawful-advocacy block.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from liaison.kit import clock
from tests.policy.helpers import BASE

Headers = Callable[[str], dict[str, str]]
BURNS = "ca.burns.death_penalty_assurance"


def _explain(client: TestClient, headers: dict[str, str], **changes: Any) -> Any:
    return client.post("/api/v1/policy/explain", json=BASE | changes, headers=headers)


def _fired(answer: Any) -> set[str]:
    assert answer.status_code == 200, answer.text
    return {hit["rule_id"] for hit in answer.json()["rules"]}


def _fields(answer: Any) -> set[str]:
    assert answer.status_code == 422, answer.text
    return {e["field"] for e in answer.json()["errors"]}


def test_lower_case_sender_is_normalised_and_blocked_without_legal_basis(
    client: TestClient, auth_headers: Headers
) -> None:
    headers = auth_headers("ca-officer")
    answer = _explain(
        client, headers, sender_party="ca", contains_personal_data=True, legal_basis=None
    )
    assert "ca.privacy_act.legal_basis" in _fired(answer)
    assert answer.json()["effect"] == "block"


@pytest.mark.parametrize("field", ["sender_party", "recipient_party", "feared_country"])
def test_a_country_name_instead_of_a_code_is_refused_naming_the_field(
    client: TestClient, auth_headers: Headers, field: str
) -> None:
    answer = _explain(client, auth_headers("ca-officer"), **{field: "Canada"})
    assert field in _fields(answer)


def test_feared_country_in_lower_case_still_blocks(
    client: TestClient, auth_headers: Headers
) -> None:
    answer = _explain(
        client,
        auth_headers("ca-officer"),
        protection_status="refugee_claimant",
        feared_country="in",
    )
    assert "ca.non_refoulement" in _fired(answer)


def test_unknown_offence_is_refused_and_loose_case_is_normalised(
    client: TestClient, auth_headers: Headers
) -> None:
    headers = auth_headers("ca-officer")
    assert "offences.0" in _fields(_explain(client, headers, offences=["homicide"]))
    assert BURNS in _fired(_explain(client, headers, offences=[" Murder "]))


def test_unknown_activity_basis_is_refused(client: TestClient, auth_headers: Headers) -> None:
    answer = _explain(client, auth_headers("ca-officer"), activity_basis=["blogging"])
    assert "activity_basis.0" in _fields(answer)


def _assurance(client: TestClient, headers: dict[str, str], **changes: Any) -> None:
    body = {
        "reference": "MEA/DP/2026/1",
        "kind": "death_penalty",
        "given_by": "Ministry of External Affairs, India",
        "given_on": "2026-02-01",
        "text": "The death penalty will not be sought or carried out.",
        "party": "IN",
    } | changes
    answer = client.post("/api/v1/policy/assurances", json=body, headers=headers)
    assert answer.status_code == 201, answer.text


def test_an_unrecorded_assurance_string_does_not_clear_the_hold(
    client: TestClient, auth_headers: Headers
) -> None:
    answer = _explain(
        client, auth_headers("ca-officer"), offences=["murder"], death_penalty_assurance="anything"
    )
    assert BURNS in _fired(answer)


def test_a_recorded_covering_assurance_clears_the_hold(
    client: TestClient, auth_headers: Headers
) -> None:
    _assurance(client, auth_headers("ca-legal"))
    answer = _explain(
        client,
        auth_headers("ca-officer"),
        offences=["murder"],
        death_penalty_assurance="MEA/DP/2026/1",
    )
    assert BURNS not in _fired(answer)


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"expires_on": "2026-03-01"}, "expired"),
        ({"party": "US"}, "given by another state"),
        ({"party": None}, "no giving state recorded"),
        ({"scope": "offence", "scope_value": "terrorism"}, "scoped to another offence"),
        ({"kind": "mistreatment"}, "not a death-penalty assurance"),
    ],
)
def test_an_assurance_that_does_not_cover_the_item_keeps_the_hold(
    client: TestClient, auth_headers: Headers, changes: dict[str, Any], why: str
) -> None:
    clock.set_clock(lambda: datetime(2026, 6, 1, 12, tzinfo=UTC))
    try:
        _assurance(client, auth_headers("ca-legal"), **changes)
        answer = _explain(
            client,
            auth_headers("ca-officer"),
            offences=["murder"],
            death_penalty_assurance="MEA/DP/2026/1",
        )
    finally:
        clock.reset_clock()
    assert BURNS in _fired(answer), why


def test_assurance_expiring_before_it_was_given_is_refused(
    client: TestClient, auth_headers: Headers
) -> None:
    given = date(2026, 2, 1)
    body = {
        "reference": "MEA/DP/2026/2",
        "given_by": "Ministry of External Affairs, India",
        "given_on": given.isoformat(),
        "expires_on": (given - timedelta(days=1)).isoformat(),
        "text": "The death penalty will not be sought or carried out.",
        "party": "IN",
    }
    answer = client.post("/api/v1/policy/assurances", json=body, headers=auth_headers("ca-legal"))
    assert answer.status_code == 422


def test_death_penalty_rule_reads_the_onward_recipient(
    client: TestClient, auth_headers: Headers
) -> None:
    headers = auth_headers("ca-officer")
    onward = _explain(
        client,
        headers,
        recipient_party="GB",
        onward_recipient_party="IN",
        originator_party="CA",
        offences=["ndps_31a_repeat"],
    )
    assert BURNS in _fired(onward)
    assert "IN" in " ".join(h["explanation"] for h in onward.json()["rules"])
    # near miss: the same item staying in the United Kingdom is not held
    assert BURNS not in _fired(
        _explain(client, headers, recipient_party="GB", offences=["ndps_31a_repeat"])
    )


def test_death_penalty_table_is_not_only_india(client: TestClient, auth_headers: Headers) -> None:
    headers = auth_headers("ca-officer")
    assert BURNS in _fired(_explain(client, headers, recipient_party="US", offences=["murder"]))
    assert BURNS not in _fired(_explain(client, headers, recipient_party="FR", offences=["murder"]))


def test_an_unrelated_offence_does_not_lift_the_lawful_advocacy_block(
    client: TestClient, auth_headers: Headers
) -> None:
    headers = auth_headers("ca-officer")
    fraud = _explain(client, headers, activity_basis=["protest"], offences=["fraud"])
    assert "ca.scida.lawful_advocacy" in _fired(fraud)
    assert fraud.json()["effect"] == "block"
    security = _explain(client, headers, activity_basis=["protest"], offences=["terrorism"])
    assert "ca.scida.lawful_advocacy" not in _fired(security)
