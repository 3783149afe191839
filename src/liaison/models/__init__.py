"""SQLAlchemy models, one module per aggregate. Importing this registers them all."""

from liaison.models.directory import Agency, ContactChannel, Officer, Party
from liaison.models.users import ApiToken, LoginAttempt, User, WebSession

__all__ = [
    "Agency",
    "ApiToken",
    "ContactChannel",
    "LoginAttempt",
    "Officer",
    "Party",
    "User",
    "WebSession",
]
