"""Every front's state table, pair by pair, in memory (h2's test over every (state, frame) is the model).

For each front (DS, NS, SB), each of its states and each command type the codec knows, a front is
brought to that state through its own table (no socket: its replies are read from its output queue),
fed one command of that type drawn by Hypothesis, and must answer as its table documents:

- a pair with a row moves only to a state that row names (or stays, when refused), or closes;
- a pair without a row leaves the state as it was and gets the documented out-of-state answer: on the
  NS ``302 t`` for a signed-in command sent before sign-in and ``207 t`` for USR once signed in; on
  every front a closed connection for anything else;
- a malformed command its state accepts by name is answered with an error carrying its TrID, or closes.

No handler may raise, every reply must be a well-formed server line, and what the state implies
(an account once signed in, a session once in one) must hold afterwards.
"""

from __future__ import annotations

import asyncio
import typing
from collections.abc import Awaitable, Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from msnqt.protocol import (
    Channel,
    Chg,
    Command,
    Decoder,
    Error,
    Malformed,
    Sender,
    Status,
    Unknown,
    UsrInitial,
    UsrResponse,
    UsrSb,
    Ver,
)
from msnqt.protocol.auth import md5_response
from msnqt.protocol.codes import ErrorCode
from msnqt.protocol.errors import InvalidFriendlyName, InvalidHandle, InvalidTrId, MalformedCommand
from msnqt.server import MsnServer, ServerConfig
from msnqt.server.fronts.connection import Connection
from msnqt.server.fronts.ds import DsConnection, DsState
from msnqt.server.fronts.ns import SIGNED_IN_COMMANDS, NsConnection, NsState
from msnqt.server.fronts.sb import SbConnection, SbState
from msnqt.server.fronts.state_table import CLIENT_COMMANDS, trid_of
from msnqt.server.store.opening import open_store
from tests.protocol.strategies import BY_TYPE, token, trids
from tests.server.harness import NO_RATE_LIMITS

ALICE, PASSWORD = "alice@hotmail.com", "alicepw"
NAMES = sorted(set(CLIENT_COMMANDS.values()) | {"BYE", "ILN", "FOO"})

KINDS: dict[type, st.SearchStrategy[Command]] = {
    **BY_TYPE,
    Unknown: st.builds(Unknown, st.sampled_from(["FOO", "usr", "QNG", "ILN", "JOI"]),
                       st.lists(token, max_size=3).map(tuple)),
    Malformed: st.builds(
        Malformed, st.sampled_from(NAMES), st.none() | trids, st.lists(token, max_size=3).map(tuple),
        st.sampled_from([MalformedCommand("bad"), InvalidTrId("bad"), InvalidHandle("bad"),
                         InvalidFriendlyName("bad")])),
}


def test_the_kinds_fed_are_every_command_the_codec_knows() -> None:
    assert set(KINDS) == set(typing.get_args(Command))


class Fronts:
    """One in-memory server (its store and cores, no listening socket) that makes fronts in a state."""

    def __init__(self, server: MsnServer) -> None:
        self.server = server
        self.made: list[Connection[Any]] = []
        self.tasks: set[asyncio.Task[None]] = set()

    def _keep(self, front: Connection[Any]) -> Connection[Any]:
        self.made.append(front)
        front.tasks = self.tasks
        return front

    def ds(self) -> Connection[Any]:
        return self._keep(DsConnection(pick_ns=lambda handle: ("127.0.0.1", 1864), login_timeout=60))

    def ns(self) -> NsConnection:
        server = self.server
        front = NsConnection(core=server.notification, switchboard=server.switchboard,
                             pick_sb=lambda: ("127.0.0.1", 1865), login_timeout=60, limits=server.limits,
                             throttle=server.login_throttle)
        self._keep(front)
        return front

    def sb(self) -> Connection[Any]:
        server = self.server
        return self._keep(SbConnection(core=server.switchboard, max_payload=1664, auth_timeout=60,
                                       idle_timeout=60, limits=server.limits))

    async def at(self, front_name: str, state: Enum) -> Connection[Any]:
        """A front of ``front_name`` brought to ``state`` by commands its own table serves."""
        if front_name == "sb":
            front = self.sb()
            if state is SbState.IN_SESSION:
                await serve(await self.at("ns", NsState.SIGNED_IN), Chg(4, Status.ONLINE))
                cookie = await self.server.switchboard.issue_create_cookie(ALICE)
                await serve(front, UsrSb(1, ALICE, cookie))
        else:
            front = self.ds() if front_name == "ds" else self.ns()
            if state.name != "CONNECTED":
                await serve(front, Ver(1, ("CVR0",) if state.name == "VERSION_CHECK" else ("MSNP2", "CVR0")))
            if state in (NsState.CHALLENGED, NsState.SIGNED_IN):
                await serve(front, UsrInitial(2, ALICE))
                challenge = front.queued_output[-1].split()[-1].decode()
                if state is NsState.SIGNED_IN:
                    await serve(front, UsrResponse(3, md5_response(challenge, PASSWORD)))
        assert front.state is state and not front.closing
        return front

    async def close_all(self) -> None:
        for front in self.made:
            front.close()
        self.made.clear()
        if self.tasks:  # sign-outs and BYEs of the fronts just closed
            await asyncio.wait(list(self.tasks))


async def serve(front: Connection[Any], command: Command) -> None:
    """Dispatch ``command`` as the front's queue does: a handler that waits for a port is awaited."""
    pending = front.dispatch(command)
    if pending is not None:
        await pending


Runner = Callable[[Callable[["Fronts"], Awaitable[None]]], None]
"""Runs a body with the harness inside the event loop."""


@pytest.fixture
def fronts(tmp_path: Path, aloop: asyncio.Runner) -> Iterator[Runner]:
    config = ServerConfig(data_dir=tmp_path, ds_port=0, ns_port=0, sb_port=0, rate_limits=NO_RATE_LIMITS,
                          login_free_failures=1_000_000, cal_limit_per_minute=1_000_000,
                          ring_limit_per_minute=1_000_000)
    server = MsnServer(config, open_store(config), store_on_loop=True)  # replies are queued on return
    for name in ("alice", "bob", "carol"):
        server.add_account(f"{name}@hotmail.com", f"{name}pw", name.title())
    harness = Fronts(server)

    def run(body: Callable[[Fronts], Awaitable[None]]) -> None:
        async def inside_the_loop() -> None:  # fronts need a running loop for their timers
            try:
                await body(harness)
            finally:
                await harness.close_all()
        aloop.run(inside_the_loop())

    yield run
    server.store.close()


STATES = [(name, state) for name, states in (("ds", DsState), ("ns", NsState), ("sb", SbState))
          for state in states]
ONE_OF_EACH_KIND = st.tuples(*KINDS.values())
"""Each example feeds one command of every kind, each to a fresh front, so no pair is left out."""


def _out_of_state_answer(front: Connection[Any], command: Command) -> ErrorCode | None:
    """What an out-of-state command gets: an error code (the connection stays), or None (closed)."""
    name, trid = (command.name if isinstance(command, Malformed | Unknown)
                  else CLIENT_COMMANDS.get(type(command))), trid_of(command)
    if not isinstance(front, NsConnection) or trid is None:
        return None
    if front.state in (NsState.NEGOTIATED, NsState.CHALLENGED) and name in SIGNED_IN_COMMANDS:
        return ErrorCode.NOT_LOGGED_IN
    if front.state is NsState.SIGNED_IN and name == "USR":
        return ErrorCode.ALREADY_LOGGED_IN
    return None


def _check_invariants(front: Connection[Any]) -> None:
    if isinstance(front, NsConnection) and front.state is NsState.SIGNED_IN:
        assert front.account is not None
    if isinstance(front, SbConnection) and front.state is SbState.IN_SESSION:
        assert front.member_handle is not None


@pytest.mark.parametrize(("front_name", "state"), STATES, ids=[f"{n}-{s.name}" for n, s in STATES])
def test_every_state_answers_every_command_as_its_table_says(
        front_name: str, state: Enum, fronts: Runner) -> None:
    @settings(max_examples=10, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(commands=ONE_OF_EACH_KIND)
    def every_kind(commands: tuple[Command, ...]) -> None:
        async def body(harness: Fronts) -> None:
            for command in commands:
                note(f"fed {command!r}")
                await _feed(await harness.at(front_name, state), state, command, front_name)
        fronts(body)

    every_kind()


async def _feed(front: Connection[Any], state: Enum, command: Command, front_name: str) -> None:
    table = front.table()
    already = len(front.queued_output)
    edge = table.edge(state, command)
    await serve(front, command)
    replies = front.queued_output[already:]
    channel = Channel.SB if front_name == "sb" else Channel.NS
    decoded = Decoder(Sender.SERVER, channel).feed(b"".join(replies))
    assert not [line for line in decoded if isinstance(line, Malformed | Unknown)]
    if isinstance(command, Malformed) and table.accepts_name(state, command.name):
        assert front.closing or (front.state is state and decoded == [
            line for line in decoded if isinstance(line, Error) and line.trid == command.trid])
    elif edge is None:
        answer = _out_of_state_answer(front, command)
        if answer is None:
            assert front.closing
        else:
            assert not front.closing and decoded == [Error(answer, trid_of(command))]
        assert front.state is state
    elif not front.closing:
        assert front.state in {state, *edge.targets(state)}
    _check_invariants(front)
