"""The limits an attacker could multiply by choosing the process, kept in Redis for the whole cluster.

A guesser can connect to any NS directly, and a caller can open switchboards on every SB: counted per
process, the login throttle and the CAL/ring limits would be worth their allowance once per process.
Here every NS and SB counts in the same Redis keys, each change one Lua script (atomic: two processes
counting at once never both see the old count):

- ``login:account:<handle key>`` and ``login:address:<address>``: a hash of the failures, the last
  failure and the end of the lock, with the same doubling as the in-memory
  :class:`~msnqt.server.core.login_throttle.LocalLoginThrottle`; it expires once it would be forgiven;
- ``calls:<caller key>`` and ``rings:<callee key>``: a sorted set of the attempts within the window
  (refused ones count, at most twice the limit are kept), expiring with the window.

Times come from the calling process's wall clock (``time.time``), so a test can drive them: NS hosts
kept in step by NTP disagree by milliseconds, against locks and windows of seconds. Redis failing is a
:class:`~msnqt.server.core.errors.StoreError` (``link.guarded``): the NS answers the sign-in ``501``
and the SB the ``CAL`` ``501``; neither is let through uncounted.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

import redis.asyncio

from .link import PREFIX, guarded

Clock = Callable[[], float]

# KEYS: the account's record, the address's; ARGV: now (ms), free failures, account cap, address cap (ms).
# Returns 1 when this failure starts a lock of either.
_FAILED = """
local now = tonumber(ARGV[1])
local free = tonumber(ARGV[2])
local started = 0
for i = 1, 2 do
    local cap = tonumber(ARGV[2 + i])
    local record = redis.call('HMGET', KEYS[i], 'failures', 'last')
    local failures = tonumber(record[1]) or 0
    if now - (tonumber(record[2]) or 0) > cap then
        failures = 0
    end
    failures = failures + 1
    redis.call('HSET', KEYS[i], 'failures', failures, 'last', now)
    local beyond = failures - free
    if beyond > 0 then
        local lock = math.min(cap, 1000 * 2 ^ math.min(beyond - 1, 40))
        redis.call('HSET', KEYS[i], 'until', math.floor(now + lock))
        started = 1
    end
    redis.call('PEXPIRE', KEYS[i], cap + 1)
end
return started
"""

# KEYS: the window's sorted set; ARGV: now (ms), window (ms), limit, a fresh member.
# Returns 1 when this attempt is within the limit.
_WINDOW = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < 2 * limit then
    redis.call('ZADD', KEYS[1], now, ARGV[4])
    count = count + 1
end
redis.call('PEXPIRE', KEYS[1], window)
if count <= limit then
    return 1
end
return 0
"""


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


class RedisLoginThrottle:
    """:class:`~msnqt.server.core.ports.LoginThrottle` shared by every NS of a cluster."""

    def __init__(self, client: redis.asyncio.Redis, *, free_failures: int = 3, account_cap: float = 60.0,
                 address_cap: float = 900.0, clock: Clock = time.time) -> None:
        self._redis = client
        self._free = free_failures
        self._account_cap = _ms(account_cap)
        self._address_cap = _ms(address_cap)
        self._clock = clock
        self._failed = client.register_script(_FAILED)

    @staticmethod
    def _keys(account_key: str, address: str) -> list[str]:
        return [f"{PREFIX}login:account:{account_key}", f"{PREFIX}login:address:{address}"]

    @guarded
    async def locked(self, account_key: str, address: str) -> bool:
        now = _ms(self._clock())
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in self._keys(account_key, address):
                pipe.hget(key, "until")
            ends = await pipe.execute()
        return any(end is not None and int(end) > now for end in ends)

    @guarded
    async def failed(self, account_key: str, address: str) -> bool:
        started = await self._failed(keys=self._keys(account_key, address),
                                     args=[_ms(self._clock()), self._free, self._account_cap,
                                           self._address_cap])
        return bool(started)

    @guarded
    async def succeeded(self, account_key: str) -> None:
        await self._redis.delete(self._keys(account_key, "")[0])


class RedisWindows:
    """:class:`~msnqt.server.core.ports.WindowLimit` shared by every SB: ``limit`` per ``window`` s."""

    def __init__(self, client: redis.asyncio.Redis, name: str, limit: int, window: float = 60.0,
                 clock: Clock = time.time) -> None:
        self._redis = client
        self._name = name
        self._limit = limit
        self._window = _ms(window)
        self._clock = clock
        self._script = client.register_script(_WINDOW)

    @guarded
    async def allow(self, key: str) -> bool:
        allowed = await self._script(keys=[f"{PREFIX}{self._name}:{key}"],
                                     args=[_ms(self._clock()), self._window, self._limit,
                                           secrets.token_hex(8)])
        return bool(allowed)
