"""``presence``: users with K contacts change status; time from CHG sent to the NLN at every watcher.

Setup (over MSNP2 only): C users sign in; user i puts users i+1 … i+K (mod C) on its FL and its AL
(as the 1.0 client did), so every user is watched by exactly K others; each sends its first CHG. Then
M movers, spread over the ring, each loop: CHG to a new status, wait until all K watchers got the
matching NLN, record the time the last one arrived. Lists left from an earlier run are reused (ADD
only what is missing, REM what is extra).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from functools import partial

from msnqt.protocol import AddRequest, Chg, Command, Lst, LstRequest, Nln, RemRequest
from msnqt.protocol.codes import ErrorCode, ListName, Status

from ..config import Account, LoadConfig
from ..peer import BenchError, Peer, sign_in
from ..recorder import Recorder
from ._common import FAILURES, bounded, need_accounts

CYCLE = (Status.BUSY, Status.AWAY, Status.BE_RIGHT_BACK, Status.ON_THE_PHONE, Status.OUT_TO_LUNCH,
         Status.IDLE, Status.ONLINE)
WAIT_FOR_WATCHERS = 10.0
SIGN_IN_CONCURRENCY = 32


@dataclass(slots=True)
class Pending:
    """A status change whose NLNs are still on their way."""

    remaining: int
    future: asyncio.Future[float]


def _add(trid: int, list_name: ListName, handle: str) -> AddRequest:
    return AddRequest(trid, list_name, handle, handle)


def _rem(trid: int, list_name: ListName, handle: str) -> RemRequest:
    return RemRequest(trid, list_name, handle)


def _list_done(command: Command) -> bool:
    return isinstance(command, Lst) and command.index == command.total


async def _list(peer: Peer, name: ListName) -> set[str]:
    lines = await peer.request(partial(LstRequest, list_name=name), done=_list_done)
    return {line.handle.lower() for line in lines if isinstance(line, Lst) and line.handle}


async def _set_up_lists(peer: Peer, wanted: list[str]) -> None:
    """FL = ``wanted``, and each of them on AL too: MSN Messenger 1.0 sent ``ADD AL`` with every
    ``ADD FL``, so a real user's privacy check runs against an AL as long as their FL."""
    wanted_keys = {w.lower() for w in wanted}
    for name in (ListName.FORWARD, ListName.ALLOW):
        have = await _list(peer, name)
        for handle in have - wanted_keys:
            await peer.request(partial(_rem, list_name=name, handle=handle))
        for handle in wanted:
            if handle.lower() not in have:
                await peer.request(partial(_add, list_name=name, handle=handle),
                                   allowed=frozenset({ErrorCode.ALREADY_THERE}))


async def run(config: LoadConfig, recorder: Recorder) -> None:
    count = config.clients
    contacts = min(config.contacts, count - 1)
    if contacts < 1:
        raise BenchError("presence needs at least 2 clients")
    accounts = need_accounts(config, count)
    recorder.params.update({"watchers_per_change": contacts})
    pending: dict[tuple[str, Status], Pending] = {}
    peers: list[Peer] = [None] * count  # type: ignore[list-item]

    def on_event(command: Command) -> None:
        if type(command) is Nln:
            entry = pending.get((command.handle.lower(), command.status))
            if entry is not None:
                entry.remaining -= 1
                if entry.remaining == 0 and not entry.future.done():
                    entry.future.set_result(time.perf_counter())

    async def prepare(index: int) -> None:
        email, password = accounts[index]
        peer = await sign_in(config.target, email, password)
        peers[index] = peer
        peer.on_event = on_event
        await _set_up_lists(peer, [accounts[(index + j) % count][0] for j in range(1, contacts + 1)])

    try:
        await bounded(range(count), SIGN_IN_CONCURRENCY, prepare)
        # First CHG only once every list is in place, so every watcher sees every later change.
        await asyncio.gather(*(p.request(lambda t: Chg(t, Status.ONLINE)) for p in peers))
        await _measure(config, recorder, accounts, peers, pending, contacts)
    finally:
        for peer in peers:
            if peer is not None:
                peer.close()


async def _measure(config: LoadConfig, recorder: Recorder, accounts: list[Account], peers: list[Peer],
                   pending: dict[tuple[str, Status], Pending], watchers: int) -> None:
    loop = asyncio.get_running_loop()
    movers = max(1, min(config.movers, len(peers)))
    step = len(peers) // movers
    notifications = 0
    recorder.start()
    deadline = loop.time() + config.seconds

    async def mover(index: int) -> None:
        nonlocal notifications
        peer, email = peers[index], accounts[index][0].lower()
        turn = 0
        while loop.time() < deadline:
            status = CYCLE[turn % len(CYCLE)]
            turn += 1
            done: asyncio.Future[float] = loop.create_future()
            pending[(email, status)] = Pending(watchers, done)
            began = time.perf_counter()
            try:
                await peer.request(partial(Chg, status=status))
                finished = await asyncio.wait_for(done, WAIT_FOR_WATCHERS)
            except FAILURES as exc:
                recorder.error(exc)
                return
            finally:
                pending.pop((email, status), None)
            recorder.latencies.append(finished - began)
            recorder.ops += 1
            notifications += watchers

    await asyncio.gather(*(mover(i * step) for i in range(movers)))
    recorder.stop()
    recorder.extra["notifications"] = notifications
    recorder.extra["notifications_per_s"] = round(notifications / recorder.elapsed, 1)
