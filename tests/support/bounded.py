"""A deadline for every scenario a test runs on a loop, with a message that says where it was stuck.

Each helper a test awaits (``wait_until``, ``EventRecorder.wait``, ``LineClient.line``...) has its own
timeout, but engine calls, server start-up and ``await task`` lines do not. Without an outer bound a hang
runs into pytest-timeout, which kills the run with a thread dump instead of failing one test. Wrapping the
whole ``runner.run(coro)`` bounds every await inside it at once, and names the line the scenario was
waiting on when time ran out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

SCENARIO_TIMEOUT = 30.0
"""Seconds for one ``run(...)``: far above the slowest scenario under load (about 3 s), far below
pytest-timeout (120 s), so a hang is reported as this test's failure and the run goes on."""


def _awaiting_at(awaitable: Any) -> str:
    """The chain of coroutine frames (outermost first) a suspended coroutine is waiting in."""
    lines: list[str] = []
    seen = 0
    while awaitable is not None and seen < 50:
        seen += 1
        frame = getattr(awaitable, "cr_frame", None) or getattr(awaitable, "gi_frame", None)
        if frame is not None:
            code = frame.f_code
            lines.append(f"  {code.co_filename}:{frame.f_lineno} in {code.co_name}")
        awaitable = getattr(awaitable, "cr_await", None) or getattr(awaitable, "gi_yieldfrom", None)
    return "\n".join(lines) or "  (no coroutine frame)"


async def within(coro: Coroutine[Any, Any, T], timeout: float = SCENARIO_TIMEOUT) -> T:
    """Run ``coro`` as a task; if it has not finished after ``timeout`` seconds, cancel it and fail with
    the place it was waiting at."""
    task = asyncio.ensure_future(coro)
    done, _pending = await asyncio.wait({task}, timeout=timeout)
    if task in done:
        return task.result()
    where = _awaiting_at(task.get_coro())
    task.cancel()
    await asyncio.wait({task}, timeout=5.0)
    raise AssertionError(f"the scenario did not finish within {timeout}s; it was waiting at:\n{where}")


class BoundedRunner:
    """An ``asyncio.Runner`` whose ``run`` gives up after a deadline (see ``within``); everything else is
    the wrapped runner's."""

    def __init__(self, runner: asyncio.Runner, timeout: float = SCENARIO_TIMEOUT) -> None:
        self._runner = runner
        self.timeout = timeout

    def run(self, coro: Coroutine[Any, Any, T], *, timeout: float | None = None) -> T:
        return self._runner.run(within(coro, self.timeout if timeout is None else timeout))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._runner, name)
