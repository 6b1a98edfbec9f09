"""Framing behaviour a peer would notice: leniency on input, caps, and a poisoned stream."""

from __future__ import annotations

import pytest

from msnqt.protocol import (
    MAX_LINE_BYTES,
    MAX_SB_PAYLOAD,
    AckMode,
    BadPayloadLength,
    Cal,
    Channel,
    Chg,
    Command,
    Decoder,
    Error,
    ErrorCode,
    FramingError,
    InvalidAckMode,
    LineTooLong,
    Malformed,
    MalformedCommand,
    MsgSend,
    Out,
    PayloadTooLarge,
    Rng,
    Sender,
    Status,
    Syn,
    Unknown,
    XfrSb,
    encode,
    encode_many,
)

C, S, NS, SB = Sender.CLIENT, Sender.SERVER, Channel.NS, Channel.SB


def test_trailing_space_from_the_1_0_client_is_tolerated() -> None:
    assert Decoder(C, NS).feed(b"CHG 9 NLN \r\n") == [Chg(9, Status.ONLINE)]


def test_bare_lf_runs_of_whitespace_and_empty_lines() -> None:
    data = b"\r\n\n  \r\nSYN\t 8   10\nCHG  9\t\tBSY  \r\n\r\n"
    assert Decoder(C, NS).feed(data) == [Syn(8, 10), Chg(9, Status.BUSY)]


def test_many_commands_in_one_chunk_and_a_partial_tail_is_kept() -> None:
    decoder = Decoder(C, NS)
    assert decoder.feed(b"SYN 1 0\r\nSYN 2 0\r\nSY") == [Syn(1, 0), Syn(2, 0)]
    assert decoder.buffered == 2
    assert decoder.feed(b"N 3 0\r\n") == [Syn(3, 0)]
    assert decoder.buffered == 0


def test_payload_may_contain_line_ends_and_any_byte() -> None:
    payload = b"MSG 1 N 3\r\n\x00\xff\nOUT\r\n" + bytes(range(256))
    decoder = Decoder(C, SB)
    stream = encode(MsgSend(7, AckMode.ACKNOWLEDGED, payload)) + b"OUT\r\n"
    assert decoder.feed(stream) == [MsgSend(7, AckMode.ACKNOWLEDGED, payload), Out()]


def test_payload_waits_for_its_last_byte() -> None:
    decoder = Decoder(C, SB)
    assert decoder.feed(b"MSG 1 U 5\r\nabc") == []
    assert decoder.buffered == 3
    assert decoder.feed(b"deOUT\r\n") == [MsgSend(1, AckMode.UNACKNOWLEDGED, b"abcde"), Out()]


def test_zero_length_payload() -> None:
    assert Decoder(C, SB).feed(b"MSG 1 U 0\r\nOUT\r\n") == [MsgSend(1, AckMode.UNACKNOWLEDGED, b""), Out()]


def test_bad_ack_mode_still_consumes_the_payload() -> None:
    got = Decoder(C, SB).feed(b"MSG 4 X 5\r\nOUT\r\nOUT\r\n")
    assert len(got) == 2
    assert isinstance(got[0], Malformed) and got[0].trid == 4
    assert isinstance(got[0].error, InvalidAckMode)
    assert got[1] == Out()


def test_client_msg_on_the_ns_is_malformed_but_framed() -> None:
    got = Decoder(C, NS).feed(b"MSG 4 N 5\r\nSYN 1\r\nSYN 2 3\r\n")
    assert isinstance(got[0], Malformed) and got[0].name == "MSG" and got[0].trid == 4
    assert got[1:] == [Syn(2, 3)]


@pytest.mark.parametrize("line", [b"MSG 1 N abc\r\n", b"MSG 1 N -5\r\n", b"MSG\r\n"])
def test_unreadable_payload_length_breaks_the_stream(line: bytes) -> None:
    with pytest.raises(BadPayloadLength):
        Decoder(C, SB).feed(line)


def test_sb_payload_cap_is_1664_bytes_and_checked_before_buffering() -> None:
    assert Decoder(C, SB).feed(encode(MsgSend(1, AckMode.NAK_ONLY, b"x" * MAX_SB_PAYLOAD)))
    decoder = Decoder(C, SB)
    with pytest.raises(PayloadTooLarge):
        decoder.feed(f"MSG 1 N {MAX_SB_PAYLOAD + 1}\r\n".encode())  # no payload byte sent yet
    assert decoder.buffered == 0


def test_max_payload_is_configurable() -> None:
    with pytest.raises(PayloadTooLarge):
        Decoder(S, NS, max_payload=10).feed(b"MSG Hotmail Hotmail 11\r\n")


def test_line_of_exactly_the_cap_is_accepted() -> None:
    line = b"ZZZ " + b"a" * (MAX_LINE_BYTES - 6) + b"\r\n"
    assert len(line) == MAX_LINE_BYTES
    assert Decoder(C, NS).feed(line) == [Unknown("ZZZ", ("a" * (MAX_LINE_BYTES - 6),))]


def test_line_over_4_kib_is_refused_as_soon_as_the_buffer_shows_it() -> None:
    decoder = Decoder(C, NS)
    assert decoder.feed(b"a" * MAX_LINE_BYTES) == []  # a line end as the next byte would fit
    with pytest.raises(LineTooLong):
        decoder.feed(b"a")


def test_overlong_line_with_its_line_end_in_the_same_chunk() -> None:
    with pytest.raises(LineTooLong):
        Decoder(C, NS).feed(b"SYN 1 " + b"0" * MAX_LINE_BYTES + b"\r\n")


def test_decoder_stays_broken_after_a_framing_error() -> None:
    decoder = Decoder(C, NS, max_line=16)
    with pytest.raises(LineTooLong):
        decoder.feed(b"x" * 17)
    with pytest.raises(FramingError):
        decoder.feed(b"SYN 1 0\r\n")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"911\r\n", Error(911)),
        (b"218 11\r\n", Error(218, 11)),
        (b"201 7 some localized text\r\n", Error(201, 7, ("some", "localized", "text"))),
        (b"500 junk here\r\n", Error(500, None, ("junk", "here"))),
    ],
)
def test_numeric_replies_with_or_without_trid(line: bytes, expected: Error) -> None:
    assert Decoder(S, NS).feed(line) == [expected]


def test_unknown_command_and_case_sensitivity() -> None:
    got = Decoder(C, NS).feed(b"XYZ 1 a b\r\nchg 2 NLN\r\n")
    assert got == [Unknown("XYZ", ("1", "a", "b")), Unknown("chg", ("2", "NLN"))]


def test_unknown_and_malformed_reencode_their_raw_line() -> None:
    got = Decoder(C, NS).feed(b"XYZ  1 a\r\nCHG 9 FLN\r\n")
    assert encode_many(got) == b"XYZ 1 a\r\nCHG 9 FLN\r\n"


def test_malformed_is_a_value_and_the_stream_goes_on() -> None:
    got = Decoder(C, NS).feed(b"SYN 1\r\nSYN 2 5\r\n")
    assert isinstance(got[0], Malformed) and type(got[0].error) is MalformedCommand
    assert got[0].trid == 1
    assert got[1] == Syn(2, 5)


def test_msg_with_wrong_field_count_keeps_framing() -> None:
    got = Decoder(C, SB).feed(b"MSG 1 5\r\nhelloOUT\r\n")
    assert isinstance(got[0], Malformed) and got[0].trid == 1
    assert got[1] == Out()


def test_server_writes_error_codes_from_the_enum() -> None:
    assert encode(Error(ErrorCode.ALREADY_IN_THE_MODE, 11)) == b"218 11\r\n"
    assert encode(Error(ErrorCode.ALREADY_LOGGED_IN)) == b"207\r\n"


@pytest.mark.parametrize(
    "command",
    [Cal(1, "bob@hotmail.com\r\nOUT"), Cal(1, "bob @hotmail.com"), Cal(1, ""), XfrSb(1, "h:1", "a\tb"),
     Rng("", "h:1", "ck", "a@b.cd", "A")],
)
def test_encode_refuses_fields_that_would_shift_or_inject(command: Command) -> None:
    with pytest.raises(MalformedCommand):
        encode(command)


def test_commands_before_a_framing_error_in_the_same_read_are_kept_on_the_error() -> None:
    good = encode(MsgSend(1, AckMode.NAK_ONLY, b"MIME-Version: 1.0\r\n\r\nhello"))
    decoder = Decoder(C, SB)
    with pytest.raises(PayloadTooLarge) as caught:
        decoder.feed(good + f"MSG 2 N {MAX_SB_PAYLOAD + 1}\r\n".encode())
    assert caught.value.decoded == [MsgSend(1, AckMode.NAK_ONLY, b"MIME-Version: 1.0\r\n\r\nhello")]
