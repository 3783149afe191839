"""An invalid row of a bulk check says why in the reader's language on the page, while
the result file keeps one stable (English) form."""

from __future__ import annotations

import json

from liaison.hitcheck import bulk, bulk_jobs
from liaison.hitcheck.schemas import CheckOut, RowOut
from liaison.kit.i18n import Label, Text, localized, text_data, text_from_data
from liaison.kit.plugin import N_
from liaison.models import HitcheckBulkJob

CSV = "category,value\nfax,123\nphone,+91 98765 43210\nperson,Ravi\nphone,\n"


def test_an_invalid_rows_reason_is_shown_in_french_and_hindi_and_filed_in_english() -> None:
    valid, invalid = bulk.parse(CSV)
    assert [number for number, _ in valid] == [2]
    kept = [RowOut.model_validate_json(row.model_dump_json()) for row in invalid]  # a job's
    assert [row.row for row in kept] == [1, 3, 4]
    assert [row.error for row in kept] == [
        "category: choose one of the listed options",
        "date_of_birth: a name is checked with a date of birth",
        "value: this field is required",
    ]
    french = [localized(row.refusal() or "", "fr") for row in kept]
    assert french == [
        "category : choisissez l'une des options proposées",
        "date_of_birth : un nom se vérifie avec une date de naissance",
        "value : ce champ est obligatoire",
    ]
    assert localized(kept[2].refusal() or "", "hi") == "value: यह फ़ील्ड आवश्यक है"
    out = CheckOut(query_id=None, peer="IN", asked=0, hits=0, rows=kept)
    assert bulk.result_csv(out).splitlines()[1] == (
        "1,fax,123,invalid,category: choose one of the listed options"
    )


def test_a_result_kept_before_reasons_were_message_ids_shows_its_english() -> None:
    old = RowOut.model_validate({"row": 1, "category": "fax", "value": "1", "result": "invalid"})
    assert old.refusal() is None
    old = old.model_copy(update={"error": "category: bad"})
    assert old.refusal() == "category: bad"


def test_a_text_kept_as_data_renders_as_the_original() -> None:
    text = Text(
        N_("%(category)s %(value)r: %(message)s"),
        category=Label("study_permit", inline=True),
        value="F30",
        message=Text(N_("must be at most %(max_length)s characters"), max_length=5),
    )
    again = text_from_data(text_data(text))
    for language in ("en", "fr", "hi"):
        assert again.render(language, "UTC") == text.render(language, "UTC")


def test_why_a_bulk_job_stopped_is_shown_in_the_readers_language() -> None:
    refused = Text(N_("%(party)s is not a peer of this node"), party="IN")
    job = HitcheckBulkJob(error=json.dumps(text_data(refused)))
    assert localized(bulk_jobs.failure(job) or "", "fr") == "IN n'est pas un pair de ce nœud"
    assert localized(bulk_jobs.failure(job) or "", "en") == "IN is not a peer of this node"
    assert bulk_jobs.failure(HitcheckBulkJob(error="an older job's English")) == (
        "an older job's English"
    )
    assert bulk_jobs.failure(HitcheckBulkJob(error=None)) is None
