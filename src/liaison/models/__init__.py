"""SQLAlchemy models, one module per aggregate. Importing this registers them all."""

from liaison.models.audit import (
    AuditChainHead,
    AuditCheckpoint,
    AuditCountersignature,
    AuditEntry,
)
from liaison.models.cyber import (
    CyberAudience,
    CyberCollection,
    CyberGrant,
    CyberIncident,
    CyberIncidentEntry,
    CyberIncidentLink,
    CyberObject,
    TaxiiStatus,
)
from liaison.models.directory import Agency, ContactChannel, Officer, Party
from liaison.models.exchange import (
    Attachment,
    Case,
    Clarification,
    InternalNote,
    Message,
    MessageEntity,
)
from liaison.models.federation import (
    DeliveryCursor,
    InboxMessage,
    NodeKey,
    OutboxMessage,
    Peer,
    PeerKey,
    Refusal,
)
from liaison.models.idempotency import IdempotencyKey
from liaison.models.networks import NetworkCluster, NetworkDecision, NetworkModel, NetworkRecord
from liaison.models.notifications import EmailOutbox, Notification, UserEmail
from liaison.models.policy import Assurance, PolicyPack, ReviewItem
from liaison.models.retention import DeletionRequest, LegalHold, RetentionPeriod, Tombstone
from liaison.models.users import ApiToken, LoginAttempt, User, WebSession
from liaison.models.workplan import (
    DialogueMeeting,
    DialogueOutcome,
    WorkplanAction,
    WorkplanMilestone,
    WorkplanProgress,
    WorkplanProposal,
    WorkplanSignature,
    WorkplanVersion,
)

__all__ = [
    "Agency",
    "ApiToken",
    "Assurance",
    "Attachment",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditCountersignature",
    "AuditEntry",
    "Case",
    "Clarification",
    "ContactChannel",
    "CyberAudience",
    "CyberCollection",
    "CyberGrant",
    "CyberIncident",
    "CyberIncidentEntry",
    "CyberIncidentLink",
    "CyberObject",
    "DeletionRequest",
    "DeliveryCursor",
    "DialogueMeeting",
    "DialogueOutcome",
    "EmailOutbox",
    "IdempotencyKey",
    "InboxMessage",
    "InternalNote",
    "LegalHold",
    "LoginAttempt",
    "Message",
    "MessageEntity",
    "NetworkCluster",
    "NetworkDecision",
    "NetworkModel",
    "NetworkRecord",
    "NodeKey",
    "Notification",
    "Officer",
    "OutboxMessage",
    "Party",
    "Peer",
    "PeerKey",
    "PolicyPack",
    "Refusal",
    "RetentionPeriod",
    "ReviewItem",
    "TaxiiStatus",
    "Tombstone",
    "User",
    "UserEmail",
    "WebSession",
    "WorkplanAction",
    "WorkplanMilestone",
    "WorkplanProgress",
    "WorkplanProposal",
    "WorkplanSignature",
    "WorkplanVersion",
]
