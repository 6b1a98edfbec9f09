"""Starting a real server for a transcript: the ``!config``, ``!account`` and ``!mailbox`` directives."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote

from msnqt.server import MsnServer, ServerConfig
from msnqt.server.core.limits import RateLimits
from tests.support.transcript import Transcript, TranscriptError, run_transcript

_TUNABLES = {f.name: f.type for f in fields(ServerConfig)}

NO_RATE_LIMITS = RateLimits.unlimited()
"""For tests of something else that reuse one account many times (fuzzing, budgets)."""


def transcript_config(data_dir: Path | None, transcript: Transcript) -> ServerConfig:
    values: dict[str, Any] = {}
    for lineno, name, args in transcript.directives:
        if name != "config":
            continue
        for arg in args:
            key, _, text = arg.partition("=")
            if key not in _TUNABLES:
                raise TranscriptError(f"{transcript.name}:{lineno}: unknown setting {key}")
            values[key] = float(text) if "." in text else int(text)
    return ServerConfig(data_dir=data_dir, ds_port=0, ns_port=0, sb_port=0, **values)


class Directed(Protocol):
    """What the directives need of a server under test (the one-process server, or a cluster)."""

    def add_account(self, email: str, password: str, friendly: str | None = None, *, fname: str = "",
                    lname: str = "", city: str = "", state: str = "", country: str = "") -> Any: ...
    def set_mailbox(self, email: str, inbox_unread: int, folders_unread: int) -> None: ...


def apply_directives(server: Directed, transcript: Transcript) -> None:
    for lineno, name, args in transcript.directives:
        if name == "account":
            handle, password, friendly, *profile = args
            extra = dict(item.split("=", 1) for item in profile)
            server.add_account(handle, password, unquote(friendly),
                               **{k: unquote(v) for k, v in extra.items()})
        elif name == "mailbox":
            server.set_mailbox(args[0], int(args[1]), int(args[2]))
        elif name != "config":
            raise TranscriptError(f"{transcript.name}:{lineno}: unknown directive !{name}")


def addresses(server: MsnServer) -> dict[str, str]:
    return {name: f"{host}:{port}" for name, (host, port) in
            (("ds", server.ds_address), ("ns", server.ns_address), ("sb", server.sb_address))}


async def play(transcript: Transcript, data_dir: Path, *, timeout: float = 5.0) -> dict[str, str]:
    """Start a fresh server, apply the directives, run the transcript, close the server."""
    server = await MsnServer.start(transcript_config(data_dir, transcript))
    try:
        apply_directives(server, transcript)
        return await run_transcript(transcript, addresses(server), timeout=timeout)
    finally:
        await server.close()
