"""Events crossing from one NS to another arrive as they were sent: every kind, in order, each to its
session (the encoding groups a fan-out's identical events, which must change nothing that arrives)."""

from __future__ import annotations

import pytest

from msnqt.protocol.codes import Status
from msnqt.server.cluster.wire_events import Envelope, decode, encode
from msnqt.server.core.events import AddedBy, ContactOffline, ContactOnline, RemovedBy, Ring, SignedOut


def test_a_batch_of_every_kind_arrives_whole_and_in_order() -> None:
    nln = ContactOnline("Alice@Hotmail.com", Status.AWAY, "Alice in Wonderland")
    batch = [Envelope(f"watcher{i}@hotmail.com", None, nln) for i in range(3)]
    batch += [
        Envelope("carol@hotmail.com", None, ContactOffline("dave@hotmail.com")),
        Envelope("watcher9@hotmail.com", None, ContactOnline("Alice@Hotmail.com", Status.AWAY,
                                                              "Alice in Wonderland")),  # equal, not adjacent
        Envelope("bob@hotmail.com", None, AddedBy(7, "Alice@Hotmail.com", "Alice")),
        Envelope("bob@hotmail.com", None, RemovedBy(8, "Alice@Hotmail.com")),
        Envelope("bob@hotmail.com", None, Ring("10000001", "123.456", "Alice@Hotmail.com", "Alice",
                                               ("127.0.0.1", 1864))),
        Envelope("bob@hotmail.com", None, Ring("10000002", "124.456", "Alice@Hotmail.com", "Alice")),
        Envelope("bob@hotmail.com", "a1b2c3", SignedOut("OTH")),
        Envelope("carol@hotmail.com", "d4e5f6", SignedOut("OTH")),  # same event, another session
    ]
    assert decode(encode(batch)) == batch
    assert decode(encode([])) == []


MALFORMED = [
    "", "{}", "[1]",
    '[{"kind": "Nope", "fields": {}, "token": null, "keys": []}]',
    '[{"kind": "SignedOut", "fields": {"reason": "OTH"}, "token": 5, "keys": ["a"]}]',
    '[{"kind": "ContactOnline", "fields": {"handle": "a", "status": "XXX", "friendly": "a"},'
    ' "token": null, "keys": ["b"]}]',
]


@pytest.mark.parametrize("text", MALFORMED)
def test_a_malformed_message_is_refused_with_the_errors_the_router_ignores(text: str) -> None:
    with pytest.raises((ValueError, KeyError, TypeError)):
        decode(text)
