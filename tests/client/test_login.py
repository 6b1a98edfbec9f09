"""Sign-in paths against scripted servers: DS -> NS, NS directly (Escargot), refusals, timeouts."""

from __future__ import annotations

import asyncio
import logging

import pytest

from msnqt.client import (
    AuthenticationFailed,
    ConnectionFailed,
    Contact,
    InvalidServerAddress,
    ListCache,
    Messenger,
    ProtocolViolation,
    RequestTimeout,
    ServerError,
    ServerUnavailable,
    SignInCancelled,
)
from msnqt.client import events as ev
from msnqt.protocol.codes import ListName, Privacy, ReverseListPrompt, Status
from tests.client.util import PASSWORD, PRESENCE_BARRIER, RESPONSE, EventRecorder, ns_login, sync_empty
from tests.support.fakeserver import C, Close, FakeServer, Hold, Mark, S, unused_port

FULL_SYNC = [
    C("SYN 8 0"), S("SYN 8 14"), S("GTC 8 14 A"), S("BLP 8 14 AL"),
    S("LST 8 FL 14 1 2 bob@hotmail.com Bob%20Builder"),
    S("LST 8 FL 14 2 2 carol@hotmail.com Carol"),
    S("LST 8 AL 14 1 2 bob@hotmail.com Bob%20Builder"),
    S("LST 8 AL 14 2 2 carol@hotmail.com Carol"),
    S("LST 8 BL 14 0 0"),
    S("LST 8 RL 14 1 2 bob@hotmail.com Bob%20Builder"),
    S("LST 8 RL 14 2 2 carol@hotmail.com Carol"),
    C("CHG 9 NLN"), S("CHG 9 NLN"),
    S("ILN 9 BSY bob@hotmail.com Bob%20Builder"),
    *PRESENCE_BARRIER,
]


def test_dispatch_refers_to_notification_server_and_trids_continue(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([ns_login(4) + FULL_SYNC + [Hold()]]) as ns, FakeServer([[
            C("VER 1 MSNP2 CVR0"), S("VER 1 MSNP2"), C("INF 2"), S("INF 2 MD5"),
            C("USR 3 MD5 I alice@hotmail.com"), S("XFR 3 NS {ns}"), Close(),
        ]], ns=ns.address) as ds:
            messenger = Messenger(ds.address, request_timeout=5)
            recorder = EventRecorder(messenger)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert messenger.signed_in
            assert (messenger.handle, messenger.friendly) == ("alice@hotmail.com", "Alice Liddell")
            assert messenger.contacts() == [
                Contact("bob@hotmail.com", "Bob Builder", Status.BUSY,
                        frozenset({ListName.FORWARD, ListName.ALLOW, ListName.REVERSE})),
                Contact("carol@hotmail.com", "Carol", Status.OFFLINE,
                        frozenset({ListName.FORWARD, ListName.ALLOW, ListName.REVERSE})),
            ]
            assert messenger.list_cache.version == 14
            assert recorder.of_type(ev.SignedIn) == [ev.SignedIn("alice@hotmail.com", "Alice Liddell")]
            assert ev.ListsLoaded() in recorder.events
            assert messenger.status is Status.ONLINE
            await messenger.sign_out()
            ds.check()
            ns.check()
    aloop.run(scenario())


def test_escargot_style_server_answers_on_the_ns_directly(aloop: asyncio.Runner) -> None:
    """No DS and no XFR NS: the first server answers USR I with its fixed per-account salt."""
    salt = "0123456789abcde"

    async def scenario() -> None:
        async with FakeServer([ns_login(1, challenge=salt, friendly="alice@hotmail.com")
                               + sync_empty(5) + [Hold()]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert messenger.signed_in
            assert messenger.friendly == "alice@hotmail.com"
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_cached_lists_are_kept_when_the_version_matches(aloop: asyncio.Runner) -> None:
    cache = ListCache(version=7)
    cache.put(ListName.FORWARD, "bob@hotmail.com", "Bob")

    async def scenario() -> None:
        async with FakeServer([ns_login(1) + sync_empty(5, version=7) + [Hold()]]) as ns:
            saved = ListCache.from_json(cache.to_json())
            messenger = Messenger(ns.address, request_timeout=5, list_cache=saved)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert [c.handle for c in messenger.contacts()] == ["bob@hotmail.com"]
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())


def test_wrong_password_is_authentication_failed(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*ns_login(1)[:6], C("USR 4 MD5 S *"), S("911 4"), Close()]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            with pytest.raises(AuthenticationFailed) as caught:
                await messenger.sign_in("alice@hotmail.com", "wrong")
            assert caught.value.user_message == "The e-mail address or password is incorrect."
            assert not messenger.signed_in
            ns.check()
    aloop.run(scenario())


@pytest.mark.parametrize("code", [600, 601])
def test_busy_or_unavailable_server(aloop: asyncio.Runner, code: int) -> None:
    async def scenario() -> None:
        async with FakeServer([[C("VER 1 MSNP2 CVR0"), S("VER 1 MSNP2"), C("INF 2"), S("INF 2 MD5"),
                                C("USR 3 MD5 I alice@hotmail.com"), S(f"{code} 3"), Close()]]) as ds:
            messenger = Messenger(ds.address, request_timeout=5)
            with pytest.raises(ServerUnavailable) as caught:
                await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert caught.value.code == code
            assert "temporarily unavailable" in caught.value.user_message
            ds.check()
    aloop.run(scenario())


def test_connection_refused(aloop: asyncio.Runner) -> None:
    port = unused_port()

    async def scenario() -> None:
        messenger = Messenger(f"127.0.0.1:{port}", request_timeout=5)
        with pytest.raises(ConnectionFailed) as caught:
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
        assert caught.value.user_message == (
            f"Could not connect to 127.0.0.1:{port}: no server is running at that address on this computer.")
        assert "network" not in ConnectionFailed("127.0.0.1", port).user_message
        assert "Check your network connection" in ConnectionFailed("192.0.2.1", port).user_message
        assert not messenger.signed_in
    aloop.run(scenario())


def test_silent_server_times_out(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[C("VER 1 MSNP2 CVR0"), Hold()]]) as ds:
            messenger = Messenger(ds.address, request_timeout=0.2)
            with pytest.raises(RequestTimeout):
                await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert not messenger.signed_in
            ds.check()
    aloop.run(scenario())


def test_server_without_msnp2_is_a_protocol_violation(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[C("VER 1 MSNP2 CVR0"), S("VER 1 0"), Close()]]) as ds:
            messenger = Messenger(ds.address, request_timeout=5)
            with pytest.raises(ProtocolViolation):
                await messenger.sign_in("alice@hotmail.com", PASSWORD)
    aloop.run(scenario())


def test_logs_never_show_the_password_or_md5_response(aloop: asyncio.Runner,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="msnqt")

    async def scenario() -> None:
        async with FakeServer([ns_login(1) + sync_empty(5) + [Hold()]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            await messenger.sign_out()
    aloop.run(scenario())
    assert "USR 4 MD5 S <redacted>" in caplog.text
    assert "SYN 5 0" in caplog.text  # the wire is logged at all
    assert PASSWORD not in caplog.text
    assert RESPONSE not in caplog.text


@pytest.mark.parametrize("server", ["", "host:port", "host:0", "host:70000", ":1863"])
def test_bad_server_address_is_reported_at_sign_in(aloop: asyncio.Runner, server: str) -> None:
    async def scenario() -> None:
        messenger = Messenger(server)
        with pytest.raises(InvalidServerAddress) as caught:
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
        assert "not a valid server address" in caught.value.user_message
        assert not messenger.signed_in
    aloop.run(scenario())


def test_bad_sign_in_name_is_refused_before_connecting(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        messenger = Messenger(f"127.0.0.1:{unused_port()}")
        with pytest.raises(ServerError) as caught:
            await messenger.sign_in("not an address", PASSWORD)
        assert caught.value.user_message == "That e-mail address is not valid."
    aloop.run(scenario())


def test_sign_out_during_sign_in_cancels_it(aloop: asyncio.Runner) -> None:
    async def scenario() -> None:
        async with FakeServer([[*ns_login(1), C("SYN 5 0"), Mark("syncing"), Hold()]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            recorder = EventRecorder(messenger)
            signing_in = asyncio.ensure_future(messenger.sign_in("alice@hotmail.com", PASSWORD))
            await ns.reached("syncing")
            await messenger.sign_out()
            with pytest.raises(SignInCancelled) as caught:
                await signing_in
            assert caught.value.user_message == "Sign-in was cancelled."
            assert not messenger.signed_in
            assert recorder.of_type(ev.SignedIn) == []
            ns.check()
    aloop.run(scenario())


def test_escargot_2018_sync_quirks_lose_no_entry(aloop: asyncio.Runner) -> None:
    """E18 (D7, D8): LST before GTC/BLP, and item#/total swapped. Every entry still lands."""
    async def scenario() -> None:
        async with FakeServer([[*ns_login(1), C("SYN 5 0"), S("SYN 5 3"),
                                S("LST 5 FL 3 2 1 bob@hotmail.com Bob"),
                                S("LST 5 FL 3 2 2 carol@hotmail.com Carol"),
                                S("LST 5 AL 3 0 0"), S("LST 5 BL 3 0 0"), S("LST 5 RL 3 0 0"),
                                S("GTC 5 3 N"), S("BLP 5 3 BL"),
                                C("CHG 6 NLN"), S("CHG 6 NLN"), *PRESENCE_BARRIER, Hold()]]) as ns:
            messenger = Messenger(ns.address, request_timeout=5)
            await messenger.sign_in("alice@hotmail.com", PASSWORD)
            assert [c.handle for c in messenger.contacts()] == ["bob@hotmail.com", "carol@hotmail.com"]
            assert messenger.reverse_prompt is ReverseListPrompt.NEVER
            assert messenger.privacy is Privacy.BLOCK_ALL
            await messenger.sign_out()
            ns.check()
    aloop.run(scenario())
