"""Property tests of the engine with the shipped packs."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.policy.facts import DERIVED, FEEDS
from liaison.policy.packs import SUBJECT_FIELDS, shipped_packs
from liaison.policy.schemas import Effect, PolicySubject
from tests.policy.helpers import engine

PARTIES = st.sampled_from(["CA", "IN", "US", "LK", "GB"])
OPTIONAL_TEXT = st.one_of(st.none(), st.just(""), st.text(min_size=1, max_size=12))
OFFENCES = ["drug_trafficking", "ndps_31a_repeat", "murder", "terrorism", "fraud", "extortion"]
BASES = ["lawful_advocacy", "protest", "dissent", "violence", "crime", "artistic_expression"]

subjects = st.builds(
    PolicySubject,
    direction=st.sampled_from(["outbound", "inbound", "onward"]),
    kind=st.sampled_from(["message", "attachment", "entity", "cyber_object", "hitcheck"]),
    sender_party=PARTIES,
    recipient_party=PARTIES,
    originator_party=PARTIES,
    message_type=st.sampled_from([None, "request", "reply", "disclosure", "alert"]),
    tlp=st.sampled_from(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]),
    handling_code=st.sampled_from(
        ["intelligence_only", "evidence_with_consent", "evidence", "no_onward_disclosure"]
    ),
    legal_basis=st.sampled_from([None, "", "police_cooperation", "mlat"]),
    legal_basis_reference=OPTIONAL_TEXT,
    mlat_reference=st.sampled_from([None, "", "MLAT/2026/1"]),
    purpose=OPTIONAL_TEXT,
    contains_personal_data=st.booleans(),
    offences=st.lists(st.sampled_from(OFFENCES), max_size=3, unique=True),
    death_penalty_assurance=st.sampled_from([None, "A-1"]),
    mistreatment_risk=st.booleans(),
    mistreatment_determination=st.sampled_from([None, "LR-1"]),
    protection_status=st.sampled_from(["none", "unknown", "refugee_claimant", "protected_person"]),
    feared_country=st.one_of(st.none(), PARTIES),
    activity_basis=st.lists(st.sampled_from(BASES), max_size=3, unique=True),
    onward_recipient_party=st.one_of(st.none(), PARTIES),
    originator_consent=st.booleans(),
    cyber_incident=st.booleans(),
    incident_detected_at=st.one_of(st.none(), st.just(datetime(2026, 2, 7, 9, 0, tzinfo=UTC))),
    passed_on_to=st.one_of(st.none(), st.just("CBSA (CA)")),
    outside_named_recipients=st.booleans(),
    outside_receiving_organisation=st.booleans(),
)

DIRECT = {
    name
    for pack in shipped_packs()
    for rule in pack.rules
    for name in re.findall(r"context\.([a-z_]+)", rule.when)
}
READ = DIRECT | {field for name in DIRECT for field in FEEDS.get(name, ())}
UNREAD = sorted(set(SUBJECT_FIELDS) - READ - set(DERIVED))
UNRELATED_VALUES: dict[str, Any] = {
    "kind": st.sampled_from(["message", "attachment", "entity", "hitcheck"]),
    "purpose": OPTIONAL_TEXT,
    "case_reference": st.sampled_from([None, "CA-2026-000001"]),
    "message_type": st.sampled_from([None, "request", "alert", "follow_up"]),
    "legal_basis_reference": OPTIONAL_TEXT,
    "incident_detected_at": st.one_of(st.none(), st.just(datetime(2026, 1, 1, tzinfo=UTC))),
    "passed_on_to": st.one_of(st.none(), st.just("CSIS (CA)")),
}


def changed(subject: PolicySubject, update: dict[str, Any]) -> PolicySubject:
    return PolicySubject.model_validate(subject.model_dump() | update)


def test_the_unrelated_attributes_are_those_no_rule_reads() -> None:
    assert set(UNRELATED_VALUES) == set(UNREAD)


@settings(max_examples=200, deadline=None)
@given(subjects)
def test_a_block_always_names_a_blocking_rule_with_its_citation(subject: PolicySubject) -> None:
    decision = engine().evaluate(subject)
    blocking = [hit for hit in decision.rules if hit.effect == "block"]
    assert (decision.effect is Effect.BLOCK) == bool(blocking)
    for hit in decision.rules:
        assert hit.citation
        assert hit.explanation
    if decision.effect is Effect.ALLOW:
        assert decision.obligations == []


@settings(max_examples=200, deadline=None)
@given(subjects, st.data())
def test_changing_an_unrelated_attribute_never_changes_the_effect(
    subject: PolicySubject, data: st.DataObject
) -> None:
    name = data.draw(st.sampled_from(UNREAD))
    other = changed(subject, {name: data.draw(UNRELATED_VALUES[name])})
    assert engine().evaluate(other).effect == engine().evaluate(subject).effect


@settings(max_examples=200, deadline=None)
@given(subjects)
def test_recording_safeguards_never_turns_an_allowed_item_into_a_block(
    subject: PolicySubject,
) -> None:
    before = engine().evaluate(subject)
    safer = changed(
        subject,
        {
            "death_penalty_assurance": "A-9",
            "mistreatment_determination": "LR-9",
            "originator_consent": True,
            "mlat_reference": subject.mlat_reference or "MLAT/9",
            "legal_basis": subject.legal_basis or "police_cooperation",
        },
    )
    after = engine().evaluate(safer)
    if before.effect is not Effect.BLOCK:
        assert after.effect is not Effect.BLOCK
    assert not after.holds_for_review()


@settings(max_examples=200, deadline=None)
@given(subjects)
def test_explain_accounts_for_every_rule_once(subject: PolicySubject) -> None:
    decision = engine().evaluate(subject, explain=True)
    applied = set(decision.rule_ids)
    considered = {r.rule_id for r in decision.not_applicable}
    assert applied.isdisjoint(considered)
    assert applied | considered == set(engine().rules)
    assert decision.effect == engine().evaluate(subject).effect
