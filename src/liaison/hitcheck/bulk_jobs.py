"""Bulk CSV checks as background jobs: the page shows their progress and then the result.

``start`` parses the file, checks the caller's role and quotas for the whole file and
records a job (the request commits it); ``run`` (after the response, in the request's
background task) checks the identifiers in chunks, one round trip to the peer each,
committing each chunk's query record, audit entries and the job's progress together,
so the polling page sees the count grow. The result kept for download repeats the
officer's own rows with hit / no hit; it is shown to its owner only, for a day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.hitcheck import bulk
from liaison.hitcheck.identifiers import Identifier
from liaison.hitcheck.schemas import CheckIn, CheckOut, RowOut
from liaison.hitcheck.service import HitcheckService
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.kit.errors import LiaisonError, Message, NotFound
from liaison.kit.i18n import text_data, text_from_data
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.models import HitcheckBulkJob

CHUNK = 500  # identifiers per round trip: the progress moves at least every CHUNK
KEPT = timedelta(days=1)


@dataclass(frozen=True)
class Plan:
    """What ``run`` checks: the valid rows in chunks, the invalid rows as they are."""

    job_id: str
    peer: str | None
    purpose: str
    legal_basis: str
    valid: list[tuple[int, Identifier]]
    invalid: list[RowOut]


def start(
    service: HitcheckService,
    text: str,
    filename: str,
    purpose: str,
    legal_basis: str,
    peer: str | None = None,
) -> Plan:
    """Validate the file, the purpose, the legal basis and the quotas; record the job."""
    service.require_checker()
    valid, invalid = bulk.parse(text)
    if valid:  # the purpose and legal basis are checked as a check would check them
        CheckIn.model_validate(
            {
                "peer": peer,
                "purpose": purpose,
                "legal_basis": legal_basis,
                "identifiers": [valid[0][1]],
            }
        )
        service.check_quota(len(valid))
    job = HitcheckBulkJob(
        username=service.caller.username,
        filename=filename[:200],
        total=len(valid) + len(invalid),
        done=len(invalid),
        hits=0,
        status="running",
        created_at=clock.now(),
    )
    service.db.add(job)
    service.db.flush()
    return Plan(job.id, peer, purpose, legal_basis, valid, invalid)


def run(
    factory: sessionmaker[Session],
    settings: Settings,
    http: httpx.Client,
    caller: Caller,
    plan: Plan,
) -> None:
    """Check the plan's identifiers chunk by chunk; record progress, then the result."""
    rows: list[RowOut] = list(plan.invalid)
    peer = plan.peer or ""
    asked = 0
    try:
        for first in range(0, len(plan.valid), CHUNK):
            chunk = plan.valid[first : first + CHUNK]
            with unit_of_work(factory) as db:
                data = CheckIn.model_validate(
                    {
                        "peer": plan.peer,
                        "purpose": plan.purpose,
                        "legal_basis": plan.legal_basis,
                        "identifiers": [item for _, item in chunk],
                    }
                )
                out = HitcheckService(db, caller, settings, http).check(data)
                peer, asked = out.peer, asked + out.asked
                rows += bulk.renumbered(out.rows, chunk)
                job = db.get_one(HitcheckBulkJob, plan.job_id)
                job.done += len(chunk)
                job.hits += out.hits
    except LiaisonError as error:
        _finish(factory, plan.job_id, error=error.detail)
        return
    hits = sum(r.result.value == "hit" for r in rows)
    result = CheckOut(
        query_id=None,
        peer=peer,
        asked=asked,
        hits=hits,
        rows=sorted(rows, key=lambda r: r.row),
    )
    _finish(factory, plan.job_id, result=result)


def _finish(
    factory: sessionmaker[Session],
    job_id: str,
    result: CheckOut | None = None,
    error: Message | None = None,
) -> None:
    with unit_of_work(factory) as db:
        job = db.get_one(HitcheckBulkJob, job_id)
        job.status = "done" if result is not None else "failed"
        job.result_json = result.model_dump_json() if result is not None else None
        job.error = json.dumps(text_data(error)) if error is not None else None
        job.finished_at = clock.now()


def get(db: Session, caller: Caller, job_id: str) -> HitcheckBulkJob:
    """The caller's own job of the last day (anyone else's is not found)."""
    job = db.scalar(
        select(HitcheckBulkJob).where(
            HitcheckBulkJob.id == job_id,
            HitcheckBulkJob.username == caller.username,
            HitcheckBulkJob.created_at >= clock.now() - KEPT,
        )
    )
    if job is None:
        raise NotFound(N_("no such bulk check"))
    return job


def result_of(job: HitcheckBulkJob) -> CheckOut | None:
    return CheckOut.model_validate_json(job.result_json) if job.result_json else None


def failure(job: HitcheckBulkJob) -> Message | None:
    """Why the job stopped, to show in the reader's language (kept as a message id with
    its values; a job recorded before that kept its English)."""
    if not job.error:
        return None
    try:
        data = json.loads(job.error)
    except ValueError:
        return job.error
    return text_from_data(data) if isinstance(data, dict) and "message" in data else job.error
