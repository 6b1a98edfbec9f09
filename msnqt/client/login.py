"""Sign-in: DS -> XFR NS -> NS (VER, INF, USR MD5 I/S), or an NS that answers directly (Escargot-style).

Why one function and not part of the messenger: sign-in is a straight sequence with its own failure
modes (wrong password, busy server, referral loops), and the messenger runs it both for the first
sign-in and for every reconnect. The 1.0 client continued its TrID count from the DS on the NS; so do we.
A server that answers ``USR t MD5 I`` with a challenge instead of ``XFR NS`` *is* the NS (Escargot has no
DS and uses a fixed per-account salt as the challenge; nothing else changes for the client).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from msnqt.protocol.auth import md5_response
from msnqt.protocol.commands import (
    Channel,
    Command,
    Inf,
    InfReply,
    UsrChallenge,
    UsrInitial,
    UsrOk,
    UsrResponse,
    Ver,
    XfrNs,
)
from msnqt.protocol.errors import ProtocolError
from msnqt.protocol.limits import MAX_EARLY_LINES
from msnqt.protocol.names import split_address

from .connection import Connect, Connection, loggable, open_tcp
from .errors import (
    InvalidServerAddress,
    MessengerError,
    ProtocolViolation,
    ServerOverLimit,
)

DIALECTS = ("MSNP2", "CVR0")
MAX_REFERRALS = 3


@dataclass
class LoginResult:
    connection: Connection
    handle: str
    friendly: str
    early_lines: list[Command] = field(default_factory=list)
    """Unsolicited lines that arrived during sign-in (profile and mail MSGs); the owner replays them."""


def _noop_closed(_reason: MessengerError | None) -> None:
    return None


class _EarlyLines(list[Command]):
    """The unsolicited lines of a sign-in, at most MAX_EARLY_LINES: a server flooding lines before each
    reply (NLN, say) makes the connection close with ServerOverLimit instead of growing without end."""

    def keep(self, command: Command) -> None:
        if len(self) >= MAX_EARLY_LINES:
            raise ServerOverLimit("unrequested lines during sign-in", MAX_EARLY_LINES)
        self.append(command)


def parse_server_address(server: str) -> tuple[str, int]:
    """``host[:port]`` -> (host, port), 1863 by default; InvalidServerAddress otherwise."""
    try:
        host, port = split_address(server.strip())
    except ProtocolError:
        raise InvalidServerAddress(server) from None
    if not host or any(c.isspace() for c in host) or not 0 < port < 65536:
        raise InvalidServerAddress(server)
    return host, port


async def log_in(server: str, handle: str, password: str, *, timeout: float,
                 connect_timeout: float, label: str = "ns", connect: Connect = open_tcp) -> LoginResult:
    """Authenticate and return the open NS connection. Raises the errors of ``errors.py``."""
    host, port = parse_server_address(server)
    first_trid = 1
    early = _EarlyLines()
    for _hop in range(MAX_REFERRALS + 1):
        conn = await Connection.open(host, port, channel=Channel.NS, label=label, first_trid=first_trid,
                                     connect_timeout=connect_timeout, on_unsolicited=early.keep,
                                     on_closed=_noop_closed, connect=connect)
        try:
            reply = await _negotiate_and_identify(conn, handle, timeout)
            if isinstance(reply, XfrNs):
                first_trid = conn.next_trid
                conn.close()
                try:
                    host, port = split_address(reply.address)
                except ProtocolError as exc:
                    raise ProtocolViolation(f"bad referral address {reply.address!r}") from exc
                early.clear()
                continue
            response = md5_response(reply.challenge, password)
            (ok,) = await conn.request(lambda t, r=response: UsrResponse(t, r),  # type: ignore[misc]
                                       timeout=timeout)
            if not isinstance(ok, UsrOk):
                raise ProtocolViolation(f"unexpected answer to the password: {type(ok).__name__}")
            return LoginResult(conn, ok.handle, ok.friendly, early)
        except BaseException:
            conn.close()
            raise
    raise ProtocolViolation("the servers kept referring this program to another server")  # it would again


async def _negotiate_and_identify(conn: Connection, handle: str, timeout: float) -> XfrNs | UsrChallenge:
    (ver,) = await conn.request(lambda t: Ver(t, DIALECTS), timeout=timeout)
    if not isinstance(ver, Ver) or "MSNP2" not in {d.upper() for d in ver.dialects}:
        raise ProtocolViolation(f"the server does not speak MSNP2 (it offered {_describe(ver)})")
    (inf,) = await conn.request(lambda t: Inf(t), timeout=timeout)
    if not isinstance(inf, InfReply) or "MD5" not in {p.upper() for p in inf.packages}:
        raise ProtocolViolation(f"the server does not offer MD5 sign-in ({_describe(inf)})")
    (reply,) = await conn.request(lambda t: UsrInitial(t, handle), timeout=timeout)
    if not isinstance(reply, XfrNs | UsrChallenge):
        raise ProtocolViolation(f"unexpected answer to USR: {_describe(reply)}")
    return reply


def _describe(command: Command) -> str:
    return loggable(command)
