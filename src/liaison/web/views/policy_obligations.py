"""Discharging an obligation from the case page it sits on (e.g. the CERT-In report)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from liaison.api.deps import DbDep, SettingsDep
from liaison.exchange.service import ExchangeService
from liaison.kit.errors import NotFound
from liaison.kit.i18n import Text
from liaison.kit.inputs import IdPath
from liaison.kit.plugin import N_
from liaison.models.policy import PolicyObligation
from liaison.policy import obligations
from liaison.policy.obligations import DischargeIn
from liaison.web.views.common import CsrfFormDep, PageCallerDep, redirect_after_post
from liaison.web.views.exchange import thread_response
from liaison.web.views.forms import FormState, attempt, read_values

router = APIRouter(include_in_schema=False)
FIELDS = ("done_at", "reference", "note")


@router.post("/exchange/cases/{case_id}/obligations/{obligation_id}/discharge")
def discharge(
    request: Request,
    case_id: IdPath,
    obligation_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    ExchangeService(db, caller, settings).thread(case_id)  # 404 unless the caller sees it
    row = db.get(PolicyObligation, obligation_id)
    if row is None or row.case_id != case_id:
        raise NotFound(
            Text(
                N_("obligation %(obligation_id)s not found on this case"),
                obligation_id=obligation_id,
            )
        )
    values = read_values(form, FIELDS)

    def act() -> PolicyObligation:
        filled = {name: value for name, value in values.items() if value != ""}
        return obligations.discharge(db, caller, obligation_id, DischargeIn.model_validate(filled))

    result = attempt(db, values, act)
    if isinstance(result, FormState):
        forms = {f"discharge-{obligation_id}": result}
        return thread_response(
            request, db, caller, settings, case_id, forms=forms, status=result.status
        )
    return redirect_after_post(request, f"/exchange/cases/{case_id}#obligations")
