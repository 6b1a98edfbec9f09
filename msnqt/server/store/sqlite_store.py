"""The SQLite implementation of :class:`msnqt.server.core.ports.AccountStore`.

WAL mode, autocommit connection with explicit ``BEGIN IMMEDIATE … COMMIT`` around each change, so one
acknowledged change is exactly one transaction. Calls are synchronous; the server makes its writes on
the store's own worker thread (``store/threaded.py``), so an fsync never holds the event loop, and the
connection is opened to be used from that thread (``check_same_thread=False``; one thread at a time).
Its cheap reads go through a second connection on the loop (:meth:`SqliteStore.reader`).

Two settings keep that promise under pressure. ``synchronous = FULL``: every commit is on the disk
(the WAL fsynced) before the change is acknowledged, power loss included, not just a crash of the
process. ``busy_timeout`` is short for the server (:data:`SERVER_BUSY_TIMEOUT`): while another process
(``msnqt-server user ...``, a backup tool) holds the write lock, a write waits that long at most, then
fails as :class:`StoreError`, which the client sees as ``501``, instead of holding every later change
(they queue behind it on the worker thread) for five seconds per write.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt

from ..core.errors import AccountError, StoreError
from ..core.model import Account, ListChange, ListEntry, PrivacyFacts, Profile, UserLists, handle_key
from ..core.privacy import facts_about, watchers_facts
from .schema import migrate
from .vault import KEY_FILE_NAME, PasswordVault, VaultError

DB_FILE_NAME = "msnqt.sqlite3"
SERVER_BUSY_TIMEOUT = 0.25
"""Seconds a write on the event loop waits for another process's write lock before answering 501."""
LOOP_READ_BUSY_TIMEOUT = 0.002
"""Seconds a read on the event loop waits for a lock before the worker thread is asked instead."""
TOOL_BUSY_TIMEOUT = 10.0
"""Seconds a command-line tool waits: it serves nobody, so it may as well wait for the server."""

_ACCOUNT_COLUMNS = "handle, friendly, fname, lname, city, state, country"


P = ParamSpec("P")
R = TypeVar("R")


def _reading(method: Callable[P, R]) -> Callable[P, R]:
    """Report a failed read as :class:`StoreError` like a failed write, so fronts answer 501."""
    @functools.wraps(method)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as exc:
            raise StoreError(f"database error: {exc}") from exc
    return guarded


def _account(row: sqlite3.Row) -> Account:
    return Account(
        handle=row["handle"],
        friendly=row["friendly"],
        profile=Profile(row["fname"], row["lname"], row["city"], row["state"], row["country"]),
    )


class SqliteStore:
    def __init__(self, db: sqlite3.Connection, vault: PasswordVault, *, read_only: bool = False) -> None:
        self._db = db
        self._vault = vault
        self._read_only = read_only
        """A :meth:`reader`: it never writes, so it may wrap its reads in read transactions."""
        # Presence fan-out reads the same lists over and over; writes are rare. The cache is dropped
        # on every local commit and whenever another process (the CLI) commits (PRAGMA data_version).
        self._lists_cache: dict[str, UserLists] = {}
        self._probes: list[sqlite3.Connection] = []
        self._seen_data_version: int | None = None
        self._decoy = vault.seal("decoy password of the same length")
        """Unsealed for unknown accounts, so they cost a sign-in check the same work as known ones."""

    @classmethod
    def open(cls, data_dir: Path, *, busy_timeout: float = SERVER_BUSY_TIMEOUT) -> SqliteStore:
        """Open (creating or migrating) the store in ``data_dir``."""
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        vault = PasswordVault.open(data_dir)
        path = data_dir / DB_FILE_NAME
        if not path.exists():
            # Private from the start: the lists say who talks to whom (SQLite's WAL files copy this mode).
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        db = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = FULL")
        migrate(db)
        if vault.created and db.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None:
            # The passwords were sealed with a key that is gone; a new key would make every login
            # fail with a confusing 911. Refuse, and leave no new key behind so a restored one works.
            db.close()
            (data_dir / KEY_FILE_NAME).unlink()
            raise VaultError(f"{data_dir / KEY_FILE_NAME} is missing: restore it from a backup, "
                             "the stored passwords cannot be read without it")
        return cls(db, vault)

    def close(self) -> None:
        for probe in self._probes:
            probe.close()
        self._db.close()

    def reader(self) -> SqliteStore:
        """A second handle on this database for reads on the event loop (``store/threaded.py``).

        Its own connection, which never writes (``query_only``): in WAL mode it reads while this
        handle's worker thread writes, without waiting for the write lock or the fsync, and each read
        sees every commit that ended before the read began. Its lists cache is dropped whenever anyone
        commits (``PRAGMA data_version`` on that connection). ``busy_timeout`` is
        :data:`LOOP_READ_BUSY_TIMEOUT`: the rare lock a reader does meet (another process recovering the
        database) holds the loop that long at most, and the caller then asks the worker instead.
        """
        (path,) = [row["file"] for row in self._db.execute("PRAGMA database_list") if row["name"] == "main"]
        db = sqlite3.connect(path, isolation_level=None, timeout=LOOP_READ_BUSY_TIMEOUT,
                             check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA query_only = ON")
        return SqliteStore(db, self._vault, read_only=True)

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """Several SELECTs that must agree (a list's version and its entries) in one read transaction,
        so a commit on another connection between them cannot mix two states: the loop's reader reads
        while the worker commits. Only on a reader: the writer's connection is the worker's, whose own
        transactions must not meet a BEGIN from whoever else reads through it (a test, a tool)."""
        if not self._read_only or self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One change, all or nothing; SQLite failures surface as :class:`StoreError`."""
        try:
            if self._db.in_transaction:
                # An earlier ROLLBACK failed too; finish undoing it rather than fail every change from now on.
                self._db.execute("ROLLBACK")
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._rollback_quietly()
                raise
            finally:
                self._lists_cache.clear()
            self._db.execute("COMMIT")
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as exc:
            self._rollback_quietly()
            raise StoreError(f"database error: {exc}") from exc

    def _rollback_quietly(self) -> None:
        """Undo an open transaction; if even that fails, the next change retries it (see above)."""
        try:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    # --- accounts ------------------------------------------------------------------------------------

    @_reading
    def _id(self, handle: str) -> int:
        row = self._db.execute(
            "SELECT id FROM accounts WHERE handle_key = ?", (handle_key(handle),)).fetchone()
        if row is None:
            raise AccountError(f"no account {handle}", "unknown")
        return int(row["id"])

    def create_account(self, handle: str, password: str, friendly: str, profile: Profile) -> Account:
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO accounts (handle, handle_key, password, friendly, fname, lname, city,"
                    " state, country) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (handle, handle_key(handle), self._vault.seal(password), friendly, profile.fname,
                     profile.lname, profile.city, profile.state, profile.country))
        except sqlite3.IntegrityError:
            raise AccountError(f"an account {handle} already exists", "exists") from None
        return Account(handle, friendly, profile)

    def remove_account(self, handle: str) -> None:
        """Delete the account and take it off everyone else's lists (bumping their versions)."""
        key = handle_key(handle)
        owner_id = self._id(handle)
        with self._transaction() as db:
            db.execute(
                "UPDATE accounts SET list_version = list_version + 1 WHERE id IN"
                " (SELECT owner_id FROM list_entries WHERE contact_key = ?)", (key,))
            db.execute("DELETE FROM list_entries WHERE contact_key = ?", (key,))
            db.execute("DELETE FROM list_entries WHERE owner_id = ?", (owner_id,))
            db.execute("DELETE FROM invitations WHERE sender_id = ?", (owner_id,))
            db.execute("DELETE FROM accounts WHERE id = ?", (owner_id,))

    def set_password(self, handle: str, password: str) -> None:
        owner_id = self._id(handle)
        with self._transaction() as db:
            db.execute("UPDATE accounts SET password = ? WHERE id = ?",
                       (self._vault.seal(password), owner_id))

    @_reading
    def account(self, handle: str) -> Account | None:
        row = self._db.execute(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE handle_key = ?", (handle_key(handle),)).fetchone()
        return None if row is None else _account(row)

    @_reading
    def accounts(self) -> list[Account]:
        rows = self._db.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY handle_key").fetchall()
        return [_account(row) for row in rows]

    @_reading
    def credentials(self, handle: str) -> tuple[Account | None, str | None]:
        """The account and its password in one read (a sign-in's check), (None, None) for an unknown
        account, found with the same work either way (a decoy is decrypted): how long a sign-in check
        takes must not tell who has an account."""
        row = self._db.execute(
            f"SELECT {_ACCOUNT_COLUMNS}, password FROM accounts WHERE handle_key = ?",
            (handle_key(handle),)).fetchone()
        password = self._vault.unseal(self._decoy if row is None else bytes(row["password"]))
        return (None, None) if row is None else (_account(row), password)

    def password(self, handle: str) -> str | None:
        """The account's password, None for an unknown account (the same work either way)."""
        return self.credentials(handle)[1]

    # --- lists ---------------------------------------------------------------------------------------

    @_reading
    def lists(self, handle: str) -> UserLists:
        """The user's lists and settings. Shared with later callers: treat the result as read-only."""
        data_version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
        if data_version != self._seen_data_version:
            self._lists_cache.clear()
            self._seen_data_version = data_version
        key = handle_key(handle)
        cached = self._lists_cache.get(key)
        if cached is None:
            cached = self._lists_cache[key] = self._load_lists(handle)
        return cached

    def privacy_towards(self, owners: Sequence[str], viewer: str) -> list[PrivacyFacts | None]:
        """From the (cached) lists: a local database answers each one without a round trip."""
        result: list[PrivacyFacts | None] = []
        for owner in owners:
            try:
                result.append(facts_about(self.lists(owner), viewer))
            except AccountError:
                result.append(None)
        return result

    def watchers_facts(self, owner: str) -> list[tuple[str, PrivacyFacts]]:
        """From the (cached) lists, as :meth:`privacy_towards`."""
        return watchers_facts(self.lists(owner))

    def _load_lists(self, handle: str) -> UserLists:
        with self._snapshot():
            return self._read_lists(handle)

    def _read_lists(self, handle: str) -> UserLists:
        row = self._db.execute(
            "SELECT id, list_version, gtc, blp FROM accounts WHERE handle_key = ?",
            (handle_key(handle),)).fetchone()
        if row is None:
            raise AccountError(f"no account {handle}", "unknown")
        result = UserLists(int(row["list_version"]), ReverseListPrompt(row["gtc"]), Privacy(row["blp"]),
                           {name: [] for name in ListName})
        for entry in self._db.execute(
                "SELECT list_name, contact, friendly FROM list_entries WHERE owner_id = ?"
                " ORDER BY position", (row["id"],)):
            entries = result.entries[ListName(entry["list_name"])]
            entries.append(ListEntry(entry["contact"], entry["friendly"]))
        return result

    @staticmethod
    def _bump(db: sqlite3.Connection, owner_id: int) -> int:
        db.execute("UPDATE accounts SET list_version = list_version + 1 WHERE id = ?", (owner_id,))
        return int(db.execute("SELECT list_version FROM accounts WHERE id = ?", (owner_id,)).fetchone()[0])

    @staticmethod
    def _insert(db: sqlite3.Connection, owner_id: int, list_name: ListName, contact: str,
                friendly: str) -> None:
        position = db.execute(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM list_entries WHERE owner_id = ? AND list_name = ?",
            (owner_id, list_name.value)).fetchone()[0]
        db.execute(
            "INSERT OR REPLACE INTO list_entries"
            " (owner_id, list_name, contact, contact_key, friendly, position) VALUES (?, ?, ?, ?, ?, ?)",
            (owner_id, list_name.value, contact, handle_key(contact), friendly, position))

    def add_entry(self, owner: str, list_name: ListName, contact: Account, friendly: str) -> ListChange:
        owner_id = self._id(owner)
        contact_id = self._id(contact.handle)
        with self._transaction() as db:
            owner_row = db.execute(
                "SELECT handle, friendly FROM accounts WHERE id = ?", (owner_id,)).fetchone()
            self._insert(db, owner_id, list_name, contact.handle, friendly)
            version = self._bump(db, owner_id)
            counterpart = None
            if list_name is ListName.FORWARD:
                self._insert(db, contact_id, ListName.REVERSE, owner_row["handle"], owner_row["friendly"])
                counterpart = self._bump(db, contact_id)
        return ListChange(version, counterpart)

    def remove_entry(self, owner: str, list_name: ListName, contact: str) -> ListChange:
        owner_id = self._id(owner)
        with self._transaction() as db:
            db.execute("DELETE FROM list_entries WHERE owner_id = ? AND list_name = ? AND contact_key = ?",
                       (owner_id, list_name.value, handle_key(contact)))
            version = self._bump(db, owner_id)
            counterpart = None
            contact_row = db.execute(
                "SELECT id FROM accounts WHERE handle_key = ?", (handle_key(contact),)).fetchone()
            if list_name is ListName.FORWARD and contact_row is not None:
                db.execute(
                    "DELETE FROM list_entries WHERE owner_id = ? AND list_name = 'RL' AND contact_key = ?",
                    (contact_row["id"], handle_key(owner)))
                counterpart = self._bump(db, int(contact_row["id"]))
        return ListChange(version, counterpart)

    def _set_column(self, owner: str, column: str, value: str) -> int:
        owner_id = self._id(owner)
        with self._transaction() as db:
            db.execute(f"UPDATE accounts SET {column} = ? WHERE id = ?", (value, owner_id))
            return self._bump(db, owner_id)

    def set_gtc(self, owner: str, value: ReverseListPrompt) -> int:
        return self._set_column(owner, "gtc", value.value)

    def set_blp(self, owner: str, value: Privacy) -> int:
        return self._set_column(owner, "blp", value.value)

    def rename_self(self, owner: str, friendly: str) -> int:
        return self._set_column(owner, "friendly", friendly)

    def rename_contact(self, owner: str, contact: str, friendly: str) -> int:
        owner_id = self._id(owner)
        with self._transaction() as db:
            db.execute("UPDATE list_entries SET friendly = ? WHERE owner_id = ? AND contact_key = ?",
                       (friendly, owner_id, handle_key(contact)))
            return self._bump(db, owner_id)

    # --- directory and invitations -------------------------------------------------------------------

    @_reading
    def search(self, profile: Profile, limit: int) -> Sequence[Account]:
        clauses: list[str] = []
        params: list[str | int] = []
        for column in ("fname", "lname", "city", "state", "country"):
            value = getattr(profile, column)
            if value:
                clauses.append(f"{column} = ? COLLATE NOCASE")
                params.append(value)
        where = " AND ".join(clauses) if clauses else "1"
        params.append(limit)
        rows = self._db.execute(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE {where} ORDER BY id LIMIT ?",
            params).fetchall()
        return [_account(row) for row in rows]

    def record_invitation(self, sender: str, address: str) -> None:
        sender_id = self._id(sender)
        with self._transaction() as db:
            db.execute("INSERT INTO invitations (sender_id, address, sent_at) VALUES (?, ?, ?)",
                       (sender_id, address, int(time.time())))

    def invitations(self, sender: str) -> list[str]:
        """Addresses ``sender`` invited with SND (for tests and a future admin tool)."""
        return [address for address, _ in self.invitation_records(sender)]

    @_reading
    def invitation_records(self, sender: str) -> list[tuple[str, int]]:
        """(address, sent_at in Unix seconds) that ``sender`` invited with SND, oldest first."""
        rows = self._db.execute("SELECT address, sent_at FROM invitations WHERE sender_id = ? ORDER BY id",
                                (self._id(sender),)).fetchall()
        return [(str(row["address"]), int(row["sent_at"])) for row in rows]
