"""The originator's consent to an onward disclosure: a holder of a message asks the
party it came from before passing it on to a third party (exchange/consent.py).

One row per request on each of the two nodes, with the same id: ``side`` is ``asked``
on the node that asked (the holder), ``asked_of`` on the originator's node.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.ids import new_id
from liaison.models.types import UTCDateTime


class OnwardConsent(Base):
    __tablename__ = "exchange_onward_consents"
    __table_args__ = (
        Index("ix_exchange_onward_consents_message", "message_id", "onward_party"),
        Index("ix_exchange_onward_consents_status", "status", "side"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    side: Mapped[str] = mapped_column(String(10))  # asked | asked_of
    message_id: Mapped[str] = mapped_column(String(36))  # the originator's message
    case_id: Mapped[str] = mapped_column(String(36))
    forward_id: Mapped[str | None] = mapped_column(String(36))  # the held forward (holder)
    originator_party: Mapped[str] = mapped_column(String(2))
    holder_party: Mapped[str] = mapped_column(String(2))
    onward_party: Mapped[str] = mapped_column(String(2))
    onward_agency: Mapped[str] = mapped_column(String(300))  # "DEA (US)", as the holder names it
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|granted|refused
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    answered_by: Mapped[str | None] = mapped_column(String(120))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
