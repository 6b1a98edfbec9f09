"""How quickly the demo contacts act: lively defaults for people, tiny values for tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DemoTimings:
    """Seconds. The defaults make the demo feel alive within a few seconds of signing in."""

    reply_delay: float = 1.5
    """How long the answering bot shows "is typing" before its reply arrives."""
    status_interval: float = 45.0
    """How long the moody bot keeps each status before moving to the next (one tour, then online)."""
    invite_delay: float = 3.0
    """How long after the user comes online the host bot starts the three-person conversation."""
    request_timeout: float = 10.0
    """The bots' engine request timeout (loopback answers in milliseconds)."""
