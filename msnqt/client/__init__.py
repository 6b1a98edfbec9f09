"""The MSNP2 client engine on asyncio (docs/design/engine-api.md). No Qt, no threads for I/O."""

from . import events
from .conversation import Conversation
from .errors import (
    AuthenticationFailed,
    ConnectionFailed,
    ConnectionLost,
    InvalidServerAddress,
    MessengerError,
    NotSignedIn,
    ProtocolViolation,
    RequestTimeout,
    ServerError,
    ServerOverLimit,
    ServerUnavailable,
    SignedInElsewhere,
    SignInCancelled,
    Undelivered,
    Unsupported,
)
from .messenger import Messenger
from .model import Contact, DirectoryEntry, ListCache

__all__ = [
    "AuthenticationFailed",
    "ConnectionFailed",
    "ConnectionLost",
    "Contact",
    "Conversation",
    "DirectoryEntry",
    "InvalidServerAddress",
    "ListCache",
    "Messenger",
    "MessengerError",
    "NotSignedIn",
    "ProtocolViolation",
    "RequestTimeout",
    "ServerError",
    "ServerOverLimit",
    "ServerUnavailable",
    "SignInCancelled",
    "SignedInElsewhere",
    "Undelivered",
    "Unsupported",
    "events",
]
