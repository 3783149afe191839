"""The audit log for administrators: entries (filtered, paged), checkpoints, verify.

Verifying reads only, so the button is a GET form: the result is shown above the log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from liaison.api.deps import DbDep, SettingsDep
from liaison.kit.errors import FieldError, ValidationFailed, summary
from liaison.kit.roles import Caller
from liaison.kit.validation import invalid_message
from liaison.ledger import repository
from liaison.ledger.schemas import MAX_SEQUENCE, AuditQuery, VerifyOut
from liaison.ledger.verify import verify_chain
from liaison.web.views.common import PageCallerDep, render

router = APIRouter(prefix="/audit", include_in_schema=False)
PAGE = 100
Text = Annotated[str | None, Query(max_length=200)]


def auditor(caller: PageCallerDep) -> Caller:
    repository.require_auditor(caller)
    return caller


AuditorDep = Annotated[Caller, Depends(auditor)]


def _page(
    request: Request, db: DbDep, filters: dict[str, str], before: int | None
) -> dict[str, Any]:
    try:
        query = AuditQuery.model_validate(
            {k: v or None for k, v in filters.items()} | {"before": before, "limit": PAGE}
        )
    except ValidationError as exc:
        problems = [FieldError(str(e["loc"][0]), invalid_message(e)) for e in exc.errors()]
        raise ValidationFailed(summary(problems), errors=problems) from exc
    rows, next_before = repository.page(db, query)
    older = request.url.include_query_params(before=next_before) if next_before else None
    return {
        "entries": rows,
        "filters": filters,
        "filtered": any(filters.values()),
        "older": f"{older.path}?{older.query}" if older else None,
        "checkpoints": repository.checkpoints(db, limit=10),
    }


@router.get("")
def audit_page(
    request: Request,
    db: DbDep,
    caller: AuditorDep,
    settings: SettingsDep,
    actor: Text = None,
    action: Text = None,
    object_type: Text = None,
    object_id: Text = None,
    before: Annotated[int | None, Query(ge=1, le=MAX_SEQUENCE)] = None,
    verify: Annotated[bool, Query()] = False,
) -> Response:
    filters = {
        "actor": actor or "",
        "action": action or "",
        "object_type": object_type or "",
        "object_id": object_id or "",
    }
    context = _page(request, db, filters, before)
    result = VerifyOut.of(verify_chain(db, settings.party)) if verify else None
    return render(request, "audit.html", caller=caller, verify=result, **context)
