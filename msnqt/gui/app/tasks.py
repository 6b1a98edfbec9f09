"""Fire-and-forget coroutines started from Qt slots, kept referenced until they finish.

asyncio keeps only a weak reference to a task, so a task nobody holds can be garbage-collected mid-flight;
and once the app is ending there is no running loop to start one on. Widgets and the session share this one
answer to both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class BackgroundTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> bool:
        """Start ``coro`` on the running loop; with no loop any more (the app is ending) nothing can be sent,
        so the coroutine is closed unstarted and False is returned."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            coro.close()
            return False
        task = loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def drain(self, *, return_exceptions: bool = False) -> None:
        """Wait for every task still running (a tidy exit, and tests)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=return_exceptions)
