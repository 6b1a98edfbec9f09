"""A front's state machine as data: (state, command type) → the handler and the state it leads to.

Modelled on h11's ``_state.py`` and h2's ``connection.py``: the table, not the handlers, says where a
command leads, so the whole machine can be read (and tested pair by pair) in one place. A handler
does the work and returns ``None``, or an *outcome* when one command may lead to several states (VER
leads to the MSNP2 states or to the CVR0 version check); the table maps each outcome to its state.
A handler that closes the connection or is refused (:class:`~msnqt.server.core.errors.Refused`,
answered once by ``Connection.dispatch``) moves nowhere.

Commands are keyed by their decoded type, so ``USR MD5 I`` and ``USR MD5 S`` are different rows;
the three-letter name is kept only for what the protocol answers by name (``302`` for a signed-in
command sent too early, per-command rate limits, malformed lines of an accepted command).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeVar

from msnqt.protocol import (
    AddRequest,
    Ans,
    BlpRequest,
    Cal,
    Chg,
    Command,
    Cvq,
    Cvr,
    FndRequest,
    GtcRequest,
    Inf,
    LstRequest,
    Malformed,
    MsgSend,
    Out,
    Png,
    ReaRequest,
    RemRequest,
    SndRequest,
    Syn,
    Unknown,
    UrlRequest,
    UsrInitial,
    UsrResponse,
    UsrSb,
    Ver,
    XfrRequest,
)

StateT = TypeVar("StateT", bound=Enum)

CLIENT_COMMANDS: dict[type[Any], str] = {
    Ver: "VER", Inf: "INF", UsrInitial: "USR", UsrResponse: "USR", UsrSb: "USR", Syn: "SYN",
    LstRequest: "LST", GtcRequest: "GTC", BlpRequest: "BLP", AddRequest: "ADD", RemRequest: "REM",
    ReaRequest: "REA", Chg: "CHG", XfrRequest: "XFR", UrlRequest: "URL", FndRequest: "FND",
    SndRequest: "SND", Png: "PNG", Out: "OUT", Cvr: "CVR", Cvq: "CVQ", Cal: "CAL", Ans: "ANS",
    MsgSend: "MSG",
}
"""Every command type a client sends, with its name on the wire; anything else is never accepted."""


def command_name(command: Command) -> str | None:
    """The three-letter name of a client command, or None for anything a client never sends."""
    if isinstance(command, Malformed | Unknown):
        return command.name
    return CLIENT_COMMANDS.get(type(command))


def trid_of(command: Command) -> int | None:
    """The TrID a reply to ``command`` must carry, when it has one."""
    trid = getattr(command, "trid", None)
    return trid if isinstance(trid, int) else None


@dataclass(frozen=True, slots=True)
class Edge(Generic[StateT]):
    """One row of a state table: what serves the command, and the state it leads to."""

    handler: Callable[[Any, Any], object]
    then: StateT | None = None
    """The state after the handler returns None; None keeps the state."""
    outcomes: Mapping[object, StateT] = field(default_factory=dict)
    """The state for each outcome the handler may return instead."""

    def next_state(self, current: StateT, outcome: object) -> StateT:
        if outcome is None:
            return current if self.then is None else self.then
        return self.outcomes[outcome]

    def targets(self, current: StateT) -> frozenset[StateT]:
        """Every state this row may lead to (the in-memory test checks nothing else is ever reached)."""
        return frozenset({current if self.then is None else self.then, *self.outcomes.values()})


class StateTable(Generic[StateT]):
    """The rows of one front; a (state, command type) pair without a row is out of state."""

    def __init__(self, edges: Mapping[tuple[StateT, type[Any]], Edge[StateT]]) -> None:
        unknown = [kind.__name__ for _, kind in edges if kind not in CLIENT_COMMANDS]
        if unknown:
            raise ValueError(f"not client commands: {', '.join(unknown)}")
        self.edges: Mapping[tuple[StateT, type[Any]], Edge[StateT]] = dict(edges)
        self._names = frozenset((state, CLIENT_COMMANDS[kind]) for state, kind in edges)

    def edge(self, state: StateT, command: Command) -> Edge[StateT] | None:
        return self.edges.get((state, type(command)))

    def accepts_name(self, state: StateT, name: str) -> bool:
        """Whether some command called ``name`` is served in ``state`` (a malformed one is then
        answered as malformed rather than as out of state)."""
        return (state, name) in self._names
