"""The whole demo backend: a throw-away server, the accounts that know each other, and the running bots.

Friendships are made the way real users made them: each person signs in and adds the others (FL, and the
engine's automatic AL), which puts them on the others' RL, so the server's lists are exactly what 1.0
clients would have built. Only account creation uses the server's account API.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from msnqt.server import MsnServer, ServerConfig

from .bots import AnsweringBot, Bot, HostBot, MoodyBot, bot_engine
from .cast import BOTS, DEMO_PASSWORD, EVERYONE, NEWCOMER, OFFLINE_FRIEND, USER, Person
from .timings import DemoTimings


def friends_of(person: Person) -> tuple[Person, ...]:
    """The user knows everyone; the bots know the user and each other; the offline friend knows the user."""
    if person == USER:
        return (*BOTS, OFFLINE_FRIEND)
    if person == OFFLINE_FRIEND:
        return (USER,)
    return (USER, *(bot for bot in BOTS if bot != person))


async def seed(server: MsnServer, address: str, timings: DemoTimings) -> None:
    """Create every account, then let each person sign in once and add their friends."""
    for person in (*EVERYONE, NEWCOMER):
        found = person.directory
        listing = ({"fname": found.fname, "lname": found.lname, "city": found.city, "state": found.state,
                    "country": found.country} if found is not None else {})
        server.add_account(person.handle, DEMO_PASSWORD, person.friendly, **listing)
    for person in EVERYONE:
        engine = bot_engine(address, timings)
        await engine.sign_in(person.handle, DEMO_PASSWORD)
        try:
            for friend in friends_of(person):
                await engine.add_contact(friend.handle, friendly=friend.friendly)
        finally:
            await engine.sign_out()


@dataclass
class DemoWorld:
    """What the app needs from the demo: where to sign in, and as whom."""

    server: MsnServer
    address: str
    data_dir: Path
    bots: list[Bot] = field(default_factory=list)
    handle: str = USER.handle
    password: str = DEMO_PASSWORD


@asynccontextmanager
async def demo_world(timings: DemoTimings | None = None) -> AsyncIterator[DemoWorld]:
    """Start the server on free loopback ports in a temporary directory, seed it, start the bots; on exit
    stop the bots, close the server and delete the directory. Needs no network."""
    timings = timings or DemoTimings()
    with tempfile.TemporaryDirectory(prefix="msnqt-demo-") as data_dir:
        server = await MsnServer.start(ServerConfig(data_dir=Path(data_dir), host="127.0.0.1", ds_port=0,
                                                    ns_port=0, sb_port=0))
        host, port = server.ds_address
        world = DemoWorld(server, f"{host}:{port}", Path(data_dir))
        try:
            await seed(server, world.address, timings)
            cast: list[Bot] = [AnsweringBot(world.address, timings), MoodyBot(world.address, timings),
                               HostBot(world.address, timings)]
            for bot in cast:
                world.bots.append(bot)  # before start: a bot that fails half-way is still stopped below
                await bot.start()
            yield world
        finally:
            for started in reversed(world.bots):
                await started.stop()
            await server.close()
