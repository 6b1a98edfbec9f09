"""The notification state without sockets or a loop: server bytes in, events and actions out (issue 13).

Lines are decoded by the real codec from the bytes real servers send (msnp2-reference §8,
escargot-2018-transcripts.md), so these pin how the engine reads each server's unsolicited lines.
"""

from __future__ import annotations

from msnqt.client import events as ev
from msnqt.client.model import Contact, ListCache
from msnqt.client.notification import (
    MoveTo,
    NotificationState,
    Outcome,
    OwnStatus,
    Pong,
    ReverseListed,
    ServerSignedOut,
    StoreName,
)
from msnqt.protocol.codes import ListName, ReverseListPrompt, Status
from msnqt.protocol.commands import Channel, Sender
from msnqt.protocol.wire import Decoder

ME, BOB = "alice@example.com", "bob@example.com"


def feed(state: NotificationState, data: bytes) -> Outcome:
    total = Outcome()
    for command in Decoder(Sender.SERVER, Channel.NS).feed(data):
        outcome = state.handle(command)
        total.events += outcome.events
        total.actions += outcome.actions
    return total


def fresh(gtc: ReverseListPrompt = ReverseListPrompt.ASK) -> NotificationState:
    cache = ListCache(version=4)
    cache.gtc = gtc
    state = NotificationState(cache)
    state.own_handle = ME
    return state


def test_escargot_2018_added_you_without_a_list_version() -> None:
    state = fresh()
    out = feed(state, b"ADD 0 RL bob@example.com bob@example.com\r\n")
    assert out.actions == [ReverseListed(BOB, BOB)]
    assert out.events == [ev.ContactChanged(Contact(BOB, BOB, Status.OFFLINE, frozenset({ListName.REVERSE})))]
    assert state.cache.version == 4  # the missing version lowers nothing
    assert state.reverse_decision(BOB) == (True, False)  # GTC A: ask the user


def test_gtc_n_allows_silently_and_a_decided_person_is_not_asked() -> None:
    state = fresh(ReverseListPrompt.NEVER)
    feed(state, b"ADD 0 RL 5 bob@example.com Bob\r\n")
    assert state.reverse_decision(BOB) == (False, True)
    state.cache.put(ListName.BLOCK, BOB, "Bob")
    assert state.reverse_decision(BOB) == (False, False)


def test_presence_with_a_new_name_of_a_contact_asks_to_store_it() -> None:
    state = fresh()
    state.cache.put(ListName.FORWARD, BOB, "bob@example.com")
    out = feed(state, b"NLN BSY bob@example.com Bob%20Builder\r\n")
    assert out.events == [ev.ContactChanged(Contact(BOB, "Bob Builder", Status.BUSY,
                                                    frozenset({ListName.FORWARD})))]
    assert out.actions == [StoreName(BOB, "Bob Builder")]
    gone = feed(state, b"FLN bob@example.com\r\n")
    assert gone.events == [ev.ContactChanged(Contact(BOB, "bob@example.com", Status.OFFLINE,
                                                     frozenset({ListName.FORWARD})))]
    assert feed(state, b"FLN bob@example.com\r\n").events == []  # already offline: nothing to say


def test_escargot_2025_presence_saying_nln_fln_means_gone() -> None:
    """Escargot 2025's presence batches can carry ``NLN FLN`` (§8.3): the contact is offline."""
    state = fresh()
    state.cache.put(ListName.FORWARD, BOB, "Bob")
    feed(state, b"NLN NLN bob@example.com Bob\r\n")
    out = feed(state, b"NLN FLN bob@example.com Bob\r\n")
    offline = Contact(BOB, "Bob", Status.OFFLINE, frozenset({ListName.FORWARD}))
    assert out.events == [ev.ContactChanged(offline)]
    assert state.contact(BOB) == offline


def test_own_status_echo_with_escargot_s_extra_field_and_the_keepalive_answer() -> None:
    out = feed(fresh(), b"CHG 0 BSY 0\r\nQNG\r\n")
    assert out.actions == [OwnStatus(Status.BUSY), Pong()]


def test_signed_out_elsewhere_moved_and_our_own_out_echo() -> None:
    assert feed(fresh(), b"OUT OTH\r\n").actions == [ServerSignedOut("OTH")]
    assert feed(fresh(), b"OUT\r\n").actions == []  # the reply to our own OUT
    assert feed(fresh(), b"XFR 0 NS 127.0.0.1:1864 0\r\n").actions == [MoveTo("127.0.0.1:1864")]


def test_mail_notice_and_a_profile_message() -> None:
    mail = (b"MIME-Version: 1.0\r\nContent-Type: application/x-msmsgsemailnotification; charset=UTF-8\r\n\r\n"
            b"Inbox-Unread: 3\r\nFolders-Unread: 1\r\n\r\n")
    profile = b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\nMSPAuth: x\r\n\r\n"
    out = feed(fresh(), b"MSG Hotmail Hotmail %d\r\n%s" % (len(mail), mail)
               + b"MSG Hotmail Hotmail %d\r\n%s" % (len(profile), profile))
    assert out.events == [ev.MailSummary(3, 1)]
    assert out.actions == []
