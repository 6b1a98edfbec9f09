"""A small world on the real in-process server for the GUI tests: accounts that know each other, and
engines a test can drive as "the other people" while the GUI is Alice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msnqt.client import Messenger
from msnqt.server import MsnServer, ServerConfig
from tests.support.qt import wait_until

PEOPLE = {
    "alice@hotmail.com": "Alice",
    "bob@hotmail.com": "Bob",
    "carol@hotmail.com": "Carol",
    "dave@hotmail.com": "Dave",
}
PASSWORD = "password1"
FAST = {"request_timeout": 3.0, "delivery_window": 0.3, "join_timeout": 1.0, "auto_reconnect": False}


def fast_engine(server: str) -> Messenger:
    """A real engine with test-sized timers."""
    return Messenger(server, **FAST)  # type: ignore[arg-type]


@dataclass
class Peer:
    """Another person's engine, recording every event it sees."""

    engine: Messenger
    events: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.engine.subscribe(self.events.append)

    async def wait_for(self, kind: str, timeout: float = 5.0, **match: Any) -> Any:
        def found() -> Any:
            for event in self.events:
                if type(event).__name__ == kind and all(getattr(event, k) == v for k, v in match.items()):
                    return event
            return None

        await wait_until(lambda: found() is not None, timeout=timeout)
        return found()


@dataclass
class World:
    server: MsnServer
    address: str
    peers: dict[str, Peer] = field(default_factory=dict)

    async def sign_in(self, handle: str) -> Peer:
        peer = Peer(fast_engine(self.address))
        await peer.engine.sign_in(handle, PASSWORD)
        self.peers[handle] = peer
        return peer


@asynccontextmanager
async def world(data_dir: Path) -> AsyncIterator[World]:
    """Alice has Bob, Carol and Dave on her list (and they have her); Bob and Carol are online."""
    server = await MsnServer.start(ServerConfig(data_dir=data_dir, host="127.0.0.1", ds_port=0, ns_port=0,
                                                sb_port=0))
    host, port = server.ds_address
    the_world = World(server, f"{host}:{port}")
    try:
        for handle, name in PEOPLE.items():
            server.add_account(handle, PASSWORD, name)
        alice = fast_engine(the_world.address)
        await alice.sign_in("alice@hotmail.com", PASSWORD)
        for handle, name in PEOPLE.items():
            if handle != "alice@hotmail.com":
                await alice.add_contact(handle, friendly=name)
        await alice.sign_out()
        for handle in PEOPLE:
            if handle != "alice@hotmail.com":
                peer = await the_world.sign_in(handle)
                await peer.engine.add_contact("alice@hotmail.com")
        dave = the_world.peers.pop("dave@hotmail.com")
        await dave.engine.sign_out()
        yield the_world
    finally:
        for peer in the_world.peers.values():
            await peer.engine.sign_out()
        await server.close()
        await asyncio.sleep(0)
