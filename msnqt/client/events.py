"""The one typed event stream of the engine: everything the server tells us unasked, already interpreted.

Frozen dataclasses so subscribers can keep them; the union ``Event`` lets a subscriber ``match`` on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from msnqt.protocol.codes import Privacy, ReverseListPrompt, Status

from .model import Contact

if TYPE_CHECKING:
    from .conversation import Conversation


@dataclass(frozen=True)
class SignedIn:
    handle: str
    friendly: str


@dataclass(frozen=True)
class SignedOut:
    reason: str
    """``"user"``, ``"elsewhere"`` (OUT OTH), ``"shutdown"`` (OUT SSD) or ``"connection_lost"``."""


@dataclass(frozen=True)
class Reconnecting:
    attempt: int
    delay: float


@dataclass(frozen=True)
class ListsLoaded:
    pass


@dataclass(frozen=True)
class ContactChanged:
    contact: Contact


@dataclass(frozen=True)
class ContactRemoved:
    handle: str


@dataclass(frozen=True)
class MyStatusChanged:
    status: Status


@dataclass(frozen=True)
class MyNameChanged:
    friendly: str


@dataclass(frozen=True)
class PrivacyChanged:
    blp: Privacy
    gtc: ReverseListPrompt


@dataclass(frozen=True)
class AddedBy:
    handle: str
    friendly: str
    needs_prompt: bool
    """True when the user must be asked (on neither AL nor BL, GTC A); with GTC N the engine allowed them."""


@dataclass(frozen=True)
class RemovedBy:
    handle: str


@dataclass(frozen=True)
class MailSummary:
    inbox_unread: int
    folders_unread: int


@dataclass(frozen=True)
class NewMail:
    sender: str
    subject: str


@dataclass(frozen=True, eq=False)
class ConversationStarted:
    conversation: Conversation
    initiated_by_us: bool


@dataclass(frozen=True, eq=False)
class ParticipantJoined:
    conversation: Conversation
    handle: str
    friendly: str


@dataclass(frozen=True, eq=False)
class ParticipantLeft:
    conversation: Conversation
    handle: str


@dataclass(frozen=True, eq=False)
class MessageReceived:
    conversation: Conversation
    sender: str
    friendly: str
    text: str
    received_at: datetime


@dataclass(frozen=True, eq=False)
class TypingReceived:
    conversation: Conversation
    handle: str


@dataclass(frozen=True, eq=False)
class MessageUndelivered:
    conversation: Conversation
    text: str
    reason: str


@dataclass(frozen=True, eq=False)
class ConversationEnded:
    conversation: Conversation


Event = (
    SignedIn | SignedOut | Reconnecting | ListsLoaded | ContactChanged | ContactRemoved | MyStatusChanged
    | MyNameChanged | PrivacyChanged | AddedBy | RemovedBy | MailSummary | NewMail | ConversationStarted
    | ParticipantJoined | ParticipantLeft | MessageReceived | TypingReceived | MessageUndelivered
    | ConversationEnded
)
