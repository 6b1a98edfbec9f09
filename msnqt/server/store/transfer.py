"""``msnqt-server import``: move a one-process community (SQLite in ``--data DIR``) into PostgreSQL.

Everything a user would miss comes along: handles, passwords (unsealed with the directory's key and sealed
again with the cluster's), friendly names, directory fields, the four lists in their order with the
list version clients cache against, GTC/BLP and sent invitations. It is one PostgreSQL transaction that
refuses to touch accounts that already exist, so a failed or repeated import leaves nothing half done.
"""

from __future__ import annotations

from pathlib import Path

from .postgres_store import ImportedAccount, PostgresStore
from .sqlite_store import DB_FILE_NAME, SqliteStore


def import_community(data_dir: Path, target: PostgresStore) -> int:
    """Copy every account of ``data_dir`` into ``target``; return how many."""
    if not (data_dir / DB_FILE_NAME).exists():
        # Opening would create an empty community and report "0 imported": almost surely a wrong path.
        raise FileNotFoundError(2, f"no msnqt data in {data_dir}")
    source = SqliteStore.open(data_dir)
    try:
        community = []
        for account in source.accounts():
            password = source.password(account.handle)
            assert password is not None
            community.append(ImportedAccount(account, password, source.lists(account.handle),
                                             source.invitation_records(account.handle)))
    finally:
        source.close()
    target.import_accounts(community)
    return len(community)
