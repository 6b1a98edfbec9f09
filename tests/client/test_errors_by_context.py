"""The same failure is phrased by what the user did and which server said it (issue 13).

Against the dialect fakes (tests/support/dialects): the words a user reads must be true for that server,
and a failure that will happen again must not say "try again".
"""

from __future__ import annotations

import asyncio

import pytest

from msnqt.client import Messenger, ProtocolViolation, ServerError, Unsupported
from msnqt.client.quirks import ServerQuirks
from msnqt.protocol.limits import FL_LIMIT
from tests.support.dialects import DIALECTS, DialectServer

ALICE, BOB = "alice@example.com", "bob@example.com"
NO_ACCOUNT = "There is no MSN Messenger account with that e-mail address."


async def _server(dialect: str) -> DialectServer:
    server = await DialectServer(DIALECTS[dialect]).start()
    server.add_account(ALICE, "alicepw", "Alice")
    server.add_account(BOB, "bobpw", "Bob")
    return server


def test_an_unknown_address_is_not_already_signed_in(aloop: asyncio.Runner) -> None:
    """Escargot 2018 answers CAL with a bare 207 and ADD with 207 for an address it does not know."""
    async def scenario() -> None:
        server = await _server("escargot2018")
        try:
            alice = Messenger(server.address, request_timeout=5)
            await alice.sign_in(ALICE, "alicepw")
            with pytest.raises(ServerError) as on_add:
                await alice.add_contact("nobody@example.com")
            with pytest.raises(ServerError) as on_call:
                await alice.start_conversation("nobody@example.com")
            for caught in (on_add, on_call):
                assert caught.value.code == 207
                assert caught.value.user_message == NO_ACCOUNT
            assert alice.signed_in
            await alice.sign_out()
        finally:
            await server.close()
    aloop.run(scenario())


HANG_GUARD = 60.0
"""Far below the request timeout of these tests: only a PNG round trip can answer in time."""


def test_a_server_without_a_member_directory_says_so_at_once_and_then_without_asking(
        aloop: asyncio.Runner) -> None:
    """Escargot 2025 never answers FND: the QNG to a PNG sent after it tells, not a 15 s wait."""
    async def scenario() -> None:
        server = await _server("escargot2025")
        try:
            quirks = ServerQuirks()
            alice = Messenger(server.address, request_timeout=3600, quirks=quirks)
            await alice.sign_in(ALICE, "alicepw")
            with pytest.raises(Unsupported) as first:
                await asyncio.wait_for(alice.find("Bob", "*"), HANG_GUARD)
            assert first.value.user_message == \
                "This server has no member directory, so people cannot be searched for."
            assert "try again" not in first.value.user_message.lower()
            fnd_sent = _count_fnd(server)
            with pytest.raises(Unsupported):
                await alice.find("Bob", "*")
            assert _count_fnd(server) == fnd_sent
            assert alice.signed_in
            assert await alice.url("INBOX") == ("/unused1", "/unused2")  # its four-field URL reply
            await alice.sign_out()
        finally:
            await server.close()
    aloop.run(scenario())


def test_a_request_escargot_2018_passes_over_is_answered_at_once(aloop: asyncio.Runner) -> None:
    """Escargot 2018 ignores commands it does not know (§8.2 D5), URL among them."""
    async def scenario() -> None:
        server = await _server("escargot2018")
        try:
            alice = Messenger(server.address, request_timeout=3600, quirks=ServerQuirks())
            await alice.sign_in(ALICE, "alicepw")
            with pytest.raises(Unsupported) as caught:
                await asyncio.wait_for(alice.url("INBOX"), HANG_GUARD)
            assert caught.value.user_message == "This server does not offer Hotmail or MSN web pages."
            assert alice.signed_in
            await alice.sign_out()
        finally:
            await server.close()
    aloop.run(scenario())


def test_a_full_contact_list_says_so(aloop: asyncio.Runner) -> None:
    """The Go server keeps the forward list to 150 (§8.4, code 210): the 151st contact is refused with a
    reason the user can act on, and the 150 stay."""
    async def scenario() -> None:
        server = await _server("goserver")
        try:
            friends = [f"friend{i}@example.com" for i in range(FL_LIMIT + 1)]
            for friend in friends:
                server.add_account(friend, "pw")
            alice = Messenger(server.address, request_timeout=5)
            await alice.sign_in(ALICE, "alicepw")
            for friend in friends[:FL_LIMIT]:
                await alice.add_contact(friend)
            with pytest.raises(ServerError) as full:
                await alice.add_contact(friends[-1])
            assert full.value.user_message == \
                "Your contact list is full. Remove someone before adding a new contact."
            assert len(alice.contacts()) == FL_LIMIT and alice.signed_in
            await alice.sign_out()
        finally:
            await server.close()
    aloop.run(scenario())


def _count_fnd(server: DialectServer) -> int:
    return sum(line.startswith("FND ") for peer in server.ns_peers for line in peer.received)


def test_a_reply_that_will_come_again_does_not_say_try_again() -> None:
    message = ProtocolViolation("CHG 6 ???").user_message
    assert "try again" not in message.lower()
    assert "MSNP2" in message
