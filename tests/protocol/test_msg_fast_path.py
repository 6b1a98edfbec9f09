"""The decoder's MSG fast path gives exactly what the general path gives, for good and bad lines alike.

A whole buffered MSG is read from bytes (``Grammar.fast_msg``); the same bytes fed one at a time never
have the payload buffered with the line, so they always take the general path. A peer must not be
able to tell the two apart: same commands, same Malformed reasons, same framing errors.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from msnqt.protocol import (
    AckMode,
    Channel,
    Decoder,
    FramingError,
    Malformed,
    MsgRelay,
    MsgSend,
    Sender,
)

TRIDS = st.sampled_from(["1", "0", "4294967295", "4294967296", "00000000001", "12345678901", "x1", "\u0661"])
ACKS = st.sampled_from(["U", "N", "A", "u", "X", "UU"])
SENDERS = st.sampled_from(["alice@example.com", "bob@mail.example.org", "not-a-handle", "Hotmail", "a@b"])
NAMES = st.sampled_from(["Alice", "Alice%20Smith", "%E2%98%83", "%FF", "%", "caf\u00e9", "%41" * 200,
                         "Hotmail"])
ANY = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12)
LENGTH = st.one_of(st.integers(0, 40).map(str), st.sampled_from(["1664", "1665", "8192", "8193", "1e3",
                                                                 "-1", "0000000000005", "\u0663"]))
SHAPES = st.one_of(
    st.tuples(TRIDS, ACKS).map(list),                      # a client's MSG t U n
    st.tuples(SENDERS, NAMES).map(list),                   # a relayed MSG handle name n
    st.lists(st.one_of(TRIDS, ACKS, SENDERS, NAMES, ANY), max_size=3),  # anything else
)
SEPARATOR = st.sampled_from([" ", " ", " ", "  ", "\t"])
SIDES = [(Sender.CLIENT, Channel.SB), (Sender.SERVER, Channel.SB), (Sender.SERVER, Channel.NS),
         (Sender.CLIENT, Channel.NS)]


@st.composite
def msg_streams(draw: Any) -> bytes:
    """Up to three MSG lines (well-formed or not) with their payloads, each followed by an OUT line."""
    out = b""
    for _ in range(draw(st.integers(1, 3))):
        fields = [*draw(SHAPES), draw(LENGTH)]
        line = "MSG" + "".join(draw(SEPARATOR) + field for field in fields)
        length = fields[-1]
        size = int(length) if length.isascii() and length.isdigit() and int(length) < 10_000 else 0
        payload = draw(st.binary(min_size=1, max_size=1)) * size
        out += line.encode("utf-8") + draw(st.sampled_from([b"\r\n", b"\n", b" \r\n"])) + payload
        out += b"OUT\r\n"
    return out


def comparable(command: Any) -> Any:
    if isinstance(command, Malformed):
        error = command.error
        return ("Malformed", command.name, command.trid, command.args, type(error), str(error))
    return command


def decode(side: tuple[Sender, Channel], chunks: list[bytes]) -> tuple[list[Any], Any]:
    decoder = Decoder(*side)
    out: list[Any] = []
    for chunk in chunks:
        try:
            out += [comparable(c) for c in decoder.feed(chunk)]
        except FramingError as exc:
            out += [comparable(c) for c in exc.decoded]
            return out, (type(exc), str(exc))
    return out, decoder.buffered


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stream=msg_streams(), side=st.sampled_from(SIDES))
@example(stream=b"MSG 00000000001 U 2\r\nhiOUT\r\n", side=SIDES[0])  # 11 digits: not a TrID
@example(stream=b"MSG 1 U 1665\r\n" + b"x" * 1665 + b"OUT\r\n", side=SIDES[0])  # over the SB cap
@example(stream=b"MSG 1 U 0000000000005\r\nhelloOUT\r\n", side=SIDES[0])  # 13-digit length
@example(stream=b"MSG a@b.example %FF 2\r\nhiOUT\r\n", side=SIDES[1])  # name not UTF-8 once decoded
def test_whole_and_byte_by_byte_decoding_agree(stream: bytes, side: tuple[Sender, Channel]) -> None:
    whole = decode(side, [stream])
    bytewise = decode(side, [stream[i:i + 1] for i in range(len(stream))])
    assert whole == bytewise


def test_a_window_of_messages_in_one_read_arrives_complete_and_in_order() -> None:
    body = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nmessage "
    stream = b"".join(b"MSG %d U %d\r\n" % (n, len(body) + 3) + body + b"%03d" % n for n in range(32))
    commands = Decoder(Sender.CLIENT, Channel.SB).feed(stream)
    assert commands == [MsgSend(n, AckMode.UNACKNOWLEDGED, body + b"%03d" % n) for n in range(32)]


def test_a_relayed_message_split_inside_its_payload_is_joined() -> None:
    decoder = Decoder(Sender.SERVER, Channel.SB)
    stream = b"MSG alice@example.com Alice%20Smith 5\r\nhello"
    assert decoder.feed(stream[:-2]) == []
    assert decoder.feed(stream[-2:]) == [MsgRelay("alice@example.com", "Alice Smith", b"hello")]
    assert decoder.buffered == 0


def test_a_bad_sender_in_a_fully_buffered_message_is_malformed_and_framing_survives() -> None:
    decoder = Decoder(Sender.SERVER, Channel.SB)
    commands = decoder.feed(b"MSG not-a-handle Name 2\r\nhiMSG bob@example.com Bob 2\r\nok")
    assert isinstance(commands[0], Malformed) and commands[0].name == "MSG"
    assert commands[1] == MsgRelay("bob@example.com", "Bob", b"ok")
