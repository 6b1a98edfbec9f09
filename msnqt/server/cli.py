"""``msnqt-server``: run the server, manage accounts.

    msnqt-server serve --data DIR [--host 127.0.0.1] [--ds-port 1863] [--ns-port 1864] [--sb-port 1865]
                       [--loop auto|asyncio|uvloop]
    msnqt-server user add EMAIL --data DIR [--name NAME] [--first F --last L --city C --state S --country CC]
    msnqt-server user passwd EMAIL --data DIR
    msnqt-server user remove EMAIL --data DIR
    msnqt-server user list --data DIR

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
from typing import NoReturn

from .config import ServerConfig
from .core.errors import AccountError, StoreError
from .core.model import Profile
from .server import MsnServer, check_new_account
from .store import SqliteStore, VaultError
from .store.schema import SchemaTooNew

PROG = "msnqt-server"
LOOPS = ("auto", "asyncio", "uvloop")
LoopFactory = Callable[[], asyncio.AbstractEventLoop]


class UsageError(Exception):
    """Bad arguments: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _port(text: str) -> int:
    """A TCP port; 0 asks the system for a free one."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 0-65535: {port}")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="The bundled MSNP2 (MSN Messenger 1.0) server.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{serve,user}")

    serve = commands.add_parser("serve", help="run DS, NS and SB until SIGINT/SIGTERM")
    serve.add_argument("--data", required=True, type=Path, metavar="DIR")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--ds-port", type=_port, default=1863, metavar="PORT")
    serve.add_argument("--ns-port", type=_port, default=1864, metavar="PORT")
    serve.add_argument("--sb-port", type=_port, default=1865, metavar="PORT")
    serve.add_argument("--loop", choices=LOOPS, default="auto",
                       help="event loop: uvloop when installed (auto, the default), asyncio, or uvloop")

    user = commands.add_parser("user", help="manage accounts").add_subparsers(
        dest="action", required=True, metavar="{add,passwd,remove,list}")
    add = user.add_parser("add", help="create an account (password on stdin)")
    add.add_argument("email")
    add.add_argument("--data", required=True, type=Path, metavar="DIR")
    add.add_argument("--name", help="friendly name (defaults to EMAIL)")
    for option in ("first", "last", "city", "state", "country"):
        add.add_argument(f"--{option}", default="")
    passwd = user.add_parser("passwd", help="change a password (new password on stdin)")
    passwd.add_argument("email")
    passwd.add_argument("--data", required=True, type=Path, metavar="DIR")
    remove = user.add_parser("remove", help="delete an account")
    remove.add_argument("email")
    remove.add_argument("--data", required=True, type=Path, metavar="DIR")
    listing = user.add_parser("list", help="list accounts")
    listing.add_argument("--data", required=True, type=Path, metavar="DIR")
    return parser


def _read_password() -> str:
    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise AccountError("no password given on stdin")
    return password


def _user(args: argparse.Namespace) -> int:
    store = SqliteStore.open(args.data)
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


async def _serve(config: ServerConfig) -> int:
    server = await MsnServer.start(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
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


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        loop_factory = _loop_factory(args.loop) if args.command == "serve" else None
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "serve":
            logging.basicConfig(level=logging.WARNING,
                                format="%(asctime)s %(name)s %(levelname)s %(message)s")
            config = ServerConfig(data_dir=args.data, host=args.host, ds_port=args.ds_port,
                                  ns_port=args.ns_port, sb_port=args.sb_port)
            with asyncio.Runner(loop_factory=loop_factory) as runner:
                return runner.run(_serve(config))
        return _user(args)
    except (AccountError, VaultError, SchemaTooNew, StoreError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
    except BrokenPipeError:
        # `msnqt-server user list | head`: the reader went away; nothing to report.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except sqlite3.Error as exc:
        print(f"{PROG}: database error: {exc}", file=sys.stderr)
    except OSError as exc:
        print(f"{PROG}: {exc.strerror or exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
