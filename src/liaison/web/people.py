"""People as officers read them: "Demo liaison officer (RCMP, CA)", not "user:ca-officer".

Actors are recorded as ``user:<username>`` (sometimes ``user:<party>:<username>``),
``peer:<party>`` or a bare username. The ``person`` filter looks each one up once per
page (``render`` opens the page's lookup); a username this node does not know (the peer's
people) is shown as it was recorded, with its party.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.models import Agency, User

_ACTOR = re.compile(r"^(?:user:)?(?:(?P<party>[A-Z]{2}):)?(?P<username>[a-z0-9][a-z0-9._-]{1,62})$")


@dataclass
class Directory:
    """The page's lookups, cached: a page naming 50 entries by 3 people asks 3 times."""

    factory: sessionmaker[Session] | None
    known: dict[str, str] = field(default_factory=dict)

    def name(self, actor: str) -> str:
        if actor not in self.known:
            self.known[actor] = self._lookup(actor)
        return self.known[actor]

    def _lookup(self, actor: str) -> str:
        if actor.startswith("peer:"):
            return f"the {actor.removeprefix('peer:')} node"
        match = _ACTOR.match(actor)
        if match is None or self.factory is None:
            return actor
        username, party = match.group("username"), match.group("party")
        with self.factory() as db:
            row = db.execute(
                select(User.display_name, Agency.acronym, Agency.party_code)
                .join(Agency, Agency.id == User.agency_id)
                .where(User.username == username)
            ).first()
        if row is None or (party and party != row.party_code):
            return f"{username} ({party})" if party else username
        return f"{row.display_name} ({row.acronym}, {row.party_code})"


PEOPLE: ContextVar[Directory | None] = ContextVar("people", default=None)


def person(actor: str | None) -> str:
    """The filter: a recorded actor as a name and agency (as recorded outside a page)."""
    if not actor:
        return ""
    directory = PEOPLE.get()
    return directory.name(actor) if directory else actor
