"""The SQLite store: durability, migrations and passwords sealed at rest."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt
from msnqt.server.core.errors import AccountError, StoreError
from msnqt.server.core.model import Profile
from msnqt.server.store import SqliteStore, VaultError
from msnqt.server.store.schema import MIGRATIONS, SCHEMA_VERSION, SchemaTooNew, migrate
from msnqt.server.store.sqlite_store import DB_FILE_NAME


def _store(tmp_path: Path) -> SqliteStore:
    store = SqliteStore.open(tmp_path)
    store.create_account("Alice@Hotmail.com", "alicepw", "Alice Liddell", Profile("Alice", "Liddell"))
    store.create_account("bob@hotmail.com", "bobpw", "Bob", Profile())
    return store


def test_lists_and_settings_survive_a_restart(tmp_path: Path) -> None:
    store = _store(tmp_path)
    bob = store.account("bob@hotmail.com")
    assert bob is not None
    change = store.add_entry("alice@hotmail.com", ListName.FORWARD, bob, "Bobby")
    assert (change.version, change.counterpart_version) == (1, 1)
    assert store.set_blp("alice@hotmail.com", Privacy.BLOCK_ALL) == 2
    assert store.set_gtc("alice@hotmail.com", ReverseListPrompt.NEVER) == 3
    store.close()

    reopened = SqliteStore.open(tmp_path)
    alice = reopened.lists("ALICE@hotmail.com")
    assert alice.version == 3
    assert (alice.blp, alice.gtc) == (Privacy.BLOCK_ALL, ReverseListPrompt.NEVER)
    assert [(e.handle, e.friendly) for e in alice.members(ListName.FORWARD)] == [("bob@hotmail.com", "Bobby")]
    bob_lists = reopened.lists("bob@hotmail.com")
    assert [(e.handle, e.friendly) for e in bob_lists.members(ListName.REVERSE)] == [
        ("Alice@Hotmail.com", "Alice Liddell")]
    assert bob_lists.version == 1
    reopened.close()


def test_handles_are_case_insensitive_and_unique(tmp_path: Path) -> None:
    store = _store(tmp_path)
    account = store.account("ALICE@HOTMAIL.COM")
    assert account is not None and account.handle == "Alice@Hotmail.com"
    with pytest.raises(AccountError):
        store.create_account("alice@hotmail.com", "x", "x", Profile())
    store.close()


def test_password_is_sealed_and_the_key_file_is_private(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert store.password("alice@hotmail.com") == "alicepw"
    store.close()
    raw = (tmp_path / DB_FILE_NAME).read_bytes()
    assert b"alicepw" not in raw
    mode = stat.S_IMODE((tmp_path / "secret.key").stat().st_mode)
    assert mode == 0o600


def test_removing_an_account_takes_it_off_other_lists(tmp_path: Path) -> None:
    store = _store(tmp_path)
    bob = store.account("bob@hotmail.com")
    assert bob is not None
    store.add_entry("alice@hotmail.com", ListName.FORWARD, bob, "Bob")
    store.remove_account("bob@hotmail.com")
    alice = store.lists("alice@hotmail.com")
    assert alice.members(ListName.FORWARD) == []
    assert alice.version == 2
    assert store.account("bob@hotmail.com") is None
    store.close()


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


def test_directory_search_matches_profile_fields(tmp_path: Path) -> None:
    store = _store(tmp_path)
    hits = store.search(Profile("alice", "LIDDELL"), 10)
    assert [a.handle for a in hits] == ["Alice@Hotmail.com"]
    assert list(store.search(Profile("alice", "liddell", country="US"), 10)) == []
    store.close()


def test_changes_committed_by_another_process_are_seen(tmp_path: Path) -> None:
    """The CLI may remove an account while the server runs: the server must not serve stale lists."""
    server_side = _store(tmp_path)
    bob = server_side.account("bob@hotmail.com")
    assert bob is not None
    server_side.add_entry("alice@hotmail.com", ListName.FORWARD, bob, "Bob")
    assert len(server_side.lists("alice@hotmail.com").members(ListName.FORWARD)) == 1
    cli_side = SqliteStore.open(tmp_path)
    cli_side.remove_account("bob@hotmail.com")
    cli_side.close()
    assert server_side.lists("alice@hotmail.com").members(ListName.FORWARD) == []
    server_side.close()


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
