"""``login``: C clients sign in (DS → XFR NS → NS, MD5), sign out, and start again until time is up.

Measures complete sign-ins per second and the time from the first connect to ``USR OK``.
"""

from __future__ import annotations

import asyncio
import time

from ..config import LoadConfig
from ..peer import sign_in
from ..recorder import Recorder
from ._common import FAILURES, need_accounts


async def run(config: LoadConfig, recorder: Recorder) -> None:
    accounts = need_accounts(config, config.clients)
    loop = asyncio.get_running_loop()
    recorder.start()
    deadline = loop.time() + config.seconds

    async def client(email: str, password: str) -> None:
        while loop.time() < deadline:
            began = time.perf_counter()
            try:
                peer = await sign_in(config.target, email, password)
                recorder.latencies.append(time.perf_counter() - began)
                recorder.ops += 1
                await peer.sign_out()
            except FAILURES as exc:
                recorder.error(exc)
                return  # one failure ends this client: errors must be zero, and a dead server must not spin

    await asyncio.gather(*(client(email, password) for email, password in accounts))
    recorder.stop()
