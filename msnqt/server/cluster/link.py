"""Connecting to Redis, and turning its failures into the core's :class:`StoreError`.

Every Redis key of msnqt lives under one prefix, named here, so an operator can tell them apart from
anything else sharing the server. Everything a process asks of Redis goes through its asyncio client:
the core's ports on the request path (``redis_ports``) and the background work (heartbeats, liveness,
the event subscription), so no round trip ever holds the loop. A synchronous client only checks, at
start, that the URL answers.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

import redis
import redis.asyncio

from ..core.errors import StoreError

PREFIX = "msnqt:"
TIMEOUT_SECONDS = 2.0
"""A Redis that does not answer within this is reported (501 on the wire) rather than waited for."""

P = ParamSpec("P")
R = TypeVar("R")


def one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def guarded(method: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Report a Redis failure as :class:`StoreError`: the fronts answer 501, nothing is half applied."""
    @functools.wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except redis.RedisError as exc:
            raise StoreError(f"Redis: {one_line(exc)}") from exc
    return call


def _options() -> dict[str, Any]:
    return {"decode_responses": True, "socket_timeout": TIMEOUT_SECONDS,
            "socket_connect_timeout": TIMEOUT_SECONDS, "health_check_interval": 30}


def connect(url: str) -> redis.Redis:
    """A synchronous client that has answered PING; a bad URL or a dead server is one-line StoreError."""
    try:
        client = redis.Redis.from_url(url, **_options())
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise StoreError(f"cannot connect to Redis: {one_line(exc)}") from None
    return client


POOL_SIZE = 100
POOL_WAIT_SECONDS = 30.0
"""Redis connections one process keeps at most, and how long a request waits for one of them (in turn).
redis-py's default pool *raises* "Too many connections" when all are busy, and a short wait is no better:
3,000 users dropping at once are seconds of sign-outs for one NS, and with 2 s hundreds of them failed
and stayed in Redis as ghosts. A slow or dead Redis is still reported within TIMEOUT_SECONDS of a request
getting its connection."""


def connect_async(url: str) -> redis.asyncio.Redis:
    """The asyncio client for the ports and background work (its URL was checked by :func:`connect`)."""
    pool = redis.asyncio.BlockingConnectionPool.from_url(url, max_connections=POOL_SIZE,
                                                         timeout=POOL_WAIT_SECONDS, **_options())
    return redis.asyncio.Redis.from_pool(pool)  # owns the pool: closing the client closes it
