"""Who may see peers and the message log: administrators and liaison officers."""

from __future__ import annotations

from liaison.kit.errors import Forbidden
from liaison.kit.roles import Caller, Role

FEDERATION_ROLES = frozenset({Role.ADMIN, Role.LIAISON_OFFICER})


def may_operate(caller: Caller | None) -> bool:
    return caller is not None and caller.role in FEDERATION_ROLES


def require_operator(caller: Caller) -> None:
    if not may_operate(caller):
        raise Forbidden("peers and the message log are for administrators and liaison officers")
