"""What every front shares: an ``asyncio.Protocol`` per socket, buffered replies and a clean close.

Each read is decoded into commands, every command is handled, and the replies gathered during that
read are written in one go (so a pipelining client gets one write per read). Events that other
sessions cause (NLN, RNG, JOI, relayed MSG, …) are queued and written at the end of the current
event-loop turn, so a burst (a read holding many MSGs for one peer, a presence fan-out) costs each
receiving socket one write instead of one system call per line. Any exception inside a handler is
logged and closes *this* connection only; it never reaches the server or another session.

Why a protocol and not streams: the switchboard relays every message, and a stream reader costs a
task wake-up, a read future and a ``drain()`` per read on top of the protocol callbacks underneath
(bench/README.md, relay). Flow control is kept: while the transport's output is above its high-water
mark (the peer is not reading our replies), we stop reading what it sends, as ``drain()`` did.

One read may hold thousands of commands (``SYN 1 0`` five thousand times is 45 KB), so what one
read may cost is bounded too: at most :data:`COMMANDS_PER_TURN` commands are served before the loop
turns over to everyone else, and none while :data:`OUTPUT_BUDGET` bytes of this connection's output
are still unsent. Commands beyond that wait in a backlog while the socket is not read, so a client
that asks for more than it reads stalls only itself and its memory stays bounded.

A handler may be a coroutine (it awaits a store or router port that does I/O). The backlog is then
this connection's ordered queue: its next command is served only once the handler finished, so
replies keep their order (as aiosmtpd awaits its handler hooks), while the loop goes on serving every
other connection. Parsing stays in ``data_received``; the socket is not read while commands wait, so
a slow handler stalls only its own client. A synchronous handler (the switchboard relay, PNG, VER) is
served on the spot, exactly as before. What a connection does when it ends (:meth:`farewell`: sign
out, leave the switchboard) runs after the handler in flight, so a sign-in that completes after its
socket closed is undone instead of left behind as a ghost.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Coroutine, Sequence
from enum import Enum
from typing import Any, Generic, TypeVar, cast

from msnqt.protocol import Command, Decoder, Error, Malformed, encode
from msnqt.protocol.codes import ErrorCode
from msnqt.protocol.errors import FramingError

from ..core.errors import Refused, StoreError
from .admission import Admission
from .state_table import Edge, StateTable, command_name, trid_of

log = logging.getLogger("msnqt.server")

MAX_PENDING_OUTPUT = 1 << 20
"""A peer that stops reading while others keep talking to it is dropped beyond this many bytes."""
OUTPUT_BUDGET = 64 << 10
"""No further command of a connection is served while this many bytes of its output are unsent."""
COMMANDS_PER_TURN = 64
"""Commands of one connection served in one event-loop turn before the others get theirs."""
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})

Address = tuple[str, int]
StateT = TypeVar("StateT", bound=Enum)
Pending = Coroutine[Any, Any, None]
"""What :meth:`Connection.dispatch` hands back when a handler has to wait for a port."""

_UNTRACKED: set[asyncio.Task[None]] = set()
"""Strong references to the tasks of connections no :class:`~msnqt.server.listening.Listeners` tracks
(a front driven by a test): the loop keeps only weak ones."""


class Connection(asyncio.Protocol, Generic[StateT]):
    """One accepted socket, with its protocol state machine.

    ``lost`` is resolved once the socket is gone (after :meth:`finished`); ``registry``, when the
    server sets it, holds the connection from the moment its socket exists until then.
    """

    state: StateT

    def __init__(self, decoder: Decoder) -> None:
        self._transport: asyncio.Transport | None = None
        self._decoder = decoder
        self._out: list[bytes] = []
        self._out_bytes = 0
        self._flush_scheduled = False
        self._backlog: deque[Any] = deque()
        """Decoded commands not served yet (over budget, or beyond this turn's share)."""
        self._close_when_served = False
        """Nothing more will be read (a broken stream, or the peer's FIN): close once the backlog
        received before that is served."""
        self._serve_scheduled = False
        self._writing_paused = False
        self._reading = True
        self._loop = asyncio.get_running_loop()
        self.closing = False
        self._finished = False
        self.lost: asyncio.Future[None] = self._loop.create_future()
        self.registry: set[Connection[Any]] | None = None
        self.admission: Admission | None = None
        """When set (by the server), a connection beyond its caps is closed as soon as it exists."""
        self._admitted_from: str | None = None
        self._handler: asyncio.Task[None] | None = None
        """The handler being awaited: no further command of this connection is served until it ends."""
        self.tasks: set[asyncio.Task[None]] = _UNTRACKED
        """Where this connection's handler and farewell tasks are kept (the server awaits them at close)."""

    # --- to be provided by each front ------------------------------------------------------------------

    def table(self) -> StateTable[StateT]:
        """This front's state table: (state, command type) → handler and the state it leads to."""
        raise NotImplementedError

    def out_of_state(self, name: str, command: Command) -> None:
        """A command this state does not accept; by default the connection is dropped (§1.2)."""
        self.close()

    def malformed(self, command: Malformed) -> None:
        """A known command with bad fields in a state that accepts it; by default drop the connection."""
        self.close()

    def refused(self, command: Command, refusal: Refused) -> None:
        """The core declined a command: its error code with the command's TrID, and a close if it says so.

        Every handler lets :class:`Refused` through to :meth:`dispatch`, which calls this once; the
        state does not move.
        """
        trid = trid_of(command)
        if refusal.code is not None and trid is not None:
            self.send(Error(refusal.code, trid))
        if refusal.close:
            self.close()

    def finished(self) -> None:
        """Called exactly once when the connection is gone, whatever the reason (timers, sync only)."""

    def farewell(self) -> Awaitable[None] | None:
        """What the rest of the server must hear once this connection is gone (sign-out, BYE); called
        once, after :meth:`finished` and after the handler in flight, if any, has ended."""
        return None

    def handle_failure(self, command: Command, exc: Exception) -> bool:
        """Answer a handler's failure the protocol's way; False lets it close the connection with a log.

        :class:`Refused` is the core declining (its error code); :class:`StoreError` a storage outage
        (``501``, one log line, no traceback: a locked or full disk would otherwise flood the log).
        """
        if isinstance(exc, Refused):
            self.refused(command, exc)
            return True
        if isinstance(exc, StoreError):
            log.warning("storage failed while handling %s for %s: %s",
                        command_name(command), self.describe(), exc)
            trid = trid_of(command)
            if trid is None:
                self.close()
            else:
                self.send(Error(ErrorCode.DB_SERVER, trid))
            return True
        return False

    def decode(self, data: bytes) -> Sequence[Any]:
        """The commands ``data`` completes, each handed to :meth:`dispatch` (a front may use a decoder
        that yields lighter values on its hot path, and a :meth:`dispatch` that takes them)."""
        return self._decoder.feed(data)

    # --- asyncio.Protocol ------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        if self.registry is not None:
            self.registry.add(self)
        if self.closing:  # closed before the socket was handed over (a timer, a shutdown)
            self._transport.close()
        elif self.admission is not None:
            address = self.peer_host()
            if self.admission.admit(address):
                self._admitted_from = address
            else:
                # Too many sockets from there (or in all): a clean close, and no log line per refusal,
                # which is what a flood of them would turn into.
                self.close()

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        try:
            try:
                commands = self.decode(data)
            except FramingError as exc:
                # The stream cannot be trusted any more (oversized MSG, huge line), but what the peer
                # sent before the break is still served, then the connection closes.
                commands, self._close_when_served = exc.decoded, True
            self._backlog.extend(commands)
            if not (self._serve_scheduled or self._writing_paused or self._handler is not None):
                self._serve_backlog()
            else:
                self._sync_reading()
        except Exception:
            self._failed()

    def _failed(self, exc: BaseException | None = None) -> None:
        log.error("connection handler failed; closing this connection only (%s)", self.describe(),
                  exc_info=exc if exc is not None else True)
        self._out.clear()
        self._out_bytes = 0
        self._backlog.clear()
        self.close()

    def _serve_backlog(self) -> None:
        """Serve this connection's share of its backlog, then let the loop serve the others."""
        backlog = self._backlog
        served = 0
        while backlog and served < COMMANDS_PER_TURN and not self._over_budget():
            pending = self.dispatch(backlog.popleft())
            served += 1
            if pending is not None:
                self._await_handler(pending)
                return
            if self.closing:
                return
        if backlog:
            self.flush()
            if not self.closing and not self._writing_paused:
                self._schedule_serving()
        elif self._close_when_served:
            self.close()
            return
        else:
            self.flush()
        self._sync_reading()

    def _await_handler(self, pending: Pending) -> None:
        """Run a handler that waits for a port; serving resumes with the next command once it ends.

        What the commands before it produced goes out now, not after the wait.
        """
        self.flush()
        task = self._handler = self._loop.create_task(pending)
        self._track(task)
        task.add_done_callback(self._handler_done)
        self._sync_reading()

    def _track(self, task: asyncio.Task[None]) -> None:
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _handler_done(self, task: asyncio.Task[None]) -> None:
        self._handler = None
        if task.cancelled():
            self.abort()
            return
        exc = task.exception()
        if exc is not None:
            self._failed(exc)
            return
        if self.closing:
            return
        if self._writing_paused:
            self.flush()
            self._sync_reading()
            return
        try:
            self._serve_backlog()
        except Exception as failure:
            self._failed(failure)

    @property
    def busy(self) -> bool:
        """A handler of this connection is waiting for a port (tests and diagnostics)."""
        return self._handler is not None

    def _over_budget(self) -> bool:
        transport = self._transport
        pending = self._out_bytes + (transport.get_write_buffer_size() if transport is not None else 0)
        return pending > OUTPUT_BUDGET

    def _schedule_serving(self) -> None:
        if not self._serve_scheduled:
            self._serve_scheduled = True
            self._loop.call_soon(self._scheduled_serving)

    def _scheduled_serving(self) -> None:
        self._serve_scheduled = False
        if self.closing or self._writing_paused or self._handler is not None:
            return
        try:
            self._serve_backlog()
        except Exception:
            self._failed()

    def _sync_reading(self) -> None:
        """Read the socket only while nothing waits to be served and the peer reads our output."""
        transport = self._transport
        if transport is None or self.closing:
            return
        wanted = not self._backlog and not self._writing_paused
        if wanted != self._reading:
            self._reading = wanted
            if wanted:
                transport.resume_reading()
            else:
                transport.pause_reading()

    @property
    def backlog_size(self) -> int:
        """Commands received but not served yet (tests and diagnostics)."""
        return len(self._backlog)

    def peer_host(self) -> str:
        """The peer's address without its port ("" before the socket is known)."""
        peer = self._transport.get_extra_info("peername") if self._transport is not None else None
        return str(peer[0]) if isinstance(peer, tuple) and peer else ""

    def describe(self) -> str:
        """Who is at the other end, for log lines: the peer address and, once known, the handle."""
        peer = self._transport.get_extra_info("peername") if self._transport is not None else None
        where = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) and len(peer) >= 2 else "unknown address"
        who = self.who()
        return f"{who} at {where}" if who else where

    def who(self) -> str | None:
        """The handle behind this connection, once it is known (overridden by the NS and SB fronts)."""
        return None

    def eof_received(self) -> bool | None:
        """The peer sent FIN: the commands it sent before are all served and answered, then the socket
        closes (``printf 'VER ...\\r\\n...' | nc`` gets every answer, however many it asked for)."""
        if (self._backlog or self._handler is not None) and not self.closing:
            self._close_when_served = True
            return True  # keep the socket open for the answers still to come
        self.close()
        return None

    def pause_writing(self) -> None:
        """Our output to this peer piles up: stop reading and serving its input until it catches up."""
        self._writing_paused = True
        self._sync_reading()

    def resume_writing(self) -> None:
        self._writing_paused = False
        if self.closing:
            return
        if self._backlog and self._handler is None:
            self._schedule_serving()
        self._sync_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.admission is not None and self._admitted_from is not None:
            self.admission.release(self._admitted_from)
            self._admitted_from = None
        self.closing = True
        self._out.clear()
        self._out_bytes = 0
        self._backlog.clear()
        self._finish_once()
        if self.registry is not None:
            self.registry.discard(self)
        if not self.lost.done():
            self.lost.set_result(None)

    # --- machinery -------------------------------------------------------------------------------------

    @property
    def transport(self) -> asyncio.Transport | None:
        """The socket's transport once connected (None before ``connection_made``)."""
        return self._transport

    def refer(self, address: Address) -> str:
        """``host:port`` for XFR/RNG. Bound to a wildcard, refer clients to the address they reached."""
        host = address[0]
        if host in WILDCARD_HOSTS and self._transport is not None:
            sockname = self._transport.get_extra_info("sockname")
            host = str(sockname[0]) if sockname else host
        return f"{host}:{address[1]}"

    def send(self, command: Command) -> None:
        if not self.closing:
            line = encode(command)
            self._out.append(line)
            self._out_bytes += len(line)

    def flush(self) -> None:
        transport = self._transport
        if self._out and transport is not None and not transport.is_closing():
            transport.write(b"".join(self._out) if len(self._out) > 1 else self._out[0])
            self._out.clear()
            self._out_bytes = 0
            if transport.get_write_buffer_size() > MAX_PENDING_OUTPUT:
                log.warning("dropping %s: it does not read its output (%d bytes unsent)",
                            self.describe(), transport.get_write_buffer_size())
                self.abort()
        self._out.clear()
        self._out_bytes = 0

    def push(self, command: Command) -> None:
        """Send an unsolicited line (an event caused by someone else) at the end of this loop turn.

        Lines keep their order with replies: both go through the same queue, and any flush writes all.
        """
        self.push_line(encode(command))

    def push_line(self, line: bytes) -> None:
        """:meth:`push` for a line already encoded (a fan-out encodes an NLN once for all watchers)."""
        if self.closing:
            return
        self._out.append(line)
        self._out_bytes += len(line)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self._scheduled_flush)

    def _scheduled_flush(self) -> None:
        self._flush_scheduled = False
        if not self.closing:
            self.flush()

    def close(self) -> None:
        """Flush what is queued and close; the others hear of it (BYE, FLN) right away."""
        if self.closing:
            return
        self.flush()
        self.closing = True
        if self._transport is not None:
            self._transport.close()
        self._finish_once()

    def _finish_once(self) -> None:
        """Run :meth:`finished` exactly once, at close time rather than when the socket is gone.

        A peer that does not read would otherwise hold back its BYE/FLN until TCP gave up.
        """
        if self._finished:
            return
        self._finished = True
        try:
            self.finished()
        except Exception:
            log.exception("cleanup after a connection failed")
        if self._handler is not None:
            self._track(self._loop.create_task(self._farewell_after(self._handler)))
            return
        try:
            goodbye = self.farewell()
        except Exception:
            log.exception("cleanup after a connection failed")
            return
        if goodbye is not None:
            self._track(self._loop.create_task(self._bid(goodbye)))

    async def _farewell_after(self, handler: asyncio.Task[None]) -> None:
        """The farewell, once the handler in flight ended (a sign-in it completed is undone)."""
        await asyncio.wait([handler])
        try:
            goodbye = self.farewell()
        except Exception:
            log.exception("cleanup after a connection failed")
            return
        if goodbye is not None:
            await self._bid(goodbye)

    @staticmethod
    async def _bid(goodbye: Awaitable[None]) -> None:
        try:
            await goodbye
        except Exception:
            log.exception("cleanup after a connection failed")

    def abort(self) -> None:
        """Drop the socket at once, discarding unsent output (a peer that stopped reading)."""
        self.closing = True
        self._out.clear()
        self._out_bytes = 0
        self._backlog.clear()
        if self._transport is not None:
            self._transport.abort()
        self._finish_once()

    def dispatch(self, command: Command) -> Pending | None:
        """Serve one command by the state table, then move to the state the table names for it.

        A command the current state does not accept goes to :meth:`out_of_state`; a malformed one
        that it would accept goes to :meth:`malformed`. A handler that closes the connection, or is
        refused, leaves the state as it was. A handler that is a coroutine is handed back, to be
        awaited before anything else of this connection is served; the state moves when it ends.
        """
        table = self.table()
        if isinstance(command, Malformed):
            if table.accepts_name(self.state, command.name):
                self.malformed(command)
            else:
                self.out_of_state(command.name, command)
            return None
        edge = table.edge(self.state, command)
        if edge is None:
            self.out_of_state(command_name(command) or "", command)
            return None
        try:
            outcome = edge.handler(self, command)
        except Exception as exc:
            if self.handle_failure(command, exc):
                return None
            raise
        if isinstance(outcome, Coroutine):
            return self._finish(edge, command, outcome)
        self._advance(edge, outcome)
        return None

    async def _finish(self, edge: Edge[StateT], command: Command,
                      handler: Coroutine[Any, Any, object]) -> None:
        try:
            outcome = await handler
        except Exception as exc:
            if self.handle_failure(command, exc):
                return
            raise
        self._advance(edge, outcome)

    def _advance(self, edge: Edge[StateT], outcome: object) -> None:
        if not self.closing:
            self.state = edge.next_state(self.state, outcome)

    @property
    def queued_output(self) -> tuple[bytes, ...]:
        """Lines queued for the peer and not written yet (tests drive a front without a socket)."""
        return tuple(self._out)
