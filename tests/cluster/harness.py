"""Every transcript under ``tests/server/transcripts`` played against a cluster as well.

The DS, NS and SB roles run on the test's loop (``start_role``, exactly what ``serve --role`` runs) but
share nothing in memory: accounts in PostgreSQL, sessions, presence, cookies and events in Redis. The
transcripts' ``!config`` tunables reach every role.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msnqt.server.cluster.roles import Component, RoleConfig, start_role
from msnqt.server.core.model import Profile
from msnqt.server.server import check_new_account
from msnqt.server.store.postgres_store import PostgresStore
from tests.server.harness import apply_directives, transcript_config
from tests.support.transcript import Transcript, run_transcript


class ClusterUnderTest:
    def __init__(self, dsn: str, key_file: Path, ns: Component, sb: Component, ds: Component) -> None:
        self._dsn, self._key_file = dsn, key_file
        self.ns, self.sb, self.ds = ns, sb, ds

    def add_account(self, email: str, password: str, friendly: str | None = None, *, fname: str = "",
                    lname: str = "", city: str = "", state: str = "", country: str = "") -> Any:
        name = email if friendly is None else friendly
        check_new_account(email, name)
        store = PostgresStore.open(self._dsn, self._key_file)
        try:
            return store.create_account(email, password, name, Profile(fname, lname, city, state, country))
        finally:
            store.close()

    def set_mailbox(self, email: str, inbox_unread: int, folders_unread: int) -> None:
        assert self.ns.notification is not None
        self.ns.notification.set_mailbox(email, inbox_unread, folders_unread)

    def addresses(self) -> dict[str, str]:
        return {name: f"{c.address[0]}:{c.address[1]}" for name, c in
                (("ds", self.ds), ("ns", self.ns), ("sb", self.sb))}

    async def close(self) -> None:
        for component in (self.ds, self.ns, self.sb):
            await component.close()


async def play_on_cluster(transcript: Transcript, dsn: str, redis_url: str, key_file: Path, *,
                          timeout: float = 5.0) -> dict[str, str]:
    PostgresStore.initialise(dsn, key_file)[0].close()
    tunables = transcript_config(None, transcript)

    def role(name: str) -> RoleConfig:
        return RoleConfig(name, dsn, redis_url, key_file, tunables=tunables)

    started: list[Component] = []
    try:
        for name in ("sb", "ns", "ds"):
            started.append(await start_role(role(name)))
        sb, ns, ds = started
        cluster = ClusterUnderTest(dsn, key_file, ns, sb, ds)
        apply_directives(cluster, transcript)
        return await run_transcript(transcript, cluster.addresses(), timeout=timeout)
    finally:
        for component in reversed(started):
            await component.close()
