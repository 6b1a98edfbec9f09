"""What the notification server tells us unasked, as pure state: ``handle(line) -> (events, actions)``.

Why sans-IO: interpreting an unsolicited NS line (presence, list changes, the reverse-list prompt, mail
notices, being signed out or moved) is where servers differ most (msnp2-reference §8), and it needs no
socket. Here it is a plain object fed decoded lines, so a test can give it any server's lines and read the
events it would emit and the actions it asks for, with no loop and no connection (h11's style). The
engine (``unsolicited.py``) feeds it the lines its NS connection delivers, emits the events, and carries
out the actions, the only parts that talk to the network.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from msnqt.protocol.codes import ListName, ReverseListPrompt, Status
from msnqt.protocol.commands import (
    Add,
    Blp,
    Chg,
    Command,
    Error,
    Fln,
    Gtc,
    Iln,
    Lst,
    MsgRelay,
    Nln,
    Out,
    Qng,
    Rea,
    Rem,
    Rng,
    XfrNs,
)
from msnqt.protocol.errors import ProtocolError
from msnqt.protocol.limits import MAX_LIST_ENTRIES
from msnqt.protocol.message import CONTENT_EMAIL, parse_message
from msnqt.protocol.names import same_handle

from . import events as ev
from .connection import loggable
from .errors import ServerOverLimit
from .model import Contact, ListCache

log = logging.getLogger("msnqt.client")


# --- actions: what the state asks its owner to do ---------------------------------------------------

@dataclass(frozen=True)
class OwnStatus:
    """The server set (or echoed) our status."""
    status: Status


@dataclass(frozen=True)
class OwnName:
    """The server changed our friendly name."""
    friendly: str


@dataclass(frozen=True)
class ReverseListed:
    """``handle`` put us on their forward list: prompt or allow by the GTC setting (§6.4)."""
    handle: str
    friendly: str


@dataclass(frozen=True)
class StoreName:
    """A contact shows a new friendly name: store it with REA, as 1.0 did (§3.2 REA, §9)."""
    handle: str
    friendly: str


@dataclass(frozen=True)
class AnswerRing:
    rng: Rng


@dataclass(frozen=True)
class Pong:
    """QNG: the answer to a PNG."""


@dataclass(frozen=True)
class ServerSignedOut:
    """``OUT OTH`` / ``OUT SSD`` (or another reason): the session is over, no reconnect."""
    reason: str


@dataclass(frozen=True)
class MoveTo:
    """``XFR 0 NS host:port``: sign in again there."""
    address: str


Action = OwnStatus | OwnName | ReverseListed | StoreName | AnswerRing | Pong | ServerSignedOut | MoveTo


@dataclass
class Outcome:
    events: list[ev.Event] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


class NotificationState:
    """The list cache, who is online, and how to read the next unsolicited NS line."""

    def __init__(self, cache: ListCache) -> None:
        self.cache = cache
        self.presence: dict[str, tuple[Status, str]] = {}
        """Lower-cased handle -> (status, friendly name as last announced), for people online."""
        self.own_handle = ""

    # --- reading --------------------------------------------------------------------------------

    def contact(self, handle: str) -> Contact | None:
        """The person as the user sees them (with the list's spelling), or None when on no list."""
        for name in ListName:
            stored = self.cache.find(name, handle)
            if stored is not None:
                return self.listed(stored)
        return None

    def listed(self, handle: str) -> Contact:
        """``handle`` (spelled as stored) with its presence, name and lists."""
        status, online_name = self.presence.get(handle.lower(), (Status.OFFLINE, ""))
        stored = ""
        for name in (ListName.FORWARD, ListName.ALLOW, ListName.BLOCK, ListName.REVERSE):
            key = self.cache.find(name, handle)
            if key is not None:
                stored = self.cache.entries[name][key]
                break
        return Contact(handle, online_name or stored or handle, status, self.cache.lists_of(handle))

    def membership(self, handle: str) -> ev.Event:
        """The event that tells a subscriber about ``handle``'s lists now."""
        contact = self.contact(handle)
        return ev.ContactRemoved(handle) if contact is None else ev.ContactChanged(contact)

    def reverse_decision(self, handle: str) -> tuple[bool, bool]:
        """(ask the user, allow silently) for someone who has us on their FL (§6.4 GTC)."""
        undecided = not (self.cache.has(ListName.ALLOW, handle) or self.cache.has(ListName.BLOCK, handle))
        ask = undecided and self.cache.gtc is ReverseListPrompt.ASK
        return ask, undecided and not ask

    def new_name_to_store(self, handle: str, friendly: str) -> StoreName | None:
        stored = self.cache.find(ListName.FORWARD, handle)
        if stored is None or not friendly or self.cache.entries[ListName.FORWARD][stored] == friendly:
            return None
        return StoreName(stored, friendly)

    # --- the line -------------------------------------------------------------------------------

    def handle(self, command: Command) -> Outcome:
        """Interpret one unsolicited NS line. Raises ServerOverLimit for a server flooding presence."""
        out = Outcome()
        cache = self.cache
        match command:
            case Iln(status=status, handle=handle, friendly=friendly) | Nln(
                    status=status, handle=handle, friendly=friendly):
                self._presence(out, handle, status, friendly)
                store = self.new_name_to_store(handle, friendly)
                if store is not None:
                    out.actions.append(store)
            case Fln(handle=handle):
                self._presence(out, handle, Status.OFFLINE, "")
            case Add(list_name=list_name, version=version, handle=handle, friendly=friendly):
                cache.version = max(cache.version, version)  # 0 when the server sent none (E18 D12)
                cache.put(list_name, handle, friendly)
                out.events.append(self.membership(handle))
                if list_name is ListName.REVERSE:
                    out.actions.append(ReverseListed(handle, friendly))
            case Rem(list_name=list_name, version=version, handle=handle):
                cache.version = max(cache.version, version)
                cache.drop(list_name, handle)
                out.events.append(self.membership(handle))
                if list_name is ListName.REVERSE:
                    out.events.append(ev.RemovedBy(handle))
            case Chg(status=status):
                out.actions.append(OwnStatus(status))
            case Lst(list_name=list_name, handle=str(handle), friendly=friendly):
                cache.put(list_name, handle, friendly or handle)  # a straggler of SYN
                out.events.append(self.membership(handle))
            case Gtc(version=version, setting=setting):
                cache.version, cache.gtc = max(cache.version, version), setting
                out.events.append(ev.PrivacyChanged(cache.blp, cache.gtc))
            case Blp(version=version, setting=setting):
                cache.version, cache.blp = max(cache.version, version), setting
                out.events.append(ev.PrivacyChanged(cache.blp, cache.gtc))
            case Rea(handle=handle, friendly=friendly) if same_handle(handle, self.own_handle):
                out.actions.append(OwnName(friendly))
            case Rng():
                out.actions.append(AnswerRing(command))
            case MsgRelay():
                out.events.extend(_mail_events(command))
            case Qng():
                out.actions.append(Pong())
            case Out(reason=str(reason)):
                out.actions.append(ServerSignedOut(reason))
            case XfrNs(address=address):
                out.actions.append(MoveTo(address))
            case Error(code=code):
                log.warning("the server reported error %d outside any request", code)
            case _:
                log.debug("ignoring unsolicited %s", loggable(command))
        return out

    def _presence(self, out: Outcome, handle: str, status: Status, friendly: str) -> None:
        key = handle.lower()
        if status is Status.OFFLINE:
            if self.presence.pop(key, None) is None:
                return
        else:
            if key not in self.presence and len(self.presence) >= MAX_LIST_ENTRIES \
                    and not self.cache.has(ListName.FORWARD, handle):
                # presence is for the forward list (and the ILN that may beat an ADD FL reply): a server
                # announcing endless strangers is refused, the memory of FL contacts' presence is not
                raise ServerOverLimit("people online who are not on your contact list", MAX_LIST_ENTRIES)
            self.presence[key] = (status, friendly)
        stored = self.contact(handle)
        out.events.append(ev.ContactChanged(stored if stored is not None else Contact(
            handle, friendly or handle, status, frozenset())))


def _mail_events(relay: MsgRelay) -> list[ev.Event]:
    try:
        body = parse_message(relay.payload)
    except ProtocolError:
        return []
    if body.content_type != CONTENT_EMAIL:
        return []  # profile and unknown types: nothing for the user
    try:
        fields = parse_message(body.body)  # the mail fields are a header block inside the body
    except ProtocolError:
        return []
    unread = fields.header("Inbox-Unread")
    if unread is not None:
        return [ev.MailSummary(_int(unread), _int(fields.header("Folders-Unread") or "0"))]
    if fields.header("Subject") is not None or fields.header("From") is not None:
        return [ev.NewMail(fields.header("From-Addr") or fields.header("From") or "",
                           fields.header("Subject") or "")]
    return []


def _int(text: str) -> int:
    try:
        return max(0, int(text.strip()))
    except ValueError:
        return 0
