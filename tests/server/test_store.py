"""What only the SQLite store has: its file, migrations, the key file beside it, a dying disk.

The behaviour every store shares is in test_store_contract.py."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from pathlib import Path

import pytest

from msnqt.protocol.codes import Privacy, ReverseListPrompt
from msnqt.server.core.errors import StoreError
from msnqt.server.core.model import Profile
from msnqt.server.store import SqliteStore, VaultError
from msnqt.server.store.schema import MIGRATIONS, SCHEMA_VERSION, SchemaTooNew, migrate
from msnqt.server.store.sqlite_store import DB_FILE_NAME
from msnqt.server.store.threaded import LoopReadStore


def _store(tmp_path: Path) -> SqliteStore:
    store = SqliteStore.open(tmp_path)
    store.create_account("Alice@Hotmail.com", "alicepw", "Alice Liddell", Profile("Alice", "Liddell"))
    store.create_account("bob@hotmail.com", "bobpw", "Bob", Profile())
    return store


def test_password_is_sealed_and_the_key_file_is_private(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert store.password("alice@hotmail.com") == "alicepw"
    store.close()
    raw = (tmp_path / DB_FILE_NAME).read_bytes()
    assert b"alicepw" not in raw
    mode = stat.S_IMODE((tmp_path / "secret.key").stat().st_mode)
    assert mode == 0o600


def test_an_older_schema_is_migrated_without_losing_data(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / DB_FILE_NAME, isolation_level=None)
    migrate(db, target=1)
    db.close()
    store = SqliteStore.open(tmp_path)  # v1 -> current
    store.create_account("carol@hotmail.com", "pw", "Carol", Profile())
    store.record_invitation("carol@hotmail.com", "friend@example.com")  # a v2 table
    assert store.invitations("carol@hotmail.com") == ["friend@example.com"]
    store.close()
    db = sqlite3.connect(tmp_path / DB_FILE_NAME)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == len(MIGRATIONS)
    db.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / DB_FILE_NAME, isolation_level=None)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(SchemaTooNew):
        SqliteStore.open(tmp_path)


def test_a_lost_key_file_is_reported_not_replaced(tmp_path: Path) -> None:
    _store(tmp_path).close()
    key = (tmp_path / "secret.key").read_bytes()
    (tmp_path / "secret.key").unlink()
    with pytest.raises(VaultError, match="restore it from a backup"):
        SqliteStore.open(tmp_path)
    assert not (tmp_path / "secret.key").exists()
    (tmp_path / "secret.key").write_bytes(key)  # the backup comes back: everything works again
    store = SqliteStore.open(tmp_path)
    assert store.password("alice@hotmail.com") == "alicepw"
    store.close()


class _FailingEnd:
    """The store's sqlite3 connection, with COMMIT (and, if asked, ROLLBACK) failing like a dying disk."""

    def __init__(self, db: sqlite3.Connection, verbs: tuple[str, ...]) -> None:
        self._db = db
        self._verbs = verbs

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql.strip().upper() in self._verbs:
            raise sqlite3.OperationalError("disk I/O error")
        return self._db.execute(sql, *args)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)


@pytest.mark.parametrize("verbs", [("COMMIT",), ("COMMIT", "ROLLBACK")])
def test_a_change_whose_commit_fails_is_not_kept_and_the_next_one_works(
        tmp_path: Path, verbs: tuple[str, ...]) -> None:
    store = _store(tmp_path)
    real = store._db
    store._db = _FailingEnd(real, verbs)  # type: ignore[assignment]
    with pytest.raises(StoreError):  # never a raw sqlite3 error the fronts would not answer 501 for
        store.set_blp("alice@hotmail.com", Privacy.BLOCK_ALL)
    store._db = real
    assert store.set_gtc("alice@hotmail.com", ReverseListPrompt.NEVER) == 1
    store.close()
    reopened = SqliteStore.open(tmp_path)
    alice = reopened.lists("alice@hotmail.com")
    assert (alice.version, alice.blp, alice.gtc) == (1, Privacy.ALLOW_ALL, ReverseListPrompt.NEVER)
    reopened.close()


def test_a_request_that_outlives_the_shutdown_is_a_storage_error_not_a_crash(tmp_path: Path) -> None:
    """A handler still running when the server closed its store (a socket accepted in the last moment)
    gets StoreError, which the fronts answer like any outage, instead of a thread pool's RuntimeError
    that ended in a traceback."""
    store = LoopReadStore(_store(tmp_path))
    store.close()

    async def late_request() -> None:
        with pytest.raises(StoreError):
            await store.account("alice@hotmail.com")
        with pytest.raises(StoreError):  # read on the loop: its connection is closed too
            await store.credentials("alice@hotmail.com")
        with pytest.raises(StoreError):
            await store.lists("alice@hotmail.com")
        with pytest.raises(StoreError):  # a write, on the worker
            await store.set_blp("alice@hotmail.com", Privacy.BLOCK_ALL)

    asyncio.run(late_request())
