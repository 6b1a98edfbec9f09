"""A conversation: one switchboard session at a time, re-opened on demand so no message is lost silently.

Why the Conversation outlives its switchboard: switchboards close for reasons the user never sees (idle
timeout, everyone left, a dropped socket). 1.0 kept the window; so does this object (stable ``id``), and
``send_text`` re-opens a switchboard and re-invites everyone in ``invited`` before sending.

Delivery is decided with ack mode ``N``, as 1.0 sent text: a message counts as delivered when no ``NAK``
arrives within ``delivery_window`` seconds (an ``ACK`` also counts). Mode ``A`` would give a positive
answer, but the 1999 service did not implement it (draft §8.7) and some revival servers never answer
it, which would turn every message into a false "undelivered"; a short window on ``N`` works with every
server and is tunable for tests. A NAK, 217 on every re-invitation, no JOI in time or a switchboard that
drops during the window raises ``Undelivered`` and emits ``MessageUndelivered`` with the text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from msnqt.protocol.codes import AckMode, ErrorCode
from msnqt.protocol.commands import (
    Ack,
    Ans,
    AnsOk,
    Bye,
    Cal,
    CalRinging,
    Channel,
    Command,
    Iro,
    Joi,
    MsgRelay,
    MsgSend,
    Nak,
    Out,
    Rng,
    UsrOk,
    UsrSb,
)
from msnqt.protocol.errors import ProtocolError
from msnqt.protocol.limits import MAX_PARTICIPANTS
from msnqt.protocol.message import parse_message, plain_text_payload, split_text, typing_payload
from msnqt.protocol.names import same_handle, split_address

from . import events as ev
from .connection import Connection
from .errors import (
    AuthenticationFailed,
    ConnectionFailed,
    ConnectionLost,
    MessengerError,
    NotSignedIn,
    ProtocolViolation,
    RequestTimeout,
    ServerError,
    ServerOverLimit,
    SignedInElsewhere,
    Undelivered,
)
from .states import SB_TRANSITIONS, SbEvent, SbState, StateMachine

log = logging.getLogger("msnqt.client.conversation")


class ConversationHost(Protocol):
    """What a conversation needs from the messenger (kept narrow so it can be faked in tests)."""

    @property
    def handle(self) -> str: ...
    @property
    def request_timeout(self) -> float: ...
    @property
    def delivery_window(self) -> float: ...
    @property
    def join_timeout(self) -> float: ...
    @property
    def typing_interval(self) -> float: ...
    async def request_switchboard(self) -> tuple[str, str]: ...
    def emit(self, event: ev.Event) -> None: ...
    def forget(self, conversation: Conversation) -> None: ...


class Conversation:
    """See the module docstring. Created by the messenger, never by the caller."""

    def __init__(self, host: ConversationHost, conversation_id: str) -> None:
        self.id = conversation_id
        self.participants: dict[str, str] = {}
        self.invited: set[str] = set()
        self._host = host
        self._sb: Connection | None = None
        self._sm: StateMachine[SbState, SbEvent] = StateMachine(SB_TRANSITIONS, SbState.CLOSED)
        self._someone_joined = asyncio.Event()
        self._ringing: set[str] = set()  # called on this switchboard, not joined yet
        self._send_lock = asyncio.Lock()
        self._last_typing_sent: float | None = None

    def __repr__(self) -> str:
        return f"<Conversation {self.id} with {sorted(self.invited)} {'active' if self.active else 'closed'}>"

    @property
    def active(self) -> bool:
        """A switchboard connection is open (we may still be alone in it)."""
        return self._sb is not None and self._sm.state is SbState.IN_SESSION

    # --- the public surface ---------------------------------------------------------------------

    async def send_text(self, text: str) -> None:
        """Send ``text`` (split into MSGs of at most 1602 bytes of text); raise Undelivered on failure."""
        chunks = split_text(text)
        if not chunks:
            return
        window = self._host.delivery_window
        async with self._send_lock:  # re-opening and writing in order; the window is awaited outside
            try:
                sb = await self._ready_for_sending()
                # no await between these writes, so the switchboard cannot close half-way through
                replies = [sb.submit(_text_message(chunk), timeout=window) for chunk in chunks]
            except Undelivered as exc:
                self._host.emit(ev.MessageUndelivered(self, text, exc.reason))
                raise Undelivered(text, exc.reason) from exc
            except ConnectionFailed as exc:
                self._host.emit(ev.MessageUndelivered(self, text, "connection_lost"))
                raise Undelivered(text, "connection_lost") from exc
        results = await asyncio.gather(*replies, return_exceptions=True)
        failed: list[tuple[str, str]] = []
        for chunk, result in zip(chunks, results, strict=True):
            reason = _delivery_failure(result)
            if reason is not None:
                failed.append((chunk, reason))
        if failed:
            lost = text if len(failed) == len(chunks) else "".join(chunk for chunk, _ in failed)
            reason = failed[0][1]
            self._host.emit(ev.MessageUndelivered(self, lost, reason))
            raise Undelivered(lost, reason)

    def notify_typing(self) -> None:
        """Call on every keystroke; sends a TypingUser notification at most every ``typing_interval`` s."""
        sb = self._sb
        if sb is None or sb.closed or not self.participants:
            return
        now = asyncio.get_running_loop().time()
        last = self._last_typing_sent
        if last is not None and now - last < self._host.typing_interval:
            return
        self._last_typing_sent = now
        sb.send(MsgSend(sb.take_trid(), AckMode.UNACKNOWLEDGED, typing_payload(self._host.handle)))

    async def invite(self, handle: str) -> None:
        """Ring ``handle`` into this conversation (opening a switchboard first if needed)."""
        self.invited.add(handle)
        if not self.active:
            await self._open_switchboard()
        await self._call(handle)

    async def leave(self) -> None:
        """Send OUT and close the switchboard; the conversation is forgotten by the messenger."""
        sb = self._sb
        if sb is not None and not sb.closed:
            try:
                sb.send(Out())
            except ConnectionFailed:
                pass
            sb.close()
        self._host.forget(self)

    # --- used by the messenger ------------------------------------------------------------------

    async def start_with(self, handle: str) -> None:
        """XFR SB -> USR -> CAL ``handle``; returns once RINGING."""
        self.invited.add(handle)
        await self._open_switchboard()
        try:
            await self._call(handle)
        except BaseException:
            self._close_switchboard()
            raise

    async def answer(self, rng: Rng) -> None:
        """Join the switchboard we were invited to (ANS); IRO lines fill ``participants``."""
        try:
            host, port = split_address(rng.address)
        except ProtocolError as exc:
            raise ProtocolViolation(f"bad switchboard address in RNG: {rng.address!r}") from exc
        self.invited.add(rng.caller)
        sb = await self._connect(host, port)
        try:
            replies = await sb.request(
                lambda t: Ans(t, self._host.handle, rng.cookie, rng.session_id),
                timeout=self._host.request_timeout, done=lambda r: isinstance(r[-1], AnsOk))
        except AuthenticationFailed as exc:
            self._close_switchboard()
            raise ServerError(ErrorCode.AUTHENTICATION_FAILED, "ANS") from exc
        except BaseException:
            self._close_switchboard()
            raise
        if sb.closed:  # closed by what came right after ANS OK (and _on_closed has run)
            raise ConnectionLost(sb.host, sb.port, "the switchboard closed at once")
        self._sm.fire(SbEvent.JOINED)
        try:
            for reply in replies:
                if isinstance(reply, Iro) and not same_handle(reply.handle, self._host.handle):
                    self._join(reply.handle, reply.friendly, announce=True)
        except ServerOverLimit:
            self._close_switchboard()
            raise

    # --- inside ---------------------------------------------------------------------------------

    async def _ready_for_sending(self) -> Connection:
        """A switchboard with at least one other participant in it, or Undelivered."""
        if self.active and self.participants and self._sb is not None:
            return self._sb
        try:
            if not self.active:
                await self._open_switchboard()
            targets = [h for h in sorted(self.invited)
                       if not self._is_participant(h) and h.lower() not in self._ringing]
            if not targets and not self._ringing:
                raise Undelivered("", "no_recipients")
            if not self.participants:
                self._someone_joined.clear()
            refusals: list[MessengerError] = []
            for handle in targets:
                try:
                    await self._call(handle)
                except (ServerError, RequestTimeout) as exc:
                    refusals.append(exc)
            if len(refusals) == len(targets) and not self._ringing and refusals:
                raise Undelivered("", _refusal_reason(refusals[0]))
            try:
                await asyncio.wait_for(self._someone_joined.wait(), self._host.join_timeout)
            except TimeoutError:
                self._ringing.clear()  # next time, ring them again
                raise Undelivered("", "no_answer") from None
            if not self.participants:  # woken by the switchboard closing, not by a JOI
                raise Undelivered("", "connection_lost")
        except Undelivered:
            raise
        except ConnectionFailed as exc:
            raise Undelivered("", "connection_lost") from exc
        except MessengerError as exc:
            raise Undelivered("", _refusal_reason(exc)) from exc
        if self._sb is None or self._sb.closed:
            raise Undelivered("", "connection_lost")
        return self._sb

    async def _open_switchboard(self) -> None:
        address, cookie = await self._host.request_switchboard()
        try:
            host, port = split_address(address)
        except ProtocolError as exc:
            raise ProtocolViolation(f"bad switchboard address in XFR: {address!r}") from exc
        sb = await self._connect(host, port)
        try:
            (ok,) = await sb.request(lambda t: UsrSb(t, self._host.handle, cookie),
                                     timeout=self._host.request_timeout)
        except AuthenticationFailed as exc:
            self._close_switchboard()
            raise ServerError(ErrorCode.AUTHENTICATION_FAILED, "USR") from exc
        except BaseException:
            self._close_switchboard()
            raise
        if not isinstance(ok, UsrOk):
            self._close_switchboard()
            raise ProtocolViolation(f"unexpected answer to switchboard USR: {type(ok).__name__}")
        self._sm.fire(SbEvent.JOINED)

    async def _connect(self, host: str, port: int) -> Connection:
        self._close_switchboard()
        self._sm = StateMachine(SB_TRANSITIONS, SbState.CONNECTING)
        holder: list[Connection] = []
        sb = await Connection.open(
            host, port, channel=Channel.SB, label=f"sb/{self.id}", first_trid=1,
            connect_timeout=self._host.request_timeout, on_unsolicited=self._on_line,
            on_closed=lambda reason: self._on_closed(holder[0] if holder else None, reason))
        holder.append(sb)
        self._sb = sb
        return sb

    async def _call(self, handle: str) -> None:
        sb = self._sb
        if sb is None:
            raise ConnectionFailed("switchboard", 0, "not connected")
        (reply,) = await sb.request(lambda t: Cal(t, handle), timeout=self._host.request_timeout)
        if not isinstance(reply, CalRinging):
            raise ProtocolViolation(f"unexpected answer to CAL: {type(reply).__name__}")
        if not self._is_participant(handle):
            self._ringing.add(handle.lower())

    def _on_line(self, command: Command) -> None:
        match command:
            case Joi(handle=handle, friendly=friendly):
                if not same_handle(handle, self._host.handle):
                    self._join(handle, friendly, announce=True)
                    self.invited.add(handle)
            case Bye(handle=handle):
                for known in [h for h in self.participants if same_handle(h, handle)]:
                    del self.participants[known]
                    self._host.emit(ev.ParticipantLeft(self, known))
            case Iro(handle=handle, friendly=friendly):
                if not same_handle(handle, self._host.handle):
                    self._join(handle, friendly, announce=True)
            case MsgRelay():
                self._on_message(command)
            case Ack() | Nak():
                pass  # a reply to a MSG whose window already closed: nothing to add
            case _:
                log.debug("%s: ignoring %r", self.id, command)

    def _on_message(self, relay: MsgRelay) -> None:
        try:
            body = parse_message(relay.payload)
        except ProtocolError:
            log.info("%s: ignoring a message without headers from %s", self.id, relay.sender)
            return
        if body.is_typing:
            self._host.emit(ev.TypingReceived(self, relay.sender))
        elif body.is_plain_text:
            self._host.emit(ev.MessageReceived(self, relay.sender, relay.sender_friendly, body.text(),
                                               datetime.now().astimezone()))
        # anything else (X-MMS-IM-Format is a header, so it lands in plain text and is ignored;
        # unknown content types, invitations of later versions) is dropped as 1.0 did

    def _join(self, handle: str, friendly: str, *, announce: bool) -> None:
        """Someone is in the session. Past MAX_PARTICIPANTS the server is making people up:
        ServerOverLimit, and the session is left (``invited`` only grows by people who joined)."""
        already = self._is_participant(handle)
        if not already and len(self.participants) >= MAX_PARTICIPANTS:
            raise ServerOverLimit("people in one conversation", MAX_PARTICIPANTS)
        self.participants[handle] = friendly
        self._ringing.discard(handle.lower())
        self._someone_joined.set()
        if announce and not already:
            self._host.emit(ev.ParticipantJoined(self, handle, friendly))

    def _is_participant(self, handle: str) -> bool:
        return any(same_handle(h, handle) for h in self.participants)

    def _on_closed(self, sb: Connection | None, reason: MessengerError | None) -> None:
        if sb is not None and sb is not self._sb:
            return
        self._sb = None
        self._sm.fire(SbEvent.CLOSED)
        self.participants.clear()
        self._ringing.clear()
        self._last_typing_sent = None
        self._someone_joined.set()  # wakes a send waiting for a JOI that can no longer come
        if reason is not None:
            log.info("%s: switchboard closed: %s", self.id, reason)
        self._host.emit(ev.ConversationEnded(self))

    def _close_switchboard(self) -> None:
        sb = self._sb
        if sb is not None:
            sb.close()


def _text_message(chunk: str) -> Callable[[int], Command]:
    payload = plain_text_payload(chunk)
    return lambda trid: MsgSend(trid, AckMode.NAK_ONLY, payload)


def _delivery_failure(result: object) -> str | None:
    """None when a MSG sent with mode N counts as delivered, else the reason."""
    if isinstance(result, RequestTimeout):
        return None  # no NAK within the window: delivered
    if isinstance(result, list):
        return "nak" if any(isinstance(r, Nak) for r in result) else None
    if isinstance(result, ConnectionFailed):
        return "connection_lost"
    if isinstance(result, ServerError):
        return f"error_{result.code}"
    if isinstance(result, BaseException):
        if not isinstance(result, MessengerError):
            raise result
        return "error"
    return None


def _refusal_reason(error: MessengerError) -> str:
    if isinstance(error, NotSignedIn | SignedInElsewhere):
        return "not_signed_in"
    if isinstance(error, ServerError) and error.code == ErrorCode.PRINCIPAL_NOT_ONLINE:
        return "not_online"
    if isinstance(error, RequestTimeout):
        return "timeout"
    if isinstance(error, ServerError):
        return f"error_{error.code}"
    if isinstance(error, ConnectionFailed):
        return "connection_lost"
    return "error"
