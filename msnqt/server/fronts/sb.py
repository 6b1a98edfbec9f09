"""The Switchboard front (msnp2-reference §2.3, §3.3).

    CONNECTED  --USR h ck-->        IN_SESSION (creates the session; 911 + close on a bad cookie,
                                    913 + close when its owner hid or signed out since XFR)
    CONNECTED  --ANS h ck sid-->    IN_SESSION (IRO…, ANS t OK; JOI to the others; 911 + close)
    CONNECTED  --nothing for sb_auth_timeout--> closed
    IN_SESSION --CAL h-->           IN_SESSION (CAL t RINGING sid; 208 / 215 / 217 / 913; 713 too
                                    many CALs a minute from this user or rings for the callee, or a
                                    full session; closed after too many 713s)
    IN_SESSION --MSG t U|N|A n-->   IN_SESSION (relay; ACK/NAK per mode; close on bad mode or size)
    IN_SESSION --OUT-->             closed (BYE to the others)
    IN_SESSION --nothing sent or received for sb_idle_timeout--> closed (BYE to the others)
Anything else closes the connection.
"""

from __future__ import annotations

import asyncio
from enum import Enum, auto
from functools import lru_cache
from typing import cast

from msnqt.protocol import (
    Ack,
    Ans,
    AnsOk,
    Bye,
    Cal,
    CalRinging,
    Decoder,
    Error,
    Iro,
    Joi,
    Malformed,
    MsgRelay,
    MsgSend,
    Nak,
    Out,
    UsrOk,
    UsrSb,
    encode,
)
from msnqt.protocol.codes import AckMode, ErrorCode
from msnqt.protocol.commands import Channel, Command, Sender
from msnqt.protocol.errors import InvalidHandle
from msnqt.protocol.wire import MsgRun

from ..core.errors import Refused
from ..core.limits import UserLimits
from ..core.model import handle_key
from ..core.switchboard import Participant, Session, SwitchboardCore
from .connection import Connection, Pending, log
from .state_table import Edge, StateTable


@lru_cache(maxsize=1024)
def relay_prefix(sender: str, sender_friendly: str) -> bytes:
    """``MSG handle friendly `` exactly as :func:`encode` writes it, built once per sender rather than
    once per relayed message (the relay is the switchboard's hot path; bench/README.md, relay)."""
    line = encode(MsgRelay(sender, sender_friendly, b""))
    assert line.endswith(b" 0\r\n")
    return line[:-3]


class SbState(Enum):
    CONNECTED = auto()
    IN_SESSION = auto()


class SbConnection(Connection[SbState]):
    def __init__(self, *, core: SwitchboardCore, max_payload: int, auth_timeout: float,
                 idle_timeout: float, limits: UserLimits) -> None:
        self._relay_decoder = Decoder(Sender.CLIENT, Channel.SB, max_payload=max_payload, msg_runs=True)
        super().__init__(self._relay_decoder)
        self.state = SbState.CONNECTED
        self._core = core
        self._session: Session | None = None
        self._me: Participant | None = None
        self._relay_prefix = b""
        self._limits = limits
        self._user_key = ""
        loop = asyncio.get_running_loop()
        self._auth_timer = loop.call_later(auth_timeout, self._auth_timed_out)
        self._idle_timeout = idle_timeout
        self._active = False
        """Something was sent or received since the last idle check (a flag: no timer per message)."""
        self._idle_timer = loop.call_later(idle_timeout, self._idle_check)

    def table(self) -> StateTable[SbState]:
        return TABLE

    def decode(self, data: bytes) -> list[Command | MsgRun]:
        self._active = True
        return self._relay_decoder.feed_relay(data)

    def _idle_check(self) -> None:
        """A switchboard nobody talks in holds a socket per participant: close it after a quiet period."""
        if self.closing:
            return
        if not self._active:
            self.close()
            return
        self._active = False
        self._idle_timer = self._loop.call_later(self._idle_timeout, self._idle_check)

    def dispatch(self, command: Command | MsgRun) -> Pending | None:
        """A MSG in session (nearly every line an SB sees) skips the generic name/state lookup; the
        decoder hands consecutive well-formed ones over as one :class:`MsgRun`."""
        if type(command) is MsgRun:
            if self.state is SbState.IN_SESSION:
                self._relay_run(command)
                return None
            for message in command.as_commands():  # out of state: closes, never waits for a port
                super().dispatch(message)
                if self.closing:
                    return None
        elif type(command) is MsgSend and self.state is SbState.IN_SESSION:
            self.on_msg(command)
        else:
            return super().dispatch(cast(Command, command))
        return None

    @property
    def member_handle(self) -> str | None:
        """Whose connection this is, once USR or ANS has let them in."""
        return None if self._me is None else self._me.handle

    def who(self) -> str | None:
        return self.member_handle

    def _auth_timed_out(self) -> None:
        if self.state is SbState.CONNECTED:
            self.close()

    def malformed(self, command: Malformed) -> None:
        if command.name == "CAL" and isinstance(command.error, InvalidHandle) and command.trid is not None:
            self.send(Error(ErrorCode.INVALID_USERNAME, command.trid))
        else:
            self.close()

    def refused(self, command: Command, refusal: Refused) -> None:
        super().refused(command, refusal)
        if (isinstance(command, Cal) and refusal.code is ErrorCode.USER_TOO_ACTIVE
                and not self._limits.patience_left(self._user_key)):
            self.close()  # still calling after a hundred refusals: not a person

    def _enter(self, session: Session, me: Participant) -> None:
        self._auth_timer.cancel()
        self._session, self._me = session, me
        self._user_key = handle_key(me.handle)
        self._relay_prefix = relay_prefix(me.handle, me.friendly)

    async def on_usr(self, command: UsrSb) -> None:
        session, me = await self._core.create(command.handle, command.cookie, self)
        self._enter(session, me)
        self.send(UsrOk(command.trid, me.handle, me.friendly))

    async def on_ans(self, command: Ans) -> None:
        session, me, roster = await self._core.answer(
            command.handle, command.cookie, command.session_id, self)
        self._enter(session, me)
        for index, other in enumerate(roster, start=1):
            self.send(Iro(command.trid, index, len(roster), other.handle, other.friendly))
        self.send(AnsOk(command.trid))

    async def on_cal(self, command: Cal) -> None:
        assert self._session is not None and self._me is not None
        session_id = await self._core.call(self._session, self._me, command.handle)
        self.send(CalRinging(command.trid, session_id))

    def on_msg(self, command: MsgSend) -> None:
        assert self._session is not None and self._me is not None
        if not self._may_relay(len(command.payload)):
            self._acknowledge(command.trid, command.ack, False)
            return
        line = b"%s%d\r\n%s" % (self._relay_prefix, len(command.payload), command.payload)
        self._acknowledge(command.trid, command.ack, self._core.relay(self._session, self._me, line))

    def _may_relay(self, size: int, messages: int = 1) -> bool:
        """Within its sender's relay allowance; beyond it the messages are not sent (NAK for N and A,
        as for any undelivered message) and each counts against the sender's patience."""
        if self._limits.relay_allows(self._user_key, size):
            return True
        if not self._limits.patience_left(self._user_key, messages):
            log.warning("closing %s: still flooding the switchboard after being refused", self.describe())
            self.close()
        return False

    def _relay_run(self, run: MsgRun) -> None:
        """Relay consecutive MSGs, encoded once for all recipients and queued as one write each.

        Nothing between them can change who is in the session or whether a recipient is closing, so
        every message of the run is delivered (or not) alike; ACK/NAK then go out in order. A delivered
        run with no ``A`` message owes its sender nothing, so its TrIDs are not even decoded.
        """
        assert self._session is not None and self._me is not None
        prefix = self._relay_prefix
        if self._may_relay(run.end - run.begin, len(run.bodies)):
            delivered = self._core.relay(self._session, self._me, prefix + prefix.join(run.bodies))
        else:
            delivered = False
            if self.closing:
                return
        if run.acked or not delivered:
            for trid, ack in run.acks():
                self._acknowledge(trid, ack, delivered)

    def _acknowledge(self, trid: int, ack: AckMode, delivered: bool) -> None:
        if ack is AckMode.ACKNOWLEDGED and delivered:
            self.send(Ack(trid))
        elif ack is not AckMode.UNACKNOWLEDGED and not delivered:
            self.send(Nak(trid))

    def on_out(self, command: Out) -> None:
        self.close()

    # --- Member: what the core tells this participant ------------------------------------------------

    def joined(self, handle: str, friendly: str) -> None:
        self._active = True
        self.push(Joi(handle, friendly))

    def left(self, handle: str) -> None:
        self.push(Bye(handle))

    def relay_line(self, line: bytes) -> bool:
        if self.closing:
            return False
        self._active = True
        self.push_line(line)
        return True

    def finished(self) -> None:
        self._auth_timer.cancel()
        self._idle_timer.cancel()

    def farewell(self) -> None:
        """BYE to the others; after a USR or ANS in flight, so a join that completes late is undone."""
        if self._session is not None and self._me is not None:
            self._core.leave(self._session, self._me)


S = SbState
TABLE = StateTable[SbState]({
    (S.CONNECTED, UsrSb): Edge(SbConnection.on_usr, then=S.IN_SESSION),
    (S.CONNECTED, Ans): Edge(SbConnection.on_ans, then=S.IN_SESSION),
    (S.IN_SESSION, Cal): Edge(SbConnection.on_cal),
    (S.IN_SESSION, MsgSend): Edge(SbConnection.on_msg),
    (S.IN_SESSION, Out): Edge(SbConnection.on_out),
})
"""(state, command type) → handler and next state; every other pair closes the connection."""
