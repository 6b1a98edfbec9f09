"""The SQLite schema as numbered migrations; ``PRAGMA user_version`` records how far a file got.

Opening an older data directory runs the missing steps in one transaction each, so a file is never
left half-migrated.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

_V1 = """
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL,
    handle_key TEXT NOT NULL UNIQUE,
    password BLOB NOT NULL,
    friendly TEXT NOT NULL,
    fname TEXT NOT NULL DEFAULT '',
    lname TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    gtc TEXT NOT NULL DEFAULT 'A',
    blp TEXT NOT NULL DEFAULT 'AL',
    list_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE list_entries (
    owner_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    list_name TEXT NOT NULL CHECK (list_name IN ('FL', 'AL', 'BL', 'RL')),
    contact TEXT NOT NULL,
    contact_key TEXT NOT NULL,
    friendly TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (owner_id, list_name, contact_key)
);
CREATE INDEX list_entries_by_contact ON list_entries (contact_key);
"""

_V2 = """
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    sender_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    sent_at INTEGER NOT NULL
);
"""


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def apply(db: sqlite3.Connection) -> None:
        for statement in sql.split(";"):
            if statement.strip():
                db.execute(statement)

    return apply


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_script(_V1), _script(_V2)]
"""``MIGRATIONS[i]`` takes a database from version ``i`` to ``i + 1``."""

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(RuntimeError):
    """The data directory was written by a newer msnqt; refuse rather than corrupt it."""


def migrate(db: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring ``db`` (opened with ``isolation_level=None``) up to ``target``; return its old version."""
    current = int(db.execute("PRAGMA user_version").fetchone()[0])
    if current > SCHEMA_VERSION:
        raise SchemaTooNew(f"database schema {current} is newer than this server ({SCHEMA_VERSION})")
    for version in range(current, target):
        db.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return current
