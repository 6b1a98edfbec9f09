"""``msnqt-cli`` against a hostile server: names and messages chosen by someone else reach the terminal
only as text. The CLI runs as a subprocess (as a script would run it) against a scripted server."""

from __future__ import annotations

import asyncio
import signal

from msnqt.protocol.message import plain_text_payload
from tests.client.test_cli import cli, finish
from tests.client.util import PASSWORD, PRESENCE_BARRIER, ns_login
from tests.support.fakeserver import C, FakeServer, Hold, S, Step

ALICE, BOB, CAROL, DAN = "alice@hotmail.com", "bob@hotmail.com", "carol@hotmail.com", "dan@hotmail.com"

# (wire form, what the CLI must print for it)
HOSTILE_NAMES = [
    # a line break and tabs that would print a forged contact line "eve@hotmail.com NLN Eve"
    ("Bob%0Aeve@hotmail.com%09NLN%09Eve", "Bob\\neve@hotmail.com\\tNLN\\tEve"),
    # OSC 0 (set the terminal title) ended by BEL, sent %XX-encoded
    ("%1B]0;pwned%07Carol", "\\x1b]0;pwned\\x07Carol"),
    # "clear the screen", sent as raw bytes (no whitespace, so it is one field), and a bidi override
    ("\x1b[2JDan%E2%80%AEnaD\\", "\\x1b[2JDan\\u202enaD\\\\"),
]
ENTRIES = list(zip((BOB, CAROL, DAN), HOSTILE_NAMES, strict=True))


def _hidden_sign_in_with(fl_lines: list[S]) -> list[Step]:
    return [*ns_login(1), C("SYN 5 0"), S("SYN 5 1"), S("GTC 5 1 A"), S("BLP 5 1 AL"), *fl_lines,
            S("LST 5 AL 1 0 0"), S("LST 5 BL 1 0 0"), S("LST 5 RL 1 0 0")]


def test_status_prints_hostile_names_escaped_one_line_per_contact(aloop: asyncio.Runner) -> None:
    fl = [S(f"LST 5 FL 1 {i} 3 {handle} {wire}") for i, (handle, (wire, _)) in enumerate(ENTRIES, 1)]

    async def scenario() -> tuple[int, str, str]:
        async with FakeServer([[*_hidden_sign_in_with(fl), C("CHG 6 HDN"), S("CHG 6 HDN"),
                                *PRESENCE_BARRIER, Hold()]]) as ns:
            result = await finish(await cli("--server", ns.address, "--user", ALICE, "status",
                                            password=PASSWORD))
            ns.check()
            return result
    code, out, err = aloop.run(scenario())
    assert (code, err) == (0, "")
    assert out.splitlines() == [f"{handle}\tFLN\t{shown}" for handle, (_, shown) in ENTRIES]
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out


def test_listen_prints_hostile_messages_and_senders_escaped(aloop: asyncio.Runner) -> None:
    text = "hi\r\nfake@hotmail.com\tforged\x1b]0;title\x07\x1b[2J\x9b31m\u2028end"
    ring = f"RNG 11752013 {{sb}} CKI 849102291.520491113 {BOB} %1B[2JBob"

    async def scenario() -> tuple[int, list[str], str]:
        async with FakeServer([[C(f"ANS 1 {ALICE} 849102291.520491113 11752013"),
                                S(f"IRO 1 1 1 {BOB} %1B[2JBob"), S("ANS 1 OK"),
                                S(f"MSG {BOB} %1B[2JBob", payload=plain_text_payload(text)),
                                Hold()]]) as sb, \
                FakeServer([[*_hidden_sign_in_with([S("LST 5 FL 1 0 0")]), C("CHG 6 NLN"), S("CHG 6 NLN"),
                             *PRESENCE_BARRIER, S(ring), Hold()]], sb=sb.address) as ns:
            listener = await cli("--server", ns.address, "--user", ALICE, "listen", "--seconds", "60",
                                 password=PASSWORD)
            try:
                assert listener.stdout is not None
                joined = (await asyncio.wait_for(listener.stdout.readline(), 10)).decode()
                line = (await asyncio.wait_for(listener.stdout.readline(), 10)).decode()
                listener.send_signal(signal.SIGINT)  # stop listening, sign out
                code, rest, err = await finish(listener)
            finally:
                if listener.returncode is None:
                    listener.kill()
                    await listener.wait()
            ns.check()
            sb.check()
            return code, [joined, line, *rest.splitlines(keepends=True)], err
    code, lines, err = aloop.run(scenario())
    assert (code, err) == (0, "")
    assert lines == [f"+ {BOB}\n",
                     f"{BOB}\thi\\nfake@hotmail.com\\tforged\\x1b]0;title\\x07\\x1b[2J\\x9b31m\\u2028end\n"]
