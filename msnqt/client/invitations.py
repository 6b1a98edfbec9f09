"""Switchboard invitations: starting a conversation (XFR SB), answering a ring (RNG), and the conversations
the engine keeps.

An RNG is answered automatically. If an idle conversation with exactly that caller exists, it is re-used
(same ``id``) and ``ConversationStarted`` is emitted again for it, so a GUI keeps one window. A flood of
invitations is not answered past ``MAX_CONVERSATIONS``, and none while signing out.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging

from msnqt.protocol.commands import Rng, XfrRequest, XfrSb
from msnqt.protocol.limits import MAX_CONVERSATIONS
from msnqt.protocol.names import is_valid_handle, same_handle

from . import events as ev
from .conversation import Conversation
from .engine_core import EngineCore
from .errors import MessengerError, NotSignedIn, ProtocolViolation, ServerError
from .states import NsState

log = logging.getLogger("msnqt.client")

_ids = itertools.count(1)

class Invitations(EngineCore):
    """The conversations of a ``Messenger``, and what ``Conversation`` needs of it (``ConversationHost``)."""

    async def start_conversation(self, handle: str) -> Conversation:
        """XFR SB -> USR -> CAL; returns once RINGING (the peer's JOI comes later as ParticipantJoined).
        An address that cannot be one is refused here (208), as every server would phrase it otherwise."""
        self._require_ns()
        if not is_valid_handle(handle):
            raise ServerError(208, "CAL")
        conversation = Conversation(self, f"c{next(_ids)}")

        def started() -> None:  # before anything the switchboard says about it
            self._conversations.append(conversation)
            self.emit(ev.ConversationStarted(conversation, True))

        await conversation.start_with(handle, started)
        return conversation

    async def request_switchboard(self) -> tuple[str, str]:
        ns = self._require_ns()
        (reply,) = await ns.request(lambda t: XfrRequest(t), timeout=self._request_timeout)
        if not isinstance(reply, XfrSb):
            raise ProtocolViolation(f"unexpected answer to XFR SB: {type(reply).__name__}")
        return reply.address, reply.cookie

    def forget(self, conversation: Conversation) -> None:
        with contextlib.suppress(ValueError):
            self._conversations.remove(conversation)

    def _on_ring(self, rng: Rng) -> None:
        """Answer, unless MAX_CONVERSATIONS are open or being answered: a flood of invitations must not
        open a socket each until the process runs out of file descriptors. Logged once per flood.
        Not while signing out either: a conversation joined then would swallow the caller's message
        (their engine would count it delivered) and outlive the sign-out."""
        if self._sm.state in (NsState.SIGNING_OUT, NsState.OFFLINE):
            log.info("not answering %s's invitation while %s", rng.caller, self._sm.state)
            return
        if len(self._conversations) + self._answering >= MAX_CONVERSATIONS:
            if not self._refusing_rings:
                log.warning("not answering invitations: %d conversations are open", MAX_CONVERSATIONS)
            self._refusing_rings = True
            return
        self._refusing_rings = False
        self._answering += 1
        self._spawn(self._answer(rng)).add_done_callback(self._answered)

    def _answered(self, _task: asyncio.Task[None]) -> None:
        self._answering -= 1

    async def _answer(self, rng: Rng) -> None:
        conversation = next((c for c in self._conversations if not c.active and len(c.invited) == 1
                             and same_handle(next(iter(c.invited)), rng.caller)), None)
        reused = conversation is not None
        if conversation is None:
            conversation = Conversation(self, f"c{next(_ids)}")

        def started() -> None:  # before the participants join and the first message is reported
            if self._sm.state in (NsState.SIGNING_OUT, NsState.OFFLINE):
                # signed out while the ANS was on its way: joining now would take the caller's message
                # into a session nobody reads (and it would count as delivered)
                raise NotSignedIn("signed out while answering an invitation")
            if not reused:
                self._conversations.append(conversation)
            self.emit(ev.ConversationStarted(conversation, False))

        try:
            await conversation.answer(rng, started)
        except NotSignedIn:
            log.info("left %s's invitation: signed out meanwhile", rng.caller)
        except MessengerError as exc:
            log.warning("could not answer %s's invitation: %s", rng.caller, exc)
