"""Property tests: encode/decode are inverse, chunking never matters, garbage never crashes."""

from __future__ import annotations

import typing

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from msnqt.protocol import (
    Channel,
    Command,
    Decoder,
    FndResult,
    Malformed,
    ProtocolError,
    Sender,
    Unknown,
    encode,
    friendly_fits,
)
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


_NAME_FIELDS = ("friendly", "sender_friendly", "caller_friendly")
_HOSTILE_NAMES = ["Jos%E9", "%C3", "%C3%28", "%ED%A0%80", "%FF%FE", "x" * 400, "%C3%A9" * 70, "\xe9t\xe9",
                  "%0Aeve@hotmail.com%09NLN", "%1B]0;title%07", "\x1b[2J", "<b>A</b><!--", "%00", "%", "%2"]
_SERVER_LINES = ["LST 5 FL 1 1 1 bob@hotmail.com {name}", "ILN 6 NLN bob@hotmail.com {name}",
                 "NLN BSY bob@hotmail.com {name}", "ADD 0 RL 2 bob@hotmail.com {name}",
                 "REA 7 3 alice@hotmail.com {name}", "USR 4 OK alice@hotmail.com {name}",
                 "RNG 1 127.0.0.1:1 CKI ck bob@hotmail.com {name}", "JOI bob@hotmail.com {name}",
                 "IRO 1 1 1 bob@hotmail.com {name}", "MSG bob@hotmail.com {name} 0",
                 "FND 3 1 1 fname={name} lname=a city=* state=* country=*"]
_names = st.one_of(st.sampled_from(_HOSTILE_NAMES), st.text(max_size=50).map(lambda t: t.replace(" ", "%20")),
                   st.binary(max_size=450).map(lambda b: b.decode("utf-8", "surrogateescape")))  # raw bytes


@SETTINGS
@given(template=st.sampled_from(_SERVER_LINES), name=_names)
@example(template=_SERVER_LINES[0], name="Jos%E9")  # the corpus: each of these failed a sign-in
@example(template=_SERVER_LINES[0], name="x" * 400)
@example(template=_SERVER_LINES[2], name="%1B]0;pwned%07%1B[2J")
@example(template=_SERVER_LINES[7], name="<b>Alice</b><!--")
def test_a_name_from_a_server_never_costs_the_line(template: str, name: str) -> None:
    """The client's side of the codec: whatever name a server sends, the line decodes and the name is text
    a widget can show and the client can send back (it fits the limit, it has no lone surrogate)."""
    raw = template.format(name=name).encode("utf-8", "surrogateescape") + b"\r\n"
    channel = Channel.SB if template.startswith(("JOI", "IRO", "MSG")) else Channel.NS
    if not name or any(c in name for c in " \t\r\n\x0b\x0c"):
        return  # the line has other fields than it should (a MSG may lose its length): not about the name
    (command,) = Decoder(Sender.SERVER, channel).feed(raw)
    assert not isinstance(command, Malformed), command
    names = [getattr(command, field) for field in _NAME_FIELDS if hasattr(command, field)]
    names += [command.fname] if isinstance(command, FndResult) else []
    assert names
    for shown in names:
        assert isinstance(shown, str) and friendly_fits(shown)
        shown.encode("utf-8")  # no lone surrogate
