"""A subscriber that raises is reported, not swallowed, and does not stop the others (issue 13)."""

from __future__ import annotations

import asyncio
from typing import Any

from msnqt.client import Messenger
from msnqt.client import events as ev
from tests.client.util import PASSWORD, ns_login, sync_empty
from tests.support.fakeserver import FakeServer, Hold


def test_a_failing_subscriber_reaches_the_loop_and_the_others_still_hear(aloop: asyncio.Runner) -> None:
    async def scenario() -> list[dict[str, Any]]:
        reported: list[dict[str, Any]] = []
        loop = asyncio.get_running_loop()
        previous = loop.get_exception_handler()
        loop.set_exception_handler(lambda _loop, context: reported.append(context))
        try:
            async with FakeServer([[*ns_login(1), *sync_empty(5), Hold()]]) as ns:
                messenger = Messenger(ns.address, request_timeout=5)
                heard: list[ev.Event] = []

                def broken(event: ev.Event) -> None:
                    raise RuntimeError("a bug in a window")

                messenger.subscribe(broken)
                messenger.subscribe(heard.append)
                await messenger.sign_in("alice@hotmail.com", PASSWORD)
                assert messenger.signed_in
                assert ev.SignedIn("alice@hotmail.com", "Alice Liddell") in heard
                await messenger.sign_out()
        finally:
            loop.set_exception_handler(previous)
        return reported

    reported = aloop.run(scenario())
    assert reported and all(isinstance(c["exception"], RuntimeError) for c in reported)
    assert any("SignedIn" in c["message"] for c in reported)
