"""``python -m bench.baseline``: the ceiling for ``relay`` on this runtime.

A minimal asyncio TCP line relay that does no protocol work: a client's first line is ``PAIR key``;
two clients with the same key are joined, and every complete line one sends is written to the other
(a partial line waits for its end; all the lines of one read go out in one write). ``bench.compare``
measures what the MSNP2 work (decode, route, encode) costs on top of bare line I/O, on the same loop.

Two ways to do the I/O: ``--io streams`` (a reader task, ``read()`` and ``drain()`` per read, as the
msnqt server did until 2026-12) and ``--io protocol`` (an ``asyncio.Protocol`` per socket, relaying in
``data_received``, as the msnqt server does now): the leanest relay this runtime allows.

    python -m bench.baseline [--host 127.0.0.1] [--port 0] [--loop asyncio|uvloop] [--io streams|protocol]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from typing import cast

READ_CHUNK = 65536
MAX_KEY_LINE = 200


class BaselineRelay:
    """The stream flavour: one reader task per socket."""

    def __init__(self) -> None:
        self._waiting: dict[bytes, tuple[asyncio.StreamWriter, asyncio.Future[asyncio.StreamWriter]]] = {}
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.address: tuple[str, int] = ("", 0)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        self._server = await asyncio.start_server(self._accept, host, port)
        self.address = bound_address(self._server)
        return self.address

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            line = await reader.readline()
            if not line.startswith(b"PAIR ") or len(line) > MAX_KEY_LINE:
                return
            partner = await self._meet(line[5:].strip(), writer)
            partial = b""
            while data := await reader.read(READ_CHUNK):
                lines = (partial + data).split(b"\n")
                partial = lines.pop()
                if lines:
                    lines.append(b"")
                    partner.write(b"\n".join(lines))
                    await partner.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _meet(self, key: bytes, writer: asyncio.StreamWriter) -> asyncio.StreamWriter:
        """The first of a pair waits for the second; each gets the other's writer."""
        first = self._waiting.pop(key, None)
        if first is not None:
            first_writer, first_future = first
            first_future.set_result(writer)
            return first_writer
        future: asyncio.Future[asyncio.StreamWriter] = asyncio.get_running_loop().create_future()
        self._waiting[key] = (writer, future)
        try:
            return await future
        finally:
            if self._waiting.get(key, (None, None))[1] is future:
                del self._waiting[key]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()


class LineRelayProtocol(asyncio.Protocol):
    """The protocol flavour: per read, split off the complete lines and write them to the partner."""

    def __init__(self, waiting: dict[bytes, LineRelayProtocol]) -> None:
        self._waiting = waiting
        self._transport: asyncio.Transport | None = None
        self._partner: LineRelayProtocol | None = None
        self._key: bytes | None = None
        self._partial = b""
        self._held = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        data = self._partial + data
        if self._key is None:
            newline = data.find(b"\n")
            if newline < 0:
                self._partial = data
                if len(data) > MAX_KEY_LINE:
                    self._close()
                return
            line, data = data[:newline + 1], data[newline + 1:]
            if not line.startswith(b"PAIR ") or len(line) > MAX_KEY_LINE:
                self._close()
                return
            self._meet(line[5:].strip())
        cut = data.rfind(b"\n") + 1
        self._partial = data[cut:]
        if not cut:
            return
        partner = self._partner
        if partner is not None and partner._transport is not None:
            partner._transport.write(data[:cut])
        else:  # the partner has not arrived yet: hold the lines for it (the stream flavour waits too)
            self._held += data[:cut]

    def _meet(self, key: bytes) -> None:
        self._key = key
        first = self._waiting.pop(key, None)
        if first is None:
            self._waiting[key] = self
            return
        first._partner, self._partner = self, first
        if first._held and self._transport is not None:
            self._transport.write(first._held)
            first._held = b""

    def _close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._key is not None and self._waiting.get(self._key) is self:
            del self._waiting[self._key]
        if self._partner is not None:
            self._partner._partner = None
            self._partner._close()


class ProtocolBaselineRelay:
    """The protocol flavour, with the same interface as :class:`BaselineRelay`."""

    def __init__(self) -> None:
        self._waiting: dict[bytes, LineRelayProtocol] = {}
        self._server: asyncio.Server | None = None
        self.address: tuple[str, int] = ("", 0)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        self._server = await asyncio.get_running_loop().create_server(
            lambda: LineRelayProtocol(self._waiting), host, port)
        self.address = bound_address(self._server)
        return self.address

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


RELAYS: dict[str, type[BaselineRelay] | type[ProtocolBaselineRelay]] = {
    "streams": BaselineRelay, "protocol": ProtocolBaselineRelay}


def bound_address(server: asyncio.Server) -> tuple[str, int]:
    host, port = server.sockets[0].getsockname()[:2]
    return (str(host), int(port))


def install_loop(name: str) -> None:
    """Use uvloop for the next asyncio.run when asked (and installed)."""
    if name == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


async def _serve(host: str, port: int, io: str) -> None:
    relay = RELAYS[io]()
    host_, port_ = await relay.start(host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(f"BASELINE listening on {host_}:{port_}", flush=True)
    try:
        await stop.wait()
    finally:
        await relay.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.baseline", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--io", choices=tuple(RELAYS), default="streams")
    args = parser.parse_args(argv)
    try:
        install_loop(args.loop)
        asyncio.run(_serve(args.host, args.port, args.io))
    except ImportError:
        print("bench.baseline: uvloop is not installed", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"bench.baseline: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
