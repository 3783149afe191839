"""Who may see and rebuild the index: administrators."""

from __future__ import annotations

from liaison.kit.errors import Forbidden
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller, Role


def require_admin(caller: Caller) -> None:
    if caller.role is not Role.ADMIN:
        raise Forbidden(N_("the hit/no-hit index is for administrators"))
