"""One test per shipped rule: the case it blocks or conditions, and the nearest it allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from liaison.policy.schemas import Effect
from tests.policy.helpers import decide, fired, obligation_kinds


def test_plain_police_to_police_message_is_allowed_as_intelligence_only() -> None:
    decision = decide()
    assert decision.effect is Effect.ALLOW_WITH_OBLIGATIONS
    assert fired(decision) == {"joint.police_to_police.intelligence_only"}
    assert obligation_kinds(decision) == {"intelligence_only"}
    assert not decision.holds_for_review()


# Legal basis for personal information -----------------------------------------------


def test_ca_personal_data_without_legal_basis_is_blocked_citing_privacy_act() -> None:
    decision = decide(contains_personal_data=True, legal_basis=None)
    assert decision.effect is Effect.BLOCK
    hit = next(h for h in decision.rules if h.rule_id == "ca.privacy_act.legal_basis")
    assert hit.citation == "Privacy Act, R.S.C. 1985, c. P-21, s. 8(2)(f)"
    assert "no legal basis" in hit.explanation


def test_ca_personal_data_with_legal_basis_is_allowed_and_recorded() -> None:
    decision = decide(contains_personal_data=True)
    assert decision.effect is Effect.ALLOW_WITH_OBLIGATIONS
    assert "ca.privacy_act.legal_basis" not in fired(decision)
    assert "record_disclosure" in obligation_kinds(decision)  # SCIDA s.9 record


def test_in_personal_data_without_legal_basis_is_blocked_citing_dpdp() -> None:
    decision = decide(
        sender_party="IN", recipient_party="CA", contains_personal_data=True, legal_basis=""
    )
    assert decision.effect is Effect.BLOCK
    assert fired(decision) >= {"in.dpdp.legal_basis"}
    assert any("s. 17(1)(c)" in h.citation for h in decision.rules)


def test_in_personal_data_with_legal_basis_is_allowed() -> None:
    decision = decide(sender_party="IN", recipient_party="CA", contains_personal_data=True)
    assert decision.effect is not Effect.BLOCK
    assert "in.dpdp.legal_basis" not in fired(decision)


# Evidence vs intelligence ------------------------------------------------------------


def test_evidence_without_mlat_reference_is_blocked() -> None:
    decision = decide(handling_code="evidence")
    assert decision.effect is Effect.BLOCK
    assert fired(decision) == {"joint.mlat.evidence_requires_mlat"}
    assert "Mutual Legal Assistance" in decision.rules[0].citation


def test_evidence_with_mlat_reference_is_allowed_without_intelligence_only() -> None:
    decision = decide(handling_code="evidence", mlat_reference="MLAT/CA-IN/2026/0042")
    assert decision.effect is Effect.ALLOW
    assert decision.rules == []


def test_inbound_intelligence_only_is_recorded_as_an_obligation() -> None:
    decision = decide(direction="inbound", sender_party="IN", recipient_party="CA", tlp="GREEN")
    assert obligation_kinds(decision) == {"intelligence_only"}


# Death-penalty assurances ------------------------------------------------------------


def test_ca_disclosure_in_death_penalty_case_needs_an_assurance() -> None:
    decision = decide(offences=["ndps_31a_repeat", "drug_trafficking"])
    assert decision.effect is Effect.ALLOW_WITH_OBLIGATIONS
    assert "assurance_required" in obligation_kinds(decision)
    assert decision.holds_for_review()
    hit = next(h for h in decision.rules if h.rule_id == "ca.burns.death_penalty_assurance")
    assert "2001 SCC 7" in hit.citation
    assert "Repeat NDPS offence (enhanced punishment)" in hit.explanation  # words, not codes


def test_ca_disclosure_with_recorded_assurance_is_not_held() -> None:
    decision = decide(offences=["murder"], death_penalty_assurance="ASSUR-2026-007")
    assert "assurance_required" not in obligation_kinds(decision)
    assert not decision.holds_for_review()


def test_offence_without_death_penalty_is_not_held() -> None:
    assert not decide(offences=["fraud", "drug_trafficking"]).holds_for_review()


# Mistreatment risk -------------------------------------------------------------------


def test_mistreatment_risk_without_determination_goes_to_legal_review() -> None:
    decision = decide(mistreatment_risk=True)
    assert "legal_review" in obligation_kinds(decision)
    assert decision.holds_for_review()
    assert any("Mistreatment" in h.citation for h in decision.rules)


def test_mistreatment_risk_with_recorded_determination_is_allowed() -> None:
    decision = decide(mistreatment_risk=True, mistreatment_determination="LR-2026-11: mitigated")
    assert not decision.holds_for_review()
    assert decision.effect is not Effect.BLOCK


# Non-refoulement ---------------------------------------------------------------------


def test_refugee_claimant_info_to_feared_country_is_blocked() -> None:
    decision = decide(protection_status="refugee_claimant", feared_country="IN")
    assert decision.effect is Effect.BLOCK
    hit = next(h for h in decision.rules if h.rule_id == "ca.non_refoulement")
    assert "art. 33" in hit.citation
    assert "art. 3" in hit.citation
    assert "fears IN" in hit.explanation


def test_protected_person_forwarded_onward_to_feared_country_is_blocked() -> None:
    decision = decide(
        recipient_party="US",
        protection_status="protected_person",
        feared_country="IN",
        onward_recipient_party="IN",
        originator_party="CA",
    )
    assert "ca.non_refoulement" in fired(decision)


def test_refugee_claimant_fearing_another_country_is_allowed() -> None:
    decision = decide(protection_status="refugee_claimant", feared_country="LK")
    assert decision.effect is not Effect.BLOCK


# Lawful advocacy, protest, dissent ---------------------------------------------------


def test_disclosure_based_only_on_protest_is_blocked() -> None:
    decision = decide(activity_basis=["protest", "lawful_advocacy"])
    assert decision.effect is Effect.BLOCK
    assert fired(decision) >= {"ca.scida.lawful_advocacy"}
    assert any("s. 2" in h.citation for h in decision.rules)


def test_protest_with_indicator_of_violence_is_allowed() -> None:
    decision = decide(activity_basis=["protest", "violence"])
    assert decision.effect is not Effect.BLOCK


def test_dissent_with_an_unrelated_offence_is_still_blocked() -> None:
    """SCIDA s. 2: only an activity that undermines security lifts the exclusion."""
    for offence in ("extortion", "fraud"):
        decision = decide(activity_basis=["dissent"], offences=[offence])
        assert decision.effect is Effect.BLOCK
        assert "ca.scida.lawful_advocacy" in fired(decision)


def test_dissent_in_a_case_with_a_security_offence_is_allowed() -> None:
    decision = decide(activity_basis=["dissent"], offences=["terrorism"])
    assert "ca.scida.lawful_advocacy" not in fired(decision)


# Onward disclosure -------------------------------------------------------------------


def test_onward_disclosure_without_originator_consent_is_blocked() -> None:
    decision = decide(originator_party="IN", recipient_party="US", onward_recipient_party="US")
    assert decision.effect is Effect.BLOCK
    assert fired(decision) >= {"joint.onward_disclosure.consent"}


def test_onward_disclosure_with_originator_consent_is_allowed() -> None:
    decision = decide(
        originator_party="IN",
        recipient_party="US",
        onward_recipient_party="US",
        originator_consent=True,
    )
    assert decision.effect is not Effect.BLOCK


def test_originator_may_pass_its_own_information_on() -> None:
    decision = decide(originator_party="CA", recipient_party="US", onward_recipient_party="US")
    assert decision.effect is not Effect.BLOCK


# Record keeping ----------------------------------------------------------------------


def test_every_ca_personal_data_disclosure_yields_a_record_obligation() -> None:
    decision = decide(contains_personal_data=True)
    record = next(ob for ob in decision.obligations if ob.kind.value == "record_disclosure")
    assert "s. 9" in record.citation


def test_no_personal_data_no_record_obligation() -> None:
    assert "record_disclosure" not in obligation_kinds(decide())


# CERT-In 6-hour reporting ------------------------------------------------------------


def test_cyber_incident_item_gets_a_report_by_six_hours_after_detection() -> None:
    detected = datetime(2026, 2, 10, 3, 15, tzinfo=UTC)
    decision = decide(kind="cyber_object", cyber_incident=True, incident_detected_at=detected)
    report = next(ob for ob in decision.obligations if ob.kind.value == "report_by")
    assert report.due == detected + timedelta(hours=6)
    assert "CERT-In" in report.citation


def test_cyber_object_that_is_not_an_incident_has_no_deadline() -> None:
    decision = decide(kind="cyber_object", cyber_incident=False)
    assert "report_by" not in obligation_kinds(decision)


# Inbound handling constraints --------------------------------------------------------


def test_inbound_amber_strict_is_kept_from_onward_disclosure() -> None:
    decision = decide(
        direction="inbound", sender_party="IN", recipient_party="CA", tlp="AMBER+STRICT"
    )
    assert "no_onward_disclosure" in obligation_kinds(decision)


def test_inbound_green_has_no_onward_restriction() -> None:
    decision = decide(direction="inbound", sender_party="IN", recipient_party="CA", tlp="GREEN")
    assert "no_onward_disclosure" not in obligation_kinds(decision)
