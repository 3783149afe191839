"""The repository base: what a caller may not see is not found, and pages are keyset pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.kit.errors import NotFound, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.repository import (
    Repository,
    decode_cursor,
    encode_cursor,
    keyset_page,
    keyset_window,
)
from liaison.kit.roles import Caller, Role
from liaison.models import Agency

VIEWER = Caller(
    user_id="u1", username="ca-viewer", display_name="V", role=Role.VIEWER,
    agency_id="", party_code="CA",
)  # fmt: skip


class OwnParty(Repository[Caller]):
    def agency(self, agency_id: str) -> Agency:
        query = select(Agency).where(
            Agency.id == agency_id, Agency.party_code == self.caller.party_code
        )
        return self.one_or_404(query, Text(N_("no agency %(agency_id)s"), agency_id=agency_id))


def test_an_item_outside_the_filter_is_a_404_like_one_that_does_not_exist(
    seeded: sessionmaker[Session],
) -> None:
    indian_viewer = Caller(**{**VIEWER.__dict__, "party_code": "IN"})
    with unit_of_work(seeded) as db:
        canadian = db.scalars(select(Agency).where(Agency.party_code == "CA")).first()
        assert canadian is not None
        assert OwnParty(db, VIEWER).agency(canadian.id).id == canadian.id
        with pytest.raises(NotFound) as hidden:
            OwnParty(db, indian_viewer).agency(canadian.id)
        with pytest.raises(NotFound) as missing:
            OwnParty(db, VIEWER).agency("01900000-0000-7000-8000-000000000000")
    assert str(hidden.value) == f"no agency {canadian.id}"
    assert hidden.value.status == missing.value.status == 404


def test_keyset_pages_walk_every_row_once_newest_first(seeded: sessionmaker[Session]) -> None:
    with unit_of_work(seeded) as db:
        every = sorted(db.scalars(select(Agency.id)), reverse=True)
        seen: list[str] = []
        cursor: str | None = None
        while True:
            window = keyset_window(select(Agency), Agency.id, limit=5, cursor=cursor)
            page = keyset_page(list(db.scalars(window)), limit=5, key_of=lambda a: a.id)
            seen += [agency.id for agency in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert seen == every
    assert len(every) > 5


@pytest.mark.parametrize("cursor", ["not base64!", encode_cursor()[:-1] + "x", "W10=", "WzFd"])
def test_a_cursor_this_server_did_not_hand_out_is_a_field_error(cursor: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        decode_cursor(cursor)
    assert refused.value.errors[0].field == "cursor"


def test_a_cursor_round_trips() -> None:
    assert decode_cursor(encode_cursor("01abc")) == ["01abc"]
