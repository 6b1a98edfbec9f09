"""The PostgreSQL schema as numbered migrations, recorded in ``msnqt_schema``.

The same tables as the SQLite store (``schema.py``), so ``msnqt-server import`` is a copy. Migrations run
under an advisory lock in one transaction each: two ``db init`` at once, or an NS starting during one,
never see half a schema.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import tuple_row

from .schema import SchemaTooNew

_V1 = """
CREATE TABLE accounts (
    id BIGSERIAL PRIMARY KEY,
    handle TEXT NOT NULL,
    handle_key TEXT NOT NULL UNIQUE,
    password BYTEA NOT NULL,
    friendly TEXT NOT NULL,
    fname TEXT NOT NULL DEFAULT '',
    lname TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    gtc TEXT NOT NULL DEFAULT 'A',
    blp TEXT NOT NULL DEFAULT 'AL',
    list_version BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE list_entries (
    owner_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    list_name TEXT NOT NULL CHECK (list_name IN ('FL', 'AL', 'BL', 'RL')),
    contact TEXT NOT NULL,
    contact_key TEXT NOT NULL,
    friendly TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (owner_id, list_name, contact_key)
);
CREATE INDEX list_entries_by_contact ON list_entries (contact_key);
CREATE TABLE invitations (
    id BIGSERIAL PRIMARY KEY,
    sender_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
"""

MIGRATIONS: list[str] = [_V1]
"""``MIGRATIONS[i]`` takes the database from version ``i`` to ``i + 1``."""
SCHEMA_VERSION = len(MIGRATIONS)
_LOCK_ID = 0x6D736E7174  # "msnqt": serialises concurrent migrations


def current_version(db: psycopg.Connection[Any]) -> int:
    """The schema version of ``db``; 0 for an empty database."""
    cursor = db.cursor(row_factory=tuple_row)
    row = cursor.execute("SELECT to_regclass('msnqt_schema') IS NOT NULL").fetchone()
    if row is None or not row[0]:
        return 0
    version = cursor.execute("SELECT version FROM msnqt_schema").fetchone()
    return 0 if version is None else int(version[0])


def migrate(db: psycopg.Connection[Any]) -> int:
    """Bring ``db`` (an autocommit connection) up to :data:`SCHEMA_VERSION`; return its old version."""
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
        db.execute("CREATE TABLE IF NOT EXISTS msnqt_schema (version INTEGER NOT NULL)")
        old = current_version(db)
        if old > SCHEMA_VERSION:
            raise SchemaTooNew(f"database schema {old} is newer than this server ({SCHEMA_VERSION})")
        if old == 0:
            db.execute("INSERT INTO msnqt_schema (version)"
                       " SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM msnqt_schema)")
        for version in range(old, SCHEMA_VERSION):
            db.execute(MIGRATIONS[version].encode())
            db.execute("UPDATE msnqt_schema SET version = %s", (version + 1,))
    return old
