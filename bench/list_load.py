"""``python -m bench.list_load``: how long the client engine takes to sign in with a long contact list.

    python -m bench.list_load [--entries 40000] [--runs 3] [--json OUT]

A minimal NS on 127.0.0.1 answers the sign-in and then ``SYN`` with ``entries`` LST lines spread over the
four lists (at most MAX_LIST_ENTRIES on each, what the engine accepts), and ``Messenger.sign_in`` is timed
from connect to return (the PNG/QNG barrier included). Issue 14 measured 9.7 s for 20,000 entries and no
end for 100,000 (a scan per new handle); the list cache's index makes it linear. Speed is never asserted
in tests (``tests/bench/test_bench_smoke.py`` runs this briefly).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from msnqt.client import Messenger
from msnqt.protocol.codes import ListName
from msnqt.protocol.limits import MAX_LIST_ENTRIES

from . import procfs
from .stats import median

HANDLE, PASSWORD, CHALLENGE = "bench@bench.example", "benchpw", "1013928519.693957190"
LISTS = (ListName.FORWARD, ListName.ALLOW, ListName.BLOCK, ListName.REVERSE)


def syn_reply(trid: int, entries: int) -> bytes:
    """SYN, GTC, BLP and the LST lines of ``entries`` contacts, filling FL, AL, BL, RL in turn."""
    lines = [f"SYN {trid} 1", f"GTC {trid} 1 N", f"BLP {trid} 1 AL"]
    left = entries
    for name in LISTS:
        count = min(left, MAX_LIST_ENTRIES)
        left -= count
        if count == 0:
            lines.append(f"LST {trid} {name.value} 1 0 0")
        lines += [f"LST {trid} {name.value} 1 {i} {count} c{i}@bench.example Contact%20{i}"
                  for i in range(1, count + 1)]
    return ("\r\n".join(lines) + "\r\n").encode()


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, entries: int) -> None:
    """Answers just what a sign-in sends, in order; everything else is read and dropped."""
    while line := (await reader.readline()).decode().split():
        name, trid = line[0], line[1] if len(line) > 1 else ""
        reply = {
            "VER": f"VER {trid} MSNP2\r\n", "INF": f"INF {trid} MD5\r\n",
            "CHG": f"CHG {trid} {line[-1]}\r\n", "PNG": "QNG\r\n", "OUT": "OUT\r\n",
        }.get(name, "")
        if name == "USR":
            reply = (f"USR {trid} MD5 S {CHALLENGE}\r\n" if line[3] == "I"
                     else f"USR {trid} OK {HANDLE} Bench\r\n")
        if name == "SYN":
            writer.write(syn_reply(int(trid), entries))
        writer.write(reply.encode())
        await writer.drain()
        if name == "OUT":
            break
    writer.close()


async def one_run(entries: int) -> float:
    server = await asyncio.start_server(lambda r, w: _serve(r, w, entries), "127.0.0.1", 0)
    try:
        port = server.sockets[0].getsockname()[1]
        messenger = Messenger(f"127.0.0.1:{port}", request_timeout=600, auto_reconnect=False)
        started = time.perf_counter()
        await messenger.sign_in(HANDLE, PASSWORD)
        elapsed = time.perf_counter() - started
        loaded = sum(len(messenger.list_cache.entries[name]) for name in LISTS)
        if loaded != min(entries, MAX_LIST_ENTRIES * len(LISTS)):
            raise RuntimeError(f"loaded {loaded} of {entries} entries")
        await messenger.sign_out()
        return elapsed
    finally:
        server.close()
        await server.wait_closed()


async def run(entries: int, runs: int) -> dict[str, Any]:
    times = [await one_run(entries) for _ in range(runs)]
    return {"scenario": "list_load", "entries": entries, "runs": runs, "seconds": times,
            "median_s": median(times), "us_per_entry": median(times) / max(entries, 1) * 1e6,
            "machine": procfs.machine()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.list_load", description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.entries, args.runs))
    text = json.dumps(result, indent=2)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            out.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
