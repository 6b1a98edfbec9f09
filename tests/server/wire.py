"""A bare-bones MSNP2 line client for tests that drive the server around other events (signals, restarts)."""

from __future__ import annotations

import asyncio

from msnqt.protocol import encode_friendly, md5_response


class LineClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float) -> None:
        self.reader = reader
        self.writer = writer
        self.timeout = timeout
        self.companions: list[LineClient] = []
        """Connections closed together with this one (an SB client's NS session)."""

    @classmethod
    async def connect(cls, address: tuple[str, int], timeout: float = 5.0, *,
                      source: str | None = None) -> LineClient:
        """``source`` picks the local address (another loopback one, 127.0.0.2, is another "host")."""
        local = None if source is None else (source, 0)
        reader, writer = await asyncio.wait_for(asyncio.open_connection(*address, local_addr=local), timeout)
        return cls(reader, writer, timeout)

    async def send(self, line: str) -> None:
        self.writer.write(line.encode() + b"\r\n")
        await self.writer.drain()

    async def line(self) -> str:
        try:
            raw = await asyncio.wait_for(self.reader.readuntil(b"\r\n"), self.timeout)
        except TimeoutError:
            peer = self.writer.get_extra_info("peername")
            raise AssertionError(f"no line from {peer} within {self.timeout} s") from None
        text = raw[:-2].decode()
        if text.startswith("MSG "):
            await asyncio.wait_for(self.reader.readexactly(int(text.rsplit(" ", 1)[1])), self.timeout)
        return text

    async def closed(self) -> bool:
        """True once the server closes (EOF); False if it sends anything first."""
        return await asyncio.wait_for(self.reader.read(65536), self.timeout) == b""

    def close(self) -> None:
        self.writer.close()
        for companion in self.companions:
            companion.close()


async def sign_in(ns: tuple[str, int], handle: str, password: str, *,
                  source: str | None = None) -> LineClient:
    """VER, USR I, USR S on the NS; returns the client right after ``USR OK`` and the profile MSG."""
    client, ok = await try_sign_in(ns, handle, password, source=source)
    assert ok.startswith("USR 3 OK "), ok
    assert (await client.line()).startswith("MSG Hotmail Hotmail ")
    return client


async def try_sign_in(ns: tuple[str, int], handle: str, password: str, *,
                      source: str | None = None) -> tuple[LineClient, str]:
    """VER, USR I, USR S; the client and the server's answer to USR S (``USR 3 OK ...`` or an error)."""
    client = await LineClient.connect(ns, source=source)
    await client.send("VER 1 MSNP2 CVR0")
    assert await client.line() == "VER 1 MSNP2"
    await client.send(f"USR 2 MD5 I {handle}")
    challenge = (await client.line()).split()[-1]
    await client.send(f"USR 3 MD5 S {md5_response(challenge, password)}")
    return client, await client.line()


def parse_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` as XFR and RNG name a server."""
    host, port = text.rsplit(":", 1)
    return host, int(port)


async def go_online(client: LineClient, trid: int) -> None:
    """CHG NLN, and its answer (presence lines that come first are skipped)."""
    await client.send(f"CHG {trid} NLN")
    assert (await next_line_starting(client, "CHG"))[:2] == ["CHG", str(trid)]


async def next_line_starting(client: LineClient, command: str) -> list[str]:
    """The fields of the next line that is ``command``, skipping presence lines that may come first.

    An error answer (``601 4``, ``713 12``) is never skipped: the request it answers failed, and waiting on
    for the line that will not come would only turn a clear answer into a timeout."""
    fields = (await client.line()).split()
    while fields[0] != command:
        assert not fields[0].isdigit(), f"waiting for {command}, the server answered {' '.join(fields)}"
        fields = (await client.line()).split()
    return fields


async def open_chat(caller: LineClient, caller_id: tuple[str, str], callee: LineClient,
                    callee_id: tuple[str, str], *, xfr_trid: int) -> tuple[LineClient, LineClient]:
    """``caller`` (signed in and online on its NS) opens a switchboard and calls ``callee``; returns both
    switchboard connections once the callee has joined. ``*_id`` are (handle, friendly name)."""
    (caller_handle, caller_name), (callee_handle, callee_name) = caller_id, callee_id
    await caller.send(f"XFR {xfr_trid} SB")
    xfr = await next_line_starting(caller, "XFR")
    switchboard = parse_address(xfr[3])
    caller_sb = await LineClient.connect(switchboard)
    await caller_sb.send(f"USR 1 {caller_handle} {xfr[5]}")
    assert (await caller_sb.line()).startswith(f"USR 1 OK {caller_handle} ")
    await caller_sb.send(f"CAL 2 {callee_handle}")
    session_id = (await caller_sb.line()).split()[-1]
    ring = await next_line_starting(callee, "RNG")
    callee_sb = await LineClient.connect(switchboard)
    await callee_sb.send(f"ANS 1 {callee_handle} {ring[4]} {session_id}")
    assert await callee_sb.line() == f"IRO 1 1 1 {caller_handle} {encode_friendly(caller_name)}"
    assert await callee_sb.line() == "ANS 1 OK"
    assert await caller_sb.line() == f"JOI {callee_handle} {encode_friendly(callee_name)}"
    return caller_sb, callee_sb


NS_STATES = ("CONNECTED", "NEGOTIATED", "CHALLENGED", "SIGNED_IN", "ONLINE")
SB_STATES = ("CONNECTED", "IN_SESSION")


async def ns_in_state(ns: tuple[str, int], state: str, credentials: tuple[str, str]) -> LineClient:
    """A new NS connection brought to ``state`` (one of :data:`NS_STATES`) as ``(handle, password)``."""
    handle, password = credentials
    if state in ("SIGNED_IN", "ONLINE"):
        client = await sign_in(ns, handle, password)
        if state == "ONLINE":
            await client.send("CHG 4 NLN")
            assert await client.line() == "CHG 4 NLN"
        return client
    client = await LineClient.connect(ns)
    if state in ("NEGOTIATED", "CHALLENGED"):
        await client.send("VER 1 MSNP2")
        assert await client.line() == "VER 1 MSNP2"
    if state == "CHALLENGED":
        await client.send(f"USR 2 MD5 I {handle}")
        assert (await client.line()).startswith("USR 2 MD5 S ")
    return client


async def sb_in_state(ns: tuple[str, int], sb: tuple[str, int], state: str,
                      credentials: tuple[str, str]) -> LineClient:
    """A new SB connection in ``state`` (one of :data:`SB_STATES`); IN_SESSION alone in a new session."""
    client = await LineClient.connect(sb)
    if state == "IN_SESSION":
        handle, password = credentials
        owner = await sign_in(ns, handle, password)
        await owner.send("CHG 4 NLN")
        await owner.line()
        await owner.send("XFR 5 SB")
        cookie = (await owner.line()).split()[-1]
        await client.send(f"USR 1 {handle} {cookie}")
        assert (await client.line()).startswith(f"USR 1 OK {handle} ")
        # The owner stays signed in while the SB connection is used, as a real client's NS session does
        # (a CAL from someone who signed out is 913, whatever the state machine).
        client.companions.append(owner)
    return client
