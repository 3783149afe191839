"""SQLAlchemy models, one module per aggregate. Importing this registers them all."""

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
from liaison.models.federation import (
    DeliveryCursor,
    InboxMessage,
    NodeKey,
    OutboxMessage,
    Peer,
    PeerKey,
    Refusal,
)
from liaison.models.users import ApiToken, LoginAttempt, User, WebSession

__all__ = [
    "Agency",
    "ApiToken",
    "ContactChannel",
    "CyberAudience",
    "CyberCollection",
    "CyberGrant",
    "CyberIncident",
    "CyberIncidentEntry",
    "CyberIncidentLink",
    "CyberObject",
    "DeliveryCursor",
    "InboxMessage",
    "LoginAttempt",
    "NodeKey",
    "Officer",
    "OutboxMessage",
    "Party",
    "Peer",
    "PeerKey",
    "Refusal",
    "TaxiiStatus",
    "User",
    "WebSession",
]
