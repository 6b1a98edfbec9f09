"""The Dispatch Server front: negotiate, then refer the client to the NS and close (§2.1).

    CONNECTED  --VER MSNP2-->  NEGOTIATED  (VER t 0 + close otherwise; CVR0 alone → VERSION_CHECK)
    NEGOTIATED --INF-->        NEGOTIATED
    NEGOTIATED --USR MD5 I-->  closed after XFR t NS host:port (the account is not checked here)
    VERSION_CHECK --CVQ-->     closed after the CVQ answer
    any state  --login_timeout passes--> closed (an idle socket does not linger)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum, auto
from typing import Any

from msnqt.protocol import Decoder, Error, Out, UsrInitial, XfrNs
from msnqt.protocol.codes import ErrorCode
from msnqt.protocol.commands import Channel, Sender

from .connection import Address
from .login import AUTH_PACKAGE, LoginFront


class DsState(Enum):
    CONNECTED = auto()
    NEGOTIATED = auto()
    VERSION_CHECK = auto()


class DsConnection(LoginFront[DsState]):
    def __init__(self, *, pick_ns: Callable[[str], Address | None], login_timeout: float) -> None:
        """``pick_ns`` names the NS for a handle (the only one, or a live one of a cluster; None: none
        is up, answered 601 "server unavailable")."""
        super().__init__(Decoder(Sender.CLIENT, Channel.NS), initial=DsState.CONNECTED,
                         negotiated=DsState.NEGOTIATED, version_check=DsState.VERSION_CHECK,
                         login_timeout=login_timeout)
        self._pick_ns = pick_ns

    def transitions(self) -> Mapping[tuple[DsState, str], Callable[[Any, Any], None]]:
        return TRANSITIONS

    def on_usr(self, command: Any) -> None:
        if isinstance(command, UsrInitial) and command.package == AUTH_PACKAGE:
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
TRANSITIONS: dict[tuple[DsState, str], Callable[[Any, Any], None]] = {
    (D.CONNECTED, "VER"): LoginFront.on_ver,
    (D.VERSION_CHECK, "CVQ"): LoginFront.on_cvq,
    (D.NEGOTIATED, "INF"): LoginFront.on_inf,
    (D.NEGOTIATED, "USR"): DsConnection.on_usr,
    (D.NEGOTIATED, "OUT"): DsConnection.on_out,
}
