"""The demo contacts: ordinary client engines signed in over loopback, each with one habit.

They are peers like any other (no shortcut inside the server), so what the user sees in demo mode is exactly
what a real server and real people would produce: typing notifications, presence changes, a ringing
three-person switchboard.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
from collections.abc import Coroutine
from typing import Any

from msnqt.client import Conversation, Messenger, MessengerError
from msnqt.client import events as ev
from msnqt.protocol.codes import Status

from .cast import ANSWERER, BOTS, DEMO_PASSWORD, HOST, MOODY, USER, Person
from .timings import DemoTimings

log = logging.getLogger("msnqt.demo")

BOT_HANDLES = frozenset(p.handle for p in BOTS)


def bot_engine(server: str, timings: DemoTimings) -> Messenger:
    """An engine for a bot: no reconnecting (the server goes away with the demo) and a typing
    notification for every reply, however close together."""
    return Messenger(server, request_timeout=timings.request_timeout, auto_reconnect=False,
                     typing_interval=0.0)


class Bot:
    """A signed-in engine plus the background tasks its habit needs; ``stop`` ends both."""

    def __init__(self, person: Person, server: str, timings: DemoTimings) -> None:
        self.person = person
        self.timings = timings
        self.engine = bot_engine(server, timings)
        self._tasks: set[asyncio.Task[None]] = set()
        self._unsubscribe = self.engine.subscribe(self.on_event)

    async def start(self) -> None:
        await self.engine.sign_in(self.person.handle, DEMO_PASSWORD)
        self.started()

    def started(self) -> None:
        """Hook: the engine is signed in and its lists are loaded."""

    def on_event(self, event: ev.Event) -> None:
        """Hook: every engine event, on the loop."""

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(self._quietly(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _quietly(self, coro: Coroutine[Any, Any, None]) -> None:
        """A bot never crashes the demo: a peer who left or a closed switchboard just ends the habit."""
        try:
            await coro
        except (MessengerError, TimeoutError) as exc:
            log.debug("%s: %s", self.person.handle, exc)

    async def stop(self) -> None:
        self._unsubscribe()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        with contextlib.suppress(MessengerError):
            await self.engine.sign_out()


_GREETING = re.compile(r"\b(hi|hello|hey|hiya|yo)\b", re.IGNORECASE)
_CHATTER = (
    "That sounds great!",
    "Ha ha, really? Tell me more.",
    "Cool! I'm just surfing the Web and listening to some music.",
    "Sorry, my modem is being slow today... what were we saying?",
    "Isn't it neat that we can chat like this without e-mail?",
)


class AnsweringBot(Bot):
    """Answers every message from a person (not from the other bots): "is typing" first, then a reply."""

    def __init__(self, server: str, timings: DemoTimings, person: Person = ANSWERER) -> None:
        super().__init__(person, server, timings)
        self._chatter = itertools.cycle(_CHATTER)
        self._lock = asyncio.Lock()

    def on_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.MessageReceived) and event.sender not in BOT_HANDLES:
            self.spawn(self._reply(event.conversation, event.text))

    def reply_to(self, text: str) -> str:
        if _GREETING.search(text):
            return "Hi! Nice to hear from you. How's your day going?"
        if text.rstrip().endswith("?"):
            return "Good question! I'll have to think about that one."
        return next(self._chatter)

    async def _reply(self, conversation: Conversation, text: str) -> None:
        async with self._lock:  # one reply at a time, in the order the messages came
            conversation.notify_typing()
            await asyncio.sleep(self.timings.reply_delay)
            await conversation.send_text(self.reply_to(text))


MOODS = (Status.AWAY, Status.BUSY, Status.ON_THE_PHONE, Status.HIDDEN, Status.ONLINE)
"""HIDDEN ("Appear Offline") is what the others see as offline; ONLINE brings the bot back."""


class MoodyBot(Bot):
    """Goes through Away, Busy, On The Phone, offline and back once, ``status_interval`` seconds apart, then
    stays online, as a real friend would: the first change comes at once, so the contact list shows a
    status suffix from the first glance, but the list does not keep reordering under the mouse and the
    "has just signed in" alert comes once, not every few seconds."""

    def __init__(self, server: str, timings: DemoTimings, person: Person = MOODY) -> None:
        super().__init__(person, server, timings)
        self.settled = False

    def started(self) -> None:
        self.spawn(self._wander())

    async def _wander(self) -> None:
        for index, status in enumerate(MOODS):
            if index:
                await asyncio.sleep(self.timings.status_interval)
            await self.engine.set_status(status)
        self.settled = True


class HostBot(Bot):
    """Soon after the user comes online, rings them and the answering bot into one conversation and says
    hello, so the user sees a three-person switchboard without doing anything."""

    def __init__(self, server: str, timings: DemoTimings, person: Person = HOST,
                 guest: Person = ANSWERER, user: Person = USER) -> None:
        super().__init__(person, server, timings)
        self.guest = guest
        self.user = user
        self._gathering: asyncio.Task[None] | None = None
        self._joins: dict[tuple[str, str], asyncio.Event] = {}

    def started(self) -> None:
        contact = self.engine.contact(self.user.handle)
        if contact is not None and contact.status is not Status.OFFLINE:
            self._user_came_online()

    def on_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.ContactChanged) and event.contact.handle == self.user.handle:
            if event.contact.status is Status.OFFLINE:
                if self._gathering is not None:
                    self._gathering.cancel()
                self._gathering = None
            elif self._gathering is None:
                self._user_came_online()
        elif isinstance(event, ev.ParticipantJoined):
            self._join_event(event.conversation, event.handle).set()

    def _user_came_online(self) -> None:
        self._gathering = self.spawn(self._gather())

    def _join_event(self, conversation: Conversation, handle: str) -> asyncio.Event:
        return self._joins.setdefault((conversation.id, handle), asyncio.Event())

    async def _joined(self, conversation: Conversation, handle: str) -> None:
        if handle not in conversation.participants:
            joined = self._join_event(conversation, handle)
            await asyncio.wait_for(joined.wait(), self.timings.request_timeout)

    async def _gather(self) -> None:
        await asyncio.sleep(self.timings.invite_delay)
        conversation = await self.engine.start_conversation(self.user.handle)
        await self._joined(conversation, self.user.handle)
        await conversation.invite(self.guest.handle)
        with contextlib.suppress(TimeoutError):  # say hello even if the guest is slow to pick up
            await self._joined(conversation, self.guest.handle)
        contact = self.engine.contact(self.user.handle)
        name = contact.friendly if contact is not None else self.user.friendly
        await conversation.send_text(
            f"Hi {name}! I've asked {self.guest.friendly} to join us. Isn't this new Messenger cool?")
