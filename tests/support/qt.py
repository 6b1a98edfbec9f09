"""Awaiting Qt signals from coroutines without nesting a Qt event loop (toolchain-notes §3, pitfall 1)."""

from __future__ import annotations

import asyncio
from typing import Any


async def wait_signal(signal: Any, timeout: float = 5.0) -> tuple[Any, ...]:
    """Wait for the next emission of ``signal`` and return its arguments."""
    fut: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def _slot(*args: Any) -> None:
        if not fut.done():
            fut.set_result(args)

    signal.connect(_slot)
    try:
        return await asyncio.wait_for(fut, timeout)
    finally:
        signal.disconnect(_slot)


async def wait_until(predicate: Any, timeout: float = 5.0, interval: float = 0.01) -> None:
    """Poll ``predicate`` on the running loop (yielding to it) until true; fail after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {predicate}")
        await asyncio.sleep(interval)
