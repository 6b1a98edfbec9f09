"""Property tests: encode/decode are inverse, chunking never matters, garbage never crashes."""

from __future__ import annotations

import typing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msnqt.protocol import Channel, Command, Decoder, Malformed, ProtocolError, Sender, Unknown, encode
from msnqt.protocol import commands as commands_module
from msnqt.protocol.encoders import ENCODERS

from .strategies import BY_DIRECTION, DIRECTIONS

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize(("sender", "channel"), DIRECTIONS)
@SETTINGS
@given(data=st.data())
def test_decode_of_encode_is_identity(sender: Sender, channel: Channel, data: st.DataObject) -> None:
    command = data.draw(BY_DIRECTION[(sender, channel)])
    assert Decoder(sender, channel).feed(encode(command)) == [command]


@pytest.mark.parametrize(("sender", "channel"), DIRECTIONS)
@SETTINGS
@given(data=st.data())
def test_any_chunking_gives_the_same_commands(sender: Sender, channel: Channel, data: st.DataObject) -> None:
    commands = data.draw(st.lists(BY_DIRECTION[(sender, channel)], min_size=1, max_size=12))
    stream = b"".join(encode(c) for c in commands)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=20)))
    decoder = Decoder(sender, channel)
    got: list[Command] = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        got += decoder.feed(stream[start:end])
    assert got == commands
    assert decoder.buffered == 0


def _feed_all(decoder: Decoder, chunks: list[bytes]) -> None:
    for chunk in chunks:
        try:
            decoder.feed(chunk)
        except ProtocolError:
            return


@pytest.mark.parametrize(("sender", "channel"), DIRECTIONS)
@SETTINGS
@given(chunks=st.lists(st.binary(max_size=200), max_size=10))
def test_random_bytes_raise_only_protocol_errors(
    sender: Sender, channel: Channel, chunks: list[bytes]
) -> None:
    _feed_all(Decoder(sender, channel, max_line=128), chunks)


_NAMES = ["VER", "INF", "USR", "XFR", "CVR", "CVQ", "SYN", "LST", "GTC", "BLP", "ADD", "REM", "REA", "CHG",
          "ILN", "NLN", "FLN", "RNG", "URL", "FND", "SND", "PNG", "QNG", "OUT", "CAL", "ANS", "IRO", "JOI",
          "BYE", "MSG", "ACK", "NAK", "200", "911"]
_WORDS = ["0", "1", "4294967296", "-1", "MD5", "I", "S", "OK", "NS", "SB", "CKI", "FL", "AL", "BL", "RL", "A",
          "N", "U", "NLN", "FLN", "HDN", "RINGING", "a@b.cd", "x" * 130 + "@b.cd", "%C3", "%E9", "%zz",
          "fname=a", "lname=*", "city=*", "state=*", "country=*", "3", "\xff"]
_lines = st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=6)), max_size=8).flatmap(
    lambda words: st.sampled_from(_NAMES).map(lambda name: " ".join([name, *words]))
)


@pytest.mark.parametrize(("sender", "channel"), DIRECTIONS)
@SETTINGS
@given(lines=st.lists(_lines, min_size=1, max_size=6), tail=st.binary(max_size=40))
def test_command_shaped_garbage_raises_only_protocol_errors(
    sender: Sender, channel: Channel, lines: list[str], tail: bytes
) -> None:
    stream = "\r\n".join(lines).encode("utf-8", "surrogatepass") + b"\r\n" + tail
    decoder = Decoder(sender, channel)
    try:
        for command in decoder.feed(stream):
            encode(command)  # whatever came back can be written to a log again
    except ProtocolError:
        pass


def test_every_command_type_has_an_encoder() -> None:
    union = typing.get_args(commands_module.Command)
    assert set(union) == set(ENCODERS)
    assert Unknown in union and Malformed in union
