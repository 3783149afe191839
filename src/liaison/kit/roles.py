"""Roles and the authenticated caller that every repository query is filtered by."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The node's console (``liaison ...`` commands) acts as this user; objects written from
# the console are shared with ``user:<party>:operator``. No account may take this name,
# nor any other name a principal of the node itself might answer to.
CONSOLE_USERNAME = "operator"
RESERVED_USERNAMES = frozenset(
    {CONSOLE_USERNAME, "console", "system", "root", "node", "liaison", "anonymous", "peer"}
)


def is_reserved_username(username: str) -> bool:
    return username.strip().lower() in RESERVED_USERNAMES


class Role(StrEnum):
    ADMIN = "admin"
    LIAISON_OFFICER = "liaison_officer"
    ANALYST = "analyst"
    LEGAL_REVIEWER = "legal_reviewer"
    VIEWER = "viewer"


@dataclass(frozen=True)
class Caller:
    """Who is asking. Repositories take one and filter their base query by it."""

    user_id: str
    username: str
    display_name: str
    role: Role
    agency_id: str
    party_code: str
    csrf_token: str | None = None  # set for browser sessions only
    time_zone: str = "UTC"  # IANA zone the caller reads and types times in
    language: str | None = None  # None: the browser's choice (Accept-Language)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
