"""SQLAlchemy models, one module per aggregate. Importing this registers them all."""

from liaison.models.audit import (
    AuditChainHead,
    AuditCheckpoint,
    AuditCountersignature,
    AuditEntry,
)
from liaison.models.directory import Agency, ContactChannel, Officer, Party
from liaison.models.federation import (
    DeliveryCursor,
    InboxMessage,
    NodeKey,
    OutboxMessage,
    Peer,
    PeerKey,
    Refusal,
)
from liaison.models.policy import Assurance, PolicyPack, ReviewItem
from liaison.models.retention import DeletionRequest, LegalHold, RetentionPeriod, Tombstone
from liaison.models.users import ApiToken, LoginAttempt, User, WebSession

__all__ = [
    "Agency",
    "ApiToken",
    "Assurance",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditCountersignature",
    "AuditEntry",
    "ContactChannel",
    "DeletionRequest",
    "DeliveryCursor",
    "InboxMessage",
    "LegalHold",
    "LoginAttempt",
    "NodeKey",
    "Officer",
    "OutboxMessage",
    "Party",
    "Peer",
    "PeerKey",
    "PolicyPack",
    "Refusal",
    "RetentionPeriod",
    "ReviewItem",
    "Tombstone",
    "User",
    "WebSession",
]
