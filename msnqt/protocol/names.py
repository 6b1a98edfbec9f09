"""Handles, friendly names and ``host:port`` addresses (msnp2-reference §1.1, §1.5).

Friendly names travel URL-encoded because a parameter may not contain whitespace. We encode
conservatively (every non-ASCII byte, space, ``%`` and controls) because the 1.0 client expects
``%XX`` for anything outside 7-bit ASCII, and we decode liberally because other servers encode
more (``%40``) or less (raw UTF-8).
"""

from __future__ import annotations

import re

from .errors import InvalidFriendlyName, InvalidHandle, MalformedCommand
from .limits import MAX_FRIENDLY_BYTES, MAX_HANDLE_BYTES

_HEX = "0123456789ABCDEF"
# Byte -> wire text. Built once so encoding is a table lookup per byte.
_ENCODE_TABLE: tuple[str, ...] = tuple(
    f"%{_HEX[b >> 4]}{_HEX[b & 15]}" if (b <= 0x20 or b == 0x25 or b >= 0x7F) else chr(b)
    for b in range(256)
)
_NEEDS_ENCODING = re.compile(r"[^\x21-\x24\x26-\x7e]")
_PERCENT_ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})")
_HANDLE_SHAPE = re.compile(
    r"[A-Za-z0-9._%+\-!#$&'*/=?^`{|}~]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+",
    re.ASCII,
)


def encode_friendly(name: str) -> str:
    """UTF-8, then ``%XX`` (upper-case) for space, ``%``, controls and every byte >= 0x80."""
    if not _NEEDS_ENCODING.search(name):
        return name  # the common case: plain ASCII without spaces
    try:
        # surrogateescape gives back the exact bytes of a name the decoder could not read as UTF-8
        data = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate from a UI widget: send "?" rather than fail
        data = name.encode("utf-8", "replace")
    return "".join([_ENCODE_TABLE[b] for b in data])


def decode_friendly(text: str) -> str:
    """Undo ``%XX`` (either case, anywhere); a ``%`` without two hex digits stays literal.

    Raises InvalidFriendlyName when the decoded bytes are not UTF-8, so a peer can be answered
    instead of receiving mojibake.
    """
    if "%" not in text and text.isascii():
        return text
    raw = text.encode("utf-8", "surrogateescape")
    decoded = _PERCENT_ESCAPE.sub(lambda m: bytes((int(m.group(1), 16),)), raw)
    try:
        return decoded.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFriendlyName(f"friendly name is not valid UTF-8 after %XX decoding: {text!r}") from exc


def decode_received_friendly(text: str) -> str:
    """The lenient decoding for names a *server* sends us: never refuses, always fits the limit.

    One contact's Latin-1 ``%E9`` or over-long name must not cost the user the whole sign-in, so bytes
    that are not UTF-8 become U+FFFD and a name longer than the limit is clipped (at a character) to
    what fits. The result always fits, so the client can send it back (``ADD AL`` when allowing the
    person, ``REA``) without the server refusing it. The server decodes what clients send strictly
    (``decode_friendly``): it is where a bad name must be answered with an error.
    """
    if "%" not in text and text.isascii():
        name = text
    else:
        raw = text.encode("utf-8", "surrogateescape")
        name = _PERCENT_ESCAPE.sub(lambda m: bytes((int(m.group(1), 16),)), raw).decode("utf-8", "replace")
    return name if friendly_fits(name) else clip_friendly(name)


def clip_friendly(name: str) -> str:
    """``name`` cut at a character boundary so that its encoded form fits the 387-byte limit."""
    size = 0
    for index, char in enumerate(name):
        size += len(encode_friendly(char))
        if size > MAX_FRIENDLY_BYTES:
            return name[:index]
    return name


def friendly_fits(name: str) -> bool:
    """True when the encoded name is within the 387-byte limit of the draft (§5.5)."""
    return len(encode_friendly(name)) <= MAX_FRIENDLY_BYTES  # encoded form is pure ASCII


def is_valid_handle(handle: str) -> bool:
    """At most 129 bytes and shaped like ``local@domain.tld``."""
    return (
        len(handle) <= MAX_HANDLE_BYTES
        and handle.isascii()
        and _HANDLE_SHAPE.fullmatch(handle) is not None
    )


def check_handle(handle: str) -> str:
    """Return ``handle`` unchanged, or raise InvalidHandle saying why it was refused."""
    if not is_valid_handle(handle):
        if len(handle.encode("utf-8", "surrogateescape")) > MAX_HANDLE_BYTES:
            raise InvalidHandle(f"handle longer than {MAX_HANDLE_BYTES} bytes")
        raise InvalidHandle(f"handle is not an e-mail address: {handle!r}")
    return handle


def same_handle(a: str, b: str) -> bool:
    """Handles compare case-insensitively (the service lower-cases e-mail addresses)."""
    return a.casefold() == b.casefold()


def split_address(address: str, default_port: int = 1863) -> tuple[str, int]:
    """Split ``host[:port]`` from XFR/RNG; the draft lets the port be missing (§7.4 → 1863)."""
    host, colon, port_text = address.rpartition(":")
    if not colon:
        host, port_text = address, ""
    if not host:
        raise MalformedCommand(f"address without a host: {address!r}")
    if not port_text:
        return host, default_port
    if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
        raise MalformedCommand(f"bad port in address: {address!r}")
    return host, int(port_text)
