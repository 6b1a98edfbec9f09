"""The built-in server the desktop app runs when Options > Connection says so: accounts made on it are kept
on disk and survive a restart; a taken or malformed address is refused in plain words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from msnqt.app import BuiltInServer
from msnqt.client import Messenger


async def can_sign_in(address: str, handle: str, password: str) -> bool:
    engine = Messenger(address, request_timeout=3.0, auto_reconnect=False)
    try:
        await engine.sign_in(handle, password)
    except Exception:
        return False
    await engine.sign_out()
    return True


def test_an_account_made_on_the_built_in_server_survives_a_restart(aloop: Any, tmp_path: Path) -> None:
    data = tmp_path / "server"

    async def scenario() -> None:
        first = BuiltInServer(data)
        try:
            address = await first.address()
            assert address.startswith("127.0.0.1:") and address != "127.0.0.1:1863"
            assert await first.address() == address  # started once
            first.create_account("me@example.com", "Me", "secret1")
            assert await can_sign_in(address, "me@example.com", "secret1")
        finally:
            await first.close()
        second = BuiltInServer(data)
        try:
            assert await can_sign_in(await second.address(), "me@example.com", "secret1")
            with pytest.raises(ValueError, match=r"already an account me@example\.com"):
                second.create_account("me@example.com", "Me again", "other")
        finally:
            await second.close()

    aloop.run(scenario())


@pytest.mark.parametrize("handle", ["not an address", "me@", "x" * 130 + "@example.com"])
def test_a_malformed_address_is_refused_in_words(aloop: Any, tmp_path: Path, handle: str) -> None:
    async def scenario() -> None:
        server = BuiltInServer(tmp_path / "server")
        try:
            await server.address()
            with pytest.raises(ValueError, match="is not an e-mail address"):
                server.create_account(handle, "Me", "secret1")
        finally:
            await server.close()

    aloop.run(scenario())


def test_a_data_folder_that_cannot_be_made_is_a_sentence(aloop: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")

    async def scenario() -> None:
        server = BuiltInServer(blocker / "server")
        with pytest.raises(RuntimeError, match="cannot use the folder"):
            await server.address()
        await server.close()

    aloop.run(scenario())
