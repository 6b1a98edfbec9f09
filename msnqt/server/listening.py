"""Accepting sockets and closing them gracefully: shared by the one-process server and each cluster role."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from .fronts.admission import Admission
from .fronts.connection import Address, Connection

SHUTDOWN_GRACE_SECONDS = 5.0
"""How long close() lets sessions flush OUT SSD before dropping sockets that are not being read."""
SETTLE_SECONDS = 10.0
"""How long close() waits for handlers and farewells (sign-outs) still talking to a store or router."""
ConnectionFactory = Callable[[], Connection[Any]]


class Listeners:
    """The listening sockets of one process and every connection they accepted."""

    def __init__(self, host: str, admission: Admission | None = None) -> None:
        """``admission``, when given, caps connections per source address and in all."""
        self._host = host
        self._admission = admission
        self._servers: list[asyncio.Server] = []
        self.connections: set[Connection[Any]] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        """Handlers and farewells in flight, of every connection: awaited before the store closes."""
        self._closing = False

    async def serve(self, port: int, factory: ConnectionFactory) -> Address:
        """Listen on ``port`` (0 picks a free one); return the bound address."""
        def accept() -> Connection[Any]:
            connection = factory()
            connection.registry = self.connections
            connection.tasks = self.tasks
            connection.admission = self._admission
            if self._closing:
                # Accepted by the loop just before the listener closed: nothing may start on a socket
                # whose handlers would reach the store after it has closed.
                connection.close()
            return connection

        listener = await asyncio.get_running_loop().create_server(accept, self._host, port)
        self._servers.append(listener)
        host, bound = listener.sockets[0].getsockname()[:2]
        return (str(host), int(bound))

    async def settle(self, timeout: float | None = None) -> None:
        """Wait until no handler or farewell (sign-out, BYE) of any connection is in flight, including
        those the awaited ones set off (a farewell's BYE ends another connection); give up after
        ``timeout`` seconds in all."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):  # cancels only the wait, never the tasks
                while self.tasks:
                    await asyncio.wait(list(self.tasks))

    async def close(self, goodbye: Callable[[], None]) -> None:
        """Stop accepting, let ``goodbye`` queue last words (OUT SSD), then close every connection."""
        self._closing = True
        for listener in self._servers:
            listener.close()
        goodbye()
        for connection in list(self.connections):
            connection.close()
        lost = [connection.lost for connection in self.connections]
        if lost:
            _, stuck = await asyncio.wait(lost, timeout=SHUTDOWN_GRACE_SECONDS)
            if stuck:
                # A peer that does not read keeps its socket open while the goodbye sits unsent.
                for connection in list(self.connections):
                    connection.abort()
                await asyncio.wait(stuck)
        # Sign-outs tell watchers FLN through the store and router, which close right after us.
        await self.settle(SETTLE_SECONDS)
        for listener in self._servers:
            await listener.wait_closed()
        self._servers.clear()
