"""Every line of the msnp2-reference §2 transcripts decodes to the expected value and re-encodes
byte for byte. The lines below are copied from the reference (our spec)."""

from __future__ import annotations

import pytest

from msnqt.protocol import (
    Ack,
    AckMode,
    Add,
    AddRequest,
    Ans,
    AnsOk,
    Blp,
    Bye,
    Cal,
    CalRinging,
    Channel,
    Chg,
    Command,
    Decoder,
    Error,
    Fln,
    Gtc,
    GtcRequest,
    Iln,
    Inf,
    InfReply,
    Iro,
    Joi,
    ListName,
    Lst,
    MsgRelay,
    MsgSend,
    Nak,
    Nln,
    Out,
    Png,
    Privacy,
    Qng,
    ReverseListPrompt,
    Rng,
    Sender,
    Status,
    Syn,
    UsrChallenge,
    UsrInitial,
    UsrOk,
    UsrResponse,
    UsrSb,
    Ver,
    XfrNs,
    XfrRequest,
    XfrSb,
    encode,
)

P1 = b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\nLoginTime: 932688000\r\n\r\n"
P2 = (b"MIME-Version: 1.0\r\nContent-Type: application/x-msmsgsemailnotification; charset=UTF-8\r\n\r\n"
      b"Inbox-Unread: 2\r\nFolders-Unread: 0\r\nInbox-URL: /cgi-bin/HoTMaiL\r\nFolders-URL: /cgi-bin/folders"
      b"\r\nPost-URL: http://www.hotmail.com\r\n\r\n")
M1 = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHello Bob"
M2 = b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: bob@hotmail.com\r\n\r\n\r\n"
M3 = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHi Alice \xc3\xa9"
M4 = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHi both"
M5 = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nOK, see you later!"
PAYLOADS = {"P1": (94, P1), "P2": (221, P2), "M1": (71, M1), "M2": (88, M2), "M3": (73, M3),
            "M4": (69, M4), "M5": (80, M5)}

C, S, NS, SB = Sender.CLIENT, Sender.SERVER, Channel.NS, Channel.SB
A, B, CA, D = "alice@hotmail.com", "bob@hotmail.com", "carol@hotmail.com", "dave@hotmail.com"
FL, AL, BL, RL = ListName.FORWARD, ListName.ALLOW, ListName.BLOCK, ListName.REVERSE
CK1, CK2, CK3 = "17262740.1050826919.32308", "849102291.520491113", "849102291.520491977"

# (sender, channel, wire line without CRLF, payload id or None, expected value)
TRANSCRIPT: list[tuple[Sender, Channel, str, str | None, Command]] = [
    # 2.1 Dispatch server
    (C, NS, "VER 1 MSNP2 CVR0", None, Ver(1, ("MSNP2", "CVR0"))),
    (S, NS, "VER 1 MSNP2", None, Ver(1, ("MSNP2",))),
    (C, NS, "INF 2", None, Inf(2)),
    (S, NS, "INF 2 MD5", None, InfReply(2, ("MD5",))),
    (C, NS, "USR 3 MD5 I alice@hotmail.com", None, UsrInitial(3, A)),
    (S, NS, "XFR 3 NS 10.0.0.2:1863", None, XfrNs(3, "10.0.0.2:1863")),
    # 2.2 Notification server
    (C, NS, "VER 4 MSNP2 CVR0", None, Ver(4, ("MSNP2", "CVR0"))),
    (S, NS, "VER 4 MSNP2", None, Ver(4, ("MSNP2",))),
    (C, NS, "INF 5", None, Inf(5)),
    (S, NS, "INF 5 MD5", None, InfReply(5, ("MD5",))),
    (C, NS, "USR 6 MD5 I alice@hotmail.com", None, UsrInitial(6, A)),
    (S, NS, "USR 6 MD5 S 1013928519.693957190", None, UsrChallenge(6, "1013928519.693957190")),
    (C, NS, "USR 7 MD5 S 424977e28cde25117c5afda7500dce09", None,
     UsrResponse(7, "424977e28cde25117c5afda7500dce09")),
    (S, NS, "USR 7 OK alice@hotmail.com Alice%20Liddell", None, UsrOk(7, A, "Alice Liddell")),
    (S, NS, "MSG Hotmail Hotmail 94", "P1", MsgRelay("Hotmail", "Hotmail", P1)),
    (S, NS, "MSG Hotmail Hotmail 221", "P2", MsgRelay("Hotmail", "Hotmail", P2)),
    (C, NS, "SYN 8 10", None, Syn(8, 10)),
    (S, NS, "SYN 8 14", None, Syn(8, 14)),
    (S, NS, "GTC 8 14 A", None, Gtc(8, 14, ReverseListPrompt.ASK)),
    (S, NS, "BLP 8 14 AL", None, Blp(8, 14, Privacy.ALLOW_ALL)),
    (S, NS, "LST 8 FL 14 1 2 bob@hotmail.com Bob%20Builder", None, Lst(8, FL, 14, 1, 2, B, "Bob Builder")),
    (S, NS, "LST 8 FL 14 2 2 carol@hotmail.com Carol", None, Lst(8, FL, 14, 2, 2, CA, "Carol")),
    (S, NS, "LST 8 AL 14 1 2 bob@hotmail.com Bob%20Builder", None, Lst(8, AL, 14, 1, 2, B, "Bob Builder")),
    (S, NS, "LST 8 AL 14 2 2 carol@hotmail.com Carol", None, Lst(8, AL, 14, 2, 2, CA, "Carol")),
    (S, NS, "LST 8 BL 14 0 0", None, Lst(8, BL, 14, 0, 0)),
    (S, NS, "LST 8 RL 14 1 3 bob@hotmail.com Bob%20Builder", None, Lst(8, RL, 14, 1, 3, B, "Bob Builder")),
    (S, NS, "LST 8 RL 14 2 3 carol@hotmail.com Carol", None, Lst(8, RL, 14, 2, 3, CA, "Carol")),
    (S, NS, "LST 8 RL 14 3 3 dave@hotmail.com Dave", None, Lst(8, RL, 14, 3, 3, D, "Dave")),
    (C, NS, "CHG 9 NLN", None, Chg(9, Status.ONLINE)),
    (S, NS, "CHG 9 NLN", None, Chg(9, Status.ONLINE)),
    (S, NS, "ILN 9 NLN bob@hotmail.com Bob%20Builder", None, Iln(9, Status.ONLINE, B, "Bob Builder")),
    (S, NS, "ILN 9 AWY carol@hotmail.com Carol", None, Iln(9, Status.AWAY, CA, "Carol")),
    (S, NS, "NLN NLN alice@hotmail.com Alice%20Liddell", None, Nln(Status.ONLINE, A, "Alice Liddell")),
    (C, NS, "ADD 10 AL dave@hotmail.com Dave", None, AddRequest(10, AL, D, "Dave")),
    (S, NS, "ADD 10 AL 15 dave@hotmail.com Dave", None, Add(10, AL, 15, D, "Dave")),
    (C, NS, "GTC 11 A", None, GtcRequest(11, ReverseListPrompt.ASK)),
    (S, NS, "218 11", None, Error(218, 11)),
    (C, NS, "PNG", None, Png()),
    (S, NS, "QNG", None, Qng()),
    # 2.3 Switchboard
    (C, NS, "XFR 12 SB", None, XfrRequest(12)),
    (S, NS, "XFR 12 SB 10.0.0.3:1863 CKI 17262740.1050826919.32308", None, XfrSb(12, "10.0.0.3:1863", CK1)),
    (C, SB, "USR 1 alice@hotmail.com 17262740.1050826919.32308", None, UsrSb(1, A, CK1)),
    (S, SB, "USR 1 OK alice@hotmail.com Alice%20Liddell", None, UsrOk(1, A, "Alice Liddell")),
    (C, SB, "CAL 2 bob@hotmail.com", None, Cal(2, B)),
    (S, SB, "CAL 2 RINGING 11752013", None, CalRinging(2, "11752013")),
    (S, NS, "RNG 11752013 10.0.0.3:1863 CKI 849102291.520491113 alice@hotmail.com Alice%20Liddell", None,
     Rng("11752013", "10.0.0.3:1863", CK2, A, "Alice Liddell")),
    (C, SB, "ANS 1 bob@hotmail.com 849102291.520491113 11752013", None, Ans(1, B, CK2, "11752013")),
    (S, SB, "IRO 1 1 1 alice@hotmail.com Alice%20Liddell", None, Iro(1, 1, 1, A, "Alice Liddell")),
    (S, SB, "ANS 1 OK", None, AnsOk(1)),
    (S, SB, "JOI bob@hotmail.com Bob%20Builder", None, Joi(B, "Bob Builder")),
    (C, SB, "MSG 3 N 71", "M1", MsgSend(3, AckMode.NAK_ONLY, M1)),
    (S, SB, "MSG alice@hotmail.com Alice%20Liddell 71", "M1", MsgRelay(A, "Alice Liddell", M1)),
    (C, SB, "MSG 2 U 88", "M2", MsgSend(2, AckMode.UNACKNOWLEDGED, M2)),
    (S, SB, "MSG bob@hotmail.com Bob%20Builder 88", "M2", MsgRelay(B, "Bob Builder", M2)),
    (C, SB, "MSG 3 A 73", "M3", MsgSend(3, AckMode.ACKNOWLEDGED, M3)),
    (S, SB, "MSG bob@hotmail.com Bob%20Builder 73", "M3", MsgRelay(B, "Bob Builder", M3)),
    (S, SB, "ACK 3", None, Ack(3)),
    (C, SB, "CAL 4 carol@hotmail.com", None, Cal(4, CA)),
    (S, SB, "CAL 4 RINGING 11752013", None, CalRinging(4, "11752013")),
    (S, NS, "RNG 11752013 10.0.0.3:1863 CKI 849102291.520491977 alice@hotmail.com Alice%20Liddell", None,
     Rng("11752013", "10.0.0.3:1863", CK3, A, "Alice Liddell")),
    (C, SB, "ANS 1 carol@hotmail.com 849102291.520491977 11752013", None, Ans(1, CA, CK3, "11752013")),
    (S, SB, "IRO 1 1 2 alice@hotmail.com Alice%20Liddell", None, Iro(1, 1, 2, A, "Alice Liddell")),
    (S, SB, "IRO 1 2 2 bob@hotmail.com Bob%20Builder", None, Iro(1, 2, 2, B, "Bob Builder")),
    (S, SB, "ANS 1 OK", None, AnsOk(1)),
    (S, SB, "JOI carol@hotmail.com Carol", None, Joi(CA, "Carol")),
    (C, SB, "MSG 2 N 69", "M4", MsgSend(2, AckMode.NAK_ONLY, M4)),
    (S, SB, "MSG carol@hotmail.com Carol 69", "M4", MsgRelay(CA, "Carol", M4)),
    (C, SB, "CAL 5 dave@hotmail.com", None, Cal(5, D)),
    (S, SB, "217 5", None, Error(217, 5)),
    (C, SB, "OUT", None, Out()),
    (S, SB, "BYE bob@hotmail.com", None, Bye(B)),
    (S, SB, "BYE carol@hotmail.com", None, Bye(CA)),
    (C, SB, "MSG 6 N 80", "M5", MsgSend(6, AckMode.NAK_ONLY, M5)),
    (S, SB, "NAK 6", None, Nak(6)),
    # 2.4 Logging out
    (C, NS, "OUT", None, Out()),
    (S, NS, "OUT", None, Out()),
    (S, NS, "FLN bob@hotmail.com", None, Fln(B)),
    (S, NS, "OUT OTH", None, Out("OTH")),
    (S, NS, "OUT SSD", None, Out("SSD")),
    (S, NS, "XFR 0 NS 10.0.0.9:1863", None, XfrNs(0, "10.0.0.9:1863")),
]


def _wire(line: str, payload_id: str | None) -> bytes:
    data = line.encode() + b"\r\n"
    if payload_id is not None:
        length, payload = PAYLOADS[payload_id]
        assert len(payload) == length  # the table's length column agrees with its bytes
        data += payload
    return data


@pytest.mark.parametrize(("sender", "channel", "line", "payload_id", "expected"), TRANSCRIPT,
                         ids=[f"{s.value}-{c.value}-{line}" for s, c, line, _, _ in TRANSCRIPT])
def test_transcript_line_decodes_and_reencodes(
    sender: Sender, channel: Channel, line: str, payload_id: str | None, expected: Command
) -> None:
    data = _wire(line, payload_id)
    assert Decoder(sender, channel).feed(data) == [expected]
    assert encode(expected) == data


@pytest.mark.parametrize(("sender", "channel"), [(C, NS), (S, NS), (C, SB), (S, SB)])
def test_whole_direction_streamed_byte_by_byte(sender: Sender, channel: Channel) -> None:
    rows = [r for r in TRANSCRIPT if r[0] is sender and r[1] is channel]
    stream = b"".join(_wire(line, pid) for _, _, line, pid, _ in rows)
    decoder = Decoder(sender, channel)
    got: list[Command] = []
    for i in range(len(stream)):
        got += decoder.feed(stream[i:i + 1])
    assert got == [r[4] for r in rows]
    assert decoder.buffered == 0
