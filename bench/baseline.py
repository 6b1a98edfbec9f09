"""``python -m bench.baseline``: the ceiling for ``relay`` on this runtime.

A minimal asyncio TCP line relay that does no protocol work: a client's first line is ``PAIR key``;
two clients with the same key are joined, and every complete line one sends is written to the other
(a partial line waits for its end; all the lines of one read go out in one write). It uses the same
asyncio streams, read size and one-write-per-read policy as the msnqt server, so ``bench.compare``
measures what the MSNP2 work (decode, route, encode) costs on top of bare line I/O, on the same loop.

    python -m bench.baseline [--host 127.0.0.1] [--port 0] [--loop asyncio|uvloop]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence

READ_CHUNK = 65536
MAX_KEY_LINE = 200


class BaselineRelay:
    def __init__(self) -> None:
        self._waiting: dict[bytes, tuple[asyncio.StreamWriter, asyncio.Future[asyncio.StreamWriter]]] = {}
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.address: tuple[str, int] = ("", 0)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        self._server = await asyncio.start_server(self._accept, host, port)
        sock_host, sock_port = self._server.sockets[0].getsockname()[:2]
        self.address = (str(sock_host), int(sock_port))
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


def install_loop(name: str) -> None:
    """Use uvloop for the next asyncio.run when asked (and installed)."""
    if name == "uvloop":
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


async def _serve(host: str, port: int) -> None:
    relay = BaselineRelay()
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
    args = parser.parse_args(argv)
    try:
        install_loop(args.loop)
        asyncio.run(_serve(args.host, args.port))
    except ImportError:
        print("bench.baseline: uvloop is not installed", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"bench.baseline: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
