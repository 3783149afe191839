"""The proposal form's refusals land beside the field they concern."""

from __future__ import annotations

from liaison.web.views.workplan_forms import field_for


def test_form_paths_map_to_the_proposal_fields() -> None:
    assert field_for("changes[0].action.milestones[0].due") == "milestone_due"
    assert field_for("changes.0.action.milestones.0.title") == "milestone_title"
    assert field_for("changes[0].action.leads.IN") == "lead_IN"
    assert field_for("changes.0.action.description") == "description"
    assert field_for("base_version") is None
