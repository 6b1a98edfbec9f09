"""``hold``: C users signed in and idle, each sending PNG every ``ping_interval`` seconds.

Ramps up with a bounded number of sign-ins in flight, then holds for ``seconds``. Reports the
PNG → QNG round trip and, with ``--pid``, the server's RSS before the ramp, once everyone is in, and
per held connection. A QNG that does not come back within the interval counts as an error.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque

from msnqt.protocol import Chg, Command, Png, Qng
from msnqt.protocol.codes import Status

from .. import procfs
from ..config import LoadConfig
from ..peer import Peer, sign_in
from ..recorder import Recorder
from ._common import FAILURES, bounded, need_accounts

PING_TIMEOUT = 10.0


async def run(config: LoadConfig, recorder: Recorder) -> None:
    accounts = need_accounts(config, config.clients)
    pid = config.server_pid
    rss_before = procfs.rss_bytes(pid) if pid else 0
    peers: list[Peer] = []
    loop = asyncio.get_running_loop()
    ramp_began = time.perf_counter()

    async def enter(index: int) -> None:
        email, password = accounts[index]
        try:
            peer = await sign_in(config.target, email, password)
            await peer.request(lambda t: Chg(t, Status.ONLINE))
        except FAILURES as exc:
            recorder.error(exc)
            return
        peers.append(peer)

    try:
        await bounded(range(config.clients), config.ramp_concurrency, enter)
        ramp_seconds = time.perf_counter() - ramp_began
        rss_held = procfs.rss_bytes(pid) if pid else 0
        recorder.start()
        deadline = loop.time() + config.seconds
        await asyncio.gather(*(_keep_alive(peer, config, recorder, deadline) for peer in peers))
        recorder.stop()
        recorder.extra["held"] = len(peers)
        recorder.extra["ramp_seconds"] = round(ramp_seconds, 3)
        if pid:
            rss_end = procfs.rss_bytes(pid)
            recorder.extra["rss_mb"] = {
                "before_ramp": round(rss_before / 2**20, 1),
                "all_signed_in": round(rss_held / 2**20, 1),
                "end": round(rss_end / 2**20, 1),
                "per_connection_kb": round((rss_held - rss_before) / max(1, len(peers)) / 1024, 2),
            }
    finally:
        for peer in peers:
            peer.close()


async def _keep_alive(peer: Peer, config: LoadConfig, recorder: Recorder, deadline: float) -> None:
    """PNG every interval (first one at a random offset, so pings spread over the interval)."""
    loop = asyncio.get_running_loop()
    waiting: deque[asyncio.Future[float]] = deque()

    def on_event(command: Command) -> None:
        if type(command) is Qng and waiting:
            future = waiting.popleft()
            if not future.done():
                future.set_result(time.perf_counter())

    peer.on_event = on_event
    next_ping = loop.time() + random.uniform(0, config.ping_interval)
    while True:
        delay = next_ping - loop.time()
        if next_ping >= deadline:
            return
        if delay > 0:
            await asyncio.sleep(delay)  # pacing the load, not synchronising on anything
        next_ping += config.ping_interval
        future: asyncio.Future[float] = loop.create_future()
        waiting.append(future)
        began = time.perf_counter()
        try:
            peer.send(Png())
            recorder.latencies.append(await asyncio.wait_for(future, PING_TIMEOUT) - began)
            recorder.ops += 1
        except FAILURES as exc:
            recorder.error(exc)
            return
