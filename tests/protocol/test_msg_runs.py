"""``Decoder(msg_runs=True)``: the switchboard's relay path reads the same stream as the usual decoder.

The SB front asks for consecutive well-formed, buffered MSGs as one ``MsgRun`` of ``(trid, ack,
payload)`` tuples so it need not build a ``MsgSend`` per message. Expanding each run must give exactly
what the usual decoder gives, for good and bad lines, whole or byte by byte, and framing errors alike.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from msnqt.protocol import AckMode, Channel, Decoder, FramingError, Out, Sender
from msnqt.protocol.wire import MsgRun

from .test_msg_fast_path import comparable, msg_streams

SB = (Sender.CLIENT, Channel.SB)


def decode(chunks: list[bytes], *, runs: bool) -> tuple[list[Any], Any]:
    decoder = Decoder(*SB, msg_runs=runs)
    feed = decoder.feed_relay if runs else decoder.feed
    out: list[Any] = []
    for chunk in chunks:
        try:
            decoded: list[Any] = list(feed(chunk))
        except FramingError as exc:
            out += [comparable(c) for c in expand(exc.decoded)]
            return out, (type(exc), str(exc))
        out += [comparable(c) for c in expand(decoded)]
    return out, decoder.buffered


def expand(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        out += value.as_commands() if isinstance(value, MsgRun) else [value]
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stream=msg_streams(), bytewise=st.booleans())
@example(stream=b"MSG 4294967296 A 2\r\nhiOUT\r\n", bytewise=False)  # TrID over the maximum
@example(stream=b"MSG 1 U 1665\r\n" + b"x" * 1665 + b"OUT\r\n", bytewise=False)  # over the SB cap
def test_run_decoding_agrees_with_the_usual_decoder(stream: bytes, bytewise: bool) -> None:
    chunks = [stream[i:i + 1] for i in range(len(stream))] if bytewise else [stream]
    assert decode(chunks, runs=True) == decode(chunks, runs=False)


def test_consecutive_buffered_messages_come_back_as_one_run_in_order() -> None:
    decoder = Decoder(*SB, msg_runs=True)
    first, out, second = decoder.feed_relay(b"MSG 7 A 2\r\nhiMSG 8 N 0\r\nOUT\r\nMSG 9 U 1\r\nx")
    assert isinstance(first, MsgRun) and isinstance(second, MsgRun)
    assert first.messages == [(7, AckMode.ACKNOWLEDGED, b"hi"), (8, AckMode.NAK_ONLY, b"")] and first.acked
    assert out == Out(None)
    assert second.messages == [(9, AckMode.UNACKNOWLEDGED, b"x")] and not second.acked


def test_only_a_switchboard_reading_a_client_takes_runs() -> None:
    with pytest.raises(ValueError):
        Decoder(Sender.SERVER, Channel.SB, msg_runs=True)
