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

from ..core.ports import Admission
from .link import PREFIX, guarded

Clock = Callable[[], float]

# Counts one failure of KEYS[k] (ARGV: now, free failures, cap, all ms but free) and returns {whether
# that started a lock, the lock's end before it}. Quiet for longer than the cap: the count starts over.
_COUNT = """
local function count(key, now, free, cap)
    local record = redis.call('HMGET', key, 'failures', 'last', 'until')
    local failures = tonumber(record[1]) or 0
    local previous = tonumber(record[3]) or 0
    if now - (tonumber(record[2]) or 0) > cap then
        failures = 0
    end
    failures = failures + 1
    redis.call('HSET', key, 'failures', failures, 'last', now)
    local started = 0
    local beyond = failures - free
    if beyond > 0 then
        local lock = math.min(cap, 1000 * 2 ^ math.min(beyond - 1, 40))
        redis.call('HSET', key, 'until', math.floor(now + lock))
        started = 1
    end
    redis.call('PEXPIRE', key, cap + 1)
    return {started, previous}
end
"""

# KEYS: the account's record, the address's; ARGV: now (ms), free failures, the account's cap (ms).
# {0} while either is locked; else the account's failure is counted: {1, started a lock, lock end before}.
_ADMIT = _COUNT + """
local now = tonumber(ARGV[1])
for i = 1, 2 do
    if (tonumber(redis.call('HGET', KEYS[i], 'until')) or 0) > now then
        return {0}
    end
end
local counted = count(KEYS[1], now, tonumber(ARGV[2]), tonumber(ARGV[3]))
return {1, counted[1], counted[2]}
"""

# KEYS: the address's record; ARGV: now (ms), free failures, the address's cap (ms). 1: it locks now.
_FAILED = _COUNT + """
return count(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))[1]
"""

# KEYS: the account's record; ARGV: its lock end before the attempt taken back.
_UNDO = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    local failures = tonumber(redis.call('HGET', KEYS[1], 'failures')) or 1
    redis.call('HSET', KEYS[1], 'failures', math.max(0, failures - 1), 'until', ARGV[1])
end
return 0
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
    return round(seconds * 1000)


class RedisLoginThrottle:
    """:class:`~msnqt.server.core.ports.LoginThrottle` shared by every NS of a cluster."""

    def __init__(self, client: redis.asyncio.Redis, *, free_failures: int = 3, account_cap: float = 60.0,
                 address_cap: float = 900.0, clock: Clock = time.time) -> None:
        self._redis = client
        self._free = free_failures
        self._account_cap = _ms(account_cap)
        self._address_cap = _ms(address_cap)
        self._clock = clock
        self._admit = client.register_script(_ADMIT)
        self._failed = client.register_script(_FAILED)
        self._undo = client.register_script(_UNDO)

    @staticmethod
    def _account(account_key: str) -> str:
        return f"{PREFIX}login:account:{account_key}"

    @staticmethod
    def _address(address: str) -> str:
        return f"{PREFIX}login:address:{address}"

    @guarded
    async def locked(self, account_key: str, address: str) -> bool:
        now = _ms(self._clock())
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hget(self._account(account_key), "until")
            pipe.hget(self._address(address), "until")
            ends = await pipe.execute()
        return any(end is not None and int(end) > now for end in ends)

    @guarded
    async def admit(self, account_key: str, address: str) -> Admission | None:
        result = await self._admit(keys=[self._account(account_key), self._address(address)],
                                   args=[_ms(self._clock()), self._free, self._account_cap])
        if not int(result[0]):
            return None
        return Admission(account_key, address, bool(int(result[1])), int(result[2]) / 1000)

    @guarded
    async def failed(self, admission: Admission) -> bool:
        started = await self._failed(keys=[self._address(admission.address)],
                                     args=[_ms(self._clock()), self._free, self._address_cap])
        return bool(int(started))

    @guarded
    async def succeeded(self, admission: Admission) -> None:
        await self._redis.delete(self._account(admission.account_key))

    @guarded
    async def unchecked(self, admission: Admission) -> None:
        await self._undo(keys=[self._account(admission.account_key)], args=[_ms(admission.account_until)])


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
