"""Plain-data pieces: the saved list cache and the state-machine tables."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from msnqt.client import ListCache, Messenger
from msnqt.client.states import (
    NS_TRANSITIONS,
    SB_TRANSITIONS,
    InvalidTransition,
    NsEvent,
    NsState,
    SbEvent,
    SbState,
    StateMachine,
)
from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt
from tests.client.util import PASSWORD, ns_login, sync_empty
from tests.support.fakeserver import FakeServer, Hold


def test_list_cache_survives_a_round_trip_through_json() -> None:
    cache = ListCache(version=42, gtc=ReverseListPrompt.NEVER, blp=Privacy.BLOCK_ALL)
    cache.put(ListName.FORWARD, "Bob@Hotmail.com", "Bob Builder ☃")
    cache.put(ListName.BLOCK, "eve@hotmail.com", "Eve")
    again = ListCache.from_json(cache.to_json())
    assert again == cache
    assert again.has(ListName.FORWARD, "bob@hotmail.com")  # handles compare case-insensitively
    assert again.lists_of("BOB@hotmail.com") == {ListName.FORWARD}


@pytest.mark.parametrize("text", [
    "", "{", "[]", '{"version": "x"}', '{"version": 1, "gtc": "Q", "blp": "AL"}'])
def test_a_damaged_cache_file_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        ListCache.from_json(text)


@pytest.mark.parametrize(("table", "states", "events"), [
    (NS_TRANSITIONS, NsState, NsEvent), (SB_TRANSITIONS, SbState, SbEvent)])
def test_every_impossible_transition_is_refused_and_changes_nothing(
        table: dict, states: type, events: type) -> None:  # type: ignore[type-arg]
    for state, event in itertools.product(states, events):
        machine = StateMachine(table, state)
        if (state, event) in table:
            assert machine.fire(event) is table[(state, event)]
        else:
            with pytest.raises(InvalidTransition):
                machine.fire(event)
            assert machine.state is state


def test_engine_runs_on_the_qt_loop(qloop: asyncio.Runner) -> None:
    """The GUI drives the engine through qasync: sign-in and sign-out must work there unchanged."""
    async def scenario() -> None:
        async with FakeServer([[*ns_login(1), *sync_empty(5), Hold()]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert messenger.signed_in
            await messenger.sign_out()
            assert not messenger.signed_in
            ns.check()
    qloop.run(scenario())
