"""``msnqt-server`` for a cluster: db init, users in PostgreSQL, import from --data DIR, and failures."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
from pathlib import Path

import pytest

from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt
from msnqt.server.core.model import Profile
from msnqt.server.store import SqliteStore
from msnqt.server.store.postgres_store import PostgresStore
from tests.cluster.topology import CLI, ENV, Component, ready


def cli(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env=env or ENV)


def _one_line_failure(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("msnqt-server: ")
    for word in words:
        assert word in result.stderr


def test_db_init_is_idempotent_and_users_live_in_postgres(pg_dsn: str, tmp_path: Path) -> None:
    key = tmp_path / "keys" / "secret.key"
    key.parent.mkdir()
    first = cli("db", "init", "--postgres", pg_dsn, "--key-file", str(key))
    assert (first.returncode, first.stderr) == (0, "")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    secret = key.read_bytes()
    assert cli("db", "init", "--postgres", pg_dsn, "--key-file", str(key)).returncode == 0
    assert key.read_bytes() == secret

    added = cli("user", "add", "Alice@Hotmail.com", "--postgres", pg_dsn, "--key-file", str(key),
                "--name", "Alice Liddell", stdin="alicepw\n")
    assert (added.returncode, added.stderr) == (0, "")
    from_env = {**ENV, "MSNQT_POSTGRES": pg_dsn, "MSNQT_KEY_FILE": str(key)}
    assert cli("user", "add", "bob@hotmail.com", stdin="bobpw\n", env=from_env).returncode == 0
    assert cli("user", "passwd", "bob@hotmail.com", stdin="newpw\n", env=from_env).returncode == 0
    listed = cli("user", "list", env=from_env).stdout
    assert listed == "Alice@Hotmail.com\tAlice Liddell\nbob@hotmail.com\tbob@hotmail.com\n"
    store = PostgresStore.open(pg_dsn, key)
    assert store.password("bob@hotmail.com") == "newpw"
    store.close()
    assert cli("user", "remove", "bob@hotmail.com", "--postgres", pg_dsn).returncode == 0
    assert cli("user", "list", "--postgres", pg_dsn).stdout == "Alice@Hotmail.com\tAlice Liddell\n"

    key.unlink()  # a lost key next to existing accounts is refused, not silently replaced
    _one_line_failure(cli("db", "init", "--postgres", pg_dsn, "--key-file", str(key)), "backup")
    assert not key.exists()


def _sqlite_community(data: Path) -> None:
    store = SqliteStore.open(data)
    store.create_account("Alice@Hotmail.com", "alicepw", "Alice Liddell",
                         Profile("Alice", "Liddell", "Seattle", "WA", "US"))
    store.create_account("bob@hotmail.com", "bobpw", "Bob", Profile())
    store.create_account("carol@hotmail.com", "carolpw", "Carol", Profile())
    bob, carol = store.account("bob@hotmail.com"), store.account("carol@hotmail.com")
    assert bob is not None and carol is not None
    store.add_entry("alice@hotmail.com", ListName.FORWARD, carol, "Caz")
    store.add_entry("alice@hotmail.com", ListName.FORWARD, bob, "Bobby")
    store.add_entry("alice@hotmail.com", ListName.ALLOW, bob, "Bobby")
    store.add_entry("alice@hotmail.com", ListName.BLOCK, carol, "Caz")
    store.set_blp("alice@hotmail.com", Privacy.BLOCK_ALL)
    store.set_gtc("alice@hotmail.com", ReverseListPrompt.NEVER)
    store.record_invitation("alice@hotmail.com", "friend@example.com")
    store.close()


def test_import_moves_everything_and_refuses_to_overwrite(pg_dsn: str, tmp_path: Path) -> None:
    data, key = tmp_path / "data", tmp_path / "cluster.key"
    _sqlite_community(data)
    assert cli("db", "init", "--postgres", pg_dsn, "--key-file", str(key)).returncode == 0
    moved = cli("import", "--data", str(data), "--postgres", pg_dsn, "--key-file", str(key))
    assert (moved.returncode, moved.stderr, moved.stdout) == (0, "", f"imported 3 accounts from {data}\n")

    before, after = SqliteStore.open(data), PostgresStore.open(pg_dsn, key)
    try:
        assert after.accounts() == before.accounts()  # handles, names, directory fields
        for account in before.accounts():
            assert after.password(account.handle) == before.password(account.handle)
            assert after.lists(account.handle) == before.lists(account.handle)  # lists, order, versions
            assert after.invitation_records(account.handle) == before.invitation_records(account.handle)
    finally:
        before.close()
        after.close()

    again = cli("import", "--data", str(data), "--postgres", pg_dsn, "--key-file", str(key))
    _one_line_failure(again, "already exist", "Alice@Hotmail.com")
    store = PostgresStore.open(pg_dsn, key)
    assert store.lists("alice@hotmail.com").version == 6  # untouched
    store.close()


@pytest.mark.parametrize("role", ["ds", "ns", "sb"])
def test_serve_role_reports_bad_backends_in_one_line(role: str, pg_dsn: str, redis_url: str,
                                                     tmp_path: Path) -> None:
    key = tmp_path / "secret.key"
    assert cli("db", "init", "--postgres", pg_dsn, "--key-file", str(key)).returncode == 0
    base = ["serve", "--role", role, "--port", "0", "--key-file", str(key)]
    nowhere = tmp_path / "nowhere"
    cases = [
        (["--postgres", "not a dsn", "--redis", redis_url], "PostgreSQL"),
        (["--postgres", f"postgresql://msnqt@/x?host={nowhere}", "--redis", redis_url], "PostgreSQL"),
        (["--postgres", pg_dsn, "--redis", "frob://x"], "Redis"),
        (["--postgres", pg_dsn, "--redis", f"unix://{nowhere}/redis.sock"], "Redis"),
    ]
    for extra, word in cases if role == "ns" else cases[1::2]:  # every case once; the others spot-check
        _one_line_failure(cli(*base, *extra), word)
    if role == "ns":
        missing = ["serve", "--role", "ns", "--postgres", pg_dsn, "--redis", redis_url,
                   "--key-file", str(tmp_path / "missing.key")]
        _one_line_failure(cli(*missing), "missing.key")


def test_serve_role_takes_its_backends_from_the_environment_and_stops_cleanly(
        pg_dsn: str, redis_url: str, tmp_path: Path) -> None:
    key = tmp_path / "secret.key"
    assert cli("db", "init", "--postgres", pg_dsn, "--key-file", str(key)).returncode == 0
    env = {**ENV, "MSNQT_POSTGRES": pg_dsn, "MSNQT_REDIS": redis_url, "MSNQT_KEY_FILE": str(key)}
    process = subprocess.Popen([*CLI, "serve", "--role", "ns", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    component = ready(Component("ns", process))
    assert component.address[0] == "127.0.0.1" and component.address[1] > 0
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert (process.returncode, out, err) == (0, "", "")  # nothing after the one line


@pytest.mark.parametrize("args", [
    ["serve", "--role", "ns"], ["serve", "--role", "ds", "--postgres", "x"],
    ["serve", "--role", "ns", "--postgres", "x", "--redis", "y"], ["serve", "--role", "sb", "--data", "d"],
    ["db", "init", "--postgres", "x"], ["import", "--postgres", "x", "--key-file", "k"],
    ["user", "list", "--data", "d", "--postgres", "x"], ["serve", "--role", "xx"],
    ["serve", "--role", "ds", "--advertise", "nohost"],
])
def test_incomplete_cluster_arguments_are_usage_errors(args: list[str]) -> None:
    env = {k: v for k, v in ENV.items() if not k.startswith("MSNQT_")}
    result = cli(*args, env=env)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("msnqt-server: error: ")


def test_a_host_without_libpq_gets_one_line(tmp_path: Path) -> None:
    """psycopg cannot load without the system's libpq5 (a frozen bundle on a bare host): say so, exit 1."""
    fake = tmp_path / "site" / "psycopg"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('raise ImportError("no pq wrapper available")\n')
    env = {**ENV, "PYTHONPATH": f"{fake.parent}{os.pathsep}{ENV.get('PYTHONPATH', '')}"}
    result = cli("db", "init", "--postgres", "postgresql:///x", "--key-file", str(tmp_path / "k"), env=env)
    _one_line_failure(result, "libpq5")
