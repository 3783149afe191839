"""The register of protected persons: how many entries it holds, and a CSV import
(administrators and legal reviewers only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from liaison.api.deps import DbDep, SettingsDep
from liaison.kit.errors import Forbidden, ValidationFailed
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller, Role
from liaison.policy import register
from liaison.web.views.common import CsrfFormDep, PageCallerDep, redirect_after_post, render
from liaison.web.views.forms import FormState, attempt

router = APIRouter(prefix="/policy/protected-persons", include_in_schema=False)
KEEPERS = frozenset({Role.ADMIN, Role.LEGAL_REVIEWER})
MAX_BYTES = 20 * 1024 * 1024


def _keeper(caller: Caller) -> None:
    if caller.role not in KEEPERS:
        raise Forbidden(N_("only administrators and legal reviewers keep the register"))


def _page(
    request: Request, db: DbDep, caller: Caller, form: FormState, status: int = 200
) -> Response:
    return render(
        request,
        "policy/register.html",
        caller=caller,
        total=register.count(db),
        columns=register.COLUMNS,
        form=form,
        status=status,
    )


@router.get("")
def register_page(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    _keeper(caller)
    return _page(request, db, caller, FormState())


@router.post("")
async def import_register(
    request: Request, db: DbDep, caller: PageCallerDep, settings: SettingsDep, form: CsrfFormDep
) -> Response:
    _keeper(caller)
    upload = form.get("file")
    content = b""
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(MAX_BYTES + 1)

    def act() -> int:
        if not content:
            raise ValidationFailed.on_field("file", N_("choose a CSV file to import"))
        if len(content) > MAX_BYTES:
            raise ValidationFailed.on_field("file", N_("the file is larger than 20 MiB"))
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed.on_field("file", N_("the CSV must be UTF-8 text")) from exc
        actor = f"user:{caller.username}"
        return register.import_csv(db, text, actor=actor, party=settings.party)

    result = attempt(db, {}, act)
    if isinstance(result, FormState):
        return _page(request, db, caller, result, status=result.status)
    return redirect_after_post(request, "/policy/protected-persons")
