"""Lines that break a limit or the grammar come back as Malformed with the specific error class,
so the server can answer with the right code (and the TrID when there is one)."""

from __future__ import annotations

import pytest

from msnqt.protocol import (
    AddRequest,
    Channel,
    Decoder,
    FndRequest,
    FndResult,
    InvalidAckMode,
    InvalidFriendlyName,
    InvalidHandle,
    InvalidListName,
    InvalidStatus,
    InvalidTrId,
    ListName,
    Malformed,
    MalformedCommand,
    MsgRelay,
    ProtocolError,
    Sender,
    Syn,
    UsrResponse,
    UsrSb,
)

C, S, NS, SB = Sender.CLIENT, Sender.SERVER, Channel.NS, Channel.SB
H129 = "a" * 119 + "@hotmail.c"  # 129 bytes
H130 = "a" * 120 + "@hotmail.c"
NAME387 = "x" * 387
NAME388 = "x" * 388


def _one(sender: Sender, channel: Channel, line: str) -> object:
    got = Decoder(sender, channel).feed(line.encode("utf-8", "surrogateescape") + b"\r\n")
    assert len(got) == 1
    return got[0]


def _malformed(sender: Sender, channel: Channel, line: str) -> Malformed:
    got = _one(sender, channel, line)
    assert isinstance(got, Malformed), got
    return got


@pytest.mark.parametrize(
    ("sender", "channel", "line", "error", "trid"),
    [
        # TrID range
        (C, NS, "SYN 4294967296 0", InvalidTrId, None),
        (C, NS, "SYN -1 0", InvalidTrId, None),
        (C, NS, "SYN x 0", InvalidTrId, None),
        # handles
        (C, NS, f"ADD 3 FL {H130} Bob", InvalidHandle, 3),
        (C, NS, "ADD 3 FL bob Bob", InvalidHandle, 3),
        (C, NS, "USR 3 MD5 I not-an-address", InvalidHandle, 3),
        (C, SB, "CAL 5 bob@", InvalidHandle, 5),
        (S, SB, "JOI bob Bob", InvalidHandle, None),
        # friendly names: too long once encoded, or not UTF-8 once decoded
        (C, NS, f"REA 4 bob@hotmail.com {NAME388}", InvalidFriendlyName, 4),
        (C, NS, "REA 4 bob@hotmail.com " + "%C3%A9" * 65, InvalidFriendlyName, 4),
        (C, NS, "REA 4 bob@hotmail.com Bad%C3", InvalidFriendlyName, 4),
        (C, NS, "REA 4 bob@hotmail.com Bad%ff%fe", InvalidFriendlyName, 4),
        (C, NS, "ADD 3 AL bob@hotmail.com %80", InvalidFriendlyName, 3),
        # statuses: FLN and junk from a client, junk from a server
        (C, NS, "CHG 9 FLN", InvalidStatus, 9),
        (C, NS, "CHG 9 nln", InvalidStatus, 9),
        (C, NS, "CHG 9 XYZ", InvalidStatus, 9),
        (S, NS, "ILN 9 ZZZ bob@hotmail.com Bob", InvalidStatus, 9),
        # lists
        (C, NS, "ADD 3 XL bob@hotmail.com Bob", InvalidListName, 3),
        (C, NS, "LST 3 fl", InvalidListName, 3),
        (S, NS, "REM 0 QL 5 bob@hotmail.com", InvalidListName, 0),
        # shapes
        (C, NS, "ADD 3 FL bob@hotmail.com", MalformedCommand, 3),
        (C, NS, "USR 3 MD5 X alice@hotmail.com", MalformedCommand, 3),
        (C, NS, "GTC 3 Q", MalformedCommand, 3),
        (C, NS, "BLP 3 NL", MalformedCommand, 3),
        (C, NS, "PNG 3", MalformedCommand, None),
        (C, NS, "FND 3 lname=a fname=b city=* state=* country=*", MalformedCommand, 3),
        (S, NS, "XFR 3 SB 1.2.3.4:1863 XYZ ck", MalformedCommand, 3),
        (S, SB, "CAL 2 BUSY 1", MalformedCommand, 2),
        (S, NS, "LST 8 FL 14 1", MalformedCommand, 8),
        (S, NS, "CHG 6", MalformedCommand, 6),
        (C, SB, "USR 1 alice@hotmail.com", MalformedCommand, 1),
    ],
)
def test_specific_error_class_and_trid(
    sender: Sender, channel: Channel, line: str, error: type[ProtocolError], trid: int | None
) -> None:
    got = _malformed(sender, channel, line)
    assert type(got.error) is error
    assert got.trid == trid
    assert got.name == line.split()[0]


def test_limits_are_inclusive() -> None:
    assert _one(C, NS, f"ADD 3 FL {H129} {NAME387}") == AddRequest(3, ListName.FORWARD, H129, NAME387)
    assert _one(C, NS, "SYN 4294967295 0") == Syn(4294967295, 0)


def test_client_may_send_add_rl_the_server_decides() -> None:
    assert _one(C, NS, "ADD 3 RL bob@hotmail.com Bob") == AddRequest(3, ListName.REVERSE, "bob@hotmail.com",
                                                                    "Bob")


def test_same_usr_line_means_challenge_or_response_by_sender() -> None:
    assert _one(C, NS, "USR 6 MD5 S abc") == UsrResponse(6, "abc")
    assert type(_one(S, NS, "USR 6 MD5 S abc")).__name__ == "UsrChallenge"
    assert _one(C, SB, "USR 1 a@b.cd ck") == UsrSb(1, "a@b.cd", "ck")
    assert isinstance(_one(C, NS, "USR 1 a@b.cd ck"), Malformed)


def test_fnd_values_are_url_decoded_and_star_kept() -> None:
    assert _one(C, NS, "FND 2 fname=Jos%C3%A9 lname=O%27Hara city=* state=* country=US") == FndRequest(
        2, "José", "O'Hara", "*", "*", "US")
    assert _one(S, NS, "FND 2 0 0") == FndResult(2, 0, 0)


@pytest.mark.parametrize(("sender_line", "shown"), [
    ("LST 8 FL 14 1 1 bob@hotmail.com Jos%E9", "Jos\ufffd"),  # Latin-1, not UTF-8
    ("ILN 9 NLN bob@hotmail.com Bad%C3", "Bad\ufffd"),
    ("NLN NLN bob@hotmail.com %80", "\ufffd"),
    ("ADD 0 RL 15 bob@hotmail.com " + "%C3%A9" * 80, "é" * 64),  # 480 bytes: clipped to the 384 that fit
    (f"LST 8 FL 14 1 1 bob@hotmail.com {NAME388}", NAME387),
])
def test_names_a_server_sends_are_decoded_not_refused(sender_line: str, shown: str) -> None:
    """One contact's bad name must not fail the client's sign-in: decoded with U+FFFD, clipped to fit."""
    got = _one(S, NS, sender_line)
    assert not isinstance(got, Malformed), got
    assert got.handle == "bob@hotmail.com"  # type: ignore[attr-defined]
    assert got.friendly == shown  # type: ignore[attr-defined]


def test_names_in_switchboard_lines_are_decoded_not_refused() -> None:
    relay = Decoder(S, SB).feed(b"MSG bob@hotmail.com Jos%E9 1\r\nx"
                                b"JOI carol@hotmail.com " + b"x" * 400 + b"\r\n"
                                b"IRO 1 1 1 dan@hotmail.com \xe9t\xe9\r\n")
    assert [type(c).__name__ for c in relay] == ["MsgRelay", "Joi", "Iro"]
    assert relay[0] == MsgRelay("bob@hotmail.com", "Jos\ufffd", b"x")
    assert relay[1].friendly == NAME387  # type: ignore[union-attr]
    assert relay[2].friendly == "\ufffdt\ufffd"  # type: ignore[union-attr]


def test_hotmail_is_a_sender_on_the_ns_only() -> None:
    ns = Decoder(S, NS).feed(b"MSG Hotmail Hotmail 1\r\nx")
    assert ns == [MsgRelay("Hotmail", "Hotmail", b"x")]
    sb = Decoder(S, SB).feed(b"MSG Hotmail Hotmail 1\r\nx")
    assert isinstance(sb[0], Malformed) and isinstance(sb[0].error, InvalidHandle)


def test_msg_bad_ack_mode_reports_invalid_ack_mode() -> None:
    got = Decoder(C, SB).feed(b"MSG 3 Z 2\r\nhi")
    assert isinstance(got[0], Malformed) and isinstance(got[0].error, InvalidAckMode) and got[0].trid == 3
