"""Framing: bytes to commands (:class:`Decoder`) and commands to bytes (:func:`encode`).

Sans-IO: the decoder is fed whatever the socket produced and returns whole commands, so the server
and the client engine share one tested parser and neither does its own buffering. The hot path is
``bytes.find`` + ``split`` + one dict lookup, because the switchboard relays every message; a MSG whose
payload is already buffered skips the per-field text decoding and the pending state (``_fast_msg``);
for the switchboard (``msg_runs=True``) consecutive ones come back as one :class:`MsgRun`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast

from . import fields
from .codes import AckMode
from .commands import Channel, Command, Error, Malformed, MsgSend, Sender, Unknown
from .encoders import ENCODERS
from .errors import BadPayloadLength, FramingError, LineTooLong, MalformedCommand, PayloadTooLarge
from .grammar import ACK_MODES, GRAMMARS, Grammar
from .limits import MAX_LINE_BYTES, MAX_NS_PAYLOAD, MAX_SB_PAYLOAD, MAX_TRID

RUN_MSG = re.compile(rb"MSG [0-9]{1,9} [UN] (0|[1-9][0-9]{0,11})\r\n")
"""The relay's common case in one C call: ``MSG t U|N n`` in canonical form (single spaces, CRLF, no
leading zero in the length), so ``n\r\n`` + payload can be relayed as the very bytes that were read.
A TrID of at most nine digits cannot exceed MAX_TRID. ``A`` (wants an ACK) and anything else take the
checked path, which gives the same result. Group 1 is the length."""
RUN_MSG_LONGEST = 4 + 9 + 1 + 1 + 1 + 12 + 2
"""Bytes in the longest line :data:`RUN_MSG` matches; a decoder with a smaller line cap does not use it."""


class MsgRun:
    """Consecutive well-formed client MSGs from one read, in order (``Decoder(msg_runs=True)``).

    The switchboard relays a whole run as its sender's ``MSG handle name `` prefix joined with
    ``bodies`` (each message's ``length\r\npayload``, canonical), one queued write per recipient, and
    pays for no ``MsgSend`` per message. ``acked`` says whether any message asked for an ACK (``A``):
    a delivered run of ``U``/``N`` messages owes its sender nothing, so nothing else is kept per
    message. The TrIDs and ack modes (for a NAK, or a run that arrives out of state) are read again
    from the run's bytes, ``source[begin:end]``, by the usual decoder, only when asked for.
    """

    __slots__ = ("acked", "begin", "bodies", "end", "max_line", "max_payload", "source")

    def __init__(self, source: bytes, begin: int, max_payload: int, max_line: int) -> None:
        self.bodies: list[bytes] = []
        self.acked = False
        self.source, self.begin, self.end = source, begin, begin
        self.max_payload, self.max_line = max_payload, max_line

    def as_commands(self) -> list[MsgSend]:
        """The same messages as the usual decoder gives them."""
        decoder = Decoder(Sender.CLIENT, Channel.SB, max_payload=self.max_payload, max_line=self.max_line)
        commands = decoder.feed(self.source[self.begin:self.end])
        assert decoder.buffered == 0 and all(type(c) is MsgSend for c in commands), "not a run of MSGs"
        return cast(list[MsgSend], commands)

    def acks(self) -> list[tuple[int, AckMode]]:
        """Each message's TrID and ack mode, in order."""
        return [(command.trid, command.ack) for command in self.as_commands()]

    def payloads(self) -> list[bytes]:
        return [command.payload for command in self.as_commands()]


class _PendingMsg:
    """A MSG line whose payload has not fully arrived yet."""

    __slots__ = ("args", "size")

    def __init__(self, args: list[str], size: int) -> None:
        self.args = args
        self.size = size


class Decoder:
    """Turns one direction of one connection's byte stream into commands.

    Per-line problems come back as values (``Malformed``, ``Unknown``, ``Error``) so a server can
    answer and carry on; a broken stream raises a FramingError, and keeps raising it, because
    nothing after that point can be trusted.
    """

    def __init__(self, sender: Sender, channel: Channel, *, max_payload: int | None = None,
                 max_line: int = MAX_LINE_BYTES, msg_runs: bool = False) -> None:
        """``msg_runs`` (client to SB only): consecutive well-formed MSGs whose payloads are buffered
        come back as one :class:`MsgRun` instead of one ``MsgSend`` each, the relay's hot path; read
        the commands with :meth:`feed_relay`. Anything else decodes exactly as without it."""
        self._grammar: Grammar = GRAMMARS[(Sender(sender), Channel(channel))]
        self._runs = msg_runs
        self._run_match = RUN_MSG.match if msg_runs and max_line >= RUN_MSG_LONGEST else None
        if msg_runs and (Sender(sender), Channel(channel)) != (Sender.CLIENT, Channel.SB):
            raise ValueError("msg_runs applies to what a client sends a switchboard")
        if max_payload is None:
            max_payload = MAX_SB_PAYLOAD if channel == Channel.SB else MAX_NS_PAYLOAD
        self._max_payload = max_payload
        self._max_line = max_line
        self._buffer = b""
        """The unfinished tail of what was fed (immutable: lines and payloads are sliced from it)."""
        self._pending: _PendingMsg | None = None
        self._failure: FramingError | None = None

    @property
    def buffered(self) -> int:
        """Bytes held waiting for the rest of a line or payload."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Command]:
        """Add ``data`` and return every command it completes (possibly none)."""
        return self._feed(data)

    def feed_relay(self, data: bytes) -> list[Command | MsgRun]:
        """:meth:`feed` for a decoder made with ``msg_runs=True``: MSGs may come back as runs."""
        return cast(list[Command | MsgRun], self._feed(data))

    def _feed(self, data: bytes) -> list[Command]:
        if self._failure is not None:
            raise self._failure
        try:
            return self._drain(data)
        except FramingError as exc:
            self._failure = exc
            self._buffer = b""
            self._pending = None
            raise

    def _drain(self, data: bytes) -> list[Command]:
        # Lines and payloads are sliced from one immutable snapshot (one allocation per slice, not two
        # as from a bytearray); only the unfinished tail is kept, so the copy is bounded by the limits.
        text = self._buffer + data if self._buffer else bytes(data)
        size = len(text)
        out: list[Command] = []
        start = 0
        fast_msg = self._grammar.fast_msg
        runs = self._runs
        run: Any = None
        acknowledged = AckMode.ACKNOWLEDGED
        ack_modes = ACK_MODES
        max_line, max_payload = self._max_line, self._max_payload
        run_match = self._run_match
        try:
            while True:
                pending = self._pending
                if pending is not None:
                    end = start + pending.size
                    if size < end:
                        break
                    self._pending = None
                    out.append(self._msg(pending.args, text[start:end]))
                    start = end
                    continue
                if run_match is not None and (head := run_match(text, start)) is not None:
                    # The relay's innermost loop: canonical U/N messages whose payloads are here are
                    # added to the run as read; anything else falls through to the checks below.
                    if run is None or out[-1] is not run:
                        run = MsgRun(text, start, max_payload, max_line)
                        out.append(run)
                    bodies = run.bodies
                    while head is not None:
                        length_start, length_end = head.span(1)
                        length_ = int(head[1])
                        end = length_end + 2 + length_
                        if end > size or length_ > max_payload:
                            break
                        bodies.append(text[length_start:end])
                        start = end
                        head = run_match(text, start) if start < size else None
                    run.end = start
                    if not bodies:  # not one: the run was made for nothing
                        out.pop()
                        run = None
                    # what stopped the run (if anything is left) is read by the general path below
                newline = text.find(b"\n", start)
                if newline < 0:
                    if size - start > max_line:
                        raise LineTooLong(f"no line end within {max_line} bytes")
                    break
                if newline + 1 - start > max_line:
                    raise LineTooLong(f"line of {newline + 1 - start} bytes exceeds {max_line}")
                line_start = start
                line = text[start:newline]
                start = newline + 1
                if fast_msg is not None and line.startswith(b"MSG "):
                    # The relay's hot path: a MSG whose payload is already here, its fields read as
                    # bytes. Anything unusual (bad or large length, payload still on its way, a field
                    # the fast parser does not vouch for) takes the general path below unchanged.
                    parts = line.split()
                    length = parts[-1]
                    if length.isdigit() and len(length) <= 12:
                        end = start + int(length)
                        if end - start <= max_payload and end <= size:
                            payload = text[start:end]
                            if runs and len(parts) == 4:
                                # grammar's _c_msg_fast inlined (the relay's innermost loop): a TrID of
                                # ASCII digits up to MAX_TRID and a known ack mode, else the usual path.
                                trid, ack = parts[1], ack_modes.get(parts[2])
                                if ack is not None and trid.isdigit() and len(trid) <= 10:
                                    number = int(trid)
                                    if number <= MAX_TRID:
                                        if run is None or out[-1] is not run:
                                            run = MsgRun(text, line_start, max_payload, max_line)
                                            out.append(run)
                                        run.bodies.append(b"%d\r\n%s" % (len(payload), payload))
                                        if ack is acknowledged:
                                            run.acked = True
                                        start = run.end = end
                                        continue
                            command = fast_msg(parts, payload)
                            if command is None:
                                command = self._msg(_decode_fields(parts)[1:], payload)
                            out.append(command)
                            start = end
                            continue
                command = self._line(line)
                if command is not None:
                    out.append(command)
        except FramingError as exc:
            exc.decoded = out
            raise
        finally:
            self._buffer = text[start:]  # b"" (no allocation) when all was read
        return out

    def _line(self, line: bytes) -> Command | None:
        parts = line.split()
        if not parts:
            return None  # empty or whitespace-only lines are ignored
        fields_ = _decode_fields(parts)
        name, args = fields_[0], fields_[1:]
        if name == "MSG":
            self._start_msg(args)
            return None
        if len(name) == 3 and name.isascii() and name.isdigit():
            trid = fields.optional_trid(args[0]) if args else None
            return Error(int(name), trid, tuple(args[1:] if trid is not None else args))
        parser = self._grammar.lines.get(name)
        if parser is None:
            return Unknown(name, tuple(args))
        try:
            return parser(args)
        except MalformedCommand as exc:
            return self._malformed(name, args, exc)

    def _start_msg(self, args: list[str]) -> None:
        length = args[-1] if args else ""
        if not fields.is_number(length):
            raise BadPayloadLength(f"MSG length is not a number: {length[:40]!r}")
        if len(length) > 12 or int(length) > self._max_payload:
            raise PayloadTooLarge(f"MSG payload of {length[:40]} bytes exceeds {self._max_payload}")
        self._pending = _PendingMsg(args, int(length))

    def _msg(self, args: list[str], payload: bytes) -> Command:
        parse = self._grammar.msg
        if parse is None:
            return self._malformed("MSG", args, MalformedCommand("MSG is not allowed from this side here"))
        try:
            return parse(args, payload)
        except MalformedCommand as exc:
            return self._malformed("MSG", args, exc)

    def _malformed(self, name: str, args: list[str], error: MalformedCommand) -> Malformed:
        has_trid = name not in self._grammar.no_trid and bool(args)
        trid = fields.optional_trid(args[0]) if has_trid else None
        return Malformed(name, trid, tuple(args), error)


def _decode_fields(parts: list[bytes]) -> list[str]:
    """Fields split on ASCII whitespace, as text: one decode for the line instead of one per field.

    Equivalent to decoding each field: no UTF-8 sequence spans the joining space, and surrogateescape
    maps every other byte on its own.
    """
    return b" ".join(parts).decode("utf-8", "surrogateescape").split(" ")


_UNSAFE_LINE = re.compile(r"[\r\n\t\x0b\x0c]|  | $")
"""A field that is empty or holds whitespace would shift every later field (or inject a line)."""


def encode(command: Command) -> bytes:
    """One canonical line (single spaces, CRLF), plus the payload for a MSG.

    Raises MalformedCommand instead of writing a line the peer would read differently, e.g. a handle
    typed by a user that contains a space or a line end.
    """
    fields_, payload = ENCODERS[type(command)](command)
    text = " ".join(fields_)
    if text.count(" ") != len(fields_) - 1 or _UNSAFE_LINE.search(text):
        raise MalformedCommand(f"a field of {type(command).__name__} is empty or contains whitespace")
    line = text.encode("utf-8", "surrogateescape") + b"\r\n"
    return line if payload is None else line + payload


def encode_many(commands: Iterable[Command]) -> bytes:
    return b"".join(encode(c) for c in commands)
