"""``python -m bench.sizing_plan FILE [--users N ...]``: a cluster for N signed-in users, on paper.

Takes the per-user costs ``bench.sizing`` measured (its JSON file) and a stated workload (``Workload``,
every number a flag), and prints the arithmetic step by step: CPU per part at steady state and during a
sign-in storm, then processes, memory, Redis and PostgreSQL. docs/cluster.md ("Sizing") quotes its output
for 100,000 and 1,000,000 users. Paper only: nothing here has run at that scale.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .sizing import summarise

PARTS = ("ds", "ns", "sb", "postgres", "redis")


@dataclass(frozen=True)
class Workload:
    """What one signed-in user does, on average, at the busy hour (assumptions, not measurements)."""

    watchers: float = 15
    """contacts online who watch each of the user's changes (of ~50 on FL, 30 % online)."""
    contacts: float = 50
    """FL entries per account (each also on AL, and the user on the contact's RL)."""
    changes_per_hour: float = 4
    """status changes (Away, back, Busy...) besides signing in and out."""
    session_hours: float = 8
    """one sign-in (and one sign-out) per this many hours."""
    switchboards_per_hour: float = 1.5
    """switchboard sessions per user-hour: each user is in three two-person conversations an hour."""
    conversation_minutes: float = 10
    messages_per_hour: float = 40
    list_changes_per_day: float = 1
    accounts_per_user: float = 3
    """registered accounts per peak signed-in user (the rest are offline)."""
    storm_minutes: float = 10
    """a Redis restart signs everybody out (docs: OUT SSD); they all sign in again within this."""
    relay_us: float = 4.88
    """CPU per relayed message on a cluster SB (bench/results/2026-12-07-cluster-relay.json)."""
    steady_load: float = 0.5
    """the share of its core an NS or SB process may use at the busy hour (room for a storm)."""
    storm_load: float = 0.9
    """the share it may use at the busy hour plus a storm."""


def _per_part(costs: dict[str, float], factor: float) -> dict[str, float]:
    """A part that takes no part in an operation measures ±1 clock tick over the window; below zero is
    that noise, and counts as nothing."""
    return {part: max(0.0, costs.get(part, 0.0)) * factor for part in PARTS}


def _add(*terms: dict[str, float]) -> dict[str, float]:
    return {part: sum(term[part] for term in terms) for part in PARTS}


def plan(measured: dict[str, Any], users: int, work: Workload) -> list[str]:
    """The arithmetic, as lines of text (µs of CPU per second are millionths of a core)."""
    out: list[str] = []
    watcher = measured["presence_cpu_us_per_watcher_by_part"]
    change = _add(_per_part(measured["presence_cpu_us_per_change_without_watchers_by_part"], 1),
                  _per_part(watcher, work.watchers))
    sign_in = _add(_per_part(measured["sign_in_cpu_us"], 1), _per_part(watcher, work.watchers))
    sign_out = _per_part(watcher, work.watchers)  # the FLN to each watcher; the rest of it is not measured
    out.append(f"one status change with {work.watchers:g} watchers: {_fmt(change)} us")
    out.append(f"one sign-in (its NLN to {work.watchers:g} watchers): {_fmt(sign_in)} us; its sign-out "
               f"(FLN to them): {_fmt(sign_out)} us")
    steady = _add(
        _per_part(change, work.changes_per_hour / 3600),
        _per_part(_add(sign_in, sign_out), 1 / (work.session_hours * 3600)),
        _per_part(measured["switchboard_cpu_us_per_session"], work.switchboards_per_hour / 3600),
        _per_part({"sb": work.relay_us}, work.messages_per_hour / 3600),
        _per_part(measured["list_change_cpu_us"], work.list_changes_per_day / 86400))
    out.append(f"steady CPU per signed-in user: {_fmt(steady)} us per second")
    sign_ins_per_s = users / (work.storm_minutes * 60)
    storm = _per_part(sign_in, sign_ins_per_s / users)
    cores = {k: v * users / 1e6 for k, v in steady.items()}
    storm_cores = {k: v * users / 1e6 for k, v in storm.items()}
    out.append(f"{users:,} users, busy hour: {_fmt(cores, 2)} cores")
    out.append(f"storm ({users:,} sign-ins in {work.storm_minutes:g} min = {sign_ins_per_s:,.0f}/s): "
               f"{_fmt(storm_cores, 2)} cores more")

    def processes(role: str) -> int:
        return max(math.ceil(cores[role] / work.steady_load),
                   math.ceil((cores[role] + storm_cores[role]) / work.storm_load), 1) + 1  # one spare
    ns, sb = processes("ns"), processes("sb")
    ds = max(2, math.ceil(storm_cores["ds"] / work.storm_load))
    idle = measured["idle_rss_mb_per_process"]
    sessions = users * work.switchboards_per_hour * work.conversation_minutes / 60
    ns_mb = users * measured["ns_rss_kb_per_session"] / 1024 + ns * idle["ns"]
    sb_mb = sessions * measured["sb_rss_kb_per_session_of_two"] / 1024 + sb * idle["sb"]
    out.append(f"processes (one spare NS and SB): {ds} DS, {ns} NS, {sb} SB")
    out.append(f"NS memory: {users:,} x {measured['ns_rss_kb_per_session']} KB + {ns} x {idle['ns']} MB "
               f"= {ns_mb / 1024:.1f} GB in all, {ns_mb / ns / 1024:.2f} GB per NS")
    out.append(f"SB memory: {sessions:,.0f} sessions open x {measured['sb_rss_kb_per_session_of_two']} KB + "
               f"{sb} x {idle['sb']} MB = {sb_mb / 1024:.1f} GB in all")
    redis_mb = users * measured["redis_bytes_per_session"] / 2**20
    keys = users * measured["redis_keys_per_session"]
    out.append(f"Redis: {users:,} x {measured['redis_bytes_per_session']} B = {redis_mb:,.0f} MB of data, "
               f"{keys:,.0f} keys; CPU {cores['redis']:.2f} cores busy hour, "
               f"{cores['redis'] + storm_cores['redis']:.2f} in a storm (one thread)")
    accounts = users * work.accounts_per_user
    account_b, contact_b = measured["postgres_bytes_per_account"], measured["postgres_bytes_per_contact"]
    stored = accounts * (account_b + work.contacts * contact_b)
    out.append(f"PostgreSQL: {accounts:,.0f} accounts x ({account_b} B + {work.contacts:g} contacts x "
               f"{contact_b} B) = {stored / 2**30:.1f} GB with indexes; CPU {cores['postgres']:.2f} cores "
               f"busy hour, {cores['postgres'] + storm_cores['postgres']:.2f} in a storm")
    return out


def _fmt(values: dict[str, float], digits: int = 0) -> str:
    shown = ", ".join(f"{part} {values[part]:,.{digits}f}" for part in PARTS if values[part])
    return f"{sum(values.values()):,.{digits}f} ({shown})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.sizing_plan", description=__doc__.splitlines()[0])
    parser.add_argument("measured", type=Path, help="a bench.sizing JSON file")
    parser.add_argument("--users", type=int, action="append", help="signed-in users (repeatable)")
    for item in fields(Workload):
        parser.add_argument(f"--{item.name.replace('_', '-')}", type=float, default=item.default)
    args = parser.parse_args(argv)
    data = json.loads(args.measured.read_text(encoding="utf-8"))
    summary = data["summary"]
    measured = summarise(data["phases"], summary["users"], summary["contacts"], summary["listers"],
                         summary["pairs"])
    work = Workload(**{item.name: getattr(args, item.name) for item in fields(Workload)})
    for users in args.users or [100_000, 1_000_000]:
        print(f"## {users:,} signed-in users")
        for line in plan(measured, users, work):
            print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
