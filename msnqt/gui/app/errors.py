"""Turning any failure into one readable sentence for the user (never a traceback)."""

from __future__ import annotations

from msnqt.client.errors import Undelivered


def user_message(exc: BaseException, fallback: str = "Something went wrong.") -> str:
    """The engine's own ``user_message`` when it has one, else a short generic sentence."""
    message = getattr(exc, "user_message", None)
    if isinstance(message, str) and message:
        return message
    return fallback


def is_undelivered(exc: BaseException) -> bool:
    """True for the engine's ``Undelivered`` (a message that reached nobody; its text is shown again)."""
    return isinstance(exc, Undelivered)
