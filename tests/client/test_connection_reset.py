"""A server that resets the connection gives the user one readable error, and nothing else on stderr."""

from __future__ import annotations

import asyncio
import socket
import struct
import sys

import pytest

from msnqt.client import ConnectionFailed, Messenger

# What the installed msnqt-cli script runs (its shutdown order differs from ``python -m``, and only it showed
# the stray traceback).
CONSOLE_SCRIPT = "import sys; from msnqt.app import cli_main; sys.exit(cli_main())"


async def _resetting_server(lines_before_reset: int) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(lines_before_reset):
            parts = (await reader.readline()).split()
            reply = {b"VER": b"VER %s MSNP2", b"INF": b"INF %s MD5"}[parts[0]] % parts[1]
            writer.write(reply + b"\r\n")
            await writer.drain()
        await reader.readline()
        linger_zero = struct.pack("ii", 1, 0)  # close with RST, as a crashed or overloaded server does
        writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger_zero)
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


@pytest.mark.parametrize("lines_before_reset", [0, 1, 2])
def test_reset_during_sign_in_is_one_connection_error(aloop: asyncio.Runner, lines_before_reset: int) -> None:
    async def scenario() -> None:
        server = await _resetting_server(lines_before_reset)
        async with server:
            port = server.sockets[0].getsockname()[1]
            messenger = Messenger(f"127.0.0.1:{port}", request_timeout=5, auto_reconnect=False)
            with pytest.raises(ConnectionFailed) as caught:
                await messenger.sign_in("amy@example.com", "pw")
            assert f"127.0.0.1:{port}" in caught.value.user_message
    aloop.run(scenario())


@pytest.mark.parametrize("lines_before_reset", [0, 2])
def test_cli_reports_a_reset_in_one_line_without_a_traceback(aloop: asyncio.Runner,
                                                            lines_before_reset: int) -> None:
    """msnqt-cli used to print "Future exception was never retrieved" and a traceback at exit."""
    async def scenario() -> tuple[int, bytes]:
        server = await _resetting_server(lines_before_reset)
        async with server:
            port = server.sockets[0].getsockname()[1]
            cli = await asyncio.create_subprocess_exec(
                sys.executable, "-c", CONSOLE_SCRIPT, "--server", f"127.0.0.1:{port}",
                "--user", "amy@example.com", "send", "bob@example.com", "hi",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            _, stderr = await asyncio.wait_for(cli.communicate(b"pw\n"), 30)
            return cli.returncode or 0, stderr
    returncode, stderr = aloop.run(scenario())
    assert returncode == 1
    lines = stderr.decode().splitlines()
    assert len(lines) == 1, stderr.decode()
    assert lines[0].startswith("msnqt-cli: ") and "127.0.0.1:" in lines[0]
