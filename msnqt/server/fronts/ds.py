"""The Dispatch Server front: negotiate, then refer the client to the NS and close (§2.1).

    CONNECTED  --VER MSNP2-->  NEGOTIATED  (VER t 0 + close otherwise; CVR0 alone → VERSION_CHECK)
    NEGOTIATED --INF-->        NEGOTIATED
    NEGOTIATED --USR MD5 I-->  closed after XFR t NS host:port (the account is not checked here)
    VERSION_CHECK --CVQ-->     closed after the CVQ answer
    any state  --login_timeout passes--> closed (an idle socket does not linger)
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum, auto

from msnqt.protocol import Cvq, Decoder, Error, Inf, Out, UsrInitial, Ver, XfrNs
from msnqt.protocol.codes import ErrorCode
from msnqt.protocol.commands import Channel, Sender

from .connection import Address
from .login import AUTH_PACKAGE, LoginFront, Negotiated
from .state_table import Edge, StateTable


class DsState(Enum):
    CONNECTED = auto()
    NEGOTIATED = auto()
    VERSION_CHECK = auto()


class DsConnection(LoginFront[DsState]):
    def __init__(self, *, pick_ns: Callable[[str], Address | None], login_timeout: float) -> None:
        """``pick_ns`` names the NS for a handle (the only one, or a live one of a cluster; None: none
        is up, answered 601 "server unavailable")."""
        super().__init__(Decoder(Sender.CLIENT, Channel.NS), initial=DsState.CONNECTED,
                         login_timeout=login_timeout)
        self._pick_ns = pick_ns

    def table(self) -> StateTable[DsState]:
        return TABLE

    def on_usr(self, command: UsrInitial) -> None:
        if command.package == AUTH_PACKAGE:
            address = self._pick_ns(command.handle)
            if address is None:
                self.send(Error(ErrorCode.SERVER_UNAVAILABLE, command.trid))
            else:
                self.send(XfrNs(command.trid, self.refer(address)))
        self.close()

    def on_out(self, command: Out) -> None:
        self.send(Out())
        self.close()


D = DsState
TABLE = StateTable[DsState]({
    (D.CONNECTED, Ver): Edge(LoginFront.on_ver, outcomes={
        Negotiated.MSNP2: D.NEGOTIATED, Negotiated.VERSION_CHECK_ONLY: D.VERSION_CHECK}),
    (D.VERSION_CHECK, Cvq): Edge(LoginFront.on_cvq),
    (D.NEGOTIATED, Inf): Edge(LoginFront.on_inf),
    (D.NEGOTIATED, UsrInitial): Edge(DsConnection.on_usr),
    (D.NEGOTIATED, Out): Edge(DsConnection.on_out),
})
"""(state, command type) → handler and next state; every other pair closes the connection."""
