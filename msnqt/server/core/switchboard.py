"""Switchboard sessions, single-use cookies and invitations (msnp2-reference §2.3, §3.3).

A session is a set of participants; the SB front registers a :class:`Member` per connection and the
core calls it back for JOI, BYE and relayed MSGs. What it needs of the notification side (presence,
privacy, names, ringing the callee's NS) is the narrow :class:`Directory` port, so a cluster's SB
process asks PostgreSQL and Redis for it and runs no NS front.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from msnqt.protocol.auth import new_cookie
from msnqt.protocol.codes import ErrorCode

from .errors import Refused
from .events import Ring
from .limits import KeyedWindows
from .model import Account, Presence, Ticket, handle_key
from .notification import HandleCheck
from .ports import CookieStore, WindowLimit

Clock = Callable[[], float]


class Directory(Protocol):
    """What a switchboard asks of the notification side: who is online and visible, who may call whom,
    names, and how a ring reaches the callee's NS. :class:`NotificationCore` provides it in one process
    and in a cluster's SB process (over PostgreSQL and Redis); nothing else of the NS is needed."""

    async def presence_of(self, handle: str) -> Presence | None: ...
    async def account(self, handle: str) -> Account | None: ...
    async def friendly(self, handle: str) -> str: ...
    async def may_call(self, caller: str, callee: str) -> bool: ...
    async def ring(self, handle: str, ring: Ring) -> bool: ...


class Member(Protocol):
    """One participant's SB connection, as the core sees it."""

    def joined(self, handle: str, friendly: str) -> None: ...
    def left(self, handle: str) -> None: ...
    def relay_line(self, line: bytes) -> bool:
        """Queue a relayed MSG, already encoded (header and payload), for this participant; False if
        it cannot be delivered (connection closing). Encoded once per message, not per recipient."""
        ...


class CookieJar:
    """In-process :class:`CookieStore`: single-use cookies that expire after ``lifetime`` seconds.

    Every cookie lives equally long, so issue order is expiry order: expired ones are dropped from
    the front of a queue, a constant cost per cookie (rebuilding the dict on each issue made 20,000
    ``XFR SB`` cost seconds).
    """

    def __init__(self, lifetime: float, clock: Clock = time.monotonic) -> None:
        self._lifetime = lifetime
        self._clock = clock
        self._tickets: dict[str, Ticket] = {}
        self._by_expiry: deque[tuple[float, str]] = deque()

    async def issue(self, handle: str, session_id: str | None = None) -> str:
        now = self._clock()
        self._drop_expired(now)
        cookie = new_cookie()
        expires = now + self._lifetime
        self._tickets[cookie] = Ticket(handle, session_id, expires)
        self._by_expiry.append((expires, cookie))
        return cookie

    def _drop_expired(self, now: float) -> None:
        queue = self._by_expiry
        while queue and queue[0][0] <= now:
            self._tickets.pop(queue.popleft()[1], None)

    def __len__(self) -> int:
        """Cookies issued and neither redeemed nor known to have expired."""
        return len(self._tickets)

    async def redeem(self, cookie: str, handle: str, session_id: str | None) -> Ticket | None:
        """Use up ``cookie``; the ticket only if it is live and was issued for this handle and purpose."""
        ticket = self._tickets.pop(cookie, None)
        if ticket is None or ticket.expires <= self._clock():
            return None
        if handle_key(ticket.handle) != handle_key(handle) or ticket.session_id != session_id:
            return None
        return ticket


@dataclass(slots=True)
class Participant:
    handle: str
    friendly: str
    member: Member


@dataclass(slots=True)
class Session:
    session_id: str
    participants: dict[str, Participant] = field(default_factory=dict)

    def others(self, handle: str) -> list[Participant]:
        key = handle_key(handle)
        return [p for k, p in self.participants.items() if k != key]


class SwitchboardCore:
    def __init__(self, directory: Directory, cookies: CookieStore, *,
                 valid_handle: HandleCheck, max_participants: int = 20, calls_per_minute: int = 30,
                 rings_per_minute: int = 10, max_sessions_per_user: int = 50, clock: Clock = time.monotonic,
                 address: tuple[str, int] | None = None,
                 new_session_id: Callable[[], Awaitable[str]] | None = None,
                 calls: WindowLimit | None = None, rings: WindowLimit | None = None) -> None:
        """``address`` goes into every RNG this switchboard causes (a cluster has many SBs and the callee
        must come to this one); ``new_session_id`` makes ids unique across SB processes; ``calls`` and
        ``rings`` are shared by every SB of a cluster (in memory, ``calls_per_minute`` and
        ``rings_per_minute``, when None)."""
        self._directory = directory
        self._address = address
        self._new_session_id = new_session_id
        self._max_participants = max_participants
        self._max_sessions_per_user = max_sessions_per_user
        self._memberships: Counter[str] = Counter()
        """How many sessions each user (by handle key) is in: each one holds a socket."""
        self._calls: WindowLimit = calls or KeyedWindows(calls_per_minute, 60.0, clock)
        """CALs per caller, across all of their switchboards."""
        self._rings: WindowLimit = rings or KeyedWindows(rings_per_minute, 60.0, clock)
        """Rings per callee, whoever calls: each ring makes the callee's client open a socket."""
        self.cookies = cookies
        self._valid_handle = valid_handle
        self._sessions: dict[str, Session] = {}
        self._next_id = 10_000_000 + secrets.randbelow(80_000_000)

    async def issue_create_cookie(self, handle: str) -> str:
        """XFR SB: a cookie that lets ``handle`` open a new session on the SB."""
        if not await self._is_visible(handle):
            raise Refused(ErrorCode.NOT_ALLOWED_WHEN_OFFLINE)
        if self._too_many_sessions(handle):
            raise Refused(ErrorCode.USER_TOO_ACTIVE)
        return await self.cookies.issue(handle)

    def _too_many_sessions(self, handle: str) -> bool:
        return self._memberships[handle_key(handle)] >= self._max_sessions_per_user

    def _joined(self, session: Session, me: Participant) -> None:
        key = handle_key(me.handle)
        session.participants[key] = me
        self._memberships[key] += 1

    async def _is_visible(self, handle: str) -> bool:
        me = await self._directory.presence_of(handle)
        return me is not None and me.visible

    async def _account(self, handle: str) -> Account:
        account = await self._directory.account(handle)
        if account is None:
            raise Refused(ErrorCode.AUTHENTICATION_FAILED, close=True)
        return account

    async def create(self, handle: str, cookie: str, member: Member) -> tuple[Session, Participant]:
        """SB USR: redeem a creation cookie and open a session with ``handle`` alone in it.

        The account is read before the cookie is used up, so a store failure (501) can be retried.
        """
        account = await self._account(handle)
        if await self.cookies.redeem(cookie, handle, None) is None:
            raise Refused(ErrorCode.AUTHENTICATION_FAILED, close=True)
        if not await self._is_visible(handle):
            # The cookie was taken while visible; since then the user hid or signed out.
            raise Refused(ErrorCode.NOT_ALLOWED_WHEN_OFFLINE, close=True)
        friendly = await self._directory.friendly(account.handle)
        if self._new_session_id is not None:
            session_id = await self._new_session_id()
        else:
            session_id = str(self._next_id)
            self._next_id += 1
        if self._too_many_sessions(handle):  # after the last look-up: nothing joins in between
            raise Refused(ErrorCode.USER_TOO_ACTIVE, close=True)
        session = Session(session_id)
        me = Participant(account.handle, friendly, member)
        self._joined(session, me)
        self._sessions[session_id] = session
        return session, me

    async def call(self, session: Session, caller: Participant, callee: str) -> str:
        """CAL: ring ``callee`` on their NS.

        713 the caller calls too often (refused calls count), 208 malformed handle, 215 already here,
        713 session full, 913 the caller is hidden or signed out, 217 offline or not allowed, 713 the
        callee was rung too often this minute.
        """
        if not await self._calls.allow(handle_key(caller.handle)):
            raise Refused(ErrorCode.USER_TOO_ACTIVE)
        if not self._valid_handle(callee):
            raise Refused(ErrorCode.INVALID_USERNAME)
        if handle_key(callee) in session.participants:
            raise Refused(ErrorCode.ALREADY_THERE)
        if len(session.participants) >= self._max_participants:
            raise Refused(ErrorCode.USER_TOO_ACTIVE)
        if not await self._is_visible(caller.handle):
            raise Refused(ErrorCode.NOT_ALLOWED_WHEN_OFFLINE)
        account = await self._directory.account(callee)
        if account is None or not await self._directory.may_call(caller.handle, account.handle):
            raise Refused(ErrorCode.PRINCIPAL_NOT_ONLINE)
        if not await self._rings.allow(handle_key(account.handle)):
            raise Refused(ErrorCode.USER_TOO_ACTIVE)
        cookie = await self.cookies.issue(account.handle, session.session_id)
        await self._directory.ring(account.handle, Ring(session.session_id, cookie, caller.handle,
                                                        caller.friendly, self._address))
        return session.session_id

    async def answer(self, handle: str, cookie: str, session_id: str,
                     member: Member) -> tuple[Session, Participant, list[Participant]]:
        """ANS: join the session; returns the roster (others, in joining order) and tells them (JOI)."""
        session = self._sessions.get(session_id)
        if session is None:
            raise Refused(ErrorCode.AUTHENTICATION_FAILED, close=True)
        account = await self._account(handle)  # before the cookie is used up: a 501 here can be retried
        if await self.cookies.redeem(cookie, handle, session_id) is None:
            raise Refused(ErrorCode.AUTHENTICATION_FAILED, close=True)
        friendly = await self._directory.friendly(account.handle)
        # The checks below come after the last look-up, so nothing can change between them and the join.
        if self._sessions.get(session_id) is not session:
            # Everyone left while the account and the cookie were looked up: the session is gone.
            raise Refused(ErrorCode.AUTHENTICATION_FAILED, close=True)
        if handle_key(handle) in session.participants:
            raise Refused(ErrorCode.ALREADY_THERE, close=True)
        if len(session.participants) >= self._max_participants:
            # Several invitations rang while there was room; the session filled up before this one.
            raise Refused(ErrorCode.USER_TOO_ACTIVE, close=True)
        if self._too_many_sessions(handle):
            raise Refused(ErrorCode.USER_TOO_ACTIVE, close=True)
        roster = list(session.participants.values())
        me = Participant(account.handle, friendly, member)
        self._joined(session, me)
        for other in roster:
            other.member.joined(me.handle, me.friendly)
        return session, me, roster

    def leave(self, session: Session, participant: Participant) -> None:
        """OUT or a dropped socket: BYE to the others; an empty session is destroyed."""
        key = handle_key(participant.handle)
        if session.participants.pop(key, None) is None:
            return
        self._memberships[key] -= 1
        if self._memberships[key] <= 0:
            del self._memberships[key]
        for other in session.participants.values():
            other.member.left(participant.handle)
        if not session.participants:
            self._sessions.pop(session.session_id, None)

    @staticmethod
    def relay(session: Session, sender: Participant, line: bytes) -> bool:
        """Copy the encoded MSG ``line`` to every other participant (each one is tried, even after a
        failure); True only if there was one and all got it. Recipients are picked by identity: no
        casefold per message."""
        anyone, everyone = False, True
        for other in session.participants.values():
            if other is not sender:
                anyone = True
                if not other.member.relay_line(line):
                    everyone = False
        return anyone and everyone

    def session_count(self) -> int:
        return len(self._sessions)
