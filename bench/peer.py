"""A lean MSNP2 connection for the load generator: the codec over an asyncio Protocol.

Not the client engine: the load generator must run against any MSNP2 server and cost as little CPU as
possible, so it is callbacks on ``data_received`` with TrID-matched futures, and nothing else.
Only ``msnqt.protocol`` and asyncio are used, which keeps the generator server-neutral.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import cast

from msnqt.protocol import (
    Ans,
    AnsOk,
    Cal,
    CalRinging,
    Command,
    Decoder,
    Error,
    Inf,
    Joi,
    Out,
    Rng,
    UsrChallenge,
    UsrInitial,
    UsrOk,
    UsrResponse,
    UsrSb,
    Ver,
    XfrNs,
    XfrRequest,
    XfrSb,
    encode,
    md5_response,
    split_address,
)
from msnqt.protocol.commands import Channel, Sender
from msnqt.protocol.errors import ProtocolError

Address = tuple[str, int]
Done = Callable[[Command], bool]
REPLY_TIMEOUT = 10.0


class BenchError(Exception):
    """Something a correct server would not do; counted as an error by the scenario."""


def _first_line(_: Command) -> bool:
    return True


def _ignore(_: Command) -> None:
    return None


@dataclass(slots=True)
class _Waiter:
    future: asyncio.Future[list[Command]]
    done: Done
    lines: list[Command] = field(default_factory=list)


class Peer(asyncio.Protocol):
    """One client socket. Replies go to the request that carries their TrID; the rest to ``on_event``."""

    def __init__(self, channel: Channel, sender: Sender = Sender.SERVER) -> None:
        self.decoder = Decoder(sender, channel)
        self.transport: asyncio.Transport | None = None
        self.on_event: Callable[[Command], None] = _ignore
        self.lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._trid = 0
        self._waiting: dict[int, _Waiter] = {}

    @classmethod
    async def connect(cls, address: Address, channel: Channel, sender: Sender = Sender.SERVER) -> Peer:
        loop = asyncio.get_running_loop()
        _, peer = await loop.create_connection(lambda: cls(channel, sender), address[0], address[1])
        return peer

    # --- asyncio.Protocol -------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses

    def data_received(self, data: bytes) -> None:
        try:
            commands = self.decoder.feed(data)
        except ProtocolError as exc:
            self._fail(BenchError(f"server sent a broken stream: {exc}"))
            self.close()
            return
        waiting = self._waiting
        for command in commands:
            trid = getattr(command, "trid", None)
            waiter = waiting.get(trid) if trid else None  # TrID 0 (ADD 0 RL…) is never a reply
            if waiter is None:
                self.on_event(command)
                continue
            waiter.lines.append(command)
            if isinstance(command, Error) or waiter.done(command):
                del waiting[trid]  # type: ignore[arg-type]
                if not waiter.future.done():
                    waiter.future.set_result(waiter.lines)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(BenchError("connection closed by the server"))
        if not self.lost.done():
            self.lost.set_result(None)

    def _fail(self, error: Exception) -> None:
        waiting, self._waiting = self._waiting, {}
        for waiter in waiting.values():
            if not waiter.future.done():
                waiter.future.set_exception(error)

    # --- sending -----------------------------------------------------------------------------------------

    def next_trid(self) -> int:
        self._trid += 1
        return self._trid

    def send(self, command: Command) -> None:
        if self.transport is None or self.transport.is_closing():
            raise BenchError("connection already closed")
        self.transport.write(encode(command))

    def expect(self, trid: int, done: Done = _first_line) -> asyncio.Future[list[Command]]:
        """A future for the reply lines with ``trid`` (an Error line also ends them)."""
        future: asyncio.Future[list[Command]] = asyncio.get_running_loop().create_future()
        self._waiting[trid] = _Waiter(future, done)
        return future

    async def request(self, make: Callable[[int], Command], done: Done = _first_line,
                      allowed: frozenset[int] = frozenset(), timeout: float = REPLY_TIMEOUT) -> list[Command]:
        """Send ``make(trid)`` and return its reply lines; an Error reply not in ``allowed`` raises."""
        trid = self.next_trid()
        command = make(trid)
        future = self.expect(trid, done)
        self.send(command)
        try:
            lines = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self._waiting.pop(trid, None)
            raise BenchError(f"no reply to {type(command).__name__} within {timeout}s") from None
        last = lines[-1]
        if isinstance(last, Error) and last.code not in allowed:
            raise BenchError(f"{type(command).__name__} refused with error {last.code}")
        return lines

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    async def sign_out(self) -> None:
        """OUT and close, then wait (briefly) until the socket is really gone."""
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(encode(Out()))
            self.transport.close()
        try:
            await asyncio.wait_for(asyncio.shield(self.lost), REPLY_TIMEOUT)
        except TimeoutError:
            raise BenchError("socket did not close") from None


def _one(lines: list[Command], kind: type[Command] | tuple[type[Command], ...], what: str) -> Command:
    reply = lines[-1]
    if not isinstance(reply, kind):
        raise BenchError(f"{what}: unexpected reply {type(reply).__name__}")
    return reply


async def sign_in(target: Address, email: str, password: str, max_hops: int = 3) -> Peer:
    """MD5 sign-in at a DS or NS, following XFR NS referrals; returns the signed-in NS peer."""
    address = target
    for _ in range(max_hops):
        peer = await Peer.connect(address, Channel.NS)
        try:
            ver = _one(await peer.request(lambda t: Ver(t, ("MSNP2", "CVR0"))), Ver, "VER")
            assert isinstance(ver, Ver)
            if "MSNP2" not in ver.dialects:
                raise BenchError(f"server does not speak MSNP2: {ver.dialects}")
            await peer.request(lambda t: Inf(t))
            reply = _one(await peer.request(lambda t: UsrInitial(t, email)), (XfrNs, UsrChallenge), "USR I")
            if isinstance(reply, XfrNs):
                peer.close()
                address = split_address(reply.address)
                continue
            assert isinstance(reply, UsrChallenge)
            response = md5_response(reply.challenge, password)
            _one(await peer.request(partial(UsrResponse, response=response)), UsrOk, "USR S")
            return peer
        except BaseException:
            peer.close()
            raise
    raise BenchError(f"more than {max_hops} XFR NS referrals")


async def open_switchboard(caller: Peer, callee: Peer, caller_email: str, callee_email: str,
                           channel_sender: Sender = Sender.SERVER) -> tuple[Peer, Peer]:
    """XFR SB, USR, CAL; the callee answers its RNG. Returns both SB peers, once JOI has arrived.

    Both users must be visibly online and allow each other (the scenario sets that up).
    """
    rang: asyncio.Future[Rng] = asyncio.get_running_loop().create_future()

    def on_ns_event(command: Command) -> None:
        if isinstance(command, Rng) and not rang.done():
            rang.set_result(command)

    callee.on_event = on_ns_event
    xfr = _one(await caller.request(lambda t: XfrRequest(t)), XfrSb, "XFR SB")
    assert isinstance(xfr, XfrSb)
    sb_a = await Peer.connect(split_address(xfr.address), Channel.SB, channel_sender)
    joined: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_sb_event(command: Command) -> None:
        if isinstance(command, Joi) and not joined.done():
            joined.set_result(None)

    sb_a.on_event = on_sb_event
    _one(await sb_a.request(lambda t: UsrSb(t, caller_email, xfr.cookie)), UsrOk, "SB USR")
    _one(await sb_a.request(lambda t: Cal(t, callee_email)), CalRinging, "CAL")
    ring = await asyncio.wait_for(rang, REPLY_TIMEOUT)
    sb_b = await Peer.connect(split_address(ring.address), Channel.SB, channel_sender)
    _one(await sb_b.request(lambda t: Ans(t, callee_email, ring.cookie, ring.session_id),
                            done=lambda c: isinstance(c, AnsOk)), AnsOk, "ANS")
    await asyncio.wait_for(joined, REPLY_TIMEOUT)
    return sb_a, sb_b
