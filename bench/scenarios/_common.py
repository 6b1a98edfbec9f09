"""Helpers the scenarios share: deadlines, account checks, bounded concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from ..config import Account, LoadConfig
from ..peer import BenchError

T = TypeVar("T")
FAILURES = (BenchError, OSError, asyncio.TimeoutError)
"""What one operation may fail with; anything else is a bug in the generator and propagates."""


def need_accounts(config: LoadConfig, count: int) -> list[Account]:
    if len(config.accounts) < count:
        raise BenchError(f"this run needs {count} accounts, the accounts file has {len(config.accounts)}")
    return config.accounts[:count]


async def bounded(items: Sequence[T], limit: int, job: Callable[[T], Awaitable[None]]) -> None:
    """Run ``job`` for every item with at most ``limit`` in progress."""
    gate = asyncio.Semaphore(max(1, limit))

    async def one(item: T) -> None:
        async with gate:
            await job(item)

    await asyncio.gather(*(one(item) for item in items))
