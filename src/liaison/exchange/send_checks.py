"""What is checked before anything is sent: who may send, on behalf of which agency, to
which of the peer's agencies, with which markings and attachments."""

from __future__ import annotations

from collections.abc import Sequence

from liaison.exchange.casework import CaseWork
from liaison.exchange.schemas import Markings
from liaison.kit.errors import Forbidden, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.roles import Role
from liaison.models import Agency, Attachment
from liaison.policy.schemas import Tlp

SENDERS = frozenset({Role.ADMIN, Role.LIAISON_OFFICER, Role.ANALYST})


class SendChecks(CaseWork):
    def check_may_send(self) -> None:
        if self.caller.role not in SENDERS:
            raise Forbidden(N_("only liaison officers, analysts and administrators send messages"))

    def _own_agency(self, field: str, agency_id: str) -> Agency:
        agency = self.repo.agency(agency_id)
        if agency is None or agency.party_code != self.settings.party:
            raise ValidationFailed.on_field(
                field, Text(N_("no agency %(agency_id)s on this node's side"), agency_id=agency_id)
            )
        if self.caller.role is Role.ANALYST and agency.id != self.caller.agency_id:
            raise Forbidden.on_field(
                field, N_("an analyst sends only on behalf of their own agency")
            )
        return agency

    def _peer_agency(self, field: str, agency_id: str) -> Agency:
        agency = self.repo.agency(agency_id)
        if agency is None:
            raise ValidationFailed.on_field(
                field,
                Text(
                    N_(
                        "no agency %(agency_id)s in the directory (the peer's arrive by federation)"
                    ),
                    agency_id=agency_id,
                ),
            )
        if agency.party_code == self.settings.party:
            raise ValidationFailed.on_field(
                field, N_("the recipient must be an agency of the peer")
            )
        return agency

    def _recipients(self, agency_ids: Sequence[str]) -> list[Agency]:
        """The recipient agencies of a compose: the peer's, one per party."""
        field = "to_agency_id" if len(agency_ids) == 1 else "to_agency_ids"
        agencies = [self._peer_agency(field, agency_id) for agency_id in agency_ids]
        parties = [agency.party_code for agency in agencies]
        for party in parties:
            if parties.count(party) > 1:
                raise ValidationFailed.on_field(
                    field,
                    Text(
                        N_("one recipient agency per party: %(party)s is named twice"),
                        party=party,
                    ),
                )
        return agencies

    def _copy_markings(self, markings: Markings, to_agency: Agency, copies: int) -> Markings:
        """The markings of one recipient party's copy of a multilateral message: its
        named recipients are the agencies of this node and of that party only (no
        recipient learns which agencies the others' copies name)."""
        if copies == 1:
            return markings
        keep = {self.settings.party, to_agency.party_code}
        named = [
            agency_id
            for agency_id in markings.named_recipients
            if (agency := self.repo.agency(agency_id)) is not None and agency.party_code in keep
        ]
        return markings.model_copy(update={"named_recipients": named})

    def _markings(self, markings: Markings, field: str = "markings") -> None:
        if markings.legal_basis is None:
            raise ValidationFailed.on_field(
                f"{field}.legal_basis", N_("a legal basis is required to send information")
            )
        if not markings.purpose:
            raise ValidationFailed.on_field(f"{field}.purpose", N_("state the purpose"))
        if markings.tlp == Tlp.RED and not markings.named_recipients:
            raise ValidationFailed.on_field(
                f"{field}.named_recipients", N_("TLP:RED needs at least one named recipient agency")
            )
        for agency_id in markings.named_recipients:
            if self.repo.agency(agency_id) is None:
                raise ValidationFailed.on_field(
                    f"{field}.named_recipients",
                    Text(N_("no agency %(agency_id)s"), agency_id=agency_id),
                )

    def _attachments(self, ids: Sequence[str]) -> list[Attachment]:
        rows = []
        for attachment_id in ids:
            row = self.db.get(Attachment, attachment_id)
            if row is None or row.message_id is not None or row.uploaded_by != self.actor:
                raise ValidationFailed.on_field(
                    "attachment_ids",
                    Text(
                        N_("no unsent attachment %(attachment_id)s of yours"),
                        attachment_id=attachment_id,
                    ),
                )
            rows.append(row)
        return rows
