"""Exchange reads: threads, single messages, attachment downloads and deconfliction,
each behind the repository's access filter; reading personal data is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange.access import CaseView
from liaison.exchange.entities import Entity
from liaison.exchange.indexing import entity_keys
from liaison.exchange.repository import ExchangeRepository
from liaison.exchange.schemas import DeconflictHit
from liaison.kit.errors import NotFound
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.ledger.service import record
from liaison.models import Attachment, AttachmentTransfer, Clarification, InternalNote, Message


@dataclass(frozen=True)
class Thread:
    case: CaseView  # title and summary withheld from a caller outside the audience
    messages: list[Message]
    attachments: list[Attachment]
    transfers: list[AttachmentTransfer]
    notes: list[InternalNote]
    clarifications: list[Clarification]


class ExchangeReads:
    def __init__(self, db: Session, caller: Caller, settings: Settings) -> None:
        self.db = db
        self.caller = caller
        self.settings = settings
        self.repo = ExchangeRepository(db, caller)

    @property
    def actor(self) -> str:
        return f"user:{self.caller.username}"

    def attachment_for_download(self, attachment_id: str) -> Attachment:
        """The marking check before a download: the message must be readable."""
        attachment = self.db.get(Attachment, attachment_id)
        if attachment is None:
            raise NotFound(Text(N_("no attachment %(attachment_id)s"), attachment_id=attachment_id))
        if attachment.message_id is None:
            if attachment.uploaded_by != self.actor:
                raise NotFound(
                    Text(N_("no attachment %(attachment_id)s"), attachment_id=attachment_id)
                )
            return attachment
        try:  # the answer names the attachment only, not the message it belongs to
            message = self.repo.message(attachment.message_id)
        except NotFound:
            raise NotFound(
                Text(N_("no attachment %(attachment_id)s"), attachment_id=attachment_id)
            ) from None
        if not self.repo.may_read_red(message, self.repo.case(message.case_id), attachment.tlp):
            raise NotFound(Text(N_("no attachment %(attachment_id)s"), attachment_id=attachment_id))
        self._audit_read(message, "exchange.attachment.download", attachment.id)
        return attachment

    def _audit_read(self, message: Message, action: str, object_id: str | None = None) -> None:
        if message.contains_personal_data:
            record(
                self.db,
                actor=self.actor,
                action=action,
                object_type="exchange.message",
                object_id=object_id or message.id,
            )

    def read_message(self, message_id: str) -> Message:
        message = self.repo.message(message_id)
        self._audit_read(message, "exchange.message.read")
        return message

    def thread(self, case_id: str) -> Thread:
        case = self.repo.case(case_id)
        messages = self.repo.thread(case)
        for message in messages:
            self._audit_read(message, "exchange.message.read")
        ids = [m.id for m in messages]
        view = self.repo.case_view(case)
        return Thread(
            case=view,
            messages=messages,
            attachments=self.repo.attachments_of(ids),
            transfers=self.repo.transfers_of(ids),
            # internal notes on a case whose title is withheld may speak of its content
            notes=[] if view.withheld else self.repo.notes(case.id),
            clarifications=self.repo.clarifications(ids),
        )

    def deconflict(
        self, keys: Sequence[str], entities: Sequence[Entity] = ()
    ) -> list[DeconflictHit]:
        all_keys = sorted(set(keys) | set(entity_keys(entities)))
        found = self.repo.entity_hits(all_keys)
        holders = self.repo.agencies([hit.holder_agency_id for hit in found if not hit.readable])
        hits = []
        seen: set[tuple[str, str]] = set()
        for hit in found:
            row, case = hit.entity, hit.case
            if not hit.readable:
                # another holding exists: whom to ask, nothing more (one per holder and key)
                if ("restricted:" + hit.holder_agency_id, row.key) in seen:
                    continue
                seen.add(("restricted:" + hit.holder_agency_id, row.key))
                holder = holders.get(hit.holder_agency_id)
                contact = (
                    f"{holder.acronym} ({holder.name})" if holder else "this node's administrator"
                )
                hits.append(DeconflictHit(key=row.key, restricted=True, contact=contact))
                continue
            if (case.id, row.key) in seen:
                continue
            seen.add((case.id, row.key))
            hits.append(
                DeconflictHit(
                    case_id=case.id,
                    case_reference=case.reference,
                    case_title=case.title,
                    origin_party=case.origin_party,
                    key=row.key,
                    label=row.label,
                    message_id=row.message_id,
                )
            )
        return hits
