"""``Decoder(msg_runs=True)``: the switchboard's relay path reads the same stream as the usual decoder.

The SB front asks for consecutive well-formed, buffered MSGs as one ``MsgRun`` (each message's
``length\r\npayload`` body as it will be relayed, and its TrID and ack mode) so it need not build a
``MsgSend`` per message. Expanding each run must give exactly what the usual decoder gives, for good
and bad lines, whole or byte by byte, and framing errors alike; each body must be the canonical
relayed form of its payload, whatever spelling of the line it came from.
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
        if isinstance(value, MsgRun):
            for body, payload in zip(value.bodies, value.payloads(), strict=True):
                assert body == b"%d\r\n%s" % (len(payload), payload)  # what the SB relays, canonical
            assert value.acked == any(ack is AckMode.ACKNOWLEDGED for _, ack in value.acks())
            out += value.as_commands()  # zip(strict=True) inside: as many heads as bodies
        else:
            out.append(value)
    return out


MESSAGES = st.one_of(
    st.builds(lambda trid, ack, text, end: b"MSG %s %s %d%s%s" % (trid, ack, len(text), end, text),
              st.sampled_from([b"1", b"42", b"999999999", b"1000000000", b"4294967295", b"007"]),
              st.sampled_from([b"U", b"N", b"A"]), st.binary(max_size=12),
              st.sampled_from([b"\r\n", b"\r\n", b"\n"])),
    st.sampled_from([b"MSG 1 U 05\r\nhello", b"MSG 1  N 2\r\nhi", b"MSG 2 U 2\r\nMSG 3 U 0\r\n",
                     b"OUT\r\n", b"CAL 4 bob@example.com\r\n", b"MSG 5 U 1665\r\n", b"MSG 6 X 1\r\nx",
                     b"\r\n", b"  \n"]),  # blank lines are ignored, inside a run too
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(MESSAGES, min_size=1, max_size=8), cut=st.integers(0, 200))
def test_consecutive_messages_decode_as_runs_that_agree_with_the_usual_decoder(
        messages: list[bytes], cut: int) -> None:
    """Runs of canonical and odd spellings, whole or split anywhere (a payload still on its way)."""
    stream = b"".join(messages)
    for chunks in ([stream], [stream[:cut], stream[cut:]]):
        assert decode(chunks, runs=True) == decode(chunks, runs=False)


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
    assert first.acks() == [(7, AckMode.ACKNOWLEDGED), (8, AckMode.NAK_ONLY)] and first.acked
    assert first.bodies == [b"2\r\nhi", b"0\r\n"]
    assert out == Out(None)
    assert second.acks() == [(9, AckMode.UNACKNOWLEDGED)] and not second.acked
    assert second.payloads() == [b"x"]


def test_a_run_relays_every_spelling_of_a_length_in_canonical_form() -> None:
    decoder = Decoder(*SB, msg_runs=True)
    (run,) = decoder.feed_relay(b"MSG 1 U 05\r\nhelloMSG 2 N 2\nhiMSG 3  U 1\r\n!MSG 4 U 3\r\nabc")
    assert isinstance(run, MsgRun)
    assert run.bodies == [b"5\r\nhello", b"2\r\nhi", b"1\r\n!", b"3\r\nabc"]


def test_only_a_switchboard_reading_a_client_takes_runs() -> None:
    with pytest.raises(ValueError):
        Decoder(Sender.SERVER, Channel.SB, msg_runs=True)
