"""Presence lines decode the same the second time: cached name and status checks never cache a refusal."""

from __future__ import annotations

from msnqt.protocol import Channel, Chg, Decoder, Malformed, Nln, Sender, Status


def test_a_repeated_nln_decodes_the_same_and_a_bad_handle_is_refused_every_time() -> None:
    decoder = Decoder(Sender.SERVER, Channel.NS)
    lines = (b"NLN BSY bob@example.com Bob%20B\r\nNLN NLN bob@ Bob\r\n"
             b"NLN NLN bob@example.com %FF\r\n") * 2
    first, bad, latin1, again, bad_again, latin1_again = decoder.feed(lines)
    assert first == again == Nln(Status.BUSY, "bob@example.com", "Bob B")
    for refused in (bad, bad_again):
        assert isinstance(refused, Malformed) and refused.name == "NLN"
    # a name that is not UTF-8 is shown with a replacement character, never refused (the sign-in goes on)
    assert latin1 == latin1_again == Nln(Status.ONLINE, "bob@example.com", "\ufffd")


def test_a_status_that_cannot_be_set_is_refused_every_time() -> None:
    decoder = Decoder(Sender.CLIENT, Channel.NS)
    commands = decoder.feed(b"CHG 1 FLN\r\nCHG 2 AWY\r\nCHG 3 FLN\r\nCHG 4 XYZ\r\n")
    assert commands[1] == Chg(2, Status.AWAY)
    assert [(c.name, c.trid) for c in commands if isinstance(c, Malformed)] == [("CHG", 1), ("CHG", 3),
                                                                                ("CHG", 4)]
