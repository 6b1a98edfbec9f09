"""``python -m bench.compare``: one scenario against several targets, alternating, in one run.

    python -m bench.compare [--scenario relay] [--targets msnqt baseline] [--rounds 5] [--seconds 3]
                            [--clients 20] [--contacts 150] [--movers 1] [--window 32] [--entry ds|ns]
                            [--json OUT]

Each target is started here as its own process (so its CPU can be read from /proc): ``msnqt`` and
``msnqt-uvloop`` are ``bench.serve`` on a fresh data dir with the accounts the run needs,
``msnqt-store-on-loop`` the same with the store called on the event loop (as before 2026-12-07), ``baseline``
and ``baseline-uvloop`` are ``bench.baseline`` on streams, ``baseline-protocol[-uvloop]`` the same relay
on an ``asyncio.Protocol``. Rounds alternate A, B, A, B… so slow drifts in machine
load hit every target alike; the summary gives per-target medians and the ratios of the first target
to the second. Loads are bounded: ``rounds × targets × seconds`` plus setup.

A target may name a source tree, ``msnqt@DIR``: its process runs in DIR, so it imports DIR's msnqt. This
measures a change side by side (``git archive`` the commit before it into DIR), with the same generator.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from msnqt.protocol import split_address

from . import procfs
from .accounts import account_list, create_accounts
from .config import LoadConfig
from .load import run_scenario
from .scenarios import SCENARIOS
from .stats import median

TARGETS = ("msnqt", "msnqt-uvloop", "msnqt-store-on-loop", "baseline", "baseline-uvloop", "baseline-protocol",
           "baseline-protocol-uvloop", "cluster", "cluster-2ns")
"""``cluster``: DS, NS and SB as processes on PostgreSQL and Redis (``bench.cluster``), CPU summed over all of
them; ``cluster-2ns``: the same with two NS and two SB processes."""
START_TIMEOUT = 30.0


@dataclass
class Target:
    name: str
    process: subprocess.Popen[str]
    address: tuple[str, int]
    ns_address: tuple[str, int] | None = None

    @property
    def baseline(self) -> bool:
        return self.name.startswith("baseline")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def target_spec(text: str) -> str:
    """argparse type: ``BASE`` or ``BASE@DIR`` with BASE one of TARGETS and DIR an existing directory."""
    base, _at, tree = text.partition("@")
    if base not in TARGETS:
        raise argparse.ArgumentTypeError(f"unknown target {base!r} (choose from {', '.join(TARGETS)})")
    if tree and not (Path(tree) / "msnqt").is_dir():
        raise argparse.ArgumentTypeError(f"{tree!r} is not a source tree with an msnqt package")
    return text


def start_target(name: str, data_dir: Path, extra: Sequence[str] = ()) -> Target:
    """Start one target process and wait for the line that gives its address."""
    base, _at, tree = name.partition("@")
    loop = "uvloop" if base.endswith("-uvloop") else "asyncio"
    if base.startswith("baseline"):
        io = "protocol" if base.startswith("baseline-protocol") else "streams"
        command = [sys.executable, "-m", "bench.baseline", "--loop", loop, "--io", io]
        marker = "BASELINE listening on "
    elif base.startswith("cluster"):
        count = "2" if base.startswith("cluster-2ns") else "1"
        command = [sys.executable, "-m", "bench.cluster", "--data", str(data_dir), "--loop", loop,
                   "--ns", count, "--sb", count]
        marker = "DS listening on "
    else:
        on_loop = ["--store-on-loop"] if base == "msnqt-store-on-loop" else []
        command = [sys.executable, "-m", "bench.serve", "--data", str(data_dir), "--loop", loop, *on_loop,
                   *extra]
        marker = "DS listening on "
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=tree or None)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(marker):
            target = Target(name, process, split_address(line[len(marker):].strip()))
            if not base.startswith("baseline"):
                for rest in process.stdout:
                    if rest.startswith("NS listening on "):
                        target.ns_address = split_address(rest[len("NS listening on "):].strip())
                    if rest.strip() == "READY":
                        break
            return target
    process.wait()
    raise RuntimeError(f"{name} did not start (exit status {process.returncode})")


def accounts_needed(args: argparse.Namespace) -> int:
    return max(int(args.clients), 2)


def _paired(rounds: list[dict[str, Any]], a: str, b: str, value: Callable[[dict[str, Any]], float]
            ) -> list[float]:
    """Round by round a/b: both ran back to back, so each ratio saw nearly the same machine load."""
    ratios = []
    for number in sorted({r["round"] for r in rounds}):
        mine = {r["compare_target"]: value(r) for r in rounds if r["round"] == number}
        if mine.get(b):
            ratios.append(round(mine.get(a, 0.0) / mine[b], 3))
    return ratios


def _ratio(per_target: dict[str, dict[str, Any]], rounds: list[dict[str, Any]], first: str, second: str
           ) -> dict[str, Any]:
    a, b = per_target[first], per_target[second]
    return {
        "of": f"{first} / {second}",
        "throughput": round(a["ops_per_s_median"] / b["ops_per_s_median"], 3)
        if b["ops_per_s_median"] else None,
        "server_cpu_per_op": round(a["server_cpu_us_per_op_median"] / b["server_cpu_us_per_op_median"], 3)
        if b["server_cpu_us_per_op_median"] else None,
        "p50_latency": round(a["p50_ms_median"] / b["p50_ms_median"], 3) if b["p50_ms_median"] else None,
        "p99_latency": round(a["p99_ms_median"] / b["p99_ms_median"], 3) if b["p99_ms_median"] else None,
        "throughput_per_round": _paired(rounds, first, second, lambda r: r["ops_per_s"]),
        "server_cpu_per_round": _paired(rounds, first, second, lambda r: r["server"]["cpu_us_per_op"] or 0.0),
    }


def summarize(scenario: str, names: list[str], rounds: list[dict[str, Any]]) -> dict[str, Any]:
    per_target: dict[str, dict[str, Any]] = {}
    for name in names:
        mine = [r for r in rounds if r["compare_target"] == name]
        per_target[name] = {
            "ops_per_s_median": round(median([r["ops_per_s"] for r in mine]), 1),
            "server_cpu_us_per_op_median": round(median(
                [r["server"]["cpu_us_per_op"] or 0.0 for r in mine]), 2),
            "p50_ms_median": round(median([r["latency"].get("p50_ms", 0.0) for r in mine]), 3),
            "p99_ms_median": round(median([r["latency"]["p99_ms"] for r in mine]), 3),
            "errors": sum(r["errors"] for r in mine),
            "ops_per_s_rounds": [r["ops_per_s"] for r in mine],
            "loadavg_rounds": [r["machine"]["loadavg_before"] for r in mine],
        }
    summary: dict[str, Any] = {"scenario": scenario, "targets": per_target,
                               "machine": procfs.machine()}
    if len(names) >= 2:
        summary["ratio"] = _ratio(per_target, rounds, names[0], names[1])
    if len(names) >= 3:  # the first target against each of the others, e.g. msnqt vs two baselines
        summary["ratios"] = {other: _ratio(per_target, rounds, names[0], other) for other in names[1:]}
    return summary


async def compare(args: argparse.Namespace, targets: list[Target], accounts: list[tuple[str, str]]
                  ) -> list[dict[str, Any]]:
    rounds: list[dict[str, Any]] = []
    for round_number in range(args.rounds):
        order = targets if round_number % 2 == 0 else list(reversed(targets))
        for target in order:
            address = target.ns_address if args.entry == "ns" and target.ns_address else target.address
            config = LoadConfig(target=address, accounts=accounts, seconds=args.seconds,
                                clients=args.clients, contacts=args.contacts, movers=args.movers,
                                window=args.window, baseline=target.baseline, server_pid=target.process.pid)
            result = await run_scenario(args.scenario, config)
            result["compare_target"] = target.name
            result["round"] = round_number
            rounds.append(result)
            print(f"round {round_number} {target.name:16} {result['ops_per_s']:>10} {result['operation']}/s"
                  f"  server {result['server'].get('cpu_us_per_op')} us/op"
                  f"  p99 {result['latency']['p99_ms']} ms  errors {result['errors']}"
                  f"  load {result['machine']['loadavg_before']}", file=sys.stderr)
    return rounds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.compare", description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="relay", choices=sorted(SCENARIOS))
    parser.add_argument("--targets", nargs="+", default=["msnqt", "baseline"], type=target_spec,
                        help=f"each one of {', '.join(TARGETS)}, optionally @DIR: run from that source tree")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--contacts", type=int, default=150)
    parser.add_argument("--movers", type=int, default=1)
    parser.add_argument("--window", type=int, default=32)
    parser.add_argument("--entry", choices=("ds", "ns"), default="ds",
                        help="point the generator at our servers' DS (default) or straight at the NS")
    parser.add_argument("--json", type=Path, help="write rounds and summary here")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.seconds <= 0 or args.clients < 2:
        print("bench.compare: --rounds >= 1, --seconds > 0 and --clients >= 2 are required", file=sys.stderr)
        return 2
    if args.scenario != "relay" and any(name.startswith("baseline") for name in args.targets):
        print("bench.compare: the baseline only serves the relay scenario", file=sys.stderr)
        return 2
    started: list[Target] = []
    with tempfile.TemporaryDirectory(prefix="msnqt-bench-") as scratch:
        accounts = account_list(accounts_needed(args))
        try:
            for number, name in enumerate(args.targets):
                data_dir = Path(scratch) / f"data-{number}"
                if not name.startswith("baseline"):
                    create_accounts(data_dir, accounts)
                started.append(start_target(name, data_dir))
            rounds = asyncio.run(compare(args, started, accounts))
        except (RuntimeError, OSError) as exc:
            print(f"bench.compare: {exc}", file=sys.stderr)
            return 1
        finally:
            for target in started:
                target.stop()
    summary = summarize(args.scenario, list(args.targets), rounds)
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "rounds": rounds}, indent=2) + "\n",
                             encoding="utf-8")
    errors = sum(int(t["errors"]) for t in summary["targets"].values())
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
