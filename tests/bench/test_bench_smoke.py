"""Smoke test of the benchmarks: every scenario runs briefly, error-free, and yields well-formed JSON.

Speed is never asserted here (bench/README.md); these tests only prove the load generator speaks
MSNP2 correctly to our server, that the baseline relays, and that results have the documented shape.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import pytest

from bench.accounts import account_list, create_accounts, write_accounts_file
from bench.baseline import RELAYS
from bench.compare import summarize
from bench.config import LoadConfig, read_accounts
from bench.list_load import run as list_load
from bench.load import main as load_main
from bench.load import run_scenario
from msnqt.server import MsnServer, ServerConfig
from msnqt.server.core.limits import RateLimits

SECONDS = 0.3


def _check_result(result: dict[str, Any], scenario: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(json.dumps(result))
    assert decoded["scenario"] == scenario
    assert decoded["errors"] == 0, decoded["error_samples"]
    assert decoded["ops"] >= 1
    assert decoded["latency"]["count"] == decoded["ops"]
    latency = decoded["latency"]
    assert 0 <= latency["p50_ms"] <= latency["p95_ms"] <= latency["p99_ms"] <= latency["max_ms"]
    assert decoded["machine"]["cores"] >= 1 and decoded["machine"]["python"]
    assert decoded["server"]["cpu_s"] >= 0 and decoded["server"]["rss_mb"] > 0
    return decoded


async def _with_server(data_dir: Path, scenario: str, **options: Any) -> dict[str, Any]:
    server = await MsnServer.start(ServerConfig(data_dir=data_dir, ds_port=0, ns_port=0, sb_port=0,
                                                rate_limits=RateLimits.unlimited()))  # as bench.serve
    try:
        for email, password in account_list(4):
            server.add_account(email, password)
        config = LoadConfig(target=server.ds_address, accounts=account_list(4), seconds=SECONDS,
                            clients=2, server_pid=os.getpid(), **options)
        return await run_scenario(scenario, config)
    finally:
        await server.close()


@pytest.mark.parametrize(("scenario", "options"), [
    ("login", {}),
    ("presence", {"contacts": 1}),
    ("relay", {"window": 4}),
    ("hold", {"ping_interval": 0.05}),
    ("bystander", {}),
])
def test_scenario_runs_without_errors_against_our_server(
        aloop: asyncio.Runner, tmp_path: Path, scenario: str, options: dict[str, Any]) -> None:
    result = _check_result(aloop.run(_with_server(tmp_path, scenario, **options)), scenario)
    if scenario == "presence":
        assert result["params"]["watchers_per_change"] == 1
        assert result["notifications"] == result["ops"]
    if scenario == "hold":
        assert result["held"] == 2
    if scenario == "bystander":
        assert result["writes"] > 0  # the writer's ADD/REM were acknowledged while the bystander pinged


@pytest.mark.parametrize("io", sorted(RELAYS))
def test_relay_runs_against_the_baseline(aloop: asyncio.Runner, io: str) -> None:
    async def scenario() -> dict[str, Any]:
        relay = RELAYS[io]()
        address = await relay.start()
        try:
            config = LoadConfig(target=address, seconds=SECONDS, clients=4, window=4, baseline=True,
                                server_pid=os.getpid())
            return await run_scenario("relay", config)
        finally:
            await relay.close()

    result = _check_result(aloop.run(scenario()), "relay")
    assert result["params"]["pairs"] == 2


def test_compare_summary_gives_medians_and_ratios() -> None:
    def round_(number: int, target: str, ops: float, cpu: float) -> dict[str, Any]:
        return {"round": number, "compare_target": target, "ops_per_s": ops, "server": {"cpu_us_per_op": cpu},
                "latency": {"p50_ms": 4.0 if target == "msnqt" else 1.0, "p99_ms": 1.0}, "errors": 0,
                "machine": {"loadavg_before": [0.5]}}

    rounds = [round_(0, "msnqt", 50, 8), round_(0, "baseline", 100, 2), round_(1, "baseline", 100, 2),
              round_(1, "msnqt", 70, 9), round_(2, "msnqt", 60, 10), round_(2, "baseline", 140, 4)]
    summary = json.loads(json.dumps(summarize("relay", ["msnqt", "baseline"], rounds)))
    assert summary["targets"]["msnqt"]["ops_per_s_median"] == 60
    assert summary["ratio"] == {"of": "msnqt / baseline", "throughput": 0.6, "server_cpu_per_op": 4.5,
                                "p50_latency": 4.0, "p99_latency": 1.0,
                                "throughput_per_round": [0.5, 0.7, 0.429],
                                "server_cpu_per_round": [4.0, 4.5, 2.5]}


def test_accounts_file_round_trips_and_bad_lines_are_refused(tmp_path: Path) -> None:
    accounts = account_list(3)
    assert create_accounts(tmp_path / "data", accounts) == 3
    assert create_accounts(tmp_path / "data", accounts) == 0  # re-running keeps what exists
    path = tmp_path / "accounts.tsv"
    write_accounts_file(path, accounts)
    assert read_accounts(path) == accounts
    path.write_text("no-tab-here\n", encoding="utf-8")
    with pytest.raises(ValueError, match="EMAIL<TAB>PASSWORD"):
        read_accounts(path)


def test_load_command_counts_refused_connections_as_errors_and_exits_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    accounts = tmp_path / "accounts.tsv"
    write_accounts_file(accounts, account_list(2))
    with socket_bound_but_not_listening() as port:
        status = load_main(["--target", f"127.0.0.1:{port}", "--accounts", str(accounts),
                            "--scenario", "login", "--seconds", "0.2", "--clients", "2"])
    captured = capsys.readouterr()
    assert status == 1
    result = json.loads(captured.out)
    assert result["errors"] == 2 and "ConnectionRefusedError" in result["error_samples"][0]


class socket_bound_but_not_listening:
    """A port nothing listens on (bound, so no other process takes it meanwhile)."""

    def __enter__(self) -> int:
        import socket

        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        return int(self._sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self._sock.close()


def test_client_bench_measures_a_cold_demo_start_and_loop_lag() -> None:
    """One cold ``msnqt --demo`` and a short lag probe with 3 contacts: real processes, offscreen."""
    from bench.client import cold_start, loop_lag

    cold = json.loads(json.dumps(cold_start(1)))
    assert cold["cold_start_s_median"] > 0 and cold["rss_mb_median"] > 0
    assert cold["conversation_open_ms_median"] >= 0
    lag = json.loads(json.dumps(loop_lag(contacts=3, rate=20, seconds=0.5)))
    assert lag["contacts_online"] == 3
    assert lag["changes_sent"] >= 1 and lag["lag"]["count"] >= 1
    assert 0 <= lag["lag"]["p50_ms"] <= lag["lag"]["p99_ms"] <= lag["lag"]["max_ms"]


@pytest.mark.parametrize(("argv", "message"), [
    (["--target", "a:b:c", "--scenario", "login"], "bad --target"),
    (["--target", "127.0.0.1:1", "--scenario", "login"], "--accounts is required"),
    (["--target", "127.0.0.1:1", "--scenario", "login", "--accounts", "/nonexistent/accounts.tsv"],
     "No such file"),
    (["--target", "127.0.0.1:1", "--scenario", "login", "--clients", "0"], "must be positive"),
])
def test_load_command_refuses_bad_input_with_one_line_and_exit_2(
        argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        status = load_main(argv)
    except SystemExit as exited:  # argparse's own refusals
        status = int(exited.code or 0)
    err = capsys.readouterr().err
    assert status == 2
    assert message in err and err.count("\n") == 1 and err.startswith("bench.load: ")


def test_list_load_signs_in_with_every_entry(aloop: asyncio.Runner) -> None:
    """bench.list_load: the engine loads a list spread over the four lists (its own check: every entry)."""
    result = json.loads(json.dumps(aloop.run(list_load(entries=25, runs=1))))
    assert result["scenario"] == "list_load" and result["entries"] == 25
    assert len(result["seconds"]) == 1 and result["median_s"] > 0


def test_sizing_measures_a_small_cluster_and_the_plan_adds_it_up(tmp_path: Path) -> None:
    """``bench.sizing`` on a tiny cluster (real PostgreSQL and Redis, DS, two NS, one SB), then the plan."""
    import subprocess
    import sys

    out = tmp_path / "sizing.json"
    run = subprocess.run([sys.executable, "-m", "bench.sizing", "--users", "40", "--contacts", "2",
                          "--listers", "6", "--pairs", "5", "--idle-seconds", "0.5", "--json", str(out)],
                         capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[2])
    assert run.returncode == 0, run.stderr
    summary = json.loads(out.read_text())["summary"]
    assert summary["postgres_rows_per_contact"] == 3.0  # the owner's FL and AL entries, the contact's RL
    assert summary["redis_keys_per_session"] >= 2  # session and presence per user
    assert set(summary["sign_in_cpu_us"]) == {"ds", "ns", "sb", "postgres", "redis"}
    plan = subprocess.run([sys.executable, "-m", "bench.sizing_plan", str(out), "--users", "1000"],
                          capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert plan.returncode == 0, plan.stderr
    assert plan.stdout.startswith("## 1,000 signed-in users\n")
    assert "NS memory: 1,000 x " in plan.stdout


def test_signin_inproc_signs_in_through_the_fronts_and_compares_trees(tmp_path: Path) -> None:
    """``bench.signin_inproc``: real DS and NS fronts on fake transports (a sign-in that did not reach
    ``USR OK`` would time out and fail the run), this tree against itself, with the documented shape."""
    from bench.signin_inproc import main as inproc_main

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "inproc.json"
    assert inproc_main(["--trees", str(root), str(root), "--rounds", "2", "--sign-ins", "20",
                        "--clients", "4", "--json", str(out)]) == 0
    summary = json.loads(out.read_text())
    assert summary["scenario"] == "signin_inproc"
    assert all(value > 0 for value in summary["cpu_us_per_sign_in_median"].values())
    (ratio,) = summary["ratios"].values()
    assert len(ratio["per_round"]) == 2 and ratio["median"] > 0
    assert inproc_main(["--trees", str(tmp_path)]) == 2  # not a source tree
