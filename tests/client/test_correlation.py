"""Property: whatever order the server answers in, every request gets its own reply (TrID correlation)."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msnqt.client import Messenger
from tests.client.util import PASSWORD, ns_login, sync_empty
from tests.support.fakeserver import C, FakeServer, Hold, S

SERVICES = ["INBOX", "COMPOSE", "PERSON", "FOLDERS", "MESSAGE", "PASSWORD"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(range(len(SERVICES))))
def test_any_reply_order_reaches_the_right_request(order: list[int]) -> None:
    async def scenario() -> None:
        expect = [C(f"URL {{t{i}}} {service}") for i, service in enumerate(SERVICES)]
        answer = [S(f"URL {{t{i}}} /{SERVICES[i].lower()} https://login/{i}") for i in order]
        # the PNG after the requests is the engine asking whether the server passes over URL (services.py)
        async with FakeServer([[*ns_login(1), *sync_empty(5), *expect, C("PNG"), *answer, S("QNG"),
                                Hold()]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            results = await asyncio.gather(*(messenger.url(service) for service in SERVICES))
            assert results == [(f"/{s.lower()}", f"https://login/{i}") for i, s in enumerate(SERVICES)]
            await messenger.sign_out()
            ns.check()
    asyncio.run(scenario())
