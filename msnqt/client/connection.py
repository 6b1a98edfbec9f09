"""One MSNP2 TCP connection on asyncio: framing, TrIDs, request/reply correlation, one reader task.

Why a class of its own: the DS, the NS and every switchboard speak the same line protocol and need the
same three things, so the NS and SB logic above it only ever deal in typed commands:

* a TrID counter (the NS continues the DS count as 1.0 did; every SB starts at 1),
* TrID -> pending request, so replies may come in any order and several lines may share one TrID
  (SYN/GTC/BLP/LST, ANS/IRO/ANS OK, FND results): a request ends when its ``done`` predicate says so,
* everything else (no TrID, TrID 0, or a TrID nobody waits for any more, such as the ILN lines after
  a CHG echo) goes to ``on_unsolicited``.

A numeric reply fails the request with that TrID. A line the codec could not read (``Malformed``)
is logged at WARNING and skipped; it fails a request only when it was that request's one reply. A
numeric reply *without* a TrID fails the oldest pending request (servers answer in order in practice;
E18 sends a bare ``207``); with nothing pending it is passed on as unsolicited. Lines are logged at
DEBUG with passwords and MD5 responses redacted.

Nothing the server sends can grow without end here: a request collects at most ``max_replies`` lines,
and a ``done`` predicate or an unsolicited-line handler that raises ProtocolViolation (``ServerOverLimit``
for a buffer of the owner's that is full) closes the connection with that error, which every pending
request then raises.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from msnqt.protocol.commands import Channel, Command, Error, Malformed, MsgRelay, MsgSend, Sender
from msnqt.protocol.errors import FramingError
from msnqt.protocol.limits import MAX_REPLY_LINES, MAX_TRID
from msnqt.protocol.wire import Decoder, encode

from .errors import (
    ConnectionFailed,
    ConnectionLost,
    MessengerError,
    ProtocolViolation,
    RequestTimeout,
    ServerOverLimit,
    error_for_code,
)

log = logging.getLogger("msnqt.client.wire")

_SECRET_USR = re.compile(r"^(USR \S+ (?:MD5|CTP) S) \S+")

Done = Callable[[list[Command]], bool]

Connect = Callable[[str, int], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]
"""How a connection is made: TCP by default; tests inject an in-memory pipe (tests/support/memory.py)."""


async def open_tcp(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(host, port)


def single_reply(replies: list[Command]) -> bool:
    return len(replies) >= 1


def loggable(command: Command) -> str:
    """The wire form of ``command`` as it may appear in a log: first line only, secrets replaced.

    ``USR t MD5 S <md5>`` (and the CTP form, which would carry the password) become
    ``USR t MD5 S <redacted>``; the server's challenge is redacted too, which costs nothing.
    """
    if isinstance(command, MsgSend | MsgRelay):
        first = encode(command).split(b"\r\n", 1)[0].decode("utf-8", "replace")
        return f"{first} <{len(command.payload)} bytes>"
    line = encode(command).decode("utf-8", "replace").rstrip("\r\n")
    return _SECRET_USR.sub(r"\1 <redacted>", line)


def command_name(command: Command) -> str:
    return loggable(command).split(" ", 1)[0]


@dataclass
class _Pending:
    name: str
    done: Done
    future: asyncio.Future[list[Command]]
    max_replies: int
    replies: list[Command] = field(default_factory=list)


class Connection:
    """An open connection. Create with :meth:`open`; ``close()`` is idempotent."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, channel: Channel,
                 host: str, port: int, label: str, first_trid: int,
                 on_unsolicited: Callable[[Command], None],
                 on_closed: Callable[[MessengerError | None], None]) -> None:
        self.host, self.port, self.label = host, port, label
        self._reader, self._writer = reader, writer
        self._decoder = Decoder(Sender.SERVER, channel)
        self._next_trid = first_trid
        self._pending: dict[int, _Pending] = {}
        self._on_unsolicited = on_unsolicited
        self._on_closed = on_closed
        self._closed = False
        self._gone: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._task = asyncio.get_running_loop().create_task(self._read_loop(), name=f"msnqt-{label}")

    @classmethod
    async def open(cls, host: str, port: int, *, channel: Channel, label: str, first_trid: int = 1,
                   connect_timeout: float,
                   on_unsolicited: Callable[[Command], None],
                   on_closed: Callable[[MessengerError | None], None],
                   connect: Connect = open_tcp) -> Connection:
        """Connect; ConnectionFailed on refusal, unreachable host, bad name or connect timeout."""
        try:
            reader, writer = await asyncio.wait_for(connect(host, port), connect_timeout)
        except TimeoutError as exc:
            raise ConnectionFailed(host, port, "timed out") from exc
        except (OSError, UnicodeError, ValueError) as exc:
            raise ConnectionFailed(host, port, str(exc) or type(exc).__name__) from exc
        log.debug("%s connected to %s:%d", label, host, port)
        return cls(reader, writer, channel=channel, host=host, port=port, label=label,
                   first_trid=first_trid, on_unsolicited=on_unsolicited, on_closed=on_closed)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def gone(self) -> asyncio.Future[None]:
        """Done once the connection is closed, for whatever reason: what a waiter that is no request
        (a PNG's QNG) waits on besides its answer, so a close never leaves it hanging."""
        return self._gone

    @property
    def next_trid(self) -> int:
        """The TrID the next request will use (the NS continues from the DS's value)."""
        return self._next_trid

    def take_trid(self) -> int:
        trid = self._next_trid
        self._next_trid = 1 if trid >= MAX_TRID else trid + 1
        return trid

    def send(self, command: Command) -> None:
        """Write one command without waiting for anything (PNG, OUT, MSG U, ...)."""
        if self._closed:
            raise ConnectionLost(self.host, self.port, "connection closed")
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s > %s", self.label, loggable(command))
        self._writer.write(encode(command))

    async def request(self, make: Callable[[int], Command], *, timeout: float,
                      done: Done = single_reply, max_replies: int = MAX_REPLY_LINES) -> list[Command]:
        """Send ``make(trid)`` and return every line with that TrID up to and including the last one.

        Raises the mapped error for a numeric reply, RequestTimeout, or ConnectionLost; a reply longer
        than ``max_replies`` lines closes the connection with ServerOverLimit.
        """
        return await self.submit(make, timeout=timeout, done=done, max_replies=max_replies)

    def submit(self, make: Callable[[int], Command], *, timeout: float,
               done: Done = single_reply,
               max_replies: int = MAX_REPLY_LINES) -> Coroutine[Any, Any, list[Command]]:
        """Like :meth:`request`, but the line is written *now*; await the result later.

        Lets a caller put several requests on the wire in a fixed order without holding a lock while
        their replies are awaited (a conversation sends a message and the next one without waiting
        for the first one's delivery window).
        """
        trid = self.take_trid()
        command = make(trid)
        future: asyncio.Future[list[Command]] = asyncio.get_running_loop().create_future()
        pending = _Pending(command_name(command), done, future, max_replies)
        self._pending[trid] = pending
        try:
            self.send(command)
        except BaseException:
            self._pending.pop(trid, None)
            raise
        return self._await_reply(trid, pending, timeout)

    async def _await_reply(self, trid: int, pending: _Pending, timeout: float) -> list[Command]:
        future = pending.future
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise RequestTimeout(pending.name, timeout) from None
        finally:
            if self._pending.get(trid) is pending:
                del self._pending[trid]
            if not future.done():
                future.cancel()

    def answered(self, trid: int) -> bool:
        """Whether the request with ``trid`` has its whole answer (or has failed, or is forgotten)."""
        pending = self._pending.get(trid)
        return pending is None or pending.future.done()

    def set_handlers(self, on_unsolicited: Callable[[Command], None],
                     on_closed: Callable[[MessengerError | None], None]) -> None:
        """Hand the connection to a new owner (the login code gives the NS to the messenger)."""
        self._on_unsolicited = on_unsolicited
        self._on_closed = on_closed

    def close(self) -> None:
        """Close now; pending requests fail with ConnectionLost; ``on_closed(None)`` runs once."""
        self._shutdown(None)

    def abort(self, reason: MessengerError) -> None:
        """Close because the connection is unusable (missed keep-alive): ``on_closed(reason)`` runs."""
        self._shutdown(reason)

    async def wait_closed(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(self._task)

    # --- inside ---------------------------------------------------------------------------------

    async def _read_loop(self) -> None:
        reason: MessengerError | None = ConnectionLost(self.host, self.port, "closed by the server")
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    break
                try:
                    commands, broken = self._decoder.feed(data), None
                except FramingError as exc:
                    commands, broken = exc.decoded, exc  # serve what came before the break
                logging_lines = log.isEnabledFor(logging.DEBUG)  # loggable() encodes: only when wanted
                for command in commands:
                    if logging_lines:
                        log.debug("%s < %s", self.label, loggable(command))
                    self._dispatch(command)
                    if self._closed:
                        return
                if broken is not None:
                    log.warning("%s: unreadable data from the server: %s", self.label, broken)
                    reason = ProtocolViolation(f"{self.label}: {broken}")
                    break
        except (ConnectionError, OSError) as exc:
            reason = ConnectionLost(self.host, self.port, str(exc) or type(exc).__name__)
        except asyncio.CancelledError:
            reason = None
        self._shutdown(reason)

    def _dispatch(self, command: Command) -> None:
        trid = getattr(command, "trid", None)
        waiting = [t for t, p in self._pending.items() if not p.future.done()]
        if isinstance(command, Error) and command.trid is None and waiting:
            oldest = min(waiting)
            self._fail(oldest, error_for_code(command.code, self._pending[oldest].name))
            return
        pending = self._pending.get(trid) if isinstance(trid, int) and trid != 0 else None
        if pending is None or pending.future.done():
            if isinstance(command, Malformed):  # NS and SB alike: say what was skipped, then skip it
                log.warning("%s: skipped a line from the server this program cannot use (%s): %s", self.label,
                            command.error, loggable(command))
                return
            self._deliver(command)
            return
        if isinstance(command, Error):
            self._fail(trid, error_for_code(command.code, pending.name))  # type: ignore[arg-type]
        elif isinstance(command, Malformed):
            log.warning("%s: unusable reply to %s skipped (%s): %s", self.label, pending.name, command.error,
                        loggable(command))
            if pending.done is single_reply:  # the one reply it waited for is unusable: fail now, not later
                self._fail(trid, ProtocolViolation(  # type: ignore[arg-type]
                    f"malformed reply to {pending.name}: {command.name} {' '.join(command.args)}"))
            # one bad line of a multi-line answer (an LST entry, a FND result) is skipped; the rest count
        else:
            pending.replies.append(command)
            if len(pending.replies) > pending.max_replies:
                self._refuse(ServerOverLimit(f"reply lines to {pending.name}", pending.max_replies))
                return
            try:
                finished = pending.done(pending.replies)
            except ProtocolViolation as exc:  # the predicate found the reply unacceptable (too long)
                self._refuse(exc)
                return
            if finished:
                pending.future.set_result(list(pending.replies))

    def _deliver(self, command: Command) -> None:
        try:
            self._on_unsolicited(command)
        except ProtocolViolation as exc:  # the owner cannot take more of this: the server is at fault
            self._refuse(exc)
        except Exception:  # a handler bug must not kill the connection; it is a bug, so log it loudly
            log.exception("%s: handling %s failed", self.label, loggable(command))

    def _refuse(self, error: ProtocolViolation) -> None:
        """Close because of what the server sent; every pending request raises ``error``."""
        log.warning("%s: closing the connection: %s", self.label, error)
        self._shutdown(error)

    def _fail(self, trid: int, error: MessengerError) -> None:
        pending = self._pending.pop(trid, None)
        if pending is not None and not pending.future.done():
            pending.future.set_exception(error)

    def _shutdown(self, reason: MessengerError | None) -> None:
        if self._closed:
            return
        self._closed = True
        if not self._gone.done():
            self._gone.set_result(None)
        error = reason or ConnectionLost(self.host, self.port, "connection closed")
        for trid in list(self._pending):
            self._fail(trid, error)
        with contextlib.suppress(Exception):
            self._writer.close()
            # After a reset the stream's "closed" future holds the error; nobody else awaits it, and asyncio
            # would print it to the user as "Future exception was never retrieved".
            asyncio.ensure_future(self._writer.wait_closed()).add_done_callback(_retrieve)
        if asyncio.current_task() is not self._task:
            self._task.cancel()
        log.debug("%s closed (%s)", self.label, reason or "by us")
        try:
            self._on_closed(reason)
        except Exception:
            log.exception("%s: close handler failed", self.label)


def _retrieve(done: asyncio.Future[None]) -> None:
    """Mark a finished future's outcome as seen (the error was already reported as ConnectionLost)."""
    if not done.cancelled():
        done.exception()
