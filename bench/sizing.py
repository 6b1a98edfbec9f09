"""``python -m bench.sizing [--users N] [--contacts K] [--listers W] [--pairs P] [--json OUT]``: what one
signed-in user costs a cluster, per component, for sizing on paper (docs/cluster.md, "Sizing").

It starts ``bench.cluster`` (two NS, one SB, private PostgreSQL and Redis; limits lifted) with N accounts,
then measures, each as the difference of two snapshots divided by what was added:

* **sign-in**: all N users sign in through the DS and go online (``CHG NLN``), 32 at a time. Per user:
  NS resident memory, Redis ``used_memory`` and keys; CPU per sign-in of every component (DS, NS,
  PostgreSQL with its backends, Redis).
* **lists**: the first W users each add the K users after them to FL and AL (a 1.0 client sends both).
  Per contact: PostgreSQL rows and bytes of ``list_entries`` (the target's RL entry included).
* **presence**: the W-K users with exactly K watchers change status once each, and the run waits for every
  watcher's ``NLN``; the same number of users nobody watches change too. CPU per change with K watchers
  minus without, over K: the cost of one watcher of one change.
* **switchboards**: P pairs of users without lists open a switchboard (``XFR SB``, ``CAL``, ``RNG``, ``ANS``).
  Per session of two: SB resident memory, Redis memory, CPU.

PostgreSQL's per-account size comes from the imported accounts (``pg_total_relation_size``). Nothing is
asserted: the numbers go to stdout and, with ``--json``, to a file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
import redis

from msnqt.protocol import AddRequest, Chg, Command, Nln, split_address
from msnqt.protocol.codes import ListName, Status

from . import procfs
from .accounts import account_list, create_accounts
from .cluster import START_TIMEOUT
from .peer import Peer, open_switchboard, sign_in
from .scenarios._common import bounded

CONCURRENCY = 32
PROCESSES = {"ds": 1, "ns": 2, "sb": 1}
"""What ``bench.cluster`` is started with here."""
IDLE_WINDOW = 5.0
WAIT = 60.0


class Cluster:
    """A running ``bench.cluster`` and the pids of its parts."""

    def __init__(self, data: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.cluster", "--data", str(data), "--ns", str(PROCESSES["ns"]),
             "--sb", str(PROCESSES["sb"])],
            stdout=subprocess.PIPE, text=True)
        lines: dict[str, str] = {}
        deadline = time.monotonic() + START_TIMEOUT * 3
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline().strip()
            if line == "READY" or (not line and self.process.poll() is not None):
                break
            key, _, rest = line.partition(" ")
            lines[key] = rest
        if "BACKENDS" not in lines:
            raise RuntimeError(f"bench.cluster did not start: {lines}")
        self.ds = split_address(lines["DS"].rsplit(" ", 1)[1])
        self.dsn, self.redis_url = lines["BACKENDS"].split()
        self.roles: dict[str, list[int]] = {"ds": [], "ns": [], "sb": []}
        self.postgres: list[int] = []
        self.redis: list[int] = []
        for pid in procfs.descendants(self.process.pid):
            command = _cmdline(pid)
            if "--child" in command:
                self.roles[command[command.index("--child") + 1]].append(pid)
            elif any("redis-server" in part for part in command):
                self.redis.append(pid)
            elif any(part.endswith("/postgres") or part.startswith("postgres:") for part in command):
                self.postgres.append(pid)

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of each part (PostgreSQL: the postmaster and every backend)."""
        parts = {role: sum(procfs.cpu_seconds(p) for p in pids) for role, pids in self.roles.items()}
        parts["postgres"] = sum(procfs.cpu_seconds(p) for p in _postgres_pids(self.postgres))
        parts["redis"] = sum(procfs.cpu_seconds(p) for p in self.redis)
        return parts

    def rss(self) -> dict[str, int]:
        return {role: sum(procfs.rss_bytes(p) for p in pids) for role, pids in self.roles.items()}

    def redis_usage(self) -> dict[str, int]:
        with redis.Redis.from_url(self.redis_url) as client:
            info: Any = client.info("memory")
            return {"used_memory": int(info["used_memory"]), "keys": int(client.dbsize())}

    def postgres_usage(self) -> dict[str, int]:
        with psycopg.connect(self.dsn) as db:
            row = db.execute(
                "SELECT (SELECT count(*) FROM accounts), pg_total_relation_size('accounts'),"
                " (SELECT count(*) FROM list_entries), pg_total_relation_size('list_entries'),"
                " pg_database_size(current_database())").fetchone()
            assert row is not None
            return dict(zip(("accounts", "accounts_bytes", "list_entries", "list_entries_bytes",
                             "database_bytes"), (int(v) for v in row), strict=True))

    def snapshot(self) -> dict[str, Any]:
        return {"cpu_s": self.cpu(), "rss": self.rss(), "redis": self.redis_usage(),
                "postgres": self.postgres_usage()}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _postgres_pids(roots: list[int]) -> list[int]:
    """The postmaster(s) and their backends, which come and go with connections."""
    return [*roots, *(child for root in roots for child in procfs.descendants(root))]


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _add(trid: int, list_name: ListName, handle: str) -> AddRequest:
    return AddRequest(trid, list_name, handle, handle)


def _delta(after: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    return {key: _delta(value, before[key]) if isinstance(value, dict) else value - before[key]
            for key, value in after.items()}


async def _measure(cluster: Cluster, accounts: list[tuple[str, str]], contacts: int, listers: int,
                   pairs: int, idle_seconds: float = IDLE_WINDOW) -> dict[str, Any]:
    # What the parts spend with nobody signed in (heartbeats, live sets, reapers), per second: it is in
    # every window below too, and is reported so a reader can take it out.
    before = cluster.snapshot()
    await asyncio.sleep(idle_seconds)
    phases: dict[str, Any] = {"idle": cluster.snapshot()}
    phases["background_cpu_us_per_s"] = {k: round(v / idle_seconds * 1e6) for k, v in
                                         _delta(phases["idle"]["cpu_s"], before["cpu_s"]).items()}
    peers: dict[int, Peer] = {}

    async def enter(index: int) -> None:
        email, password = accounts[index]
        peer = await sign_in(cluster.ds, email, password)
        await peer.request(lambda t: Chg(t, Status.ONLINE))
        peers[index] = peer

    began = time.perf_counter()
    await bounded(range(len(accounts)), CONCURRENCY, enter)
    phases["signed_in"] = cluster.snapshot()
    phases["sign_in_wall_s"] = round(time.perf_counter() - began, 2)

    async def befriend(index: int) -> None:
        for other in range(index + 1, index + 1 + contacts):
            handle = accounts[other][0]
            for list_name in (ListName.FORWARD, ListName.ALLOW):
                await peers[index].request(partial(_add, list_name=list_name, handle=handle))

    await bounded(range(listers), CONCURRENCY, befriend)
    phases["lists"] = cluster.snapshot()

    # Watchers of user j are the users j-K .. j-1 (they have j on FL); users from listers+K on have none.
    watched = range(contacts, listers)
    unwatched = range(listers + contacts, listers + contacts + len(watched))
    received = [0]
    expected = len(watched) * contacts
    arrived = asyncio.get_running_loop().create_future()

    def on_event(command: Command) -> None:
        if isinstance(command, Nln) and command.status is Status.AWAY:
            received[0] += 1
            if received[0] == expected and not arrived.done():
                arrived.set_result(None)

    for index in range(listers):
        peers[index].on_event = on_event

    async def away(index: int) -> None:
        await peers[index].request(lambda t: Chg(t, Status.AWAY))

    before = cluster.snapshot()
    await bounded(watched, CONCURRENCY, away)
    await asyncio.wait_for(arrived, WAIT)
    phases["presence_watched"] = _delta(cluster.snapshot(), before)
    before = cluster.snapshot()
    await bounded(unwatched, CONCURRENCY, away)
    phases["presence_unwatched"] = _delta(cluster.snapshot(), before)
    phases["presence_changes"] = len(watched)

    first = listers + contacts + len(watched)
    sessions: list[Peer] = []

    async def pair(index: int) -> None:
        caller, callee = first + 2 * index, first + 2 * index + 1
        sessions.extend(await open_switchboard(peers[caller], peers[callee], accounts[caller][0],
                                               accounts[callee][0]))

    before = cluster.snapshot()
    await bounded(range(pairs), CONCURRENCY, pair)
    phases["switchboards"] = _delta(cluster.snapshot(), before)
    for peer in [*sessions, *peers.values()]:
        peer.close()
    return phases


def summarise(phases: dict[str, Any], users: int, contacts: int, listers: int, pairs: int) -> dict[str, Any]:
    idle, signed_in, lists = phases["idle"], phases["signed_in"], phases["lists"]
    pg_idle, pg_before, pg_after = idle["postgres"], signed_in["postgres"], lists["postgres"]
    sign_in = _delta(signed_in, idle)
    relations = listers * contacts
    watched, unwatched = phases["presence_watched"], phases["presence_unwatched"]
    changes = phases["presence_changes"]
    per_change_watched = sum(watched["cpu_s"].values()) / changes
    per_change_unwatched = sum(unwatched["cpu_s"].values()) / changes
    sessions = phases["switchboards"]
    return {
        "idle_rss_mb_per_process": {role: round(rss / PROCESSES[role] / 2**20, 1)
                                    for role, rss in idle["rss"].items()},
        "background_cpu_us_per_s": phases["background_cpu_us_per_s"],
        "sign_in_wall_s": phases["sign_in_wall_s"],
        "users": users, "contacts": contacts, "listers": listers, "pairs": pairs,
        "sign_in_cpu_us": {k: round(v / users * 1e6) for k, v in sign_in["cpu_s"].items()},
        "sign_in_cpu_us_total": round(sum(sign_in["cpu_s"].values()) / users * 1e6),
        "ns_rss_kb_per_session": round(sign_in["rss"]["ns"] / users / 1024, 2),
        "redis_bytes_per_session": round(sign_in["redis"]["used_memory"] / users),
        "redis_keys_per_session": round(sign_in["redis"]["keys"] / users, 2),
        "postgres_bytes_per_account": round(pg_idle["accounts_bytes"] / pg_idle["accounts"]),
        "postgres_rows_per_contact": round(
            (pg_after["list_entries"] - pg_before["list_entries"]) / relations, 2),
        "postgres_bytes_per_contact": round(
            (pg_after["list_entries_bytes"] - pg_before["list_entries_bytes"]) / relations),
        "list_change_cpu_us": {k: round(v / (2 * relations) * 1e6) for k, v in
                               _delta(lists["cpu_s"], signed_in["cpu_s"]).items()},
        "presence_cpu_us_per_change_with_k_watchers": round(per_change_watched * 1e6),
        "presence_cpu_us_per_change_without_watchers": round(per_change_unwatched * 1e6),
        "presence_cpu_us_per_change_without_watchers_by_part": {
            k: round(v / changes * 1e6) for k, v in unwatched["cpu_s"].items()},
        "presence_cpu_us_per_watcher": round((per_change_watched - per_change_unwatched) / contacts * 1e6),
        "presence_cpu_us_per_watcher_by_part": {
            k: round((watched["cpu_s"][k] - unwatched["cpu_s"][k]) / changes / contacts * 1e6)
            for k in watched["cpu_s"]},
        "sb_rss_kb_per_session_of_two": round(sessions["rss"]["sb"] / pairs / 1024, 2),
        "switchboard_cpu_us_per_session": {k: round(v / pairs * 1e6) for k, v in sessions["cpu_s"].items()},
        "redis_bytes_per_switchboard_session": round(sessions["redis"]["used_memory"] / pairs),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.sizing", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=4000)
    parser.add_argument("--contacts", type=int, default=10)
    parser.add_argument("--listers", type=int, default=400)
    parser.add_argument("--pairs", type=int, default=500)
    parser.add_argument("--idle-seconds", type=float, default=IDLE_WINDOW,
                        help="how long the background CPU of an idle cluster is measured")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    needed = args.listers + args.contacts + (args.listers - args.contacts) + 2 * args.pairs
    if args.users < needed:
        parser.error(f"--users must be at least {needed} for these --contacts, --listers and --pairs")
    accounts = account_list(args.users, prefix="size")
    with tempfile.TemporaryDirectory(prefix="msnqt-sizing-") as folder:
        create_accounts(Path(folder), accounts)
        cluster = Cluster(Path(folder))
        try:
            phases = asyncio.run(_measure(cluster, accounts, args.contacts, args.listers, args.pairs,
                                            args.idle_seconds))
        finally:
            cluster.stop()
    result = {"summary": summarise(phases, args.users, args.contacts, args.listers, args.pairs),
              "phases": phases, "machine": procfs.machine()}
    print(json.dumps(result["summary"], indent=2))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
