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
from liaison.models.notifications import EmailOutbox, Notification, UserEmail
from liaison.models.users import ApiToken, LoginAttempt, User, WebSession

__all__ = [
    "Agency",
    "ApiToken",
    "ContactChannel",
    "DeliveryCursor",
    "EmailOutbox",
    "InboxMessage",
    "LoginAttempt",
    "NodeKey",
    "Notification",
    "Officer",
    "OutboxMessage",
    "Party",
    "Peer",
    "PeerKey",
    "Refusal",
    "User",
    "UserEmail",
    "WebSession",
]
