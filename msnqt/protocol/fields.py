"""Checks for single fields of a command line; each raises the specific MalformedCommand subclass.

Shared by the decoder's per-command parsers so every command reports a bad TrID, handle, status or
list name the same way (and the server can map the error class to the right numeric reply).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from .codes import AckMode, ListName, Status
from .errors import (
    InvalidAckMode,
    InvalidFriendlyName,
    InvalidListName,
    InvalidStatus,
    InvalidTrId,
    MalformedCommand,
)
from .limits import MAX_FRIENDLY_BYTES, MAX_TRID
from .names import check_handle, decode_friendly, decode_received_friendly, friendly_fits

_E = TypeVar("_E", bound=StrEnum)


def is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def trid(text: str) -> int:
    """A TrID: decimal, 0..4294967295."""
    if not is_number(text) or len(text) > 10 or int(text) > MAX_TRID:
        raise InvalidTrId(f"bad TrID: {text[:40]!r}")
    return int(text)


def optional_trid(text: str) -> int | None:
    try:
        return trid(text)
    except InvalidTrId:
        return None


def number(text: str, what: str) -> int:
    """A list version, index, count or similar: decimal, same range as a TrID."""
    if not is_number(text) or len(text) > 10 or int(text) > MAX_TRID:
        raise MalformedCommand(f"bad {what}: {text[:40]!r}")
    return int(text)


def handle(text: str) -> str:
    return check_handle(text)


def friendly(text: str) -> str:
    """A name a client sends (the server's side): refused when not UTF-8 or longer than the limit."""
    name = decode_friendly(text)
    if not friendly_fits(name):
        raise InvalidFriendlyName(f"friendly name longer than {MAX_FRIENDLY_BYTES} bytes encoded")
    return name


def received_friendly(text: str) -> str:
    """A name a server sends (the client's side): never refused, see ``names.decode_received_friendly``."""
    return decode_received_friendly(text)


def status(text: str, allowed: frozenset[Status] | None = None) -> Status:
    try:
        value = Status(text)
    except ValueError:
        raise InvalidStatus(f"unknown status: {text[:40]!r}") from None
    if allowed is not None and value not in allowed:
        raise InvalidStatus(f"status {text} not allowed here")
    return value


def list_name(text: str) -> ListName:
    try:
        return ListName(text)
    except ValueError:
        raise InvalidListName(f"unknown list: {text[:40]!r}") from None


def ack_mode(text: str) -> AckMode:
    try:
        return AckMode(text)
    except ValueError:
        raise InvalidAckMode(f"unknown ack mode: {text[:40]!r}") from None


def choice(enum: type[_E], text: str, what: str) -> _E:
    try:
        return enum(text)
    except ValueError:
        raise MalformedCommand(f"bad {what}: {text[:40]!r}") from None


def expect_count(args: list[str], *counts: int) -> None:
    if len(args) not in counts:
        wanted = " or ".join(str(c) for c in counts)
        raise MalformedCommand(f"expected {wanted} fields, got {len(args)}")


def expect_word(text: str, word: str) -> None:
    if text != word:
        raise MalformedCommand(f"expected {word!r}, got {text[:40]!r}")
