"""The PostgreSQL implementation of :class:`msnqt.server.core.ports.AccountStore` (the cluster's store).

Same semantics as the SQLite store, for any number of processes at once: every change is one transaction
that locks the rows of the accounts whose list version it bumps, always in id order, so two NS processes
changing related lists at once (FL on one side, RL on the other) serialise instead of deadlocking, and
each user's list version only ever goes up by one per acknowledged change. A method returns only after
COMMIT, so a front acknowledges nothing PostgreSQL has not stored.

Calls are synchronous (psycopg 3), one connection per calling thread: a server runs them on a few
worker threads of its own (``store/threaded.py``), so no round trip holds the event loop and several
users' requests are in PostgreSQL at once, each on its own connection and transaction. Any PostgreSQL
failure surfaces as :class:`StoreError` (the fronts answer 501, the CLI prints one line); a lost
connection is re-opened on the next call.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import psycopg
from psycopg.rows import DictRow, dict_row, tuple_row

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt

from ..core.errors import AccountError, StoreError
from ..core.model import Account, ListChange, ListEntry, PrivacyFacts, Profile, UserLists, handle_key
from ..core.privacy import shared_facts
from .postgres_schema import SCHEMA_VERSION, current_version, migrate
from .schema import SchemaTooNew
from .vault import PasswordVault, VaultError

CONNECT_TIMEOUT_SECONDS = 5
_ACCOUNT_COLUMNS = "handle, friendly, fname, lname, city, state, country"

P = ParamSpec("P")
R = TypeVar("R")
Db = psycopg.Connection[DictRow]


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """Report any PostgreSQL failure as :class:`StoreError` (nothing was committed)."""
    @functools.wraps(method)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except psycopg.Error as exc:
            if args and isinstance(args[0], PostgresStore):
                args[0]._check_lost()
            raise StoreError(f"PostgreSQL: {_one_line(exc)}") from exc
    return guarded


def _account(row: DictRow) -> Account:
    return Account(row["handle"], row["friendly"],
                   Profile(row["fname"], row["lname"], row["city"], row["state"], row["country"]))


def connect(dsn: str) -> Db:
    """An autocommit connection; a bad DSN or an unreachable server is a one-line :class:`StoreError`."""
    try:
        return psycopg.connect(dsn, autocommit=True, row_factory=dict_row,
                               connect_timeout=CONNECT_TIMEOUT_SECONDS)
    except psycopg.Error as exc:
        raise StoreError(f"cannot connect to PostgreSQL: {_one_line(exc)}") from None


@dataclass(frozen=True, slots=True)
class ImportedAccount:
    """Everything ``msnqt-server import`` carries over for one account."""

    account: Account
    password: str
    lists: UserLists
    invitations: Sequence[tuple[str, int]]
    """(address, sent_at in Unix seconds), oldest first."""


class PostgresStore:
    def __init__(self, dsn: str, db: Db, vault: PasswordVault | None) -> None:
        self._dsn = dsn
        self._local = threading.local()
        """Each thread's own connection: a psycopg connection runs one transaction at a time."""
        self._local.db = db
        self._opened: list[Db] = [db]
        self._opened_lock = threading.Lock()
        self._generation = 0
        """Bumped when a connection broke: every thread's older connection is then opened afresh
        before its next use (an idle one would otherwise fail its first request after a restart)."""
        self._local.generation = 0
        self._vault = vault
        self._decoy = vault.seal("decoy password of the same length") if vault is not None else None
        """Unsealed for unknown accounts, so they cost a sign-in check the same work as known ones."""

    @classmethod
    def initialise(cls, dsn: str, key_file: Path) -> tuple[PostgresStore, int]:
        """``db init``: create or upgrade the schema, create the key file if missing. Idempotent.

        Returns the store and the schema version found before. A new key next to existing accounts is
        refused (and removed again): it could not read their passwords.
        """
        db = connect(dsn)
        try:
            old = _guarded(migrate)(db)
            vault = PasswordVault.open_file(key_file, create=True)
            if vault.created and db.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None:
                key_file.unlink()
                raise VaultError(f"{key_file} did not exist but the database holds accounts: restore the "
                                 "key file from a backup, the stored passwords cannot be read without it")
        except BaseException:
            db.close()
            raise
        return cls(dsn, db, vault), old

    @classmethod
    def open(cls, dsn: str, key_file: Path | None) -> PostgresStore:
        """Open an initialised database; without ``key_file`` passwords cannot be read (DS, SB)."""
        db = connect(dsn)
        try:
            version = _guarded(current_version)(db)
            if version > SCHEMA_VERSION:
                raise SchemaTooNew(f"database schema {version} is newer than this server ({SCHEMA_VERSION})")
            if version < SCHEMA_VERSION:
                raise StoreError("the database has no current msnqt schema: run msnqt-server db init first")
            vault = None if key_file is None else PasswordVault.open_file(key_file, create=False)
        except BaseException:
            db.close()
            raise
        return cls(dsn, db, vault)

    def close(self) -> None:
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for db in opened:
            db.close()

    def _conn(self) -> Db:
        """This thread's connection, opened on its first call and again if PostgreSQL dropped it."""
        db: Db | None = getattr(self._local, "db", None)
        if db is None or db.closed or db.broken or getattr(self._local, "generation", 0) < self._generation:
            if db is not None:
                db.close()
            self._local.db = None
            generation = self._generation
            try:
                db = self._local.db = connect(self._dsn)
            except StoreError:
                self._generation += 1  # unreachable: the other threads' connections are as dead
                raise
            self._local.generation = generation
            with self._opened_lock:
                self._opened = [d for d in self._opened if not d.closed] + [db]
        return db

    @contextmanager
    def _transaction(self) -> Iterator[Db]:
        db = self._conn()
        try:
            with db.transaction():
                yield db
        except psycopg.Error as exc:
            self._check_lost()
            raise StoreError(f"PostgreSQL: {_one_line(exc)}") from exc

    def _check_lost(self) -> None:
        """After a failure: if this thread's connection broke, PostgreSQL went away (a restart, a
        failover), and the other threads' connections are as dead, even if they do not know it yet."""
        db: Db | None = getattr(self._local, "db", None)
        if db is not None and db.broken:
            self._generation += 1

    def _seal(self, password: str) -> bytes:
        if self._vault is None:
            raise VaultError("this process was started without --key-file and cannot handle passwords")
        return self._vault.seal(password)

    # --- accounts ------------------------------------------------------------------------------------

    @staticmethod
    def _lock(db: Db, handles: Sequence[str]) -> dict[str, int]:
        """Lock the accounts named (in id order, so concurrent changes never deadlock); key → id."""
        rows = db.execute(
            "SELECT id, handle_key FROM accounts WHERE handle_key = ANY(%s) ORDER BY id FOR UPDATE",
            ([handle_key(h) for h in handles],)).fetchall()
        found = {str(row["handle_key"]): int(row["id"]) for row in rows}
        for handle in handles:
            if handle_key(handle) not in found:
                raise AccountError(f"no account {handle}", "unknown")
        return found

    def create_account(self, handle: str, password: str, friendly: str, profile: Profile) -> Account:
        sealed = self._seal(password)
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO accounts (handle, handle_key, password, friendly, fname, lname, city, state,"
                    " country) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (handle, handle_key(handle), sealed, friendly, profile.fname, profile.lname,
                     profile.city, profile.state, profile.country))
        except StoreError as exc:
            if isinstance(exc.__cause__, psycopg.errors.UniqueViolation):
                raise AccountError(f"an account {handle} already exists", "exists") from None
            raise
        return Account(handle, friendly, profile)

    def remove_account(self, handle: str) -> None:
        """Delete the account and take it off everyone else's lists (bumping their versions)."""
        key = handle_key(handle)
        with self._transaction() as db:
            owner_id = self._lock(db, [handle])[key]
            db.execute(
                "SELECT id FROM accounts WHERE id IN"
                " (SELECT owner_id FROM list_entries WHERE contact_key = %s) ORDER BY id FOR UPDATE", (key,))
            db.execute(
                "UPDATE accounts SET list_version = list_version + 1 WHERE id IN"
                " (SELECT owner_id FROM list_entries WHERE contact_key = %s) AND id <> %s", (key, owner_id))
            db.execute("DELETE FROM list_entries WHERE contact_key = %s", (key,))
            db.execute("DELETE FROM accounts WHERE id = %s", (owner_id,))

    def set_password(self, handle: str, password: str) -> None:
        sealed = self._seal(password)
        with self._transaction() as db:
            owner_id = self._lock(db, [handle])[handle_key(handle)]
            db.execute("UPDATE accounts SET password = %s WHERE id = %s", (sealed, owner_id))

    @_guarded
    def account(self, handle: str) -> Account | None:
        row = self._conn().execute(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE handle_key = %s",
            (handle_key(handle),)).fetchone()
        return None if row is None else _account(row)

    @_guarded
    def accounts(self) -> list[Account]:
        rows = self._conn().execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY handle_key").fetchall()
        return [_account(row) for row in rows]

    @_guarded
    def password(self, handle: str) -> str | None:
        row = self._conn().execute(
            "SELECT password FROM accounts WHERE handle_key = %s", (handle_key(handle),)).fetchone()
        if row is None:
            if self._vault is not None and self._decoy is not None:
                self._vault.unseal(self._decoy)  # the same work as for a known account (no timing oracle)
            return None
        if self._vault is None:
            raise VaultError("this process was started without --key-file and cannot check passwords")
        return self._vault.unseal(bytes(row["password"]))

    # --- lists ---------------------------------------------------------------------------------------

    @_guarded
    def lists(self, handle: str) -> UserLists:
        """Read fresh every time: another process may have changed them a moment ago."""
        db = self._conn()
        row = db.execute("SELECT id, list_version, gtc, blp FROM accounts WHERE handle_key = %s",
                         (handle_key(handle),)).fetchone()
        if row is None:
            raise AccountError(f"no account {handle}", "unknown")
        result = UserLists(int(row["list_version"]), ReverseListPrompt(row["gtc"]), Privacy(row["blp"]),
                           {name: [] for name in ListName})
        by_value = {name.value: result.entries[name] for name in ListName}
        entries = db.cursor(row_factory=tuple_row).execute(
            "SELECT list_name, contact, friendly FROM list_entries WHERE owner_id = %s ORDER BY position",
            (row["id"],))
        for list_name, contact, friendly in entries:  # tuples, no enum call per row: lists can be long
            by_value[list_name].append(ListEntry(contact, friendly))
        return result

    @_guarded
    def privacy_towards(self, owners: Sequence[str], viewer: str) -> list[PrivacyFacts | None]:
        """One query for every owner: their BLP, and whether ``viewer`` is on their BL or AL."""
        if not owners:
            return []
        keys = [handle_key(owner) for owner in owners]
        rows = self._conn().execute(
            "SELECT a.handle_key, a.blp,"
            " bool_or(e.list_name = %(bl)s) AS blocked, bool_or(e.list_name = %(al)s) AS allowed"
            " FROM accounts a LEFT JOIN list_entries e ON e.owner_id = a.id AND e.contact_key = %(viewer)s"
            " AND e.list_name IN (%(bl)s, %(al)s)"
            " WHERE a.handle_key = ANY(%(keys)s) GROUP BY a.id",
            {"bl": ListName.BLOCK.value, "al": ListName.ALLOW.value, "viewer": handle_key(viewer),
             "keys": keys}).fetchall()
        found = {row["handle_key"]: PrivacyFacts(bool(row["blocked"]), bool(row["allowed"]),
                                                 Privacy(row["blp"])) for row in rows}
        return [found.get(key) for key in keys]

    @_guarded
    def watchers_facts(self, owner: str) -> list[tuple[str, PrivacyFacts]]:
        """One narrow query: the RL's handles and, by primary-key probes, whether each is on BL or AL.
        Reading the whole lists instead (every FL, AL and RL entry, as dicts) was most of what a status
        change cost this process (bench/README.md, presence across two NS)."""
        rows = self._conn().cursor(row_factory=tuple_row).execute(
            "SELECT a.blp, r.contact,"
            " EXISTS (SELECT 1 FROM list_entries b WHERE b.owner_id = a.id AND b.list_name = 'BL'"
            " AND b.contact_key = r.contact_key),"
            " EXISTS (SELECT 1 FROM list_entries l WHERE l.owner_id = a.id AND l.list_name = 'AL'"
            " AND l.contact_key = r.contact_key)"
            " FROM accounts a LEFT JOIN list_entries r ON r.owner_id = a.id AND r.list_name = 'RL'"
            " WHERE a.handle_key = %s ORDER BY r.position", (handle_key(owner),)).fetchall()
        if not rows:
            raise AccountError(f"no account {owner}", "unknown")
        mode = Privacy(rows[0][0])
        return [(contact, shared_facts(blocked, allowed, mode))
                for _, contact, blocked, allowed in rows if contact is not None]

    @staticmethod
    def _bump(db: Db, owner_id: int) -> int:
        row = db.execute("UPDATE accounts SET list_version = list_version + 1 WHERE id = %s"
                         " RETURNING list_version", (owner_id,)).fetchone()
        assert row is not None
        return int(row["list_version"])

    @staticmethod
    def _insert(db: Db, owner_id: int, list_name: ListName, contact: str, friendly: str) -> None:
        db.execute(
            "INSERT INTO list_entries (owner_id, list_name, contact, contact_key, friendly, position)"
            " SELECT %(owner)s, %(list)s, %(contact)s, %(key)s, %(friendly)s, COALESCE(MAX(position), 0) + 1"
            " FROM list_entries WHERE owner_id = %(owner)s AND list_name = %(list)s"
            " ON CONFLICT (owner_id, list_name, contact_key) DO UPDATE"
            " SET contact = EXCLUDED.contact, friendly = EXCLUDED.friendly, position = EXCLUDED.position",
            {"owner": owner_id, "list": list_name.value, "contact": contact, "key": handle_key(contact),
             "friendly": friendly})

    def add_entry(self, owner: str, list_name: ListName, contact: Account, friendly: str) -> ListChange:
        with self._transaction() as db:
            ids = self._lock(db, [owner, contact.handle])
            owner_id, contact_id = ids[handle_key(owner)], ids[handle_key(contact.handle)]
            self._insert(db, owner_id, list_name, contact.handle, friendly)
            version = self._bump(db, owner_id)
            counterpart = None
            if list_name is ListName.FORWARD:
                me = db.execute("SELECT handle, friendly FROM accounts WHERE id = %s", (owner_id,)).fetchone()
                assert me is not None
                self._insert(db, contact_id, ListName.REVERSE, me["handle"], me["friendly"])
                counterpart = self._bump(db, contact_id)
        return ListChange(version, counterpart)

    def remove_entry(self, owner: str, list_name: ListName, contact: str) -> ListChange:
        with self._transaction() as db:
            present = db.execute("SELECT id, handle_key FROM accounts WHERE handle_key = ANY(%s) ORDER BY id"
                                 " FOR UPDATE", ([handle_key(owner), handle_key(contact)],)).fetchall()
            ids = {str(row["handle_key"]): int(row["id"]) for row in present}
            if handle_key(owner) not in ids:
                raise AccountError(f"no account {owner}", "unknown")
            owner_id = ids[handle_key(owner)]
            db.execute("DELETE FROM list_entries WHERE owner_id = %s AND list_name = %s AND contact_key = %s",
                       (owner_id, list_name.value, handle_key(contact)))
            version = self._bump(db, owner_id)
            counterpart = None
            contact_id = ids.get(handle_key(contact))
            if list_name is ListName.FORWARD and contact_id is not None:
                db.execute("DELETE FROM list_entries WHERE owner_id = %s AND list_name = 'RL'"
                           " AND contact_key = %s", (contact_id, handle_key(owner)))
                counterpart = self._bump(db, contact_id)
        return ListChange(version, counterpart)

    def _set_column(self, owner: str, column: str, value: str) -> int:
        with self._transaction() as db:
            owner_id = self._lock(db, [owner])[handle_key(owner)]
            db.execute(f"UPDATE accounts SET {column} = %s WHERE id = %s", (value, owner_id))
            return self._bump(db, owner_id)

    def set_gtc(self, owner: str, value: ReverseListPrompt) -> int:
        return self._set_column(owner, "gtc", value.value)

    def set_blp(self, owner: str, value: Privacy) -> int:
        return self._set_column(owner, "blp", value.value)

    def rename_self(self, owner: str, friendly: str) -> int:
        return self._set_column(owner, "friendly", friendly)

    def rename_contact(self, owner: str, contact: str, friendly: str) -> int:
        with self._transaction() as db:
            owner_id = self._lock(db, [owner])[handle_key(owner)]
            db.execute("UPDATE list_entries SET friendly = %s WHERE owner_id = %s AND contact_key = %s",
                       (friendly, owner_id, handle_key(contact)))
            return self._bump(db, owner_id)

    # --- directory and invitations -------------------------------------------------------------------

    @_guarded
    def search(self, profile: Profile, limit: int) -> Sequence[Account]:
        clauses: list[str] = []
        params: list[Any] = []
        for column in ("fname", "lname", "city", "state", "country"):
            value = getattr(profile, column)
            if value:
                clauses.append(f"lower({column}) = lower(%s)")
                params.append(value)
        where = " AND ".join(clauses) if clauses else "TRUE"
        params.append(limit)
        rows = self._conn().execute(
            f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE {where} ORDER BY id LIMIT %s",
            params).fetchall()
        return [_account(row) for row in rows]

    def record_invitation(self, sender: str, address: str) -> None:
        with self._transaction() as db:
            sender_id = self._lock(db, [sender])[handle_key(sender)]
            db.execute("INSERT INTO invitations (sender_id, address, sent_at) VALUES (%s, %s, %s)",
                       (sender_id, address, int(time.time())))

    def invitations(self, sender: str) -> list[str]:
        """Addresses ``sender`` invited with SND (for tests and a future admin tool)."""
        return [address for address, _ in self.invitation_records(sender)]

    @_guarded
    def invitation_records(self, sender: str) -> list[tuple[str, int]]:
        """(address, sent_at in Unix seconds) that ``sender`` invited with SND, oldest first."""
        rows = self._conn().execute(
            "SELECT address, sent_at FROM invitations JOIN accounts ON accounts.id = sender_id"
            " WHERE handle_key = %s ORDER BY invitations.id", (handle_key(sender),)).fetchall()
        return [(str(row["address"]), int(row["sent_at"])) for row in rows]

    # --- moving a community in -----------------------------------------------------------------------

    def import_accounts(self, community: Sequence[ImportedAccount]) -> None:
        """Insert whole accounts (lists with their versions, settings, invitations) in ONE transaction.

        Refuses (:class:`AccountError`, nothing written) if any of the handles exists already.
        """
        with self._transaction() as db:
            taken = db.execute("SELECT handle FROM accounts WHERE handle_key = ANY(%s) ORDER BY handle",
                               ([handle_key(item.account.handle) for item in community],)).fetchall()
            if taken:
                names = ", ".join(str(row["handle"]) for row in taken[:5])
                raise AccountError(f"{len(taken)} account(s) already exist in PostgreSQL ({names}); "
                                   "nothing was imported", "exists")
            ids: dict[str, int] = {}
            for item in community:
                a, p, lists = item.account, item.account.profile, item.lists
                row = db.execute(
                    "INSERT INTO accounts (handle, handle_key, password, friendly, fname, lname, city, state,"
                    " country, gtc, blp, list_version)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                    (a.handle, handle_key(a.handle), self._seal(item.password), a.friendly, p.fname, p.lname,
                     p.city, p.state, p.country, lists.gtc.value, lists.blp.value, lists.version)).fetchone()
                assert row is not None
                ids[handle_key(a.handle)] = int(row["id"])
            for item in community:
                owner_id = ids[handle_key(item.account.handle)]
                for name in ListName:
                    for position, entry in enumerate(item.lists.members(name), start=1):
                        db.execute(
                            "INSERT INTO list_entries (owner_id, list_name, contact, contact_key, friendly,"
                            " position) VALUES (%s, %s, %s, %s, %s, %s)",
                            (owner_id, name.value, entry.handle, handle_key(entry.handle), entry.friendly,
                             position))
                for address, sent_at in item.invitations:
                    db.execute("INSERT INTO invitations (sender_id, address, sent_at) VALUES (%s, %s, %s)",
                               (owner_id, address, sent_at))
