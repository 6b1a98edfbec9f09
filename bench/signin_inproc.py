"""``python -m bench.signin_inproc``: the server's own CPU per sign-in, without sockets, tree against tree.

    python -m bench.signin_inproc [--trees . DIR ...] [--rounds 5] [--sign-ins 4000] [--clients 20]
                                  [--json OUT]

Runs the real DS and NS fronts (``MsnServer``'s own factories, over a SQLite store in a scratch
directory) on fake transports: per sign-in the DS's ``VER``/``INF``/``USR I`` → ``XFR``, then the NS's
``VER``/``INF``/``USR I``/``USR S`` → ``USR OK`` and ``OUT``, ``--clients`` of them at a time. What is
measured is the CPU time of that process (``time.process_time``) per sign-in: fronts, codec, core,
store, password check and the event loop's own work, but none of the kernel's socket work and no load
generator. On a 2-core machine shared with others that is the steadier number when a change moves the
server's Python work by a few per cent, which ``bench.compare``'s end-to-end CPU per sign-in (about
two thirds of it the kernel's and the socket transports', here) cannot tell from the noise.

Each tree (``.`` is this one; DIR a ``git archive`` of another commit) is measured in a process of its
own that imports DIR's msnqt, rounds alternating A B, B A, … like ``bench.compare``; the summary gives
the median per tree and the first tree's ratio to each other one, with the per-round ratios. The
child uses only what every tree since 2026-12-04 has (``MsnServer(config, store)``, ``_new_ds``,
``_new_ns``, ``add_account``, ``close``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from msnqt.server import MsnServer

WARM_UP_PER_CLIENT = 10
REPLY_TIMEOUT = 10.0


class FakeTransport(asyncio.Transport):
    """Keeps what the server writes; wakes the client when the line it waits for has arrived."""

    def __init__(self, protocol: asyncio.Protocol) -> None:
        super().__init__()
        self._protocol = protocol
        self._out: list[bytes] = []
        self._closed = False
        self._waiting: tuple[str, asyncio.Future[None]] | None = None

    def text(self) -> str:
        return b"".join(self._out).decode()

    async def wait_for(self, needle: str) -> str:
        if needle not in self.text():
            self._waiting = (needle, asyncio.get_running_loop().create_future())
            await asyncio.wait_for(self._waiting[1], REPLY_TIMEOUT)
        return self.text()

    def _arrived(self) -> None:
        if self._waiting is not None and self._waiting[0] in self.text() and not self._waiting[1].done():
            self._waiting[1].set_result(None)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._out.append(bytes(data))
        self._arrived()

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        self._out.extend(bytes(data) for data in list_of_data)
        self._arrived()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            asyncio.get_running_loop().call_soon(self._protocol.connection_lost, None)

    def abort(self) -> None:
        self.close()

    def is_closing(self) -> bool:
        return self._closed

    def get_write_buffer_size(self) -> int:
        return 0

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 40000) if name in ("peername", "sockname") else default


def _connect(protocol: asyncio.Protocol) -> FakeTransport:
    transport = FakeTransport(protocol)
    protocol.connection_made(transport)
    return transport


async def sign_in_and_out(server: MsnServer, email: str, password: str) -> None:
    """One complete sign-in as ``bench.load``'s login scenario makes it, then OUT."""
    from msnqt.protocol import md5_response

    ds = server._new_ds()
    to_ds = _connect(ds)
    ds.data_received(f"VER 1 MSNP2 CVR0\r\nINF 2\r\nUSR 3 MD5 I {email}\r\n".encode())
    await to_ds.wait_for("XFR 3 NS")
    ns = server._new_ns()
    to_ns = _connect(ns)
    ns.data_received(f"VER 1 MSNP2 CVR0\r\nINF 2\r\nUSR 3 MD5 I {email}\r\n".encode())
    challenge = (await to_ns.wait_for("USR 3 MD5 S ")).split("USR 3 MD5 S ")[1].split()[0]
    ns.data_received(f"USR 4 MD5 S {md5_response(challenge, password)}\r\n".encode())
    await to_ns.wait_for("USR 4 OK")
    ns.data_received(b"OUT\r\n")
    await to_ns.wait_for("OUT\r\n")


async def measure(sign_ins: int, clients: int) -> float:
    """CPU microseconds per sign-in of the msnqt this process imports."""
    from msnqt.server import MsnServer, ServerConfig
    from msnqt.server.store import SqliteStore

    with tempfile.TemporaryDirectory(prefix="msnqt-inproc-") as scratch:
        data = Path(scratch)
        config = ServerConfig(data_dir=data, ds_port=0, ns_port=0, sb_port=0)
        server = MsnServer(config, SqliteStore.open(data))
        users = [(f"inproc{number:03d}@bench.example", f"password{number}") for number in range(clients)]
        for email, password in users:
            server.add_account(email, password, email)

        async def client(email: str, password: str, count: int) -> None:
            for _ in range(count):
                await sign_in_and_out(server, email, password)

        each = max(1, sign_ins // clients)
        try:
            await asyncio.gather(*(client(email, password, WARM_UP_PER_CLIENT) for email, password in users))
            started = time.process_time()
            await asyncio.gather(*(client(email, password, each) for email, password in users))
            spent = time.process_time() - started
        finally:
            await server.close()
    return spent / (each * clients) * 1e6


def _child(sign_ins: int, clients: int) -> int:
    """In the tree's own process: its msnqt first on the path (the working directory is the tree)."""
    sys.path.insert(0, os.getcwd())
    print(f"{asyncio.run(measure(sign_ins, clients)):.1f}")
    return 0


def _run_tree(tree: str, sign_ins: int, clients: int) -> float:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--sign-ins", str(sign_ins),
               "--clients", str(clients)]
    out = subprocess.run(command, cwd=tree, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{tree}: exit status {out.returncode}: {out.stderr.strip()[-500:]}")
    return float(out.stdout.split()[-1])


def compare_trees(trees: Sequence[str], rounds: int, sign_ins: int, clients: int) -> dict[str, Any]:
    per_round: list[dict[str, float]] = []
    for number in range(rounds):
        order = list(trees) if number % 2 == 0 else list(reversed(trees))
        results = {tree: _run_tree(tree, sign_ins, clients) for tree in order}
        per_round.append(results)
        print(f"round {number} " + "  ".join(f"{tree} {results[tree]} us" for tree in trees) +
              f"  load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    medians = {tree: round(statistics.median(r[tree] for r in per_round), 1) for tree in trees}
    first = trees[0]
    return {
        "scenario": "signin_inproc", "sign_ins_per_round": sign_ins, "clients": clients,
        "cpu_us_per_sign_in_median": medians,
        "cpu_us_per_sign_in_rounds": {tree: [r[tree] for r in per_round] for tree in trees},
        "ratios": {other: {"median": round(medians[first] / medians[other], 3),
                           "per_round": [round(r[first] / r[other], 3) for r in per_round]}
                   for other in trees[1:]},
        "loadavg_end": list(os.getloadavg()),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.signin_inproc", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--trees", nargs="+", default=["."],
                        help="source trees to measure, the first against the others")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sign-ins", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--json", type=Path, help="write the summary here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sign_ins < 1 or args.clients < 1 or args.rounds < 1:
        print("bench.signin_inproc: --sign-ins, --clients and --rounds must be at least 1", file=sys.stderr)
        return 2
    if args.child:
        return _child(args.sign_ins, args.clients)
    missing = [tree for tree in args.trees if not (Path(tree) / "msnqt").is_dir()]
    if missing:
        print(f"bench.signin_inproc: not a source tree with an msnqt package: {missing[0]}", file=sys.stderr)
        return 2
    try:
        trees = [str(Path(tree).resolve()) for tree in args.trees]
        summary = compare_trees(trees, args.rounds, args.sign_ins, args.clients)
    except RuntimeError as exc:
        print(f"bench.signin_inproc: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
