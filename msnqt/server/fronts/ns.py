"""The Notification Server front: MSNP2 lines in, core calls; core events out, MSNP2 lines.

State machine (msnp2-reference §2.5); any (state, command type) pair not in ``TABLE`` is answered
with ``302 t`` when it is a signed-in command sent too early, and otherwise closes the connection.

    CONNECTED   --VER MSNP2-->  NEGOTIATED   (VER t 0 + close otherwise; CVR0 → VERSION_CHECK)
    NEGOTIATED  --USR MD5 I-->  CHALLENGED   (INF, CVR, OUT also accepted)
    CHALLENGED  --USR MD5 S-->  SIGNED_IN    (911 + close on a bad response)
    SIGNED_IN   --OUT-->        closed       (SYN LST GTC BLP ADD REM REA CHG XFR URL FND SND PNG CVR)
    before SIGNED_IN --login_timeout passes--> closed
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from enum import Enum, auto
from functools import lru_cache
from typing import Any

from msnqt.protocol import (
    Add,
    AddRequest,
    Blp,
    BlpRequest,
    Chg,
    Cvq,
    Cvr,
    Decoder,
    Error,
    Fln,
    FndRequest,
    FndResult,
    Gtc,
    GtcRequest,
    Iln,
    Inf,
    Lst,
    LstRequest,
    Malformed,
    MsgRelay,
    Nln,
    Out,
    Png,
    Qng,
    Rea,
    ReaRequest,
    Rem,
    RemRequest,
    Rng,
    SndOk,
    SndRequest,
    Syn,
    Url,
    UrlRequest,
    UsrChallenge,
    UsrInitial,
    UsrOk,
    UsrResponse,
    Ver,
    XfrRequest,
    XfrSb,
    encode,
)
from msnqt.protocol.auth import new_challenge
from msnqt.protocol.codes import ErrorCode, ListName, Status
from msnqt.protocol.commands import Channel, Command, Sender
from msnqt.protocol.errors import InvalidFriendlyName
from msnqt.protocol.message import mail_summary_payload, profile_payload

from ..core.errors import AccountError, StoreError
from ..core.events import AddedBy, ContactOffline, ContactOnline, Event, RemovedBy, Ring, SignedOut
from ..core.limits import UserLimits
from ..core.model import Account, Profile, UserLists, handle_key
from ..core.notification import NotificationCore
from ..core.ports import Admission, LoginThrottle, SessionRef
from ..core.switchboard import SwitchboardCore
from .connection import Address, Pending, log
from .login import AUTH_PACKAGE, LoginFront, Negotiated, version_check_reply
from .state_table import Edge, StateTable, command_name, trid_of

HOTMAIL = "Hotmail"
LOGIN_URL = "https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033"
SERVICE_URLS = {
    "INBOX": "/cgi-bin/HoTMaiL",
    "COMPOSE": "/cgi-bin/compose",
    "PASSWORD": "/cgi-bin/passwordchange",
    "PERSON": "/cgi-bin/profile",
    "FOLDERS": "/cgi-bin/folders",
    "MESSAGE": "/cgi-bin/getmsg",
}
SIGNED_IN_COMMANDS = frozenset(
    {"SYN", "LST", "GTC", "BLP", "ADD", "REM", "REA", "CHG", "XFR", "URL", "FND", "SND", "PNG"})

MALFORMED_CODES: dict[str, ErrorCode] = {
    "ADD": ErrorCode.INVALID_PARAMETER, "REM": ErrorCode.INVALID_PARAMETER,
    "LST": ErrorCode.INVALID_PARAMETER, "GTC": ErrorCode.INVALID_PARAMETER,
    "BLP": ErrorCode.INVALID_PARAMETER, "CHG": ErrorCode.INVALID_PARAMETER,
    "XFR": ErrorCode.INVALID_PARAMETER, "URL": ErrorCode.INVALID_PARAMETER,
    "FND": ErrorCode.INVALID_PARAMETER, "SND": ErrorCode.BAD_PARAMETERS,
    "REA": ErrorCode.INVALID_PARAMETER, "SYN": ErrorCode.INVALID_PARAMETER,
}
"""The reply to a well-framed but malformed command; anything not listed closes the connection."""


@lru_cache(maxsize=1024)
def presence_line(command: Nln | Fln) -> bytes:
    """One status change goes to every watcher as the same line: encode it once, not once per watcher."""
    return encode(command)


class NsState(Enum):
    CONNECTED = auto()
    NEGOTIATED = auto()
    VERSION_CHECK = auto()
    CHALLENGED = auto()
    SIGNED_IN = auto()


class NsConnection(LoginFront[NsState]):
    def __init__(self, *, core: NotificationCore, switchboard: SwitchboardCore,
                 pick_sb: Callable[[], Address | None], login_timeout: float, limits: UserLimits,
                 throttle: LoginThrottle, clock: Callable[[], float] = time.time) -> None:
        """``pick_sb`` names the SB for XFR SB (the only one, or a live one of a cluster; None: none is
        up, answered 601 "server unavailable")."""
        super().__init__(Decoder(Sender.CLIENT, Channel.NS), initial=NsState.CONNECTED,
                         login_timeout=login_timeout)
        self._core = core
        self._switchboard = switchboard
        self._pick_sb = pick_sb
        self._clock = clock
        self._limits = limits
        self._throttle = throttle
        self._user_key = ""
        self._claimed: str | None = None
        self._challenge: str | None = None
        self.account: Account | None = None
        self._session: SessionRef | None = None
        """The router's name for this session, once signed in (what sign-out hands back)."""
        self._found: tuple[str, ...] = ()
        """Handles behind this session's last FND reply, for SND by index."""

    def table(self) -> StateTable[NsState]:
        return TABLE

    def who(self) -> str | None:
        return self.account.handle if self.account is not None else self._claimed

    # --- state-machine edges -------------------------------------------------------------------------

    def dispatch(self, command: Command) -> Pending | None:
        """An account that vanished mid-request (``msnqt-server user remove`` while signed in, or a
        contact removed between the check and the write) ends this session cleanly, with no traceback;
        nothing was changed, because the store looks accounts up before it writes.

        Signed in, each costly command draws on its owner's allowance (core/limits.py): beyond it the
        command is answered 713 and not run, and a user who keeps going after a hundred refusals is
        closed. Only the flooder is refused; the people watching it never see the flood.
        """
        if self.state is NsState.SIGNED_IN:
            name = command_name(command)
            if name is not None and not self._limits.allow(name, self._user_key):
                self._too_active(command)
                return None
        return super().dispatch(command)

    def handle_failure(self, command: Command, exc: Exception) -> bool:
        if isinstance(exc, AccountError):
            log.info("closing a session whose request named a vanished account: %s", exc)
            self.close()
            return True
        return super().handle_failure(command, exc)

    def _too_active(self, command: Command) -> None:
        trid = trid_of(command)
        if trid is not None:
            self.send(Error(ErrorCode.USER_TOO_ACTIVE, trid))
        if trid is None or not self._limits.patience_left(self._user_key):
            log.warning("closing %s: still flooding after being refused", self.describe())
            self.close()

    def out_of_state(self, name: str, command: Command) -> None:
        trid = trid_of(command)
        early = self.state in (NsState.NEGOTIATED, NsState.CHALLENGED)
        if early and name in SIGNED_IN_COMMANDS and trid is not None:
            self.send(Error(ErrorCode.NOT_LOGGED_IN, trid))
        elif self.state is NsState.SIGNED_IN and name == "USR" and trid is not None:
            self.send(Error(ErrorCode.ALREADY_LOGGED_IN, trid))
        else:
            self.close()

    def malformed(self, command: Malformed) -> None:
        code = MALFORMED_CODES.get(command.name)
        if command.name == "REA" and isinstance(command.error, InvalidFriendlyName):
            code = ErrorCode.INVALID_FRIENDLY_NAME
        if code is None or command.trid is None:
            self.close()
        else:
            self.send(Error(code, command.trid))

    # --- login -------------------------------------------------------------------------------------

    def on_cvr(self, command: Cvr) -> None:
        self.send(Cvr(command.trid, version_check_reply(command.fields)))

    def on_usr_initial(self, command: UsrInitial) -> None:
        if command.package != AUTH_PACKAGE:
            self.close()
            return
        # Unknown accounts get a challenge too and fail at the S step, so accounts cannot be probed.
        self._claimed = command.handle
        self._challenge = new_challenge()
        self.send(UsrChallenge(command.trid, self._challenge))

    async def on_usr_response(self, command: UsrResponse) -> None:
        if command.package != AUTH_PACKAGE:
            self.close()
            return
        assert self._claimed is not None and self._challenge is not None
        challenge, self._challenge = self._challenge, None  # one answer per challenge
        try:
            admission = await self._throttle.admit(handle_key(self._claimed), self.peer_host())
        except StoreError as exc:
            # Fail closed: a guess the throttle cannot count is never checked (docs/cluster.md).
            log.warning("could not ask the login throttle for %s: %s", self.describe(), exc)
            self.send(Error(ErrorCode.DB_SERVER, command.trid))
            self.close()
            return
        if admission is None:
            # Too many wrong passwords for this account or from this address just now: not checked.
            self.send(Error(ErrorCode.AUTHENTICATION_FAILED, command.trid))
            self.close()
            return
        try:
            account = await self._core.verify(self._claimed, challenge, command.response)
        except StoreError as exc:
            log.warning("could not check a password for %s: %s", self.describe(), exc)
            await self._settle(self._throttle.unchecked(admission))
            self.send(Error(ErrorCode.DB_SERVER, command.trid))
            self.close()
            return
        if account is None:
            # Logged, never the response (a hash an offline guesser could use).
            if await self._address_failed(admission) or admission.locks:
                log.warning("failed sign-in for %s; further tries are refused for a while", self.describe())
            else:
                log.info("failed sign-in for %s", self.describe())
            self.send(Error(ErrorCode.AUTHENTICATION_FAILED, command.trid))
            self.close()
            return
        await self._settle(self._throttle.succeeded(admission))
        if self.closing:
            return  # gone while the password was checked: nobody to sign in
        try:
            session = await self._core.sign_in(account, self)
        except StoreError as exc:
            # sign_in changes nothing unless it completes, so there is no half-signed-in session.
            log.warning("could not sign in %s: %s", self.describe(), exc)
            self.send(Error(ErrorCode.DB_SERVER, command.trid))
            self.close()
            return
        self.account, self._session = account, session
        self._user_key = handle_key(account.handle)
        self.login_done()
        self.send(UsrOk(command.trid, account.handle, account.friendly))
        self.send(MsgRelay(HOTMAIL, HOTMAIL, profile_payload(int(self._clock()))))
        mailbox = self._core.mailbox(account.handle)
        if mailbox is not None and mailbox[0] + mailbox[1] > 0:
            self.send(MsgRelay(HOTMAIL, HOTMAIL, mail_summary_payload(*mailbox)))

    async def _address_failed(self, admission: Admission) -> bool:
        """Count a wrong password against the address (the account's was counted on admission)."""
        try:
            return await self._throttle.failed(admission)
        except StoreError as exc:
            log.warning("could not tell the login throttle about %s: %s", self.describe(), exc)
            return False

    async def _settle(self, taking_back: Awaitable[None]) -> None:
        """Forgive or take back an attempt counted in advance. If the throttle cannot be reached it stays
        counted as a failure: erring towards the lock, never away from it."""
        try:
            await taking_back
        except StoreError as exc:
            log.warning("could not tell the login throttle about %s: %s", self.describe(), exc)

    def on_out(self, command: Out) -> None:
        self.send(Out())
        self.close()

    # --- signed in -----------------------------------------------------------------------------------

    @property
    def handle(self) -> str:
        assert self.account is not None
        return self.account.handle

    async def on_syn(self, command: Syn) -> None:
        lists = await self._core.lists(self.handle)
        self.send(Syn(command.trid, lists.version))
        if command.version == lists.version:
            return
        self.send(Gtc(command.trid, lists.version, lists.gtc))
        self.send(Blp(command.trid, lists.version, lists.blp))
        for name in (ListName.FORWARD, ListName.ALLOW, ListName.BLOCK, ListName.REVERSE):
            self._send_list(command.trid, name, lists)

    async def on_lst(self, command: LstRequest) -> None:
        self._send_list(command.trid, command.list_name, await self._core.lists(self.handle))

    def _send_list(self, trid: int, name: ListName, lists: UserLists) -> None:
        members = lists.members(name)
        if not members:
            self.send(Lst(trid, name, lists.version, 0, 0))
        for index, entry in enumerate(members, start=1):
            self.send(Lst(trid, name, lists.version, index, len(members), entry.handle, entry.friendly))

    async def on_gtc(self, command: GtcRequest) -> None:
        version = await self._core.set_gtc(self.handle, command.setting)
        self.send(Gtc(command.trid, version, command.setting))

    async def on_blp(self, command: BlpRequest) -> None:
        version = await self._core.set_blp(self.handle, command.setting)
        self.send(Blp(command.trid, version, command.setting))

    async def on_add(self, command: AddRequest) -> None:
        outcome = await self._core.add(self.handle, command.list_name, command.handle, command.friendly)
        self.send(Add(command.trid, command.list_name, outcome.version, outcome.handle, outcome.friendly))
        if outcome.initial is not None:
            seen = outcome.initial
            self.send(Iln(command.trid, seen.status, seen.handle, seen.friendly))

    async def on_rem(self, command: RemRequest) -> None:
        version, handle = await self._core.remove(self.handle, command.list_name, command.handle)
        self.send(Rem(command.trid, command.list_name, version, handle))

    async def on_rea(self, command: ReaRequest) -> None:
        version, handle = await self._core.rename(self.handle, command.handle, command.friendly)
        self.send(Rea(command.trid, version, handle, command.friendly))

    async def on_chg(self, command: Chg) -> None:
        if command.status is Status.OFFLINE:
            self.send(Error(ErrorCode.INVALID_PARAMETER, command.trid))
            return
        initial = await self._core.set_status(self.handle, command.status)
        self.send(Chg(command.trid, command.status))
        for seen in initial or ():
            self.send(Iln(command.trid, seen.status, seen.handle, seen.friendly))

    async def on_xfr(self, command: XfrRequest) -> None:
        if command.kind != "SB":
            self.send(Error(ErrorCode.INVALID_PARAMETER, command.trid))
            return
        address = self._pick_sb()
        if address is None:
            self.send(Error(ErrorCode.SERVER_UNAVAILABLE, command.trid))
            return
        cookie = await self._switchboard.issue_create_cookie(self.handle)
        self.send(XfrSb(command.trid, self.refer(address), cookie))

    def on_url(self, command: UrlRequest) -> None:
        path = SERVICE_URLS.get(command.service.upper())
        if path is None:
            self.send(Error(ErrorCode.INVALID_PARAMETER, command.trid))
            return
        if command.param:
            path += f"?to={command.param}" if command.service.upper() == "COMPOSE" else f"?id={command.param}"
        self.send(Url(command.trid, path, LOGIN_URL))

    async def on_fnd(self, command: FndRequest) -> None:
        def field(value: str) -> str:
            return "" if value == "*" else value

        query = Profile(field(command.fname), field(command.lname), field(command.city),
                        field(command.state), field(command.country))
        hits = await self._core.find(query)
        self._found = tuple(hit.handle for hit in hits)
        if not hits:
            self.send(FndResult(command.trid, 0, 0))
        for index, hit in enumerate(hits, start=1):
            p = hit.profile
            self.send(FndResult(command.trid, index, len(hits), p.fname or "*", p.lname or "*",
                                p.city or "*", p.state or "*", p.country or "*"))

    async def on_snd(self, command: SndRequest) -> None:
        address = self._invitee(command.address)
        if address is None:
            self.send(Error(ErrorCode.BAD_PARAMETERS, command.trid))
            return
        await self._core.invite(self.handle, address)
        self.send(SndOk(command.trid))

    def _invitee(self, address: str) -> str | None:
        """SND names an address, or a 1-based index into this session's last FND reply (§3.2 SND).

        FND replies carry no address, so an index resolves to the account handle behind that hit;
        None for an index out of range (or with no FND before it).
        """
        if not (address.isascii() and address.isdigit()):
            return address
        index = int(address)
        return self._found[index - 1] if 1 <= index <= len(self._found) else None

    def on_png(self, command: Any) -> None:
        self.send(Qng())

    # --- events from other sessions ------------------------------------------------------------------

    def deliver(self, event: Event) -> None:
        if self.closing:
            return
        match event:
            case ContactOnline(handle, status, friendly):
                self.push_line(presence_line(Nln(status, handle, friendly)))
            case ContactOffline(handle):
                self.push_line(presence_line(Fln(handle)))
            case AddedBy(version, handle, friendly):
                self.push(Add(0, ListName.REVERSE, version, handle, friendly))
            case RemovedBy(version, handle):
                self.push(Rem(0, ListName.REVERSE, version, handle))
            case Ring(session_id, cookie, caller, caller_friendly, switchboard):
                address = switchboard or self._pick_sb()
                if address is not None:
                    self.push(Rng(session_id, self.refer(address), cookie, caller, caller_friendly))
            case SignedOut(reason):
                self.push(Out(reason))
                self.close()

    def farewell(self) -> Awaitable[None] | None:
        if self.account is None or self._session is None:
            return None
        return self._core.sign_out(self.account.handle, self._session)


N = NsState
TABLE = StateTable[NsState]({
    (N.CONNECTED, Ver): Edge(LoginFront.on_ver, outcomes={
        Negotiated.MSNP2: N.NEGOTIATED, Negotiated.VERSION_CHECK_ONLY: N.VERSION_CHECK}),
    (N.VERSION_CHECK, Cvq): Edge(LoginFront.on_cvq),
    (N.NEGOTIATED, Inf): Edge(LoginFront.on_inf),
    (N.NEGOTIATED, Cvr): Edge(NsConnection.on_cvr),
    (N.NEGOTIATED, UsrInitial): Edge(NsConnection.on_usr_initial, then=N.CHALLENGED),
    (N.NEGOTIATED, Out): Edge(NsConnection.on_out),
    (N.CHALLENGED, Inf): Edge(LoginFront.on_inf),
    (N.CHALLENGED, UsrResponse): Edge(NsConnection.on_usr_response, then=N.SIGNED_IN),
    (N.CHALLENGED, Out): Edge(NsConnection.on_out),
    (N.SIGNED_IN, Inf): Edge(LoginFront.on_inf),
    (N.SIGNED_IN, Cvr): Edge(NsConnection.on_cvr),
    (N.SIGNED_IN, Syn): Edge(NsConnection.on_syn),
    (N.SIGNED_IN, LstRequest): Edge(NsConnection.on_lst),
    (N.SIGNED_IN, GtcRequest): Edge(NsConnection.on_gtc),
    (N.SIGNED_IN, BlpRequest): Edge(NsConnection.on_blp),
    (N.SIGNED_IN, AddRequest): Edge(NsConnection.on_add),
    (N.SIGNED_IN, RemRequest): Edge(NsConnection.on_rem),
    (N.SIGNED_IN, ReaRequest): Edge(NsConnection.on_rea),
    (N.SIGNED_IN, Chg): Edge(NsConnection.on_chg),
    (N.SIGNED_IN, XfrRequest): Edge(NsConnection.on_xfr),
    (N.SIGNED_IN, UrlRequest): Edge(NsConnection.on_url),
    (N.SIGNED_IN, FndRequest): Edge(NsConnection.on_fnd),
    (N.SIGNED_IN, SndRequest): Edge(NsConnection.on_snd),
    (N.SIGNED_IN, Png): Edge(NsConnection.on_png),
    (N.SIGNED_IN, Out): Edge(NsConnection.on_out),
})
"""(state, command type) → handler and next state; everything else is out of state (module docstring)."""
