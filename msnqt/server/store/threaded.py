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

:class:`CachedListsStore` adds one thing for SQLite: list reads served on the loop from a cache while
nobody has committed since (presence fan-out reads the same lists for every status change; a trip to
the worker for each doubled the CPU a ``CHG`` costs, bench/README.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt

from ..core.errors import StoreError
from ..core.model import Account, ListChange, PrivacyFacts, Profile, UserLists, handle_key
from ..core.ports import BlockingStore
from ..core.privacy import watchers_facts
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


class CachedListsStore(ThreadedStore):
    """:class:`ThreadedStore` over SQLite, with the lists cached on the loop side.

    The cache is dropped whenever the database's change counter (:meth:`SqliteStore.change_probe`)
    moved: after any commit, this server's or another process's. A read that raced a commit is not
    cached, so a cached list is never older than the last commit the loop could have seen.
    """

    def __init__(self, backend: SqliteStore) -> None:
        super().__init__(backend)
        self._changes = self.blocking(backend.change_probe)
        self._version = -1
        self._lists: dict[str, UserLists] = {}

    async def lists(self, handle: str) -> UserLists:
        version = self._changes()
        if version != self._version:
            self._lists.clear()
            self._version = version
        key = handle_key(handle)
        cached = self._lists.get(key)
        if cached is not None:
            return cached
        result = await super().lists(handle)
        if self._changes() == version == self._version:
            self._lists[key] = result
        return result

    async def watchers_facts(self, owner: str) -> list[tuple[str, PrivacyFacts]]:
        """From the cached lists, on the loop (as :meth:`lists`)."""
        return watchers_facts(await self.lists(owner))
