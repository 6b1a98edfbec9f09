"""The notification server's unsolicited lines: what ``NotificationState`` (``notification.py``, no I/O)
makes of each, carried out here (events out, requests sent, conversations answered, a move or a sign-out
by the server).
"""

from __future__ import annotations

import logging

from msnqt.protocol.commands import Blp, Command, Gtc, Lst

from . import events as ev
from .contact_lists import ContactLists
from .errors import ConnectionLost, ServerOverLimit
from .invitations import Invitations
from .notification import (
    Action,
    AnswerRing,
    MoveTo,
    OwnName,
    OwnStatus,
    Pong,
    ReverseListed,
    ServerSignedOut,
    StoreName,
)
from .states import NsEvent, NsState
from .sync import MAX_SYN_REPLY_LINES

log = logging.getLogger("msnqt.client")


class UnsolicitedLines(ContactLists, Invitations):
    """How a ``Messenger`` acts on lines it did not ask for."""

    def _on_ns_line(self, command: Command) -> None:
        if self._syn_stragglers is not None and isinstance(command, Lst | Gtc | Blp):
            if len(self._syn_stragglers) >= MAX_SYN_REPLY_LINES:
                raise ServerOverLimit("lines after the contact lists", MAX_SYN_REPLY_LINES)
            self._syn_stragglers.append(command)  # SYN lines after its reply looked complete
            return
        self._notification.own_handle = self._handle
        outcome = self._notification.handle(command)
        for event in outcome.events:
            self.emit(event)
        for action in outcome.actions:
            self._act(action)

    def _act(self, action: Action) -> None:
        """Carry out what the notification state asked for (notification.py)."""
        match action:
            case OwnStatus(status=status):
                self._apply_own_status(status)
            case OwnName(friendly=friendly):
                self._friendly = friendly
                self.emit(ev.MyNameChanged(friendly))
            case ReverseListed(handle=handle, friendly=friendly):
                self._spawn(self._reverse_list_check(handle, friendly, notify_only_when_prompting=False))
            case StoreName(handle=handle, friendly=friendly):
                self._store_name_later(handle, friendly)
            case AnswerRing(rng=rng):
                self._on_ring(rng)
            case Pong():
                if self._qng is not None and not self._qng.done():
                    self._qng.set_result(None)
            case ServerSignedOut(reason=reason):
                self._on_out(reason)
            case MoveTo(address=address):
                log.info("the server moves us to %s", address)
                self._moved_to = address  # the reconnect goes there first (then the configured server)
                if self._ns is not None:
                    self._ns.abort(ConnectionLost(self._ns.host, self._ns.port, "moved by the server"))

    def _on_out(self, reason: str) -> None:
        if self._sm.state in (NsState.SIGNING_OUT, NsState.OFFLINE):
            return
        self._stop_background()
        if self._sm.can(NsEvent.KICKED):
            self._sm.fire(NsEvent.KICKED)
        self._drop_ns()
        self._password = ""
        self._go_offline()
        why = "elsewhere" if reason == "OTH" else "shutdown" if reason == "SSD" else "connection_lost"
        self._kicked_elsewhere = reason == "OTH"
        log.info("signed out by the server (OUT %s)", reason)
        self.emit(ev.SignedOut(why))
