"""What the engine has learned about particular servers, so it does not trip over the same thing twice.

Why: MSNP2 servers differ (msnp2-reference §8). Most differences are absorbed by reading server lines
liberally, but one costs a whole connection: the Go MSNP2 server (§8.4) closes the notification
connection on ``PNG``, and a server that ignores ``PNG`` would make the keep-alive declare a healthy
connection dead. Once seen, the engine signs in to that server without ``PNG`` (a ``SYN`` with the
current list version is the round-trip barrier instead) and sends no keep-alive to it.

A server may also close a switchboard connection on a MSG the others relay (the Go server closes on more
than 462 bytes, §8.4): once a long message was lost that way, the engine re-sends it there in parts of
the 1.0 client's 400 characters and sends every later message so.

Likewise a request a server never answers at all (Escargot 2025 has no ``FND``, §8.3): once it has passed
over one (``services.py``), the engine says "this server has no member directory" at once, without asking.

The record is per server address as the user configured it, and shared by every engine of the process
(an app that signs in again, a CLI that runs several engines). ``export``/``load`` and ``on_change`` let
an app keep it across runs (the GUI stores it with its other settings).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import MessengerError
from .login import parse_server_address


def server_key(server: str) -> str:
    """``host:port`` in one spelling (host lower-cased, default port written out)."""
    host, port = parse_server_address(server)
    return f"{host.lower()}:{port}"


class ServerQuirks:
    def __init__(self) -> None:
        self._no_ping: set[str] = set()
        self._unanswered: set[tuple[str, str]] = set()
        self._small_messages: set[str] = set()
        self.on_change: Callable[[], None] | None = None
        """Called after something new was learned (to store ``export()``)."""

    def answers_ping(self, server: str) -> bool:
        """False once ``server`` dropped the connection on PNG or left one unanswered."""
        return server_key(server) not in self._no_ping

    def remember_no_ping(self, server: str) -> None:
        self._learn(self._no_ping, server_key(server))

    def takes_long_messages(self, server: str) -> bool:
        """False once ``server`` closed a switchboard on a MSG longer than ``SMALL_SB_PAYLOAD``."""
        return server_key(server) not in self._small_messages

    def remember_small_messages(self, server: str) -> None:
        self._learn(self._small_messages, server_key(server))

    def answers(self, server: str, command: str) -> bool:
        """False once ``server`` left a ``command`` request (FND, URL, SND) without any reply."""
        return (server_key(server), command) not in self._unanswered

    def remember_unanswered(self, server: str, command: str) -> None:
        self._learn(self._unanswered, (server_key(server), command))

    def _learn(self, known: set[Any], item: object) -> None:
        if item not in known:
            known.add(item)
            if self.on_change is not None:
                self.on_change()

    def export(self) -> str:
        """What is known, one ``host:port<TAB>what`` a line (``what``: ``no-ping`` or the command left
        unanswered, or ``small-messages``): plain text an app can keep in its settings file."""
        lines = [f"{key}\tno-ping" for key in sorted(self._no_ping)]
        lines += [f"{key}\tsmall-messages" for key in sorted(self._small_messages)]
        lines += [f"{key}\t{command}" for key, command in sorted(self._unanswered)]
        return "\n".join(lines)

    def load(self, text: str) -> None:
        """Add what ``export`` wrote; a line that does not parse (an edited file) is skipped."""
        for line in text.splitlines():
            key, _tab, what = line.partition("\t")
            try:
                key = server_key(key)
            except MessengerError:
                continue
            if what == "no-ping":
                self._no_ping.add(key)
            elif what == "small-messages":
                self._small_messages.add(key)
            elif what in ("FND", "URL", "SND"):
                self._unanswered.add((key, what))

    def forget(self, server: str) -> None:
        key = server_key(server)
        self._no_ping.discard(key)
        self._small_messages.discard(key)
        self._unanswered = {entry for entry in self._unanswered if entry[0] != key}

    def clear(self) -> None:
        self._no_ping.clear()
        self._small_messages.clear()
        self._unanswered.clear()


SHARED_QUIRKS = ServerQuirks()
"""The default record, shared by the engines of this process."""
