"""The Dispatch Server front: negotiate, then refer the client to the NS and close (§2.1).

    CONNECTED  --VER MSNP2-->  NEGOTIATED  (VER t 0 + close otherwise; CVR0 alone → VERSION_CHECK)
    NEGOTIATED --INF-->        NEGOTIATED
    NEGOTIATED --USR MD5 I-->  closed after XFR t NS host:port (the account is not checked here)
    VERSION_CHECK --CVQ-->     closed after the CVQ answer
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from enum import Enum, auto
from typing import Any

from msnqt.protocol import Cvq, Decoder, Inf, InfReply, Out, UsrInitial, Ver, XfrNs
from msnqt.protocol.commands import Channel, Sender

from .connection import Connection
from .login import AUTH_PACKAGE, DIALECT, Negotiated, negotiate, version_check_reply


class DsState(Enum):
    CONNECTED = auto()
    NEGOTIATED = auto()
    VERSION_CHECK = auto()


class DsConnection(Connection[DsState]):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *,
                 ns_address: str) -> None:
        super().__init__(reader, writer, Decoder(Sender.CLIENT, Channel.NS))
        self.state = DsState.CONNECTED
        self._ns_address = ns_address

    def transitions(self) -> Mapping[tuple[DsState, str], Callable[[Any, Any], None]]:
        return TRANSITIONS

    def on_ver(self, command: Ver) -> None:
        outcome = negotiate(command)
        if outcome is Negotiated.MSNP2:
            self.send(Ver(command.trid, (DIALECT,)))
            self.state = DsState.NEGOTIATED
        elif outcome is Negotiated.VERSION_CHECK_ONLY:
            self.send(Ver(command.trid, (outcome.value,)))
            self.state = DsState.VERSION_CHECK
        else:
            self.send(Ver(command.trid, ("0",)))
            self.close()

    def on_cvq(self, command: Cvq) -> None:
        self.send(Cvq(command.trid, version_check_reply(command.fields)))
        self.close()

    def on_inf(self, command: Inf) -> None:
        self.send(InfReply(command.trid, (AUTH_PACKAGE,)))

    def on_usr(self, command: Any) -> None:
        if isinstance(command, UsrInitial) and command.package == AUTH_PACKAGE:
            self.send(XfrNs(command.trid, self._ns_address))
        self.close()

    def on_out(self, command: Out) -> None:
        self.send(Out())
        self.close()


D = DsState
TRANSITIONS: dict[tuple[DsState, str], Callable[[Any, Any], None]] = {
    (D.CONNECTED, "VER"): DsConnection.on_ver,
    (D.VERSION_CHECK, "CVQ"): DsConnection.on_cvq,
    (D.NEGOTIATED, "INF"): DsConnection.on_inf,
    (D.NEGOTIATED, "USR"): DsConnection.on_usr,
    (D.NEGOTIATED, "OUT"): DsConnection.on_out,
}
