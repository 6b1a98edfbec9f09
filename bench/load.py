"""``python -m bench.load``: drive any MSNP2 server (given its DS or NS address) and print JSON.

    python -m bench.load --target HOST:PORT --accounts FILE --scenario {login,presence,relay,hold}
                         --seconds N [--clients C] [--contacts K] [--movers M] [--window W]
                         [--ping-interval S] [--pid SERVER_PID] [--baseline] [--json OUT]

Exit status 0 when the run had no errors, 1 when it had some (the JSON says which), 2 on bad
arguments or when the setup cannot be done (one line on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from msnqt.protocol import ProtocolError

from .config import LoadConfig, parse_target, read_accounts
from .peer import BenchError
from .recorder import Recorder
from .scenarios import SCENARIOS

PROG = "bench.load"


async def run_scenario(name: str, config: LoadConfig) -> dict[str, Any]:
    """Run one scenario and return its result (the JSON shape in bench/README.md)."""
    scenario, operation = SCENARIOS[name]
    recorder = Recorder(name, config.target_text, config.server_pid, operation,
                        {"clients": config.clients, "seconds": config.seconds})
    await scenario(config, recorder)
    return recorder.result()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"{PROG}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _positive(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive: {text}")
        return value
    return parse


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Load generator for any MSNP2 server.")
    p.add_argument("--target", required=True, help="HOST:PORT of the DS or NS (or of bench.baseline)")
    p.add_argument("--accounts", type=Path, help="file of EMAIL<TAB>PASSWORD lines")
    p.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    p.add_argument("--seconds", type=_positive(float), default=5.0)
    p.add_argument("--clients", type=_positive(int), default=10)
    p.add_argument("--contacts", type=_positive(int), default=150)
    p.add_argument("--movers", type=_positive(int), default=1)
    p.add_argument("--window", type=_positive(int), default=32)
    p.add_argument("--ping-interval", type=_positive(float), default=1.0)
    p.add_argument("--ramp-concurrency", type=_positive(int), default=64)
    p.add_argument("--pid", type=_positive(int), help="server process id, for CPU per operation and RSS")
    p.add_argument("--baseline", action="store_true", help="relay against bench.baseline")
    p.add_argument("--json", type=Path, help="also write the result here")
    return p


def config_from(args: argparse.Namespace) -> LoadConfig:
    try:
        target = parse_target(args.target)
    except (ValueError, ProtocolError) as exc:
        raise BenchError(f"bad --target {args.target!r}: {exc}") from None
    accounts = read_accounts(args.accounts) if args.accounts else []
    return LoadConfig(target=target, accounts=accounts, seconds=args.seconds, clients=args.clients,
                      contacts=args.contacts, movers=args.movers, window=args.window,
                      ping_interval=args.ping_interval, ramp_concurrency=args.ramp_concurrency,
                      baseline=args.baseline, server_pid=args.pid)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        config = config_from(args)
        if not args.baseline and not config.accounts:
            raise BenchError("--accounts is required unless --baseline")
        result = asyncio.run(run_scenario(args.scenario, config))
    except (BenchError, OSError, ValueError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 2
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
