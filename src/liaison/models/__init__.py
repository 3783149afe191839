"""SQLAlchemy models, one module per aggregate. Importing this registers them all."""

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
    "ContactChannel",
    "DeliveryCursor",
    "DialogueMeeting",
    "DialogueOutcome",
    "InboxMessage",
    "LoginAttempt",
    "NodeKey",
    "Officer",
    "OutboxMessage",
    "Party",
    "Peer",
    "PeerKey",
    "Refusal",
    "User",
    "WebSession",
    "WorkplanAction",
    "WorkplanMilestone",
    "WorkplanProgress",
    "WorkplanProposal",
    "WorkplanSignature",
    "WorkplanVersion",
]
