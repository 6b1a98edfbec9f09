"""A blocking store (``sqlite3``, psycopg's synchronous connection) as the core's async :class:`AccountStore`.

:class:`ThreadedStore` runs every call on the store's own worker threads, so a disk or network round
trip never holds the event loop: while one user's ADD waits for its commit, everyone else's PNG, MSG
and CHG are served. Durability is unchanged: the caller resumes only after the call returned, i.e.
after the commit. SQLite gets one thread (one connection; its writes are serialised by the file lock
anyway); PostgreSQL a few, each with its own connection (``PostgresStore`` opens one per thread), so
several users' requests are in the database at once: a small connection pool. The order of one
user's commands is kept by the fronts, which await each before serving the next.

:class:`InlineStore` calls the store directly on the loop, as the server did before the ports were
async; ``bench/store_loop.py`` measures the one against the other.

Methods are looked up on the backend at call time, so a test may replace one to make it fail.

:class:`LoopReadStore` is how SQLite is served: writes and heavy reads on the worker, cheap indexed
reads (a sign-in's credentials, lists, privacy) on the loop through a second, read-only connection,
since a trip to the worker costs more CPU than such a read (bench/README.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt

from ..core.errors import StoreError
from ..core.model import Account, ListChange, PrivacyFacts, Profile, UserLists
from ..core.ports import BlockingStore
from .sqlite_store import SqliteStore

P = ParamSpec("P")
R = TypeVar("R")


class _AsyncStore:
    """The request-path methods of :class:`~msnqt.server.core.ports.AccountStore`, each one call of the
    backend through :meth:`_run`."""

    def __init__(self, backend: BlockingStore) -> None:
        self.backend = backend

    async def _run(self, call: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        raise NotImplementedError

    def blocking(self, call: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run an administration call (``add_account``) where the request path runs its calls, and wait."""
        raise NotImplementedError

    def close(self) -> None:
        self.backend.close()

    async def account(self, handle: str) -> Account | None:
        return await self._run(self.backend.account, handle)

    async def password(self, handle: str) -> str | None:
        return await self._run(self.backend.password, handle)

    async def credentials(self, handle: str) -> tuple[Account | None, str | None]:
        return await self._run(self._credentials, handle)

    def _credentials(self, handle: str) -> tuple[Account | None, str | None]:
        return self.backend.account(handle), self.backend.password(handle)

    async def lists(self, handle: str) -> UserLists:
        return await self._run(self.backend.lists, handle)

    async def privacy_towards(self, owners: Sequence[str], viewer: str) -> list[PrivacyFacts | None]:
        return await self._run(self.backend.privacy_towards, owners, viewer)

    async def watchers_facts(self, owner: str) -> list[tuple[str, PrivacyFacts]]:
        return await self._run(self.backend.watchers_facts, owner)

    async def add_entry(self, owner: str, list_name: ListName, contact: Account, friendly: str) -> ListChange:
        return await self._run(self.backend.add_entry, owner, list_name, contact, friendly)

    async def remove_entry(self, owner: str, list_name: ListName, contact: str) -> ListChange:
        return await self._run(self.backend.remove_entry, owner, list_name, contact)

    async def set_gtc(self, owner: str, value: ReverseListPrompt) -> int:
        return await self._run(self.backend.set_gtc, owner, value)

    async def set_blp(self, owner: str, value: Privacy) -> int:
        return await self._run(self.backend.set_blp, owner, value)

    async def rename_self(self, owner: str, friendly: str) -> int:
        return await self._run(self.backend.rename_self, owner, friendly)

    async def rename_contact(self, owner: str, contact: str, friendly: str) -> int:
        return await self._run(self.backend.rename_contact, owner, contact, friendly)

    async def search(self, profile: Profile, limit: int) -> Sequence[Account]:
        return await self._run(self.backend.search, profile, limit)

    async def record_invitation(self, sender: str, address: str) -> None:
        await self._run(self.backend.record_invitation, sender, address)


class InlineStore(_AsyncStore):
    """Every call on the event loop itself: it never suspends (the behaviour before the ports were async)."""

    async def _run(self, call: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        return call(*args, **kwargs)

    def blocking(self, call: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        return call(*args, **kwargs)


class ThreadedStore(_AsyncStore):
    """Every call on one of this store's ``workers`` threads; the loop awaits the result."""

    def __init__(self, backend: BlockingStore, workers: int = 1) -> None:
        super().__init__(backend)
        self._worker = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="msnqt-store")
        self._closed = False

    async def _run(self, call: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        if self._closed:
            # A request that outlived the server's shutdown: an outage to answer, not a crash.
            raise StoreError("the store is closed (the server is shutting down)")
        return await asyncio.wrap_future(self._worker.submit(call, *args, **kwargs))

    def blocking(self, call: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        return self._worker.submit(call, *args, **kwargs).result()

    def close(self) -> None:
        """Close the backend once every call queued before has ended (a second close does nothing, as
        closing a driver's connection twice does nothing)."""
        if self._closed:
            return
        self._closed = True
        self._worker.shutdown(wait=True)
        self.backend.close()


class LoopReadStore(ThreadedStore):
    """:class:`ThreadedStore` over SQLite whose cheap reads are served on the loop, not the worker.

    A trip to the worker (a future, a thread woken, the loop's self-pipe written and read) cost more
    than the indexed read it carried: about a tenth more CPU per sign-in than with the store on the
    loop (bench/README.md, "The store off the loop"). What the thread is for is the fsync of a commit,
    which a read does not wait for: in WAL mode a second connection (:meth:`SqliteStore.reader`, which
    never writes) reads while the worker writes, never waiting for the write lock or the disk, and sees
    every commit that ended before the read began. A write's future resolves only after its COMMIT, so
    a read made after a change was acknowledged sees the change.

    On the loop, through that connection: ``credentials``, ``account``, ``lists`` (cached there until
    anyone commits), ``privacy_towards`` and ``watchers_facts`` (from those lists), each an indexed
    look-up. On the worker:
    every write (``synchronous = FULL``, the fsync off the loop), the FND ``search`` (it scans the
    accounts), and any read that failed on the loop (a lock met past the reader's short busy timeout,
    as while another process recovers the database): the worker's answer, or its error, is the one given.
    """

    def __init__(self, backend: SqliteStore) -> None:
        super().__init__(backend)
        self.reader = backend.reader()

    async def _read(self, on_loop: Callable[P, R], on_worker: Callable[P, R], *args: P.args,
                    **kwargs: P.kwargs) -> R:
        try:
            return on_loop(*args, **kwargs)
        except StoreError:
            return await self._run(on_worker, *args, **kwargs)

    async def account(self, handle: str) -> Account | None:
        return await self._read(self.reader.account, self.backend.account, handle)

    async def credentials(self, handle: str) -> tuple[Account | None, str | None]:
        return await self._read(self.reader.credentials, self._credentials, handle)

    async def lists(self, handle: str) -> UserLists:
        return await self._read(self.reader.lists, self.backend.lists, handle)

    async def privacy_towards(self, owners: Sequence[str], viewer: str) -> list[PrivacyFacts | None]:
        return await self._read(self.reader.privacy_towards, self.backend.privacy_towards, owners, viewer)

    async def watchers_facts(self, owner: str) -> list[tuple[str, PrivacyFacts]]:
        return await self._read(self.reader.watchers_facts, self.backend.watchers_facts, owner)

    def close(self) -> None:
        """Close the worker's connection (after its queued calls), then the loop's reader."""
        if self._closed:
            return
        super().close()
        self.reader.close()
