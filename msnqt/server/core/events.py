"""What the core tells a signed-in NS session; the NS front turns each into one MSNP2 line."""

from __future__ import annotations

from dataclasses import dataclass

from msnqt.protocol.codes import Status


@dataclass(frozen=True, slots=True)
class ContactOnline:
    """A watched contact is visible with ``status`` (NLN line)."""

    handle: str
    status: Status
    friendly: str


@dataclass(frozen=True, slots=True)
class ContactOffline:
    """A watched contact went offline, hid, or now blocks us (FLN line)."""

    handle: str


@dataclass(frozen=True, slots=True)
class AddedBy:
    """Someone put us on their FL (``ADD 0 RL v h f``)."""

    version: int
    handle: str
    friendly: str


@dataclass(frozen=True, slots=True)
class RemovedBy:
    """Someone took us off their FL (``REM 0 RL v h``)."""

    version: int
    handle: str


@dataclass(frozen=True, slots=True)
class Ring:
    """An invitation to a switchboard session (RNG line)."""

    session_id: str
    cookie: str
    caller: str
    caller_friendly: str
    switchboard: tuple[str, int] | None = None
    """The SB holding the session; None: the one the callee's NS refers to anyway (one process)."""


@dataclass(frozen=True, slots=True)
class SignedOut:
    """The session must end: ``OTH`` (signed in elsewhere) or ``SSD`` (server shutting down)."""

    reason: str


Event = ContactOnline | ContactOffline | AddedBy | RemovedBy | Ring | SignedOut
