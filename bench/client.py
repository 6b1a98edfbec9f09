"""``python -m bench.client``: desktop-client responsiveness, offscreen.

    python -m bench.client [--runs 5] [--contacts 1000] [--rate 1000] [--seconds 5] [--json OUT]

* cold start: wall time from spawning ``msnqt --demo`` (a fresh interpreter: imports, Qt, the demo's
  in-process server and bots, DS → NS sign-in, SYN) to the signed-in contact list, median of ``runs``;
  with the RSS at that moment and the time to open a conversation window (open + first paint).
* loop lag: the app signed in to a ``bench.serve`` server with ``contacts`` contacts on its list, all
  online; then ``rate`` presence changes per second (real CHGs from signed-in contacts, so real NLNs
  through server, engine, bridge and model) for ``seconds``; lag = how late a 5 ms timer fires on the
  app's qasync loop (p50/p99/max), with the changes the GUI applied and its RSS at the end.

The driver (this process) and the server are separate processes from the measured app, but share the
machine's two cores with it; the load average is recorded next to each number.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from msnqt.protocol import Chg, split_address
from msnqt.protocol.codes import ListName, Status
from msnqt.server.store import SqliteStore

from . import procfs
from .accounts import account_list, create_accounts
from .compare import start_target
from .peer import Peer, sign_in
from .scenarios._common import bounded
from .stats import median

CHILD = [sys.executable, "-m", "bench.client_child"]
CHILD_TIMEOUT = 120.0
STATUSES = (Status.BUSY, Status.AWAY, Status.ONLINE, Status.BE_RIGHT_BACK, Status.IDLE)


def _read_json_line(process: subprocess.Popen[str], what: str) -> dict[str, Any]:
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("{"):
            payload: dict[str, Any] = json.loads(line)
            if "error" in payload:
                raise RuntimeError(f"{what}: {payload['error']}")
            return payload
    raise RuntimeError(f"{what}: the app ended without reporting (exit status {process.wait()})")


def cold_start(runs: int) -> dict[str, Any]:
    samples: list[dict[str, Any]] = []
    for _ in range(runs):
        began = time.time()
        process = subprocess.Popen([*CHILD, "cold"], stdout=subprocess.PIPE, text=True)
        try:
            report = _read_json_line(process, "cold start")
            process.wait(CHILD_TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        samples.append({"seconds": round(report["signed_in_at"] - began, 3), "rss_mb": report["rss_mb"],
                        "conversation_open_ms": report["conversation_open_ms"],
                        "loadavg": procfs.loadavg()})
    return {
        "runs": samples,
        "cold_start_s_median": round(median([s["seconds"] for s in samples]), 3),
        "rss_mb_median": round(median([s["rss_mb"] for s in samples]), 1),
        "conversation_open_ms_median": round(median([s["conversation_open_ms"] for s in samples]), 2),
    }


def _prepare_population(data_dir: Path, contacts: int) -> tuple[tuple[str, str], list[tuple[str, str]]]:
    """One user whose FL holds ``contacts`` accounts (written through the store before the server starts)."""
    user, *others = account_list(contacts + 1, prefix="lag")
    create_accounts(data_dir, [user, *others])
    store = SqliteStore.open(data_dir)
    try:
        have = {entry.handle.lower() for entry in store.lists(user[0]).members(ListName.FORWARD)}
        for email, _ in others:
            if email.lower() not in have:
                account = store.account(email)
                assert account is not None
                store.add_entry(user[0], ListName.FORWARD, account, email)
    finally:
        store.close()
    return user, others


async def _drive(ds: str, others: list[tuple[str, str]], start_child: Callable[[], subprocess.Popen[str]],
                 rate: int, seconds: float) -> dict[str, Any]:
    """Bring every contact online first, so the app signs in to a list that is all online (one ILN
    each) rather than racing them (an NLN and an alert for each one that comes online after it)."""
    address = split_address(ds)
    peers: list[Peer] = []

    async def enter(account: tuple[str, str]) -> None:
        peer = await sign_in(address, *account)
        await peer.request(lambda t: Chg(t, Status.ONLINE))
        peers.append(peer)

    try:
        await bounded(others, 64, enter)
        child = start_child()
        loop = asyncio.get_running_loop()
        ready = await loop.run_in_executor(None, _read_json_line, child, "loop lag")
        assert child.stdin is not None
        child.stdin.write("GO\n")
        child.stdin.flush()
        sent = 0
        tick = 0.01
        per_tick = max(1, round(rate * tick))
        began = loop.time()
        next_tick = began
        while next_tick < began + seconds:
            for _ in range(per_tick):
                peer = peers[sent % len(peers)]
                status = STATUSES[(sent // len(peers)) % len(STATUSES)]
                peer.send(Chg(peer.next_trid(), status))
                sent += 1
            next_tick += tick
            await asyncio.sleep(max(0.0, next_tick - loop.time()))  # pacing the offered load
        result = await loop.run_in_executor(None, _read_json_line, child, "loop lag")
        return {"contacts_online": ready["contacts"], "rss_mb_signed_in": ready["rss_mb"],
                "sign_in_s": ready["sign_in_s"], "all_online_shown_s": ready["all_online_shown_s"],
                "changes_sent": sent, "changes_sent_per_s": round(sent / seconds, 1), **result}
    finally:
        for peer in peers:
            peer.close()


def loop_lag(contacts: int, rate: int, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="msnqt-bench-client-") as scratch:
        data_dir = Path(scratch) / "data"
        user, others = _prepare_population(data_dir, contacts)
        server = start_target("msnqt", data_dir, extra=["--fl-limit", str(contacts)])
        child: subprocess.Popen[str] | None = None

        def start_child() -> subprocess.Popen[str]:
            nonlocal child
            child = subprocess.Popen(
                [*CHILD, "lag", "--server", ds, "--email", user[0], "--password", user[1],
                 "--seconds", str(seconds)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            return child

        try:
            ds = f"{server.address[0]}:{server.address[1]}"
            load_before = procfs.loadavg()
            result = asyncio.run(_drive(ds, others, start_child, rate, seconds))
            assert child is not None
            child.wait(CHILD_TIMEOUT)
            return {"contacts": contacts, "rate": rate, "seconds": seconds, "loadavg_before": load_before,
                    **result}
        finally:
            if child is not None and child.poll() is None:
                child.kill()
                child.wait()
            server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.client", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--skip-cold", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.runs < 1 or args.contacts < 1 or args.rate < 1 or args.seconds <= 0:
        print("bench.client: --runs, --contacts, --rate and --seconds must be positive", file=sys.stderr)
        return 2
    try:
        result: dict[str, Any] = {"machine": procfs.machine()}
        if not args.skip_cold:
            result["cold_start"] = cold_start(args.runs)
        result["loop_lag"] = loop_lag(args.contacts, args.rate, args.seconds)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        print(f"bench.client: {exc}", file=sys.stderr)
        return 1
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
