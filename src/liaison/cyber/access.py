"""Who may see what: collection rights and TLP audiences, as SQL conditions.

Subjects are strings: ``user:<party>:<username>``, ``agency:<agency id>`` and
``party:<code>``. Grants name one subject and give read and/or write rights on one
collection. An object's audience (kept for TLP:RED and AMBER+STRICT objects) lists the
subjects it was shared with.

- CLEAR, GREEN, AMBER: everyone with read rights on the collection.
- AMBER+STRICT: only the collection's organisation (``agency_id``) and the audience.
- RED: only the audience (the writer by default; more with ``--audience``).
Administrators manage collections but do not see RED outside the audience.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true

from liaison.cyber.tlp import OPEN_RANK, Tlp
from liaison.kit.roles import Caller
from liaison.models import CyberAudience, CyberCollection, CyberGrant, CyberObject


def user_subject(party: str, username: str) -> str:
    return f"user:{party}:{username}"


def caller_subjects(caller: Caller) -> list[str]:
    subjects = [user_subject(caller.party_code, caller.username), f"party:{caller.party_code}"]
    if caller.agency_id:
        subjects.append(f"agency:{caller.agency_id}")
    return subjects


def _granted(caller: Caller, right: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(
        select(CyberGrant.id).where(
            CyberGrant.collection_id == CyberCollection.id,
            CyberGrant.subject.in_(caller_subjects(caller)),
            right,
        )
    )


def readable_collections(caller: Caller) -> ColumnElement[bool]:
    if caller.is_admin:
        return true()
    return _granted(caller, CyberGrant.can_read.is_(True))


def writable_collections(caller: Caller) -> ColumnElement[bool]:
    own = CyberCollection.origin_node.is_(None)
    if caller.is_admin:
        return own
    return and_(own, _granted(caller, CyberGrant.can_write.is_(True)))


def visible_objects(caller: Caller, collection: CyberCollection | None) -> ColumnElement[bool]:
    """The TLP condition on CyberObject rows of one collection for this caller.

    ``collection`` None: the query joins the collection itself (CyberCollection), and
    its organisation is compared there rather than here."""
    in_audience = exists(
        select(CyberAudience.id).where(
            CyberAudience.object_seq == CyberObject.seq,
            CyberAudience.subject.in_(caller_subjects(caller)),
        )
    )
    same_org: ColumnElement[bool]
    if not caller.agency_id:
        same_org = false()
    elif collection is None:
        same_org = and_(
            CyberObject.tlp_rank == Tlp.AMBER_STRICT.rank,
            CyberCollection.agency_id == caller.agency_id,
        )
    elif collection.agency_id == caller.agency_id:
        same_org = CyberObject.tlp_rank == Tlp.AMBER_STRICT.rank
    else:
        same_org = false()
    return or_(CyberObject.tlp_rank <= OPEN_RANK, same_org, in_audience)
