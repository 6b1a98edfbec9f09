"""``python -m bench.serve``: the msnqt server for a benchmark run, on the chosen event loop.

The same server as ``msnqt-server serve`` (built through the public ``MsnServer`` API), plus
``--loop uvloop`` so both loops can be compared, and one ``READY`` line when all ports listen.

    python -m bench.serve --data DIR [--host 127.0.0.1] [--loop asyncio|uvloop] [--fl-limit N]
                          [--store-on-loop]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from msnqt.protocol import FL_LIMIT
from msnqt.server import MsnServer, ServerConfig
from msnqt.server.core.limits import RateLimits

from .baseline import install_loop


async def _serve(config: ServerConfig, store_on_loop: bool) -> None:
    server = await MsnServer.start(config, store_on_loop=store_on_loop)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    for name, (host, port) in (("DS", server.ds_address), ("NS", server.ns_address),
                               ("SB", server.sb_address)):
        print(f"{name} listening on {host}:{port}")
    print("READY", flush=True)
    try:
        await stop.wait()
    finally:
        await server.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--fl-limit", type=int, default=FL_LIMIT,
                        help="forward-list limit (bench.client raises it for a 1,000-contact list)")
    parser.add_argument("--store-on-loop", action="store_true",
                        help="call the store on the event loop, as before 2026-12-07 (not its own thread)")
    args = parser.parse_args(argv)
    # A benchmark is one address flooding on purpose: the per-user rate limits would answer its floods
    # 713 and the per-address cap would refuse its thousands of held sockets.
    config = ServerConfig(data_dir=args.data, host=args.host, ds_port=0, ns_port=0, sb_port=0,
                          fl_limit=args.fl_limit, rate_limits=RateLimits.unlimited(),
                          max_connections_per_address=1 << 20, max_switchboards_per_user=1 << 20)
    try:
        install_loop(args.loop)
        asyncio.run(_serve(config, args.store_on_loop))
    except ImportError:
        print("bench.serve: uvloop is not installed", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"bench.serve: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
