"""The one QObject between the client engine and the widgets: engine events in, documented Qt signals out.

Widgets never subscribe to the engine themselves; they connect to these signals, so everything Qt sees
arrives on the GUI thread in the engine's order. Events are matched by their type (``msnqt.client.events``,
documented in docs/design/engine-api.md); every event type has a route (``tests/gui/test_bridge_routes.py``),
so an event added to the engine without one here fails a test instead of vanishing. Fast widget tests drive
it with a stand-in engine that emits the same event types.

Signals (all arguments are the engine's own objects; ``object`` where Qt has no type for them):

- ``signedIn(handle: str, friendly: str)``
- ``signedOut(reason: str)``: "user", "elsewhere", "shutdown" or "connection_lost"
- ``reconnecting(attempt: int, delay: float)``
- ``listsLoaded()``
- ``contactChanged(contact: Contact)``; ``contactRemoved(handle: str)``
- ``myStatusChanged(status: Status)``; ``myNameChanged(friendly: str)``
- ``addedBy(handle: str, friendly: str, needs_prompt: bool)``; ``removedBy(handle: str)``
- ``mailSummary(inbox_unread: int, folders_unread: int)``; ``newMail(sender: str, subject: str)``
- ``conversationStarted(conversation, initiated_by_us: bool)``
- ``participantJoined(conversation, handle: str, friendly: str)``
- ``participantLeft(conversation, handle: str)``
- ``messageReceived(conversation, sender: str, friendly: str, text: str, received_at: datetime)``
- ``typingReceived(conversation, handle: str)``
- ``messageUndelivered(conversation, text: str, reason: str)``
- ``conversationEnded(conversation)``
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from msnqt.client import events as ev
from msnqt.gui.app.engine import Engine


class EngineBridge(QObject):
    signedIn = Signal(str, str)
    signedOut = Signal(str)
    reconnecting = Signal(int, float)
    listsLoaded = Signal()
    contactChanged = Signal(object)
    contactRemoved = Signal(str)
    myStatusChanged = Signal(object)
    myNameChanged = Signal(str)
    privacyChanged = Signal(object, object)
    addedBy = Signal(str, str, bool)
    removedBy = Signal(str)
    mailSummary = Signal(int, int)
    newMail = Signal(str, str)
    conversationStarted = Signal(object, bool)
    participantJoined = Signal(object, str, str)
    participantLeft = Signal(object, str)
    messageReceived = Signal(object, str, str, str, object)
    typingReceived = Signal(object, str)
    messageUndelivered = Signal(object, str, str)
    conversationEnded = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._messenger: Engine | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._routes: dict[type, Callable[[Any], None]] = {
            ev.SignedIn: lambda e: self.signedIn.emit(e.handle, e.friendly),
            ev.SignedOut: lambda e: self.signedOut.emit(str(e.reason)),
            ev.Reconnecting: lambda e: self.reconnecting.emit(int(e.attempt), float(e.delay)),
            ev.ListsLoaded: lambda e: self.listsLoaded.emit(),
            ev.ContactChanged: lambda e: self.contactChanged.emit(e.contact),
            ev.ContactRemoved: lambda e: self.contactRemoved.emit(e.handle),
            ev.MyStatusChanged: lambda e: self.myStatusChanged.emit(e.status),
            ev.MyNameChanged: lambda e: self.myNameChanged.emit(e.friendly),
            ev.PrivacyChanged: lambda e: self.privacyChanged.emit(e.blp, e.gtc),
            ev.AddedBy: lambda e: self.addedBy.emit(e.handle, e.friendly, bool(e.needs_prompt)),
            ev.RemovedBy: lambda e: self.removedBy.emit(e.handle),
            ev.MailSummary: lambda e: self.mailSummary.emit(int(e.inbox_unread), int(e.folders_unread)),
            ev.NewMail: lambda e: self.newMail.emit(e.sender, e.subject),
            ev.ConversationStarted: lambda e: self.conversationStarted.emit(
                e.conversation, bool(e.initiated_by_us)),
            ev.ParticipantJoined: lambda e: self.participantJoined.emit(e.conversation, e.handle, e.friendly),
            ev.ParticipantLeft: lambda e: self.participantLeft.emit(e.conversation, e.handle),
            ev.MessageReceived: lambda e: self.messageReceived.emit(
                e.conversation, e.sender, e.friendly, e.text, e.received_at),
            ev.TypingReceived: lambda e: self.typingReceived.emit(e.conversation, e.handle),
            ev.MessageUndelivered: lambda e: self.messageUndelivered.emit(e.conversation, e.text, e.reason),
            ev.ConversationEnded: lambda e: self.conversationEnded.emit(e.conversation),
        }

    @property
    def messenger(self) -> Engine | None:
        """The engine currently observed (None before the first sign-in)."""
        return self._messenger

    def attach(self, messenger: Engine) -> None:
        """Observe ``messenger`` (a ``msnqt.client.Messenger``) instead of any previous engine."""
        self.detach()
        self._messenger = messenger
        self._unsubscribe = messenger.subscribe(self._on_event)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = None
        self._messenger = None

    @property
    def routed_types(self) -> frozenset[type]:
        """The engine event types this bridge forwards (a test checks that it is all of them)."""
        return frozenset(self._routes)

    def _on_event(self, event: ev.Event) -> None:
        self._routes[type(event)](event)
