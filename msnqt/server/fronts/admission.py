"""Who may hold a socket: file descriptors are shared by everyone, so no one may take them all.

Every connection is a file descriptor, and at the usual soft limit of 1,024 one user holding a
thousand idle sockets (or switchboard sessions) used to stop every accept: nobody could sign in any
more, and asyncio logged a traceback per failed accept. So:

* the soft ``RLIMIT_NOFILE`` is raised to the hard limit when the server starts (:func:`raise_fd_limit`);
* connections are capped per source address, and in total below that limit (:class:`Admission`):
  one beyond a cap is closed at once, before it costs anything but the accept;
* should accepting fail anyway (the descriptors went elsewhere), :func:`quiet_accept_errors` turns
  asyncio's traceback per attempt into one warning line a minute.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from typing import Any

log = logging.getLogger("msnqt.server")

FD_RESERVE = 64
"""Descriptors kept back from connections: the database, its WAL, the listeners, logs."""
ACCEPT_ERROR_LOG_INTERVAL = 60.0


def raise_fd_limit() -> int:
    """Raise this process's soft limit on open files to the hard limit; return the soft limit now.

    Where the platform has no such limit (or refuses), the current one is kept and returned (0 if
    unknown): the connection caps below still keep a margin.
    """
    try:
        import resource
    except ImportError:  # not on POSIX
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open-files limit from %d to %d: %s", soft, hard, exc)
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def connection_budget(fd_limit: int) -> int:
    """How many connections fit under ``fd_limit`` open files, leaving :data:`FD_RESERVE` spare."""
    return max(16, fd_limit - FD_RESERVE) if fd_limit > 0 else 1 << 20


class Admission:
    """Counts open connections per source address and in total; refuses the ones beyond a cap."""

    def __init__(self, *, per_address: int, total: int) -> None:
        self._per_address = per_address
        self._total = total
        self._by_address: Counter[str] = Counter()
        self._open = 0

    def admit(self, address: str) -> bool:
        """Count a new connection from ``address``; False (and not counted) if it is one too many."""
        if self._open >= self._total or self._by_address[address] >= self._per_address:
            return False
        self._by_address[address] += 1
        self._open += 1
        return True

    def release(self, address: str) -> None:
        """An admitted connection is gone."""
        self._open -= 1
        self._by_address[address] -= 1
        if self._by_address[address] <= 0:
            del self._by_address[address]

    @property
    def open(self) -> int:
        return self._open


def quiet_accept_errors(loop: asyncio.AbstractEventLoop) -> None:
    """Log a failing accept (out of descriptors or memory) as one line a minute, not a traceback each.

    asyncio retries such an accept a second later by itself; everything else goes to the handler
    that was there before.
    """
    previous = loop.get_exception_handler()
    last = [-ACCEPT_ERROR_LOG_INTERVAL]

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if "accept" in str(context.get("message", "")):
            now = time.monotonic()
            if now - last[0] >= ACCEPT_ERROR_LOG_INTERVAL:
                last[0] = now
                log.warning("cannot accept connections: %s (retrying; logged once a minute)",
                            context.get("exception"))
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
