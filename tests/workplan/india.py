"""India's side of the workplan protocol, played in-process: its envelopes applied with
the registered handlers (as the inbox does after verifying them), its signatures made
with India's real Ed25519 key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.kit.crypto import NodeKeyPair, b64e
from liaison.workplan.consent import signed_message
from tests.support.peering import apply_inbound

Outbox = Callable[[str], list[dict[str, Any]]]


@dataclass
class India:
    factory: sessionmaker[Session]
    settings: Settings
    pair: NodeKeyPair
    seq: int = 0

    def send(self, message_type: str, payload: dict[str, Any]) -> None:
        """Apply an envelope from India, as the inbox would, in its own transaction."""
        self.seq += 1
        apply_inbound(self.factory, self.settings, message_type, payload, seq=self.seq)

    def signature(self, number: int, sha256: str) -> dict[str, Any]:
        signed = self.pair.signing_key.sign(signed_message(sha256)).signature
        return {
            "version": number,
            "sha256": sha256,
            "key_id": self.pair.public.key_id,
            "signature": b64e(signed),
        }


def new_action(**overrides: Any) -> dict[str, Any]:
    action: dict[str, Any] = {
        "area": "drugs_precursors",
        "description": "Joint training on precursor chemical identification",
        "leads": {"CA": "CBSA", "IN": "NCB"},
        "deliverables": ["Two training sessions"],
        "milestones": [{"title": "First session held", "due": "2026-12-15"}],
    }
    action.update(overrides)
    return action
