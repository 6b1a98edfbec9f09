"""MSG payloads: the MIME-style header block and body (msnp2-reference §2.3, §3.2, §3.3).

The switchboard relays payloads untouched, so parsing must be lossless: headers keep their order and
spelling, unknown ones included, and :func:`build_message` of a parsed payload gives back the same
bytes. Parsing is lenient (bare LF, any Content-Type spacing/case) because peers differ.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import InvalidMessage
from .limits import MAX_SB_PAYLOAD, SMALL_SB_PAYLOAD

CONTENT_PLAIN = "text/plain"
CONTENT_CONTROL = "text/x-msmsgscontrol"
CONTENT_PROFILE = "text/x-msmsgsprofile"
CONTENT_EMAIL = "application/x-msmsgsemailnotification"

PLAIN_TEXT_HEADER = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
MAX_PLAIN_TEXT_BYTES = MAX_SB_PAYLOAD - len(PLAIN_TEXT_HEADER)
"""The most UTF-8 text one plain-text MSG can carry (1602)."""
SMALL_PLAIN_TEXT_BYTES = SMALL_SB_PAYLOAD - len(PLAIN_TEXT_HEADER)
"""The same on a server that closes on MSGs over ``SMALL_SB_PAYLOAD`` (400)."""

DEFAULT_CHARSET = "iso-8859-1"
"""What a MIME body without a charset parameter is (RFC 2045 says us-ascii; 1.0 wrote Latin-1)."""

_HEADER_END = re.compile(rb"\r?\n\r?\n")


@dataclass(frozen=True, slots=True)
class MessageBody:
    """A parsed payload: ordered headers and the raw body bytes."""

    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    @property
    def content_type(self) -> str:
        """Lower-case MIME type without parameters; "" when there is no Content-Type."""
        value = self.header("Content-Type")
        if value is None:
            return ""
        return value.split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str:
        """Lower-case charset parameter; ``iso-8859-1`` when missing."""
        value = self.header("Content-Type")
        if value is not None:
            for param in value.split(";")[1:]:
                key, _, val = param.partition("=")
                if key.strip().lower() == "charset":
                    charset = val.strip().strip('"').strip().lower()
                    if charset:
                        return charset
        return DEFAULT_CHARSET

    def text(self) -> str:
        """The body decoded with its charset; undecodable bytes become U+FFFD, never an exception."""
        try:
            return self.body.decode(self.charset, errors="replace")
        except LookupError:  # a charset Python does not know: UTF-8 is the best guess
            return self.body.decode("utf-8", errors="replace")

    @property
    def is_plain_text(self) -> bool:
        return self.content_type == CONTENT_PLAIN

    @property
    def is_typing(self) -> bool:
        return self.content_type == CONTENT_CONTROL and self.header("TypingUser") is not None


def parse_message(payload: bytes) -> MessageBody:
    """Split a payload into headers and body; InvalidMessage when there is no header block."""
    if payload.startswith(b"\r\n") or payload.startswith(b"\n"):
        raise InvalidMessage("payload starts with a blank line: no header block")
    end = _HEADER_END.search(payload)
    if end is None:
        raise InvalidMessage("payload has no blank line ending its header block")
    headers: list[tuple[str, str]] = []
    for raw_line in payload[: end.start()].split(b"\n"):
        line = raw_line[:-1] if raw_line.endswith(b"\r") else raw_line
        name, colon, value = line.partition(b":")
        if not colon or not name.strip():
            raise InvalidMessage(f"header line without 'Name:': {line[:80]!r}")
        headers.append((
            name.decode("utf-8", "surrogateescape"),
            value.lstrip(b" \t").decode("utf-8", "surrogateescape"),
        ))
    return MessageBody(tuple(headers), payload[end.end():])


def build_message(headers: Sequence[tuple[str, str]], body: bytes = b"") -> bytes:
    """``Name: value`` CRLF lines, a blank line, then ``body``: the inverse of parse_message."""
    parts = []
    for name, value in headers:
        if any(c in name or c in value for c in "\r\n") or ":" in name or not name:
            raise ValueError(f"header cannot be written on one line: {name!r}: {value!r}")
        parts.append(f"{name}: {value}\r\n")
    parts.append("\r\n")
    return "".join(parts).encode("utf-8", "surrogateescape") + body


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def plain_text_payload(text: str) -> bytes:
    """A text/plain UTF-8 message; line ends become CRLF as the 1.0 client writes them."""
    return PLAIN_TEXT_HEADER + _crlf(text).encode("utf-8")


def typing_payload(handle: str) -> bytes:
    """The typing notification the 1.0 client sends about every 5 s (its body is one CRLF)."""
    return build_message(
        [("MIME-Version", "1.0"), ("Content-Type", CONTENT_CONTROL), ("TypingUser", handle)], b"\r\n"
    )


def profile_payload(login_time: int) -> bytes:
    """The NS profile MSG after login; in MSNP2 its only field is LoginTime."""
    return build_message([
        ("MIME-Version", "1.0"),
        ("Content-Type", f"{CONTENT_PROFILE}; charset=UTF-8"),
        ("LoginTime", str(login_time)),
    ])


def mail_summary_payload(inbox_unread: int, folders_unread: int) -> bytes:
    """The NS mailbox summary (MSNP2 content type) whose fields sit in the body, not the headers."""
    body = (
        f"Inbox-Unread: {inbox_unread}\r\nFolders-Unread: {folders_unread}\r\n"
        "Inbox-URL: /cgi-bin/HoTMaiL\r\nFolders-URL: /cgi-bin/folders\r\n"
        "Post-URL: http://www.hotmail.com\r\n\r\n"
    )
    return build_message(
        [("MIME-Version", "1.0"), ("Content-Type", f"{CONTENT_EMAIL}; charset=UTF-8")], body.encode()
    )


def split_text(text: str, max_bytes: int = MAX_PLAIN_TEXT_BYTES) -> list[str]:
    """Cut ``text`` into chunks whose UTF-8 fits ``max_bytes``, for sending as several MSGs.

    Line ends are first normalised to CRLF (what plain_text_payload sends, so the limit is measured
    on the bytes that really go out). The chunks joined give back the whole normalised text: nothing
    is dropped, no character is split, and a CRLF is never torn apart. A chunk ends after whitespace
    when there is some to break at. An empty text gives no chunks.
    """
    if max_bytes < 4:
        raise ValueError("max_bytes must hold at least one UTF-8 character (4 bytes)")
    rest = _crlf(text)
    chunks: list[str] = []
    while rest:
        data = rest.encode("utf-8", "surrogatepass")
        if len(data) <= max_bytes:
            chunks.append(rest)
            break
        cut = max_bytes
        while data[cut] & 0xC0 == 0x80:  # inside a multi-byte character: back off to its start
            cut -= 1
        head = data[:cut].decode("utf-8", "surrogatepass")
        if head.endswith("\r") and rest[len(head)] == "\n":
            head = head[:-1]
        space = max(head.rfind(" "), head.rfind("\t"), head.rfind("\n"))
        if space > 0:
            head = head[: space + 1]
        chunks.append(head)
        rest = rest[len(head):]
    return chunks
