"""What real servers send is read for the fields the client needs; the rest is ignored (§8, §10 client 1).

Each line below was seen on the wire from Escargot 2018 (escargot-2018-transcripts.md), Escargot 2025
(msnp2-reference §8.3) or later MSNP servers. The client side of the codec must read them; the server side
(what a client sends our server) stays strict, which the last test pins.
"""

from __future__ import annotations

import pytest

from msnqt.protocol.codes import ListName, Status
from msnqt.protocol.commands import (
    Add,
    Channel,
    Chg,
    Command,
    Iro,
    Joi,
    Lst,
    Malformed,
    Nln,
    Qng,
    Rem,
    Sender,
    Url,
    UsrOk,
    XfrNs,
)
from msnqt.protocol.wire import Decoder

S, C, NS, SB = Sender.SERVER, Sender.CLIENT, Channel.NS, Channel.SB


def _one(sender: Sender, channel: Channel, line: str) -> Command:
    (got,) = Decoder(sender, channel).feed(line.encode() + b"\r\n")
    return got


@pytest.mark.parametrize(("channel", "line", "expected"), [
    (NS, "CHG 6 NLN 0", Chg(6, Status.ONLINE)),  # E18 D10
    (NS, "URL 7 /unused1 /unused2 1", Url(7, "/unused1", "/unused2")),  # E25
    (NS, "ADD 0 RL alice@example.com alice@example.com",  # E18 D12: no list version
     Add(0, ListName.REVERSE, 0, "alice@example.com", "alice@example.com")),
    (NS, "REM 0 RL alice@example.com", Rem(0, ListName.REVERSE, 0, "alice@example.com")),
    (NS, "ADD 0 RL 7 alice@example.com Alice 1", Add(0, ListName.REVERSE, 7, "alice@example.com", "Alice")),
    (NS, "USR 4 OK bob@example.com bob@example.com 1 0", UsrOk(4, "bob@example.com", "bob@example.com")),
    (NS, "XFR 3 NS 127.0.0.1:1863 0 127.0.0.1:1863", XfrNs(3, "127.0.0.1:1863")),
    (NS, "NLN NLN bob@example.com Bob 0", Nln(Status.ONLINE, "bob@example.com", "Bob")),
    (NS, "LST 12 FL 1 3 1 bob@example.com bob@example.com 0",
     Lst(12, ListName.FORWARD, 1, 3, 1, "bob@example.com", "bob@example.com")),
    (NS, "QNG 50", Qng()),
    (SB, "JOI bob@example.com bob@example.com 0", Joi("bob@example.com", "bob@example.com")),
    (SB, "IRO 1 1 1 alice@example.com Alice%20Liddell 0", Iro(1, 1, 1, "alice@example.com", "Alice Liddell")),
])
def test_a_server_line_with_fields_the_client_does_not_need_is_read(
        channel: Channel, line: str, expected: Command) -> None:
    assert _one(S, channel, line) == expected


def test_a_server_line_missing_what_the_client_needs_is_still_malformed() -> None:
    assert isinstance(_one(S, NS, "CHG 6"), Malformed)
    assert isinstance(_one(S, NS, "ADD 0 RL"), Malformed)


def test_the_server_still_refuses_extra_fields_from_a_client() -> None:
    assert isinstance(_one(C, NS, "CHG 6 NLN 0"), Malformed)
    assert isinstance(_one(C, NS, "URL 7 INBOX x y"), Malformed)
    assert isinstance(_one(C, SB, "CAL 2 bob@example.com x"), Malformed)
