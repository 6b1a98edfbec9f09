"""The Escargot 2018 fake answers byte for byte as the recorded server did (escargot-2018-transcripts.md).

The rows below are the transcript's, in its order (sections 2-5, 11 and 13), with the fields that change
from run to run written as ``{salt}``, ``{cookie}``, ``{sid}`` and ``{sb}`` (the switchboard's address).
Escargot's presence batching (a CHG and a REA within ~0.2 s reach a watcher as one NLN) is not modelled,
so the watcher gets one NLN more in section 5 than the recording shows. The other dialects come from
source notes, not recordings (msnp2-reference §8.3, §8.4); test_dialects.py runs the client against all.
"""

from __future__ import annotations

import asyncio
import re

from msnqt.protocol.auth import md5_response
from tests.support.dialects import DIALECTS, DialectServer

PASSWORDS = {f"{name}@example.com": f"{name}pw" for name in ("alice", "bob", "carol", "dave", "erin")}


class Probe:
    """One raw connection, as the transcript's throwaway client: send a line, expect exact lines."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.values: dict[str, str] = {}

    @classmethod
    async def open(cls, port: int) -> Probe:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    def send(self, line: str, payload: bytes = b"") -> None:
        self.writer.write(line.format(**self.values).encode() + b"\r\n" + payload)

    async def expect(self, *patterns: str) -> None:
        for pattern in patterns:
            raw = await asyncio.wait_for(self.reader.readline(), 5)
            regex = re.escape(pattern).replace(r"\{", "{").replace(r"\}", "}")
            regex = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m[1]}>\\S+)", regex)
            found = re.fullmatch(regex.encode() + rb"\r\n", raw)
            assert found is not None, f"expected {pattern!r}, got {raw!r}"
            self.values.update({k: v.decode() for k, v in found.groupdict().items()})

    async def payload(self, size: int) -> bytes:
        return await asyncio.wait_for(self.reader.readexactly(size), 5)


async def sign_in(port: int, handle: str) -> Probe:
    """Section 2: VER, INF, USR MD5 I/S, SYN 0 (lists empty or not: only the head is read here)."""
    probe = await Probe.open(port)
    probe.send("VER 1 MSNP2 CVR0")
    probe.send("INF 2")
    probe.send(f"USR 3 MD5 I {handle}")
    await probe.expect("VER 1 MSNP2", "INF 2 MD5", "USR 3 MD5 S {salt}")
    assert re.fullmatch(r"[0-9a-f]{15}", probe.values["salt"])
    probe.send(f"USR 4 MD5 S {md5_response(probe.values['salt'], PASSWORDS[handle])}")
    await probe.expect(f"USR 4 OK {handle} {handle}")
    return probe


def test_escargot_2018_fake_matches_the_recording(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with DialectServer(DIALECTS["escargot2018"]) as server:
            for handle, password in PASSWORDS.items():
                server.add_account(handle, password)  # created with --old-msn: friendly name = handle
            port = server.ns_port
            bob = await sign_in(port, "bob@example.com")
            bob.send("SYN 5 0")
            await bob.expect("SYN 5 1", "LST 5 FL 1 0 0", "LST 5 AL 1 0 0", "LST 5 BL 1 0 0",
                             "LST 5 RL 1 0 0", "GTC 5 1 A", "BLP 5 1 AL")
            bob.send("CHG 6 NLN")
            await bob.expect("CHG 6 NLN 0")
            alice = await sign_in(port, "alice@example.com")
            alice.send("SYN 5 0")
            await alice.expect("SYN 5 1", "LST 5 FL 1 0 0", "LST 5 AL 1 0 0", "LST 5 BL 1 0 0",
                               "LST 5 RL 1 0 0", "GTC 5 1 A", "BLP 5 1 AL")
            alice.send("CHG 6 NLN")
            await alice.expect("CHG 6 NLN 0")
            # section 3: no ILN for bob (D11); bob hears of it without a list version (D12)
            alice.send("ADD 7 FL bob@example.com bob@example.com")
            await bob.expect("ADD 0 RL alice@example.com alice@example.com")
            await alice.expect("ADD 7 FL 2 bob@example.com bob@example.com")
            # section 4
            alice.send("ADD 8 FL carol@example.com carol@example.com")
            alice.send("ADD 80 FL dave@example.com dave@example.com")
            await alice.expect("ADD 8 FL 3 carol@example.com carol@example.com",
                               "ADD 80 FL 4 dave@example.com dave@example.com")
            bob.send("ADD 7 AL alice@example.com alice@example.com")
            bob.send("ADD 8 FL alice@example.com alice@example.com")
            await bob.expect("ADD 7 AL 2 alice@example.com alice@example.com",
                             "ADD 8 FL 3 alice@example.com alice@example.com")
            # section 5 (the sender's side)
            alice.send("CHG 9 BSY")
            alice.send("REA 10 alice@example.com Alice%20Liddell")
            alice.send("CHG 11 NLN")
            await alice.expect("CHG 9 BSY 0", "REA 10 5 alice@example.com Alice%20Liddell", "CHG 11 NLN 0")
            # the recording's last two; Escargot's batching swallowed the first (see the module docstring)
            await bob.expect("NLN BSY alice@example.com alice@example.com",
                             "NLN BSY alice@example.com Alice%20Liddell",
                             "NLN NLN alice@example.com Alice%20Liddell")
            # section 11: a switchboard
            alice.send("XFR 25 SB")
            await alice.expect("XFR 25 SB {sb} CKI {cookie}")
            assert alice.values["sb"] == f"127.0.0.1:{server.sb_port}"
            assert re.fullmatch(r"[0-9a-f]{20}", alice.values["cookie"])
            a_sb = await Probe.open(server.sb_port)
            a_sb.send(f"USR 1 alice@example.com {alice.values['cookie']}")
            await a_sb.expect("USR 1 OK alice@example.com Alice%20Liddell")
            a_sb.send("CAL 2 bob@example.com")
            await a_sb.expect("CAL 2 RINGING {sid}")
            await bob.expect(f"RNG {a_sb.values['sid']} 127.0.0.1:{server.sb_port} CKI {{cookie}} "
                             "alice@example.com Alice%20Liddell")
            b_sb = await Probe.open(server.sb_port)
            b_sb.send(f"ANS 1 bob@example.com {bob.values['cookie']} {a_sb.values['sid']}")
            await a_sb.expect("JOI bob@example.com bob@example.com")
            await b_sb.expect("JOI bob@example.com bob@example.com",
                              "IRO 1 1 1 alice@example.com Alice%20Liddell", "ANS 1 OK")
            hello = (b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                     b"X-MMS-IM-Format: FN=Arial; EF=; CO=0; CS=0; PF=22\r\n\r\nHello Bob")
            a_sb.send("MSG 3 A 122", hello)
            await b_sb.expect("MSG alice@example.com Alice%20Liddell 122")
            assert await b_sb.payload(122) == hello
            await a_sb.expect("ACK 3")
            hi = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nHi Alice é".encode()
            b_sb.send("MSG 2 N 73", hi)  # never NAKed, never ACKed (D21): the next line A sees is the relay
            await a_sb.expect("MSG bob@example.com bob@example.com 73")
            assert await a_sb.payload(73) == hi
            # section 13: CAL refusals (dave offline, erin on no list, an unknown address gets a bare 207)
            a_sb.send("CAL 5 dave@example.com")
            a_sb.send("CAL 6 erin@example.com")
            a_sb.send("CAL 7 nobody@example.com")
            await a_sb.expect("217 5", "205 6", "207")
            for probe in (a_sb, b_sb, alice, bob):
                probe.writer.close()
    aloop.run(scenario())
