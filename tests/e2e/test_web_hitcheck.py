"""A bulk hit/no-hit check in a real browser across two live nodes: India's officer has
sent a request naming a phone number and a student's study permit; a Canadian officer
uploads a CSV of study-permit applications and call-back numbers, sees hit / no hit per
row with a follow-up link on the hits, and downloads the result file."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import sign_in
from tests.support.hitcheck import india_holds
from tests.support.nodes import LiveNode

pytestmark = [pytest.mark.browser, pytest.mark.live]

APPLICATIONS = """category,value,country,date_of_birth
study_permit,f301 234 567,CA,
study_permit,F309999999,CA,
phone,098765 43210,IN,
phone,+1 604 555 0199,,
person,Gurpreet Singh,,1994-05-17
phone,12,,
"""
EXPECTED = ["hit", "no_hit", "hit", "no_hit", "hit", "invalid"]


PERSON = {
    "kind": "person",
    "name": "गुरप्रीत सिंह",
    "date_of_birth": "1994-05-17",
    "documents": [{"type": "study_permit", "number": "F301234567", "country": "CA"}],
}


def test_bulk_check_of_study_permit_applications_across_two_nodes(
    page: Page, node: LiveNode, india_node: LiveNode, tmp_path: Path
) -> None:
    india_holds(india_node, [PERSON, {"kind": "phone", "number": "+91 98765 43210"}], 4)
    upload = tmp_path / "applications.csv"
    upload.write_text(APPLICATIONS, encoding="utf-8")

    sign_in(page, "ca-officer", "/hitcheck")
    form = page.locator("#bulk-form")
    form.get_by_label("CSV file").set_input_files(upload)
    form.get_by_label("Purpose").fill("immigration fraud: forged acceptance letters")
    form.get_by_role("button", name="Check and show results").click()
    # The check runs in the background; its page shows the progress, then the result.
    expect(page).to_have_url(re.compile(r"/hitcheck/bulk/[0-9a-f-]{36}$"))
    expect(page.locator("#bulk-status")).to_contain_text("rows checked")
    expect(page.locator("#result-summary")).to_contain_text(
        "3 hits of 5 identifiers", timeout=30_000
    )
    expect(page.locator("#bulk-progress")).to_have_count(0)
    rows = page.locator("#result-rows tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.nth(0)).to_contain_text("Hit")
    expect(rows.nth(1)).to_contain_text("No hit")
    expect(rows.nth(5)).to_contain_text("Invalid")
    follow_up = rows.nth(0).get_by_role("link", name="Draft a follow-up request")
    expect(follow_up).to_have_attribute("href", re.compile(r"^/exchange/compose\?"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download results (CSV)").click()
    _result_file_is_hit_or_not_per_row(Path(download.value.path()))

    page.goto("/hitcheck")  # or straight to a file, without the page
    form = page.locator("#bulk-form")
    form.get_by_label("CSV file").set_input_files(upload)
    form.get_by_label("Purpose").fill("immigration fraud: forged acceptance letters")
    with page.expect_download() as download:
        form.get_by_role("button", name="Check and download results (CSV)").click()
    _result_file_is_hit_or_not_per_row(Path(download.value.path()))


def _result_file_is_hit_or_not_per_row(path: Path) -> None:
    result = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [r["result"] for r in result] == EXPECTED
    assert set(result[0]) == {"row", "category", "value", "result", "error"}  # nothing of India's
