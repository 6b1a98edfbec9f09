"""``python -m bench.accounts``: create N accounts on the msnqt server's data dir for a run.

    python -m bench.accounts --data DIR --count N --out FILE [--prefix bench]

Writes ``EMAIL<TAB>PASSWORD`` lines to FILE (the format ``bench.load --accounts`` reads). Accounts
that already exist are kept (their password is the deterministic one this tool gives them), so the
command can be re-run to grow a population. Uses the server's public API on the store directly; run
it while no server uses DIR, or use ``msnqt-server user add`` against a running one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from msnqt.server import AccountError, MsnServer, ServerConfig
from msnqt.server.store import SqliteStore


def account_list(count: int, prefix: str = "bench") -> list[tuple[str, str]]:
    """The deterministic (email, password) pairs a run of ``count`` uses."""
    return [(f"{prefix}{i:05d}@bench.example", f"pw-{prefix}-{i:05d}") for i in range(count)]


def create_accounts(data_dir: Path, accounts: Sequence[tuple[str, str]]) -> int:
    """Create the accounts that do not exist yet; return how many were created."""
    server = MsnServer(ServerConfig(data_dir=data_dir), SqliteStore.open(data_dir))
    created = 0
    try:
        for email, password in accounts:
            if server.store.account(email) is not None:
                continue
            server.add_account(email, password)
            created += 1
    finally:
        server.requests.close()
    return created


def write_accounts_file(path: Path, accounts: Sequence[tuple[str, str]]) -> None:
    path.write_text("".join(f"{email}\t{password}\n" for email, password in accounts), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.accounts", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--prefix", default="bench")
    args = parser.parse_args(argv)
    if args.count <= 0:
        print("bench.accounts: --count must be positive", file=sys.stderr)
        return 2
    accounts = account_list(args.count, args.prefix)
    try:
        created = create_accounts(args.data, accounts)
        write_accounts_file(args.out, accounts)
    except (AccountError, OSError) as exc:
        print(f"bench.accounts: {exc}", file=sys.stderr)
        return 1
    print(f"{created} created, {len(accounts) - created} already there; list in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
