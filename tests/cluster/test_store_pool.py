"""An NS process has several PostgreSQL connections at work at once (store/threaded.py): a change that
waits in the database for a row lock holds its own user, not everyone else on that NS."""

from __future__ import annotations

import asyncio
from pathlib import Path

import psycopg

from tests.cluster.topology import HEARTBEAT_LIFETIME, PASSWORD, cluster
from tests.server.wire import sign_in

ALICE, BOB, CAROL, DAVE = "alice@hotmail.com", "bob@hotmail.com", "carol@hotmail.com", "dave@hotmail.com"
LOCK_SEEN_WITHIN = 10.0


async def _until_someone_waits_for_a_lock(watcher: psycopg.Connection[tuple[int]]) -> None:
    """Bounded wait until a PostgreSQL backend waits on a row lock (alice's ADD has reached the row)."""
    deadline = asyncio.get_running_loop().time() + LOCK_SEEN_WITHIN
    while True:
        row = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").fetchone()
        if row is not None and row[0] > 0:
            return
        assert asyncio.get_running_loop().time() < deadline, "alice's ADD never reached the locked row"
        await asyncio.sleep(0.02)


def test_a_change_waiting_for_a_row_lock_holds_only_its_own_user(
        fresh_backends: tuple[str, str, Path], aloop: asyncio.Runner) -> None:
    dsn, redis_url, key_file = fresh_backends
    with cluster(dsn, redis_url, key_file, ns=1, sb=1, heartbeat_lifetime=HEARTBEAT_LIFETIME) as running:
        running.add_accounts(ALICE, BOB, CAROL, DAVE)
        ns = running.ns[0].address

        async def scenario() -> None:
            alice = await sign_in(ns, ALICE, PASSWORD)
            bob = await sign_in(ns, BOB, PASSWORD)
            with psycopg.connect(dsn) as locker, psycopg.connect(dsn, autocommit=True) as watcher:
                # Another process (a long administration transaction, say) holds carol's account row.
                locker.execute("SELECT id FROM accounts WHERE handle_key = %s FOR UPDATE", (CAROL,))
                await alice.send(f"ADD 1 FL {CAROL} carol")
                await _until_someone_waits_for_a_lock(watcher)
                await bob.send("SYN 2 0")
                assert await bob.line() == "SYN 2 0"  # served while alice's change waits in PostgreSQL
                await bob.send(f"ADD 3 FL {DAVE} dave")  # a change of rows nobody holds
                assert await bob.line() == f"ADD 3 FL 1 {DAVE} dave"
                locker.rollback()
            assert await alice.line() == f"ADD 1 FL 1 {CAROL} carol"  # done once the row was free
            alice.close()
            bob.close()

        aloop.run(scenario())
