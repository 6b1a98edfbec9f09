"""Which :class:`AccountStore` a server uses is configuration, not code: SQLite in a data directory (the
one-process default) or PostgreSQL (the cluster, docs/cluster.md).

PostgreSQL support is imported only when asked for, so the embedded server and the desktop app never
load psycopg.
"""

from __future__ import annotations

from ..config import ServerConfig
from ..core.errors import StoreError
from ..core.ports import BlockingStore
from .sqlite_store import SqliteStore
from .threaded import LoopReadStore, ThreadedStore


def open_store(config: ServerConfig) -> BlockingStore:
    """The store ``config`` names: ``postgres`` (with ``key_file``) wins over ``data_dir``."""
    if config.postgres is not None:
        from .postgres_store import PostgresStore

        return PostgresStore.open(config.postgres, config.key_file)
    if config.data_dir is None:
        raise StoreError("no store configured: give a data directory or a PostgreSQL DSN")
    return SqliteStore.open(config.data_dir)


def serving(store: BlockingStore) -> ThreadedStore:
    """The store as the core awaits it: on its own worker thread, SQLite (an fsynced commit takes
    milliseconds) as much as PostgreSQL (a network round trip), so neither holds the event loop;
    SQLite's cheap reads are made on the loop, through a connection that never waits for the writer."""
    if isinstance(store, SqliteStore):
        return LoopReadStore(store)
    return ThreadedStore(store, workers=POSTGRES_WORKERS)


POSTGRES_WORKERS = 4
"""Worker threads, hence PostgreSQL connections, per server process: enough for several users'
requests to be in the database at once; more would mostly wait on the same rows and on the GIL."""
