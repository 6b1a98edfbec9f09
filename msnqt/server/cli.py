"""``msnqt-server``: run the server, manage accounts.

    msnqt-server serve --data DIR [--host 127.0.0.1] [--ds-port 1863] [--ns-port 1864] [--sb-port 1865]
                       [--loop auto|asyncio|uvloop]
    msnqt-server user add EMAIL --data DIR [--name NAME] [--first F --last L --city C --state S --country CC]
    msnqt-server user passwd EMAIL --data DIR
    msnqt-server user remove EMAIL --data DIR
    msnqt-server user list --data DIR
    msnqt-server user add|passwd|remove|list ... --postgres DSN --key-file FILE   (the cluster's store)
    msnqt-server db init --postgres DSN --key-file FILE
    msnqt-server import --data DIR --postgres DSN --key-file FILE
    msnqt-server serve --role ds|ns|sb --postgres DSN --redis URL [--key-file FILE] [--host H] [--port P]
                       [--advertise HOST:PORT] [--heartbeat-lifetime SECONDS]

The cluster commands are described in docs/cluster.md; ``MSNQT_POSTGRES``, ``MSNQT_REDIS`` and
``MSNQT_KEY_FILE`` stand in for ``--postgres``, ``--redis`` and ``--key-file`` (an explicit ``--data``
wins over ``MSNQT_POSTGRES``), so a DSN with a password need not appear in ``ps``.

Passwords are read from stdin (one line), never from the command line, so they stay out of shell
history and ``ps``. Bad arguments: one line on stderr, exit 2. Any other failure: one line, exit 1.

``--loop``: uvloop is not a dependency, but where it is installed it cuts the CPU of a sign-in by about a
third (bench/README.md), so ``auto`` (the default) uses it when importable and asyncio's loop otherwise;
``uvloop`` insists on it (exit 2 when missing), ``asyncio`` never uses it.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TypeVar

from .config import ServerConfig
from .core.errors import AccountError, StoreError
from .core.model import Profile
from .core.ports import BlockingStore
from .fronts.admission import quiet_accept_errors
from .server import MsnServer, check_new_account
from .store import SqliteStore, VaultError
from .store.schema import SchemaTooNew
from .store.sqlite_store import TOOL_BUSY_TIMEOUT

PROG = "msnqt-server"
ROLES = ("ds", "ns", "sb")
DEFAULT_PORTS = {"ds": 1863, "ns": 1864, "sb": 1865}
DEFAULT_HEARTBEAT_LIFETIME = 10.0
LOOPS = ("auto", "asyncio", "uvloop")
LoopFactory = Callable[[], asyncio.AbstractEventLoop]
_Number = TypeVar("_Number", int, float)


class UsageError(Exception):
    """Bad arguments: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _bounded(convert: Callable[[str], _Number], what: str, low: _Number, high: _Number,
             unit: str = "") -> Callable[[str], _Number]:
    """An argparse ``type`` for a number in ``low..high``: one place says how a bad value is reported."""
    def parse(text: str) -> _Number:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} out of range {low}-{high}{unit}: {value}")
        return value
    return parse


_port = _bounded(int, "a port number", 0, 65535)
"""A TCP port; 0 asks the system for a free one."""
_seconds = _bounded(float, "a number of seconds", 0.1, 3600, " s")


def _host_port(text: str) -> str:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"not HOST:PORT: {text!r}")
    return text


def _cluster_store_options(parser: argparse.ArgumentParser, *, data: bool) -> None:
    if data:
        parser.add_argument("--data", type=Path, metavar="DIR")
    parser.add_argument("--postgres", metavar="DSN", help="PostgreSQL DSN (or MSNQT_POSTGRES)")
    parser.add_argument("--key-file", type=Path, metavar="FILE", help="password key (or MSNQT_KEY_FILE)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="The bundled MSNP2 (MSN Messenger 1.0) server.",
                     epilog="The log file is ~/.local/state/msnqt/msnqt-server.log ($XDG_STATE_HOME).")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--debug", action="store_true",
                        help="log everything, the protocol trace included (passwords redacted), to stderr "
                             "and the log file")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{serve,user,db,import}")

    serve = commands.add_parser("serve", help="run DS, NS and SB (or one --role) until SIGINT/SIGTERM")
    _cluster_store_options(serve, data=True)
    serve.add_argument("--role", choices=ROLES, help="one cluster component (docs/cluster.md)")
    serve.add_argument("--redis", metavar="URL", help="Redis URL for --role (or MSNQT_REDIS)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, metavar="PORT",
                       help="--role: where to listen (default 1863, 1864 or 1865)")
    serve.add_argument("--advertise", type=_host_port, metavar="HOST:PORT",
                       help="--role: the address others are told")
    serve.add_argument("--heartbeat-lifetime", type=_seconds, default=DEFAULT_HEARTBEAT_LIFETIME,
                       metavar="SECONDS", help="--role: a silent NS or SB is dead after this long")
    serve.add_argument("--ds-port", type=_port, default=1863, metavar="PORT")
    serve.add_argument("--ns-port", type=_port, default=1864, metavar="PORT")
    serve.add_argument("--sb-port", type=_port, default=1865, metavar="PORT")
    serve.add_argument("--loop", choices=LOOPS, default="auto",
                       help="event loop: uvloop when installed (auto, the default), asyncio, or uvloop")

    user = commands.add_parser("user", help="manage accounts").add_subparsers(
        dest="action", required=True, metavar="{add,passwd,remove,list}")
    add = user.add_parser("add", help="create an account (password on stdin)")
    add.add_argument("email")
    _cluster_store_options(add, data=True)
    add.add_argument("--name", help="friendly name (defaults to EMAIL)")
    for option in ("first", "last", "city", "state", "country"):
        add.add_argument(f"--{option}", default="")
    passwd = user.add_parser("passwd", help="change a password (new password on stdin)")
    passwd.add_argument("email")
    _cluster_store_options(passwd, data=True)
    remove = user.add_parser("remove", help="delete an account")
    remove.add_argument("email")
    _cluster_store_options(remove, data=True)
    listing = user.add_parser("list", help="list accounts")
    _cluster_store_options(listing, data=True)

    db = commands.add_parser("db", help="the cluster's PostgreSQL database").add_subparsers(
        dest="action", required=True, metavar="{init}")
    _cluster_store_options(db.add_parser("init", help="create or upgrade the schema and the key file"),
                           data=False)
    move = commands.add_parser("import", help="move a --data DIR community into PostgreSQL")
    _cluster_store_options(move, data=True)
    return parser


def _resolve_cluster_options(args: argparse.Namespace) -> None:
    """Fill --postgres/--redis/--key-file from the environment and check the combination (exit 2)."""
    data = getattr(args, "data", None)
    if args.postgres is None and (data is None or args.command == "import"):
        args.postgres = os.environ.get("MSNQT_POSTGRES") or None
    if args.key_file is None and os.environ.get("MSNQT_KEY_FILE"):
        args.key_file = Path(os.environ["MSNQT_KEY_FILE"])
    if args.command == "serve":
        if args.redis is None:
            args.redis = os.environ.get("MSNQT_REDIS") or None
        if args.role is None:
            if data is None:
                raise UsageError("serve needs --data DIR, or --role with --postgres and --redis")
            return
        if data is not None:
            raise UsageError("--role serves from PostgreSQL; --data is for the one-process server")
        if args.postgres is None or args.redis is None:
            raise UsageError(f"--role {args.role} needs --postgres DSN and --redis URL")
        if args.role == "ns" and args.key_file is None:
            raise UsageError("--role ns needs --key-file FILE (it checks passwords)")
        return
    if args.command == "import" and data is None:
        raise UsageError("import needs --data DIR")
    if args.command in ("db", "import") or data is None:
        if args.postgres is None:
            needed = "--postgres DSN" if args.command != "user" else "--data DIR or --postgres DSN"
            raise UsageError(f"{args.command} needs {needed}")
        writes_passwords = args.command != "user" or args.action in ("add", "passwd")
        if args.key_file is None and writes_passwords:
            raise UsageError(f"{args.command} needs --key-file FILE with --postgres")
    elif args.postgres is not None:
        raise UsageError("give --data DIR or --postgres DSN, not both")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _read_password() -> str:
    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise AccountError("no password given on stdin")
    return password


def _open_store(args: argparse.Namespace) -> BlockingStore:
    if args.postgres is None:
        return SqliteStore.open(args.data, busy_timeout=TOOL_BUSY_TIMEOUT)
    from .store.postgres_store import PostgresStore

    return PostgresStore.open(args.postgres, args.key_file)


def _user(args: argparse.Namespace) -> int:
    store = _open_store(args)
    try:
        if args.action == "add":
            friendly = args.name if args.name is not None else args.email
            check_new_account(args.email, friendly)
            profile = Profile(args.first, args.last, args.city, args.state, args.country)
            account = store.create_account(args.email, _read_password(), friendly, profile)
            print(f"added {account.handle}")
        elif args.action == "passwd":
            if store.account(args.email) is None:
                raise AccountError(f"no account {args.email}", "unknown")
            store.set_password(args.email, _read_password())
            print(f"password changed for {args.email}")
        elif args.action == "remove":
            store.remove_account(args.email)
            print(f"removed {args.email}")
        else:
            for account in store.accounts():
                print(f"{account.handle}\t{account.friendly}")
    finally:
        store.close()
    return 0


def _loop_factory(choice: str) -> LoopFactory | None:
    """The event loop for ``serve``: None means asyncio's own. Imported by name: uvloop is optional."""
    if choice == "asyncio":
        return None
    try:
        uvloop = importlib.import_module("uvloop")
    except ImportError:
        if choice == "uvloop":
            raise UsageError("--loop uvloop: uvloop is not installed (pip install uvloop)") from None
        return None
    factory: LoopFactory = uvloop.new_event_loop
    return factory


async def _serve_role(args: argparse.Namespace) -> int:
    from .cluster.roles import RoleConfig, start_role

    config = RoleConfig(role=args.role, postgres=args.postgres, redis=args.redis, key_file=args.key_file,
                        host=args.host, port=DEFAULT_PORTS[args.role] if args.port is None else args.port,
                        advertise=args.advertise, heartbeat_lifetime=args.heartbeat_lifetime)
    loop = asyncio.get_running_loop()
    quiet_accept_errors(loop)
    component = await start_role(config)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        host, port = component.address
        print(f"{args.role.upper()} listening on {host}:{port}")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await component.close()
    return 0


async def _serve(config: ServerConfig) -> int:
    loop = asyncio.get_running_loop()
    quiet_accept_errors(loop)  # this loop is ours: a failing accept is one line a minute, not a storm
    server = await MsnServer.start(config)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        for name, (host, port) in (("DS", server.ds_address), ("NS", server.ns_address),
                                   ("SB", server.sb_address)):
            print(f"{name} listening on {host}:{port}")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await server.close()
    return 0


def _db_init(args: argparse.Namespace) -> int:
    from .store.postgres_schema import SCHEMA_VERSION
    from .store.postgres_store import PostgresStore

    store, old = PostgresStore.initialise(args.postgres, args.key_file)
    store.close()
    print(f"schema {SCHEMA_VERSION} ready (was {old}); key file {args.key_file}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from .store.postgres_store import PostgresStore
    from .store.transfer import import_community

    store = PostgresStore.open(args.postgres, args.key_file)
    try:
        count = import_community(args.data, store)
    finally:
        store.close()
    print(f"imported {count} accounts from {args.data}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        _resolve_cluster_options(args)
        loop_factory = _loop_factory(args.loop) if args.command == "serve" else None
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "serve":
            logging.basicConfig(level=logging.WARNING,
                                format="%(asctime)s %(name)s %(levelname)s %(message)s")
            if args.role is not None:
                with asyncio.Runner(loop_factory=loop_factory) as runner:
                    return runner.run(_serve_role(args))
            config = ServerConfig(data_dir=args.data, host=args.host, ds_port=args.ds_port,
                                  ns_port=args.ns_port, sb_port=args.sb_port)
            with asyncio.Runner(loop_factory=loop_factory) as runner:
                return runner.run(_serve(config))
        if args.command == "db":
            return _db_init(args)
        if args.command == "import":
            return _import(args)
        return _user(args)
    except (AccountError, VaultError, SchemaTooNew, StoreError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
    except BrokenPipeError:
        # `msnqt-server user list | head`: the reader went away; nothing to report.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except ImportError as exc:
        # Only the PostgreSQL/Redis commands import anything lazily: psycopg needs libpq5 from the system.
        print(f"{PROG}: PostgreSQL/Redis support is not available here ({_one_line(exc)}); "
              "install msnqt[cluster] and libpq5", file=sys.stderr)
    except sqlite3.Error as exc:
        print(f"{PROG}: database error: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"{PROG}: {exc.strerror or exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
