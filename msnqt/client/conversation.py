"""A conversation: one switchboard session at a time, re-opened on demand so no message is lost silently.

Why the Conversation outlives its switchboard: switchboards close for reasons the user never sees (idle
timeout, everyone left, a dropped socket). 1.0 kept the window; so does this object (stable ``id``), and
``send_text`` re-opens a switchboard and re-invites everyone in ``invited`` before sending.

Delivery is judged on all the evidence of a delivery window (``delivery.py``, docs/design/engine-api.md):
text goes out with ack mode ``N``, as 1.0 sent it, and counts as delivered when within
``delivery_window`` seconds no ``NAK`` came, the switchboard stayed up and nobody it was written to
left (Escargot never NAKs, so a ``BYE`` is the only sign that a message went nowhere). A message whose
recipients all left is written again after they have been re-invited; every failure raises
``Undelivered`` and emits ``MessageUndelivered`` with the text. The window never blocks the next message,
and a message written again still reaches the peer before any message written after it.

Events of a switchboard that is being joined (``ANS``) or opened (``USR``/``CAL``) wait until the
conversation has been announced, so a first ``MSG`` that arrives in the same read as ``ANS OK`` is
reported after ``ConversationStarted`` and after the participants' ``ParticipantJoined``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

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
from msnqt.protocol.limits import MAX_PARTICIPANTS, SMALL_SB_PAYLOAD
from msnqt.protocol.message import (
    MAX_PLAIN_TEXT_BYTES,
    SMALL_PLAIN_TEXT_BYTES,
    parse_message,
    plain_text_payload,
    split_text,
    typing_payload,
)
from msnqt.protocol.names import is_valid_handle, same_handle, split_address

from . import events as ev
from .connection import Connect, Connection
from .delivery import Delivery, Outcome
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
    @property
    def connect(self) -> Connect: ...
    @property
    def takes_long_messages(self) -> bool: ...
    def remember_small_messages(self) -> None: ...
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
        self._in_flight: list[Delivery] = []  # written, window not over, in wire order
        self._resend: list[Delivery] = []  # every recipient left: to be written again, in wire order
        self._flushes: set[asyncio.Task[None]] = set()
        self._judges: set[asyncio.Task[None]] = set()
        self._held: list[Command | _HeldClose] | None = None  # from a switchboard not announced yet

    def __repr__(self) -> str:
        return f"<Conversation {self.id} with {sorted(self.invited)} {'active' if self.active else 'closed'}>"

    @property
    def active(self) -> bool:
        """A switchboard connection is open (we may still be alone in it)."""
        return self._sb is not None and self._sm.state is SbState.IN_SESSION

    # --- the public surface ---------------------------------------------------------------------

    async def send_text(self, text: str) -> None:
        """Send ``text`` (split into MSGs of at most 1602 bytes of text); raise Undelivered on failure.

        Returns once the message is judged (``delivery.py``): after its window, or after it was written
        again because every recipient left. Several calls may be waiting at once; the wire order is the
        order of the calls. A server known to close on long MSGs (``quirks.py``) gets parts of at most
        400 bytes; one that closed the switchboard while a longer part was on its way is taken to be
        such a server, and the message is sent again so.
        """
        small = not self._host.takes_long_messages
        outcome, long_parts = await self._deliver(text, small=small)
        if outcome is not None and outcome[1] == "connection_lost" and long_parts:
            log.info("the switchboard closed on a MSG over %d bytes: sending in small parts",
                     SMALL_SB_PAYLOAD)
            self._host.remember_small_messages()
            outcome, _ = await self._deliver(text, small=True)
        if outcome is not None:
            lost, reason = outcome
            self._host.emit(ev.MessageUndelivered(self, lost, reason))
            raise Undelivered(lost, reason)

    async def _deliver(self, text: str, *, small: bool) -> tuple[Outcome, bool]:
        """One ``send_text`` in parts; the outcome, and whether a part was too long for a small server."""
        chunks = split_text(text, SMALL_PLAIN_TEXT_BYTES if small else MAX_PLAIN_TEXT_BYTES)
        if not chunks:
            return None, False
        delivery = Delivery(text, chunks)
        async with self._send_lock:  # re-opening and writing in order; the window is awaited outside
            await self._write_in_order(delivery)
        long_parts = any(len(chunk.encode("utf-8", "surrogatepass")) > SMALL_PLAIN_TEXT_BYTES
                         for chunk in chunks)
        return await delivery.outcome, long_parts

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
        if not is_valid_handle(handle):
            raise ServerError(208, "CAL")
        self.invited.add(handle)
        if not self.active:
            await self._open_switchboard()
        await self._call(handle)

    async def leave(self) -> None:
        """Send OUT and close the switchboard; the conversation is forgotten by the messenger."""
        for task in list(self._flushes):
            task.cancel()
        waiting, self._resend = self._resend, []
        for delivery in waiting:  # everyone had left it and we are going: it never arrived
            delivery.settle((delivery.text, "left"))
        sb = self._sb
        if sb is not None and not sb.closed:
            try:
                sb.send(Out())
            except ConnectionFailed:
                pass
            sb.close()
        self._host.forget(self)

    # --- used by the messenger ------------------------------------------------------------------

    async def start_with(self, handle: str, started: Callable[[], None]) -> None:
        """XFR SB -> USR -> CAL ``handle``; returns once RINGING.

        ``started`` announces the conversation (``ConversationStarted``); what the switchboard sent
        meanwhile (a ``JOI`` in the same read as ``RINGING``) is reported after it.
        """
        self.invited.add(handle)
        self._held = []
        try:
            await self._open_switchboard()
            await self._call(handle)
        except BaseException:
            self._close_switchboard()
            self._release()
            raise
        started()
        self._release(announced=True)

    async def answer(self, rng: Rng, started: Callable[[], None]) -> None:
        """Join the switchboard we were invited to (ANS); IRO lines fill ``participants``.

        Once ``ANS OK`` is in, ``started`` announces the conversation, then each participant joins
        (``ParticipantJoined``), then come the lines that arrived behind ``ANS OK`` (the first ``MSG``).
        """
        try:
            host, port = split_address(rng.address)
        except ProtocolError as exc:
            raise ProtocolViolation(f"bad switchboard address in RNG: {rng.address!r}") from exc
        self.invited.add(rng.caller)
        self._held = []
        try:
            sb = await self._connect(host, port)
            replies = await sb.request(
                lambda t: Ans(t, self._host.handle, rng.cookie, rng.session_id),
                timeout=self._host.request_timeout, done=lambda r: isinstance(r[-1], AnsOk))
        except AuthenticationFailed as exc:
            self._close_switchboard()
            self._release()
            raise ServerError(ErrorCode.AUTHENTICATION_FAILED, "ANS") from exc
        except BaseException:
            self._close_switchboard()
            self._release()
            raise
        # a close right behind ANS OK is held with the lines before it (reported once announced)
        self._sm.fire(SbEvent.JOINED)
        roster = [(reply.handle, reply.friendly) for reply in replies
                  if isinstance(reply, Iro) and not same_handle(reply.handle, self._host.handle)]
        try:
            for handle, friendly in roster:
                self._join(handle, friendly, announce=False)
        except ServerOverLimit:
            self._close_switchboard()
            self._release()
            raise
        try:
            started()
        except MessengerError:  # the host no longer wants it (signed out meanwhile): leave at once
            self._release()
            await self.leave()
            raise
        for handle, friendly in roster:
            self._host.emit(ev.ParticipantJoined(self, handle, friendly))
        self._release(announced=True)

    # --- inside ---------------------------------------------------------------------------------

    async def _write_in_order(self, delivery: Delivery | None) -> None:
        """Under the send lock: write every message waiting to be written again, then ``delivery``.

        A message that went nowhere is written before anything newer, so the peer reads them in the
        order they were sent. When no switchboard with a participant can be had, all of them fail.
        """
        mine = [delivery] if delivery is not None else []
        if not self._resend and not mine:
            return
        # the waiting ones stay in _resend until written: a cancelled send (or leave()) still finds them,
        # and one that joins the queue while we wait for a participant is written in its place
        try:
            sb = await self._ready_for_sending()
        except Undelivered as exc:
            failure = exc.reason
        except ConnectionFailed:
            failure = "connection_lost"
        else:
            due, self._resend = [*self._resend, *mine], []
            for index, waiting in enumerate(due):  # no await here: the switchboard stays open throughout
                try:
                    self._write(sb, waiting)
                except ConnectionFailed:
                    self._resend, mine = due[index:], []
                    failure = "connection_lost"
                    break
            else:
                return
        failed, self._resend = [*self._resend, *mine], []
        for waiting in failed:
            waiting.settle((waiting.text, failure))

    def _write(self, sb: Connection, delivery: Delivery) -> None:
        """Put one try of ``delivery`` on the wire and start judging its window."""
        attempt = delivery.written(self.participants)
        window = self._host.delivery_window
        replies = [sb.submit(_text_message(chunk), timeout=window) for chunk in delivery.chunks]
        self._in_flight.append(delivery)
        judge = asyncio.get_running_loop().create_task(self._judge(delivery, attempt, replies))
        self._judges.add(judge)
        judge.add_done_callback(self._judges.discard)

    async def _judge(self, delivery: Delivery, attempt: int,
                     replies: list[Coroutine[Any, Any, list[Command]]]) -> None:
        results = await asyncio.gather(*replies, return_exceptions=True)
        if delivery.tries != attempt or delivery not in self._in_flight:
            return  # everyone left it (it waits to be written again, or has failed): not this window's call
        self._in_flight.remove(delivery)
        try:
            delivery.settle(delivery.verdict(list(results)))
        except BaseException as exc:  # not a MessengerError: a bug; let send_text raise it
            if not delivery.outcome.done():
                delivery.outcome.set_exception(exc)

    def _note_departure(self, handle: str) -> None:
        """A BYE: a message whose recipients have all left now is written again, or fails."""
        again = False
        for delivery in list(self._in_flight):
            if delivery.departed(handle):
                self._in_flight.remove(delivery)
                if delivery.may_resend:
                    self._resend.append(delivery)
                    again = True
                else:
                    delivery.settle((delivery.text, "left"))
        if again:
            flush = asyncio.get_running_loop().create_task(self._flush_resends())
            self._flushes.add(flush)
            flush.add_done_callback(self._flushes.discard)

    async def _flush_resends(self) -> None:
        async with self._send_lock:
            await self._write_in_order(None)

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
                raise Undelivered("", refusal_reason(refusals[0]))
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
            raise Undelivered("", refusal_reason(exc)) from exc
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
        if not self._sm.can(SbEvent.JOINED):  # closed in the same read as USR OK
            raise ConnectionLost(sb.host, sb.port, "closed by the server")
        self._sm.fire(SbEvent.JOINED)

    async def _connect(self, host: str, port: int) -> Connection:
        self._close_switchboard()
        self._sm = StateMachine(SB_TRANSITIONS, SbState.CONNECTING)
        holder: list[Connection] = []
        sb = await Connection.open(
            host, port, channel=Channel.SB, label=f"sb/{self.id}", first_trid=1,
            connect_timeout=self._host.request_timeout, on_unsolicited=self._on_line,
            on_closed=lambda reason: self._on_closed(holder[0] if holder else None, reason),
            connect=self._host.connect)
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

    def _release(self, *, announced: bool = False) -> None:
        """Report what was held while the switchboard was being joined or opened, in arrival order.

        If the conversation was never announced, only a close is applied (its lines concern nobody)."""
        held, self._held = self._held, None
        for item in held or []:
            if isinstance(item, _HeldClose):
                self._on_closed(item.sb, item.reason)
            elif announced:
                try:
                    self._on_line(item)
                except ProtocolViolation as exc:  # as the connection does with a line it cannot take
                    log.warning("%s: leaving the switchboard: %s", self.id, exc)
                    announced = False
                    if self._sb is not None:
                        self._sb.abort(exc)

    def _on_line(self, command: Command) -> None:
        if self._held is not None:
            self._held.append(command)
            return
        match command:
            case Joi(handle=handle, friendly=friendly):
                if not same_handle(handle, self._host.handle):
                    self._join(handle, friendly, announce=True)
                    self.invited.add(handle)
            case Bye(handle=handle):
                for known in [h for h in self.participants if same_handle(h, handle)]:
                    del self.participants[known]
                    self._host.emit(ev.ParticipantLeft(self, known))
                self._note_departure(handle)
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
        if self._held is not None:  # after the lines that came before it, once announced
            self._held.append(_HeldClose(sb, reason))
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


@dataclass(frozen=True)
class _HeldClose:
    """The switchboard closed while its lines were held: reported after them."""

    sb: Connection | None
    reason: MessengerError | None


def _text_message(chunk: str) -> Callable[[int], Command]:
    payload = plain_text_payload(chunk)
    return lambda trid: MsgSend(trid, AckMode.NAK_ONLY, payload)


def refusal_reason(error: MessengerError) -> str:
    """The ``Undelivered.reason`` for a failure to reach the recipients (shared with the CLI)."""
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
