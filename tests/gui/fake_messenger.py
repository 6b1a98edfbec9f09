"""A small stand-in for ``msnqt.client.Messenger`` (the surface in docs/design/engine-api.md) for fast
widget tests. The main GUI tests use the real engine against the in-process server; this one only lets a
test push events the server would take long (or be unable) to produce, such as an undelivered message.

It emits the engine's own event classes (the bridge routes by type) with stand-in contacts and
conversations, and raises the engine's own ``Undelivered``.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from msnqt.client.errors import Undelivered
from msnqt.client.events import (
    AddedBy,
    ContactChanged,
    ConversationStarted,
    ListsLoaded,
    MessageReceived,
    MessageUndelivered,
    MyNameChanged,
    MyStatusChanged,
    ParticipantJoined,
    Reconnecting,
    SignedIn,
    SignedOut,
    TypingReceived,
)
from msnqt.protocol.codes import ListName, Status

__all__ = ["AddedBy", "Contact", "FakeConversation", "FakeError", "FakeMessenger", "SignedIn"]


@dataclass(frozen=True)
class Contact:
    handle: str
    friendly: str
    status: Status
    lists: frozenset[ListName] = frozenset({ListName.FORWARD, ListName.ALLOW})




class FakeError(Exception):
    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


_ids = itertools.count(1)


@dataclass(eq=False)
class FakeConversation:
    owner: FakeMessenger
    id: str = field(default_factory=lambda: f"conv-{next(_ids)}")
    participants: dict[str, str] = field(default_factory=dict)
    invited: set[str] = field(default_factory=set)
    active: bool = True
    sent: list[str] = field(default_factory=list)
    typing_notifications: int = 0
    fail_next_send: bool = False
    left: bool = False

    async def send_text(self, text: str) -> None:
        await asyncio.sleep(0)
        if self.fail_next_send:
            self.fail_next_send = False
            self.owner.emit(MessageUndelivered(self, text, "nobody is in the conversation"))
            raise Undelivered(text, "nobody is in the conversation")
        self.sent.append(text)

    def notify_typing(self) -> None:
        self.typing_notifications += 1

    async def invite(self, handle: str) -> None:
        await asyncio.sleep(0)
        self.invited.add(handle)
        self.owner.join(self, handle)

    async def leave(self) -> None:
        self.left = True
        self.active = False


class FakeMessenger:
    """Accepts one password ("secret"); other passwords raise an error shaped like AuthenticationFailed."""

    def __init__(self, server: str, contacts: list[Contact] | None = None, password: str = "secret") -> None:
        self.server = server
        self._subscribers: list[Callable[[Any], None]] = []
        self._contacts = {c.handle: c for c in contacts or []}
        self._password = password
        self.handle = ""
        self.friendly = ""
        self.status = Status.OFFLINE
        self.signed_in = False
        self._conversations: list[FakeConversation] = []
        self.status_history: list[Status] = []
        self.hold_sign_in: asyncio.Event | None = None

    # --- the documented surface --------------------------------------------------------------------
    def subscribe(self, callback: Callable[[Any], None]) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    async def sign_in(self, handle: str, password: str, *, status: Status = Status.ONLINE) -> None:
        if self.hold_sign_in is not None:
            await self.hold_sign_in.wait()
        await asyncio.sleep(0)
        if password != self._password:
            raise FakeError("The e-mail address or password you entered is not correct.")
        self.handle, self.friendly, self.status, self.signed_in = handle, handle.split("@")[0], status, True
        self.emit(SignedIn(handle, self.friendly))
        self.emit(ListsLoaded())

    async def sign_out(self) -> None:
        if self.signed_in:
            self.signed_in = False
            self.emit(SignedOut("user"))

    def contacts(self) -> list[Contact]:
        return [c for c in self._contacts.values() if ListName.FORWARD in c.lists]

    def contact(self, handle: str) -> Contact | None:
        return self._contacts.get(handle)

    async def set_status(self, status: Status) -> None:
        await asyncio.sleep(0)
        self.status = status
        self.status_history.append(status)
        self.emit(MyStatusChanged(status))

    async def set_friendly_name(self, name: str) -> None:
        await asyncio.sleep(0)
        self.friendly = name
        self.emit(MyNameChanged(name))

    async def start_conversation(self, handle: str) -> FakeConversation:
        await asyncio.sleep(0)
        conversation = FakeConversation(self, invited={handle})
        self._conversations.append(conversation)
        self.emit(ConversationStarted(conversation, True))
        return conversation

    def conversations(self) -> list[FakeConversation]:
        return list(self._conversations)

    # --- what a test makes "the server" do ------------------------------------------------------------
    def emit(self, event: Any) -> None:
        for callback in list(self._subscribers):
            callback(event)

    def set_contact_status(self, handle: str, status: Status) -> None:
        self._contacts[handle] = replace(self._contacts[handle], status=status)
        self.emit(ContactChanged(self._contacts[handle]))

    def rename_contact(self, handle: str, friendly: str) -> None:
        self._contacts[handle] = replace(self._contacts[handle], friendly=friendly)
        self.emit(ContactChanged(self._contacts[handle]))

    def join(self, conversation: FakeConversation, handle: str) -> None:
        known = self._contacts.get(handle)
        conversation.participants[handle] = known.friendly if known is not None else handle
        self.emit(ParticipantJoined(conversation, handle, conversation.participants[handle]))

    def incoming(self, handle: str, text: str) -> FakeConversation:
        conversation = FakeConversation(self, invited={handle})
        self._conversations.append(conversation)
        self.emit(ConversationStarted(conversation, False))
        self.join(conversation, handle)
        self.receive(conversation, handle, text)
        return conversation

    def receive(self, conversation: FakeConversation, handle: str, text: str) -> None:
        self.emit(MessageReceived(conversation, handle, conversation.participants.get(handle, handle), text,
                                  datetime(2026, 11, 25, 15, 4)))

    def typing(self, conversation: FakeConversation, handle: str) -> None:
        self.emit(TypingReceived(conversation, handle))

    def kick(self, reason: str) -> None:
        self.signed_in = False
        self.emit(SignedOut(reason))

    def lose_connection(self, attempt: int = 1) -> None:
        """What the engine says while it retries after losing the server: Reconnecting, not SignedOut."""
        self.signed_in = False
        self.emit(Reconnecting(attempt, 2.0))
