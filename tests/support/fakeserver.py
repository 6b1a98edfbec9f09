"""A scripted MSNP2 peer for client tests: it expects given lines and sends given lines, in order.

Why scripted rather than a mini server: the tests are about what the *client* puts on the wire and how it
copes with what real servers send (out-of-order replies, bare error codes, an NS that skips the DS, a
connection that dies). A script reads like the transcripts in msnp2-reference.md:

    ns = FakeServer([[C("VER {t} MSNP2 CVR0"), S("VER {t} MSNP2"), ...]])

* ``C(pattern)`` waits for the next client line and matches it token by token: ``{name}`` captures the
  token (later ``S`` lines can use it), ``*`` matches any token, ``...`` as the last token matches the
  rest, anything else must be equal. A client ``MSG`` line's payload is read and kept in ``payloads``.
* ``S(line, payload=None)`` sends ``line.format(**captures, **server.vars)``; with a payload the byte
  count is appended to the line, as MSNP2 frames MSG. ``Raw(data)`` sends bytes as they are (fuzzing).
* ``Close()`` drops the connection; ``Hold()`` reads (and records) until the client closes;
  ``Gate(name)`` waits until the test calls ``server.open_gate(name)``; ``Mark(name)`` lets the test
  ``await server.reached(name)``: the script got that far. ``Pause(seconds)`` keeps the server quiet
  that long, to play a real server's timing (Escargot's ``BYE`` 1-2 ms after a ``MSG``); never use it to
  wait for the client, which is what ``C`` and ``Gate`` are for.

Each accepted connection runs the next script of the list; a connection beyond the last script is an
error. Mismatches are recorded in ``errors`` (the connection is then closed) and ``check()`` raises them.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import socket
from dataclasses import dataclass, field


@dataclass(frozen=True)
class C:
    pattern: str


@dataclass(frozen=True)
class S:
    line: str
    payload: bytes | None = None


@dataclass(frozen=True)
class Raw:
    data: bytes


@dataclass(frozen=True)
class Close:
    pass


@dataclass(frozen=True)
class Hold:
    pass


@dataclass(frozen=True)
class Gate:
    name: str


@dataclass(frozen=True)
class Mark:
    name: str


@dataclass(frozen=True)
class Pause:
    seconds: float


Step = C | S | Raw | Close | Hold | Gate | Mark | Pause


@dataclass
class ConnectionRecord:
    index: int
    received: list[str] = field(default_factory=list)
    payloads: list[bytes] = field(default_factory=list)
    captures: dict[str, str] = field(default_factory=dict)
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    closed_by_client: asyncio.Event = field(default_factory=asyncio.Event)


class FakeServer:
    def __init__(self, scripts: list[list[Step]], **variables: str) -> None:
        self.scripts = scripts
        self.vars: dict[str, str] = dict(variables)
        self.errors: list[str] = []
        self.connections: list[ConnectionRecord] = []
        self.connected = asyncio.Event()
        self._gates: dict[str, asyncio.Event] = {}
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._handlers: set[asyncio.Task[None]] = set()
        self._conn_waiters: list[tuple[int, asyncio.Future[ConnectionRecord]]] = []

    async def start(self) -> FakeServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def open_gate(self, name: str) -> None:
        self._gates.setdefault(name, asyncio.Event()).set()

    async def reached(self, name: str, timeout: float = 5.0) -> None:
        await asyncio.wait_for(self._gates.setdefault(f"mark:{name}", asyncio.Event()).wait(), timeout)

    async def connection(self, index: int, timeout: float = 5.0) -> ConnectionRecord:
        """The record of the ``index``-th accepted connection (waits until it is accepted)."""
        if index < len(self.connections):
            return self.connections[index]
        future: asyncio.Future[ConnectionRecord] = asyncio.get_running_loop().create_future()
        self._conn_waiters.append((index, future))
        return await asyncio.wait_for(future, timeout)

    async def finished(self, index: int, timeout: float = 5.0) -> ConnectionRecord:
        """Wait until connection ``index`` has run its whole script (or failed)."""
        record = await self.connection(index, timeout)
        await asyncio.wait_for(record.finished.wait(), timeout)
        return record

    def check(self) -> None:
        if self.errors:
            raise AssertionError("fake server: " + "; ".join(self.errors))

    async def close(self) -> None:
        for writer in self._writers:
            writer.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def __aenter__(self) -> FakeServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- inside -----------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            await self._serve_one(reader, writer)
        except asyncio.CancelledError:
            pass  # the test is over; end quietly (a cancelled handler is logged as an error by asyncio)
        finally:
            self._handlers.discard(task)

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        record = ConnectionRecord(len(self.connections))
        self.connections.append(record)
        self.connected.set()
        for index, future in list(self._conn_waiters):
            if index == record.index and not future.done():
                future.set_result(record)
        try:
            if record.index >= len(self.scripts):
                self.errors.append(f"unexpected connection #{record.index}")
                return
            await self._run(self.scripts[record.index], record, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            record.closed_by_client.set()
        finally:
            record.finished.set()
            writer.close()

    async def _run(self, script: list[Step], record: ConnectionRecord, reader: asyncio.StreamReader,
                   writer: asyncio.StreamWriter) -> None:
        for step in script:
            if isinstance(step, C):
                line = await self._read_line(record, reader)
                if line is None:
                    self.errors.append(f"#{record.index}: expected {step.pattern!r}, client closed")
                    return
                if not _match(step.pattern, line, record.captures):
                    self.errors.append(f"#{record.index}: expected {step.pattern!r}, got {line!r}")
                    return
            elif isinstance(step, S):
                values = {**self.vars, **record.captures}
                text = step.line.format(**values)
                data = text.encode()
                if step.payload is not None:
                    data += b" %d" % len(step.payload)
                writer.write(data + b"\r\n" + (step.payload or b""))
                await writer.drain()
            elif isinstance(step, Raw):
                writer.write(step.data)
                await writer.drain()
            elif isinstance(step, Close):
                return
            elif isinstance(step, Mark):
                self._gates.setdefault(f"mark:{step.name}", asyncio.Event()).set()
            elif isinstance(step, Gate):
                await self._gates.setdefault(step.name, asyncio.Event()).wait()
            elif isinstance(step, Pause):
                await asyncio.sleep(step.seconds)
            elif isinstance(step, Hold):
                await self._drain_until_out(record, reader, writer)
                return
        record.finished.set()
        await self._drain_until_out(record, reader, writer)

    async def _drain_until_out(self, record: ConnectionRecord, reader: asyncio.StreamReader,
                               writer: asyncio.StreamWriter) -> None:
        """After the script: record whatever comes; answer a client OUT as real servers do, and close."""
        while (line := await self._read_line(record, reader)) is not None:
            if line == "OUT":
                writer.write(b"OUT\r\n")
                await writer.drain()
                return

    async def _read_line(self, record: ConnectionRecord, reader: asyncio.StreamReader) -> str | None:
        raw = await reader.readline()
        if not raw:
            record.closed_by_client.set()
            return None
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        record.received.append(line)
        if line.startswith("MSG "):
            record.payloads.append(await reader.readexactly(int(line.split()[-1])))
        return line


def _match(pattern: str, line: str, captures: dict[str, str]) -> bool:
    expected, actual = pattern.split(), line.split()
    if expected and expected[-1] == "...":
        expected = expected[:-1]
        actual = actual[: len(expected)]
    if len(expected) != len(actual):
        return False
    found: dict[str, str] = {}
    for want, got in zip(expected, actual, strict=True):
        if want == "*":
            continue
        if want.startswith("{") and want.endswith("}"):
            found[want[1:-1]] = got  # a later line may capture the same name again
        elif want != got:
            return False
    captures.update(found)
    return True


_RESERVED: list[socket.socket] = []


@atexit.register
def _release_reserved() -> None:
    for sock in _RESERVED:
        sock.close()


def unused_port() -> int:
    """A loopback port nothing listens on (for connection-refused tests).

    The port stays bound (never listening) until the test run ends: a port merely probed and released could
    be taken by another process on a busy machine, and the "refused" connection would then succeed."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    _RESERVED.append(sock)
    return int(sock.getsockname()[1])
