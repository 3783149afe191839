"""The workplan progress report carries the precursors figures through the plug-in kit
(``Plugin.report_sections``): flows, answers per party, seizures. The joint report, which
the peer reads, leaves out a seizure marked TLP:RED; the internal one counts it. (The PDF
with the section's charts is checked in tests/workplan/test_progress_and_report.py.)"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.precursors.test_incidents import SEIZURE
from tests.support.fixtures_db import Headers

RED_NPP = SEIZURE | {"substance_cas": "39742-60-4", "quantity": 7, "tlp": "RED"}
NPP_ROW = "| NPP (N-phenethyl-4-piperidone) | 1 | 7.0 |"


def _report(client: TestClient, headers: dict[str, str], *, internal: bool) -> str:
    params = {"format": "md", "internal": str(internal).lower()}
    answer = client.get("/api/v1/workplan/report", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.text


def test_joint_report_has_the_precursor_figures_without_restricted_seizures(
    client: TestClient, seeded: sessionmaker[Session], auth_headers: Headers
) -> None:
    officer = auth_headers("ca-officer")
    made = client.post("/api/v1/precursors/incidents", json=RED_NPP, headers=officer)
    assert made.status_code == 201, made.text
    joint = _report(client, officer, internal=False)
    section = joint.split("## Fentanyl precursors", 1)[1].split("## Agreement", 1)[0]
    dashboard = client.get("/api/v1/precursors/dashboard", headers=officer).json()
    assert f"{dashboard['notices']:,} pre-export notifications" in section
    for heading in ("Answers per importing party", "Flows by substance", "Flows by route",
                    "Flows by month", "Seizures"):  # fmt: skip
        assert f"### {heading}" in section, heading
    for party in dashboard["answers"]:
        assert f"| {party['party']} | {party['notices']:,} |" in section
    assert "| 4-AP (4-anilinopiperidine) | 1 | 48.0 |" in section  # the seeded AMBER seizure
    assert NPP_ROW not in section
    assert NPP_ROW in _report(client, officer, internal=True)
