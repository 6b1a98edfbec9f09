"""The load scenarios; each is ``async def run(config, recorder) -> None`` (see bench/README.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..config import LoadConfig
from ..recorder import Recorder
from . import bystander, hold, login, presence, relay

Scenario = Callable[[LoadConfig, Recorder], Awaitable[None]]

SCENARIOS: dict[str, tuple[Scenario, str]] = {
    "login": (login.run, "logins"),
    "presence": (presence.run, "status changes"),
    "relay": (relay.run, "messages delivered"),
    "hold": (hold.run, "keep-alive round trips"),
    "bystander": (bystander.run, "bystander round trips"),
}
