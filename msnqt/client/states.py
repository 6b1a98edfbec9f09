"""The client's connection state machines as transition tables (msnp2-reference §2.5, client side).

Why tables: every place that asks "may I do this now?" reads one line here instead of a tangle of flags,
and an impossible (state, event) pair fails loudly instead of quietly corrupting state.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, TypeVar


class NsState(StrEnum):
    OFFLINE = "offline"            # no NS connection; nothing to reconnect
    CONNECTING = "connecting"      # DS/NS login in progress (VER, INF, USR, XFR NS)
    SYNCING = "syncing"            # authenticated: SYN and first CHG in progress
    ONLINE = "online"              # signed in; requests allowed
    RECONNECTING = "reconnecting"  # connection lost; waiting for the next attempt
    SIGNING_OUT = "signing_out"    # our own OUT sent


class NsEvent(StrEnum):
    SIGN_IN = "sign_in"
    AUTHENTICATED = "authenticated"
    READY = "ready"                # lists synced and status set
    LOGIN_FAILED = "login_failed"
    LOST = "lost"                  # EOF, reset, missed QNG
    RETRY = "retry"                # backoff elapsed: log in again
    RETRY_FAILED = "retry_failed"  # a reconnect attempt failed: wait and try again
    KICKED = "kicked"              # OUT OTH / OUT SSD: stop for good
    SIGN_OUT = "sign_out"
    CLOSED = "closed"
    REDIAL = "redial"              # the server closed on the sign-in PNG: sign in again without it


NS_TRANSITIONS: dict[tuple[NsState, NsEvent], NsState] = {
    (NsState.OFFLINE, NsEvent.SIGN_IN): NsState.CONNECTING,
    (NsState.CONNECTING, NsEvent.AUTHENTICATED): NsState.SYNCING,
    (NsState.CONNECTING, NsEvent.LOGIN_FAILED): NsState.OFFLINE,
    (NsState.CONNECTING, NsEvent.LOST): NsState.OFFLINE,
    (NsState.CONNECTING, NsEvent.SIGN_OUT): NsState.SIGNING_OUT,
    (NsState.SYNCING, NsEvent.READY): NsState.ONLINE,
    (NsState.SYNCING, NsEvent.LOGIN_FAILED): NsState.OFFLINE,
    (NsState.SYNCING, NsEvent.LOST): NsState.OFFLINE,
    (NsState.SYNCING, NsEvent.KICKED): NsState.OFFLINE,
    (NsState.SYNCING, NsEvent.SIGN_OUT): NsState.SIGNING_OUT,
    (NsState.SYNCING, NsEvent.REDIAL): NsState.CONNECTING,
    (NsState.ONLINE, NsEvent.LOST): NsState.RECONNECTING,
    (NsState.ONLINE, NsEvent.KICKED): NsState.OFFLINE,
    (NsState.ONLINE, NsEvent.SIGN_OUT): NsState.SIGNING_OUT,
    (NsState.RECONNECTING, NsEvent.RETRY): NsState.CONNECTING,
    (NsState.RECONNECTING, NsEvent.SIGN_OUT): NsState.SIGNING_OUT,
    (NsState.RECONNECTING, NsEvent.LOGIN_FAILED): NsState.OFFLINE,
    (NsState.CONNECTING, NsEvent.RETRY_FAILED): NsState.RECONNECTING,
    (NsState.SYNCING, NsEvent.RETRY_FAILED): NsState.RECONNECTING,
    (NsState.OFFLINE, NsEvent.LOGIN_FAILED): NsState.OFFLINE,
    (NsState.SIGNING_OUT, NsEvent.LOGIN_FAILED): NsState.SIGNING_OUT,
    (NsState.SIGNING_OUT, NsEvent.CLOSED): NsState.OFFLINE,
    (NsState.SIGNING_OUT, NsEvent.LOST): NsState.SIGNING_OUT,
    (NsState.SIGNING_OUT, NsEvent.KICKED): NsState.SIGNING_OUT,
    (NsState.OFFLINE, NsEvent.SIGN_OUT): NsState.OFFLINE,
    (NsState.OFFLINE, NsEvent.LOST): NsState.OFFLINE,
    (NsState.OFFLINE, NsEvent.KICKED): NsState.OFFLINE,
}
"""A reconnect attempt goes RECONNECTING -> CONNECTING -> SYNCING -> ONLINE, or back to RECONNECTING
(RETRY_FAILED). LOGIN_FAILED ends a first sign-in (or a reconnect refused with 911) in OFFLINE."""


class SbState(StrEnum):
    CONNECTING = "connecting"      # TCP + USR (we opened it) or ANS (we were invited)
    IN_SESSION = "in_session"
    CLOSED = "closed"


class SbEvent(StrEnum):
    JOINED = "joined"              # USR OK or ANS OK
    CLOSED = "closed"              # OUT, EOF, error


SB_TRANSITIONS: dict[tuple[SbState, SbEvent], SbState] = {
    (SbState.CONNECTING, SbEvent.JOINED): SbState.IN_SESSION,
    (SbState.CONNECTING, SbEvent.CLOSED): SbState.CLOSED,
    (SbState.IN_SESSION, SbEvent.CLOSED): SbState.CLOSED,
    (SbState.CLOSED, SbEvent.CLOSED): SbState.CLOSED,
}

S = TypeVar("S", bound=StrEnum)
E = TypeVar("E", bound=StrEnum)


class InvalidTransition(RuntimeError):
    """An event that cannot happen in the current state: a bug in the engine, never a user error."""


class StateMachine(Generic[S, E]):
    def __init__(self, table: dict[tuple[S, E], S], initial: S) -> None:
        self._table = table
        self.state = initial

    def can(self, event: E) -> bool:
        return (self.state, event) in self._table

    def fire(self, event: E) -> S:
        try:
            self.state = self._table[(self.state, event)]
        except KeyError:
            raise InvalidTransition(f"{event} is not possible while {self.state}") from None
        return self.state
