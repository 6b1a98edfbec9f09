"""A bare-bones MSNP2 line client for tests that drive the server around other events (signals, restarts)."""

from __future__ import annotations

import asyncio

from msnqt.protocol import md5_response


class LineClient:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, timeout: float) -> None:
        self.reader = reader
        self.writer = writer
        self.timeout = timeout

    @classmethod
    async def connect(cls, address: tuple[str, int], timeout: float = 5.0) -> LineClient:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(*address), timeout)
        return cls(reader, writer, timeout)

    async def send(self, line: str) -> None:
        self.writer.write(line.encode() + b"\r\n")
        await self.writer.drain()

    async def line(self) -> str:
        raw = await asyncio.wait_for(self.reader.readuntil(b"\r\n"), self.timeout)
        text = raw[:-2].decode()
        if text.startswith("MSG "):
            await asyncio.wait_for(self.reader.readexactly(int(text.rsplit(" ", 1)[1])), self.timeout)
        return text

    async def closed(self) -> bool:
        """True once the server closes (EOF); False if it sends anything first."""
        return await asyncio.wait_for(self.reader.read(65536), self.timeout) == b""

    def close(self) -> None:
        self.writer.close()


async def sign_in(ns: tuple[str, int], handle: str, password: str) -> LineClient:
    """VER, USR I, USR S on the NS; returns the client right after ``USR OK`` and the profile MSG."""
    client = await LineClient.connect(ns)
    await client.send("VER 1 MSNP2 CVR0")
    assert await client.line() == "VER 1 MSNP2"
    await client.send(f"USR 2 MD5 I {handle}")
    challenge = (await client.line()).split()[-1]
    await client.send(f"USR 3 MD5 S {md5_response(challenge, password)}")
    ok = await client.line()
    assert ok.startswith("USR 3 OK "), ok
    assert (await client.line()).startswith("MSG Hotmail Hotmail ")
    return client
