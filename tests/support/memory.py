"""An in-memory network for whole client scenarios without sockets (the engine's injected ``connect``).

Why: the dialect scenarios (tests/client/test_dialects.py) should run over loopback *and* with no socket
at all, so a failure can be told apart from the OS's networking, and the engine is shown not to depend on
TCP. Each connection is a pair of asyncio streams whose transports hand bytes to the other side on the
next loop iteration, in order, and an EOF after them on close, as a socket would (slixmpp's
``TestTransport`` and h11's ``ConnectionPair`` are the models).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Coroutine
from typing import Any

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Coroutine[Any, Any, None]]
HOST = "memory.invalid"
"""The host every in-memory address names (``.invalid`` never resolves, so nothing leaks to a network)."""


class _PipeTransport(asyncio.Transport):
    def __init__(self, loop: asyncio.AbstractEventLoop, own: asyncio.StreamReaderProtocol) -> None:
        super().__init__()
        self._loop, self._own = loop, own
        self.peer: _PipeTransport | None = None
        self._closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closing or self.peer is None or self.peer._closing:
            return
        self._loop.call_soon(self.peer._own.data_received, bytes(data))

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        self._loop.call_soon(self._own.connection_lost, None)
        peer = self.peer
        if peer is not None and not peer._closing:
            peer._closing = True
            self._loop.call_soon(peer._own.eof_received)
            self._loop.call_soon(peer._own.connection_lost, None)

    def abort(self) -> None:
        self.close()

    def can_write_eof(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def is_reading(self) -> bool:
        return not self._closing

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": (HOST, 0), "sockname": (HOST, 0)}.get(name, default)


def _end(loop: asyncio.AbstractEventLoop) -> tuple[asyncio.StreamReader, asyncio.StreamReaderProtocol,
                                                   _PipeTransport]:
    reader = asyncio.StreamReader()
    protocol = asyncio.StreamReaderProtocol(reader)
    return reader, protocol, _PipeTransport(loop, protocol)


class MemoryNetwork:
    """``listen(handler) -> port``; ``connect(host, port)`` is what ``Messenger(connect=...)`` takes."""

    def __init__(self) -> None:
        self._handlers: dict[int, Handler] = {}
        self._ports = itertools.count(10000)
        self._tasks: set[asyncio.Task[None]] = set()

    def listen(self, handler: Handler) -> int:
        port = next(self._ports)
        self._handlers[port] = handler
        return port

    def stop(self, port: int) -> None:
        self._handlers.pop(port, None)

    async def connect(self, host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        handler = self._handlers.get(port)
        if host != HOST or handler is None:
            raise ConnectionRefusedError(f"nothing listens on {host}:{port} in memory")
        loop = asyncio.get_running_loop()
        client_reader, client_protocol, client_transport = _end(loop)
        server_reader, server_protocol, server_transport = _end(loop)
        client_transport.peer, server_transport.peer = server_transport, client_transport
        client_protocol.connection_made(client_transport)
        server_protocol.connection_made(server_transport)
        server_writer = asyncio.StreamWriter(server_transport, server_protocol, server_reader, loop)
        task = loop.create_task(handler(server_reader, server_writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return client_reader, asyncio.StreamWriter(client_transport, client_protocol, client_reader, loop)
