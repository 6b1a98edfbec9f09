"""``bystander``: one user pings while the others write to their lists as fast as the server commits.

C clients: client 0 is the bystander, who sends ``PNG`` and waits for ``QNG``, again and again; clients
1 … C-1 each add a contact to their FL and remove it again, over and over (every ``ADD``/``REM`` is one
fsynced commit, ``synchronous = FULL``). One op = one of the bystander's round trips; latency = ``PNG``
sent → ``QNG`` received. ``writes`` counts the acknowledged list changes. Against a server that commits
on its event loop the bystander waits behind every fsync; against one with the store on its own thread
it does not (bench/README.md, "the store off the loop").
"""

from __future__ import annotations

import asyncio
import time

from msnqt.protocol import AddRequest, Command, Png, Qng, RemRequest
from msnqt.protocol.codes import ListName

from ..config import LoadConfig
from ..peer import BenchError, Peer, sign_in
from ..recorder import Recorder
from ._common import FAILURES, need_accounts

PING_TIMEOUT = 10.0


async def run(config: LoadConfig, recorder: Recorder) -> None:
    if config.clients < 2:
        raise BenchError("bystander needs at least 2 clients: one bystander and one writer")
    accounts = need_accounts(config, config.clients)
    peers: list[Peer] = []
    try:
        for email, password in accounts:
            peers.append(await sign_in(config.target, email, password))
        loop = asyncio.get_running_loop()
        writes = [0]
        recorder.start()
        deadline = loop.time() + config.seconds
        emails = [email for email, _ in accounts]
        # Each writer adds the next writer (the last one the first); a single writer adds the bystander.
        contacts = emails[2:] + emails[1:2] if len(emails) > 2 else emails[:1]
        writers = [_write(peer, contact, deadline, writes, recorder)
                   for peer, contact in zip(peers[1:], contacts, strict=True)]
        await asyncio.gather(_ping(peers[0], deadline, recorder), *writers)
        recorder.stop()
        recorder.extra["writes"] = writes[0]
        recorder.extra["writes_per_s"] = round(writes[0] / config.seconds, 1)
    except FAILURES as exc:
        recorder.error(exc)
    finally:
        for peer in peers:
            peer.close()


async def _write(peer: Peer, contact: str, deadline: float, writes: list[int], recorder: Recorder) -> None:
    loop = asyncio.get_running_loop()
    try:
        while loop.time() < deadline:
            await peer.request(lambda t: AddRequest(t, ListName.FORWARD, contact, "x"))
            await peer.request(lambda t: RemRequest(t, ListName.FORWARD, contact))
            writes[0] += 2
    except FAILURES as exc:
        recorder.error(exc)


async def _ping(peer: Peer, deadline: float, recorder: Recorder) -> None:
    loop = asyncio.get_running_loop()
    answered: asyncio.Queue[float] = asyncio.Queue()

    def on_event(command: Command) -> None:
        if type(command) is Qng:
            answered.put_nowait(time.perf_counter())

    peer.on_event = on_event
    try:
        while loop.time() < deadline:
            began = time.perf_counter()
            peer.send(Png())
            recorder.latencies.append(await asyncio.wait_for(answered.get(), PING_TIMEOUT) - began)
            recorder.ops += 1
    except FAILURES as exc:
        recorder.error(exc)
