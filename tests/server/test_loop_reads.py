"""SQLite's cheap reads are made on the event loop through a second connection (store/threaded.py,
``LoopReadStore``) while its writes are committed on the worker thread: what a user is told after a
change must still be what the database holds.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from msnqt.protocol.codes import ListName, Privacy
from msnqt.server.core.errors import StoreError
from msnqt.server.core.model import PrivacyFacts, Profile
from msnqt.server.store import SqliteStore
from msnqt.server.store.threaded import LoopReadStore

ALICE, BOB = "alice@example.org", "bob@example.org"


def _community(tmp_path: Path) -> SqliteStore:
    store = SqliteStore.open(tmp_path)
    store.create_account(ALICE, "alicepw", "Alice", Profile())
    store.create_account(BOB, "bobpw", "Bob", Profile())
    return store


def test_a_read_after_an_acknowledged_change_sees_it(tmp_path: Path, aloop: asyncio.Runner) -> None:
    """A change is acknowledged once its future resolved, i.e. after COMMIT on the worker: the loop's
    next read (its lists cached until then) must see it, every time."""
    served = LoopReadStore(_community(tmp_path))

    async def run() -> None:
        bob = await served.account(BOB)
        assert bob is not None
        assert (await served.lists(ALICE)).version == 0  # cached on the loop from here on
        for round_number in range(20):
            added = await served.add_entry(ALICE, ListName.FORWARD, bob, "Bob")
            alice = await served.lists(ALICE)
            assert alice.version == added.version == 2 * round_number + 1
            assert [e.handle for e in alice.members(ListName.FORWARD)] == [BOB]
            assert [e.handle for e in (await served.lists(BOB)).members(ListName.REVERSE)] == [ALICE]
            removed = await served.remove_entry(ALICE, ListName.FORWARD, BOB)
            alice = await served.lists(ALICE)
            assert alice.version == removed.version
            assert alice.members(ListName.FORWARD) == []
        await served.set_blp(ALICE, Privacy.BLOCK_ALL)
        assert await served.privacy_towards([ALICE], BOB) == [PrivacyFacts(False, False, Privacy.BLOCK_ALL)]
        await served.rename_self(ALICE, "Alice L.")
        account, password = await served.credentials(ALICE)
        assert account is not None and account.friendly == "Alice L." and password == "alicepw"

    try:
        aloop.run(run())
    finally:
        served.close()


def test_a_list_read_on_the_loop_never_mixes_two_commits(tmp_path: Path, aloop: asyncio.Runner) -> None:
    """The loop reads while another connection commits (the worker, the CLI): a list's version and its
    entries come from one snapshot. Here another handle adds and removes bob over and over; alice's FL
    holds bob exactly when her version is odd."""
    writer = _community(tmp_path)
    served = LoopReadStore(SqliteStore.open(tmp_path))
    bob = writer.account(BOB)
    assert bob is not None
    done = threading.Event()

    def churn() -> None:
        try:
            for _ in range(60):
                writer.add_entry(ALICE, ListName.FORWARD, bob, "Bob")
                writer.remove_entry(ALICE, ListName.FORWARD, BOB)
        finally:
            done.set()

    async def run() -> int:
        reads = 0
        while not done.is_set():
            alice = await served.lists(ALICE)
            assert len(alice.members(ListName.FORWARD)) == alice.version % 2, alice
            reads += 1
            await asyncio.sleep(0)
        return reads

    thread = threading.Thread(target=churn)
    thread.start()
    try:
        assert aloop.run(run()) > 0
    finally:
        thread.join(timeout=60)
        served.close()
        writer.close()
    assert not thread.is_alive()


def test_a_read_the_loop_cannot_make_is_made_by_the_worker(tmp_path: Path, aloop: asyncio.Runner) -> None:
    """A read on the loop that fails (a lock met past its short busy timeout) is asked of the worker,
    whose answer is the one given: the sign-in goes through."""
    served = LoopReadStore(_community(tmp_path))

    def locked(*args: object) -> None:
        raise StoreError("database is locked")

    served.reader.credentials = locked  # type: ignore[method-assign, assignment]
    served.reader.lists = locked  # type: ignore[method-assign, assignment]

    async def run() -> None:
        account, password = await served.credentials(ALICE)
        assert account is not None and account.handle == ALICE and password == "alicepw"
        assert (await served.lists(ALICE)).version == 0

    try:
        aloop.run(run())
    finally:
        served.close()
