"""A small stateful MSNP2 server whose every reply is phrased by a :class:`Dialect` (msnp2-reference §8).

Why not the scripted ``FakeServer``: a dialect scenario has several engines talking to each other through
the server (presence, lists, invitations, messages), so the fake must keep accounts, lists, sessions and
switchboards. Everything a dialect phrases differently goes through one method or flag of ``Dialect``;
the base class phrases lines as the draft and §10 do (what our own server sends), and each dialect module
overrides what the recorded transcripts (escargot-2018-transcripts.md) or the source notes (§8.3, §8.4)
show, byte for byte, trailing fields included.

Loopback only; one instance per test (``async with DialectServer(dialect) as server``).
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from msnqt.protocol.auth import md5_response
from msnqt.protocol.limits import FL_LIMIT
from tests.support.memory import HOST as MEMORY_HOST
from tests.support.memory import MemoryNetwork

LISTS = ("FL", "AL", "BL", "RL")
SETTABLE = {"NLN", "BSY", "IDL", "BRB", "AWY", "PHN", "LUN", "HDN"}
CLOSE = object()
"""What a command handler returns to end the connection."""


def name_field(name: str) -> str:
    """A friendly name as Escargot and our server write it (``Alice%20Liddell``, ``@`` kept)."""
    return quote(name, safe="@")


@dataclass
class Account:
    handle: str
    password: str
    friendly: str
    salt: str
    lists: dict[str, dict[str, str]] = field(default_factory=lambda: {name: {} for name in LISTS})
    gtc: str = "A"
    blp: str = "AL"
    version: int = 0


class Peer:
    """One TCP connection: reads a command line (and a MSG payload), writes lines, records them."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.received: list[str] = []

    async def read(self) -> tuple[str, list[str], bytes] | None:
        while True:
            try:
                raw = await self.reader.readline()
            except (ConnectionError, asyncio.IncompleteReadError):
                return None
            if not raw:
                return None
            line = raw.decode("utf-8", "surrogateescape").rstrip("\r\n")
            parts = line.split()
            if not parts:
                continue
            self.received.append(line)
            payload = b""
            if parts[0] == "MSG" and parts[-1].isdigit():
                try:
                    payload = await self.reader.readexactly(int(parts[-1]))
                except (ConnectionError, asyncio.IncompleteReadError):
                    return None
            return parts[0], parts[1:], payload

    def send(self, line: str, payload: bytes | None = None) -> None:
        if self.writer.is_closing():
            return
        self.writer.write(line.encode("utf-8", "surrogateescape") + b"\r\n" + (payload or b""))

    def close(self) -> None:
        self.writer.close()


@dataclass(eq=False)
class NsSession:
    peer: Peer
    account: Account | None = None
    challenge: str = ""
    status: str | None = None
    """None until the first CHG: nobody sees the session, and it sees nobody."""
    serial: int = 0
    """The per-connection list version of the Escargot dialects (§8.2 D9)."""


@dataclass(eq=False)
class Switchboard:
    session_id: str
    members: dict[str, tuple[Peer, str]] = field(default_factory=dict)
    """handle -> (connection, friendly name), in joining order."""


@dataclass
class Invitation:
    handle: str
    session_id: str | None  # None: a new switchboard (XFR SB); else the one to ANS into


class Dialect:
    """How one server phrases MSNP2. This base is the draft as §10 recommends (our server's dialect)."""

    name = "draft"
    has_ds = True
    png_drops = False
    unknown_drops = False
    """Close the NS connection on a command the server does not handle (the Go server, §8.4)."""
    fake_versions = False
    """Per-connection list version seeded from the client's SYN, lists always resent (§8.2 D9, §8.3)."""
    ns_out_reply = True
    out_oth_closes = True
    wrong_password_closes = True
    add_fl_implies_al = False
    bl_hides_presence = True
    joiner_gets_own_joi = False
    nak_when_alone = True
    rl_notice_versioned = True
    """``ADD 0 RL``/``REM 0 RL`` carry (and so take) a list version of the target's."""
    max_msg_payload: int | None = 1664
    """A switchboard closes the sender's connection on a larger MSG payload (§10 server 9; None: no limit)."""

    # --- sign-in --------------------------------------------------------------------------------

    def ver_reply(self, trid: str, offered: list[str]) -> str:
        return f"VER {trid} MSNP2" if "MSNP2" in offered else f"VER {trid} 0"

    def ds_refers_after(self, stage: str) -> bool:
        """Whether the DS answers this USR stage with XFR NS (the draft: after ``USR MD5 I``)."""
        return stage == "I"

    def challenge(self, account: Account | None) -> str | None:
        """The MD5 challenge, or None to refuse an unknown account at once with 911."""
        if account is None:
            return None
        return f"{secrets.randbelow(10**10)}.{secrets.randbelow(10**9)}"

    def profile(self, account: Account) -> bytes | None:
        return (b"MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\n"
                b"LoginTime: 1000000000\r\n\r\n")

    # --- lists ----------------------------------------------------------------------------------

    def syn_lines(self, trid: str, version: int, account: Account, client_version: int) -> list[str]:
        if not self.fake_versions and client_version == version:
            return [f"SYN {trid} {version}"]
        lists = [line for name in LISTS for line in self.lst_lines(trid, version, name, account.lists[name])]
        return [f"SYN {trid} {version}", f"GTC {trid} {version} {account.gtc}",
                f"BLP {trid} {version} {account.blp}", *lists]

    def lst_lines(self, trid: str, version: int, name: str, entries: dict[str, str]) -> list[str]:
        if not entries:
            return [f"LST {trid} {name} {version} 0 0"]
        total = len(entries)
        return [f"LST {trid} {name} {version} {i} {total} {h} {name_field(n)}"
                for i, (h, n) in enumerate(entries.items(), 1)]

    def chg_echo(self, trid: str, status: str) -> str:
        return f"CHG {trid} {status}"

    def add_refusal(self, list_name: str, known: bool, already: bool, opposite: bool,
                    full: bool) -> int | None:
        """``opposite``: an AL/BL add of someone on the other of the two; ``full``: FL holds FL_LIMIT."""
        if not known:
            return 205
        if list_name == "RL":
            return 201
        if already:
            return 215
        if opposite:
            return 219
        if full:
            return 210
        return None

    def rem_refusal(self, member: bool) -> int | None:
        return None if member else 216

    def iln_on_add(self) -> str | None:
        """Where the ILN for an online contact added to FL goes: "before" or "after" the echo, or None."""
        return "after"

    def rl_add_notice(self, version: int, handle: str, friendly: str) -> str:
        return f"ADD 0 RL {version} {handle} {name_field(friendly)}"

    def rl_add_notice_wanted(self, adder: str, target: Account) -> bool:
        return True

    def rl_rem_notice(self, version: int, handle: str) -> str | None:
        return f"REM 0 RL {version} {handle}"

    def xfr_refusal(self, session: NsSession) -> int | None:
        return 913 if session.status == "HDN" else None  # [Y; G; E25]

    def setting_refusal(self, current: str, wanted: str) -> int | None:
        """GTC/BLP: ``218`` when it is set already (the draft, E25, G)."""
        return 218 if current == wanted else None

    def url_reply(self, trid: str) -> str | None:
        return f"URL {trid} /cgi-bin/HoTMaiL https://loginnet.passport.com/ppsecure/md5auth.srf?lc=1033"

    def fnd_reply(self, trid: str) -> list[str] | None:
        return [f"FND {trid} 0 0"]

    def ping_reply(self) -> str:
        return "QNG"

    # --- switchboard ----------------------------------------------------------------------------

    def new_session_id(self) -> str:
        return str(next(_session_numbers))

    def new_cookie(self) -> str:
        return f"{secrets.randbelow(10**10)}.{secrets.randbelow(10**9)}"

    def cal_refusal(self, trid: str, handle: str, caller: Account, target: Account | None,
                    online: bool, allowed: bool) -> str | None:
        if target is None:
            return f"205 {trid}"
        if not online or not allowed:
            return f"217 {trid}"
        return None


_session_numbers = itertools.count(1000)


class DialectServer:
    """See the module docstring. ``address`` is where a user points the client (DS, or the NS)."""

    def __init__(self, dialect: Dialect, network: MemoryNetwork | None = None) -> None:
        """``network``: serve on an in-memory network (tests/support/memory.py) instead of loopback."""
        self.dialect = dialect
        self.network = network
        self.host = MEMORY_HOST if network is not None else "127.0.0.1"
        self.accounts: dict[str, Account] = {}
        self.online: dict[str, NsSession] = {}
        self.invitations: dict[str, Invitation] = {}
        self.switchboards: dict[str, Switchboard] = {}
        self.ns_peers: list[Peer] = []
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._salts = itertools.count(0xfeb3dcfb8c4977e)

    # --- set-up ---------------------------------------------------------------------------------

    def add_account(self, handle: str, password: str, friendly: str | None = None) -> None:
        self.accounts[handle.lower()] = Account(handle, password, friendly or handle,
                                                f"{next(self._salts):015x}")

    async def start(self) -> DialectServer:
        self.sb_port = await self._listen(self._serve_sb)
        self.ns_port = await self._listen(self._serve_ns)
        self.ds_port = await self._listen(self._serve_ds) if self.dialect.has_ds else self.ns_port
        return self

    @property
    def address(self) -> str:
        return f"{self.host}:{self.ds_port}"

    async def close(self) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def __aenter__(self) -> DialectServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _listen(self, handler: object) -> int:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            self._tasks.add(task)
            peer = Peer(reader, writer)
            try:
                await handler(peer)  # type: ignore[operator]
            except asyncio.CancelledError:
                pass
            finally:
                self._tasks.discard(task)
                peer.close()

        if self.network is not None:
            return self.network.listen(serve)
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        self._servers.append(server)
        return int(server.sockets[0].getsockname()[1])

    # --- who sees whom --------------------------------------------------------------------------

    def _visible_to(self, session: NsSession, watcher: Account) -> bool:
        me = session.account
        assert me is not None
        if session.status in (None, "HDN") or me.handle.lower() not in _keys(watcher.lists["FL"]):
            return False
        return not (self.dialect.bl_hides_presence and watcher.handle.lower() in _keys(me.lists["BL"]))

    def _watchers(self, session: NsSession) -> list[NsSession]:
        return [other for other in self.online.values() if other is not session and other.account
                and other.status is not None and self._visible_to(session, other.account)]

    def _announce(self, session: NsSession, *, gone: bool = False) -> None:
        me = session.account
        assert me is not None
        for other in list(self.online.values()):
            if other is session or other.account is None or other.status is None:
                continue
            if me.handle.lower() not in _keys(other.account.lists["FL"]):
                continue
            if not gone and self._visible_to(session, other.account):
                other.peer.send(f"NLN {session.status} {me.handle} {name_field(me.friendly)}")
            else:
                other.peer.send(f"FLN {me.handle}")

    def _bump(self, session: NsSession) -> int:
        if self.dialect.fake_versions:
            session.serial += 1
            return session.serial
        assert session.account is not None
        session.account.version += 1
        return session.account.version

    def _bump_offline(self, account: Account, session: NsSession | None) -> None:
        """A list of someone offline changed: their version moves, so their next SYN brings the lists
        (a server with real versions; one with fake versions resends them anyway)."""
        if session is None and not self.dialect.fake_versions:
            account.version += 1

    # --- dispatch server ------------------------------------------------------------------------

    async def _serve_ds(self, peer: Peer) -> None:
        while (command := await peer.read()) is not None:
            name, args, _ = command
            trid = args[0] if args else "0"
            if name == "VER":
                peer.send(self.dialect.ver_reply(trid, args[1:]))
            elif name == "INF":
                peer.send(f"INF {trid} MD5")
            elif name == "USR" and self.dialect.ds_refers_after(args[2] if len(args) > 2 else ""):
                peer.send(f"XFR {trid} NS {self.host}:{self.ns_port}")
                await peer.writer.drain()
                return
            elif self.dialect.unknown_drops:
                return

    # --- notification server --------------------------------------------------------------------

    async def _serve_ns(self, peer: Peer) -> None:
        session = NsSession(peer)
        self.ns_peers.append(peer)
        try:
            while (command := await peer.read()) is not None:
                name, args, _ = command
                handler = getattr(self, f"_ns_{name.lower()}", None)
                if handler is None or (session.account is None and name not in ("VER", "INF", "USR")):
                    if self.dialect.unknown_drops:
                        return
                    continue  # Escargot ignores it (§8.2 D5)
                outcome = handler(session, args)
                await peer.writer.drain()
                if outcome is CLOSE:
                    return
        finally:
            if session.account is not None and self.online.get(session.account.handle.lower()) is session:
                del self.online[session.account.handle.lower()]
                if session.status not in (None, "HDN"):
                    self._announce(session, gone=True)
                session.status = None

    def _ns_ver(self, s: NsSession, a: list[str]) -> object:
        reply = self.dialect.ver_reply(a[0], a[1:])
        s.peer.send(reply)
        return CLOSE if reply.endswith(" 0") else None

    def _ns_inf(self, s: NsSession, a: list[str]) -> object:
        s.peer.send(f"INF {a[0]} MD5")
        return None

    def _ns_usr(self, s: NsSession, a: list[str]) -> object:
        trid, stage, value = a[0], a[2], a[3]
        if stage == "I":
            account = self.accounts.get(value.lower())
            challenge = self.dialect.challenge(account)
            if challenge is None:
                s.peer.send(f"911 {trid}")
                return None
            s.account, s.challenge = account, challenge
            s.peer.send(f"USR {trid} MD5 S {challenge}")
            return None
        account = s.account
        if account is None or md5_response(s.challenge, account.password) != value:
            s.account = None
            s.peer.send(f"911 {trid}")
            return CLOSE if self.dialect.wrong_password_closes else None
        old = self.online.pop(account.handle.lower(), None)
        if old is not None:
            old.peer.send("OUT OTH")
            if old.status not in (None, "HDN"):
                self._announce(old, gone=True)
            old.status = None
            old.account = None if self.dialect.out_oth_closes else old.account
            if self.dialect.out_oth_closes:
                old.peer.close()
        self.online[account.handle.lower()] = s
        s.peer.send(f"USR {trid} OK {account.handle} {name_field(account.friendly)}")
        profile = self.dialect.profile(account)
        if profile is not None:
            s.peer.send(f"MSG Hotmail Hotmail {len(profile)}", profile)
        return None

    def _ns_syn(self, s: NsSession, a: list[str]) -> object:
        assert s.account is not None
        client_version = int(a[1])
        if self.dialect.fake_versions:
            s.serial = client_version + 1
        version = s.serial if self.dialect.fake_versions else s.account.version
        for line in self.dialect.syn_lines(a[0], version, s.account, client_version):
            s.peer.send(line)
        return None

    def _ns_chg(self, s: NsSession, a: list[str]) -> object:
        assert s.account is not None
        trid, status = a[0], a[1]
        if status not in SETTABLE:
            s.peer.send(f"201 {trid}")
            return None
        first, was_visible = s.status is None, s.status not in (None, "HDN")
        s.status = status
        s.peer.send(self.dialect.chg_echo(trid, status))
        if first:
            for handle in s.account.lists["FL"]:
                other = self.online.get(handle.lower())
                if other is not None and other.account is not None and self._visible_to(other, s.account):
                    s.peer.send(f"ILN {trid} {other.status} {other.account.handle} "
                                f"{name_field(other.account.friendly)}")
        if status != "HDN" or was_visible:
            self._announce(s, gone=status == "HDN")
        return None

    def _ns_add(self, s: NsSession, a: list[str]) -> object:
        me = s.account
        assert me is not None
        trid, list_name, handle, friendly = a[0], a[1], a[2], unquote(a[3]) if len(a) > 3 else a[2]
        target = self.accounts.get(handle.lower())
        other_list = {"AL": "BL", "BL": "AL"}.get(list_name)
        refusal = self.dialect.add_refusal(
            list_name, target is not None, handle.lower() in _keys(me.lists.get(list_name, {})),
            opposite=other_list is not None and handle.lower() in _keys(me.lists[other_list]),
            full=list_name == "FL" and len(me.lists["FL"]) >= FL_LIMIT)
        if refusal is not None:
            s.peer.send(f"{refusal} {trid}")
            return None
        assert target is not None
        me.lists[list_name][target.handle] = friendly
        if list_name == "FL" and self.dialect.add_fl_implies_al:
            me.lists["AL"][target.handle] = friendly
        version = self._bump(s)
        echo = f"ADD {trid} {list_name} {version} {target.handle} {name_field(friendly)}"
        other = self.online.get(target.handle.lower())
        iln = None
        if list_name == "FL":
            notify = self.dialect.rl_add_notice_wanted(me.handle, target)
            target.lists["RL"][me.handle] = me.friendly
            self._bump_offline(target, other)
            if other is not None and notify:
                version_ = self._bump(other) if self.dialect.rl_notice_versioned else 0
                other.peer.send(self.dialect.rl_add_notice(version_, me.handle, me.friendly))
            if other is not None and other.account is not None and self._visible_to(other, me):
                iln = f"ILN {trid} {other.status} {target.handle} {name_field(target.friendly)}"
        where = self.dialect.iln_on_add() if iln else None
        if where == "before":
            s.peer.send(iln or "")
        s.peer.send(echo)
        if where == "after":
            s.peer.send(iln or "")
        if list_name in ("AL", "BL") and other is not None and s.status not in (None, "HDN") \
                and self.dialect.bl_hides_presence and other.account is not None \
                and me.handle.lower() in _keys(other.account.lists["FL"]):
            self._announce(s)  # privacy changes re-notify (§10 server 7, E25)
        return None

    def _ns_rem(self, s: NsSession, a: list[str]) -> object:
        me = s.account
        assert me is not None
        trid, list_name, handle = a[0], a[1], a[2]
        stored = _find(me.lists.get(list_name, {}), handle)
        refusal = self.dialect.rem_refusal(stored is not None)
        if refusal is not None or stored is None:
            s.peer.send(f"{refusal or 216} {trid}")
            return None
        del me.lists[list_name][stored]
        version = self._bump(s)
        s.peer.send(f"REM {trid} {list_name} {version} {stored}")
        target = self.accounts.get(handle.lower())
        if list_name == "FL" and target is not None:
            target.lists["RL"].pop(_find(target.lists["RL"], me.handle) or "", None)
            other = self.online.get(handle.lower())
            self._bump_offline(target, other)
            if other is not None:
                notice = self.dialect.rl_rem_notice(
                    self._bump(other) if self.dialect.rl_notice_versioned else 0, me.handle)
                if notice is not None:
                    other.peer.send(notice)
        if list_name in ("AL", "BL") and target is not None and self.dialect.bl_hides_presence:
            other = self.online.get(handle.lower())
            if other is not None and other.account is not None and s.status not in (None, "HDN") \
                    and me.handle.lower() in _keys(other.account.lists["FL"]):
                self._announce(s)
        return None

    def _ns_rea(self, s: NsSession, a: list[str]) -> object:
        me = s.account
        assert me is not None
        trid, handle, friendly = a[0], a[1], unquote(a[2])
        if handle.lower() == me.handle.lower():
            me.friendly = friendly
            version = self._bump(s)
            s.peer.send(f"REA {trid} {version} {me.handle} {name_field(friendly)}")
            if s.status not in (None, "HDN"):
                self._announce(s)
            return None
        for entries in me.lists.values():
            stored = _find(entries, handle)
            if stored is not None:
                entries[stored] = friendly
        version = self._bump(s)
        s.peer.send(f"REA {trid} {version} {handle} {name_field(friendly)}")
        return None

    def _ns_gtc(self, s: NsSession, a: list[str]) -> object:
        assert s.account is not None
        refusal = self.dialect.setting_refusal(s.account.gtc, a[1])
        if refusal is not None:
            s.peer.send(f"{refusal} {a[0]}")
            return None
        s.account.gtc = a[1]
        s.peer.send(f"GTC {a[0]} {self._bump(s)} {a[1]}")
        return None

    def _ns_blp(self, s: NsSession, a: list[str]) -> object:
        assert s.account is not None
        refusal = self.dialect.setting_refusal(s.account.blp, a[1])
        if refusal is not None:
            s.peer.send(f"{refusal} {a[0]}")
            return None
        s.account.blp = a[1]
        s.peer.send(f"BLP {a[0]} {self._bump(s)} {a[1]}")
        return None

    def _ns_xfr(self, s: NsSession, a: list[str]) -> object:
        assert s.account is not None
        refusal = self.dialect.xfr_refusal(s)
        if refusal is not None:
            s.peer.send(f"{refusal} {a[0]}")
            return None
        cookie = self.dialect.new_cookie()
        self.invitations[cookie] = Invitation(s.account.handle, None)
        s.peer.send(f"XFR {a[0]} SB {self.host}:{self.sb_port} CKI {cookie}")
        return None

    def _ns_url(self, s: NsSession, a: list[str]) -> object:
        reply = self.dialect.url_reply(a[0])
        if reply is not None:
            s.peer.send(reply)
        return None

    def _ns_fnd(self, s: NsSession, a: list[str]) -> object:
        for line in self.dialect.fnd_reply(a[0]) or []:
            s.peer.send(line)
        return None

    def _ns_png(self, s: NsSession, a: list[str]) -> object:
        if self.dialect.png_drops:
            return CLOSE
        s.peer.send(self.dialect.ping_reply())
        return None

    def _ns_out(self, s: NsSession, a: list[str]) -> object:
        if self.dialect.ns_out_reply:
            s.peer.send("OUT")
        return CLOSE

    # --- switchboard ----------------------------------------------------------------------------

    async def _serve_sb(self, peer: Peer) -> None:
        first = await peer.read()
        if first is None:
            return
        name, args, _ = first
        joined = self._sb_usr(peer, args) if name == "USR" else \
            self._sb_ans(peer, args) if name == "ANS" else None
        if joined is None:
            return
        board, me = joined
        try:
            while (command := await peer.read()) is not None:
                name, args, payload = command
                if name == "CAL":
                    self._sb_cal(peer, board, me, args)
                elif name == "OUT" or (name == "MSG"
                                       and self._sb_msg(peer, board, me, args, payload) is CLOSE):
                    return
                await peer.writer.drain()
        finally:
            board.members.pop(me.handle, None)
            for other, _name in board.members.values():
                other.send(f"BYE {me.handle}")

    def _sb_usr(self, peer: Peer, a: list[str]) -> tuple[Switchboard, Account] | None:
        invitation = self.invitations.pop(a[2], None) if len(a) > 2 else None
        if invitation is None or invitation.session_id is not None \
                or invitation.handle.lower() != a[1].lower():
            peer.send(f"911 {a[0]}")
            return None
        me = self.accounts[a[1].lower()]
        board = Switchboard(self.dialect.new_session_id())
        self.switchboards[board.session_id] = board
        board.members[me.handle] = (peer, me.friendly)
        peer.send(f"USR {a[0]} OK {me.handle} {name_field(me.friendly)}")
        return board, me

    def _sb_ans(self, peer: Peer, a: list[str]) -> tuple[Switchboard, Account] | None:
        trid, handle, cookie, session_id = a[0], a[1], a[2], a[3]
        invitation = self.invitations.pop(cookie, None)
        board = self.switchboards.get(session_id)
        if invitation is None or board is None or invitation.session_id != session_id \
                or invitation.handle.lower() != handle.lower():
            peer.send(f"911 {trid}")
            return None
        me = self.accounts[handle.lower()]
        joi = f"JOI {me.handle} {name_field(me.friendly)}"
        others = list(board.members.items())
        if self.dialect.joiner_gets_own_joi:  # E18 D20: everyone, the joiner first among its own lines
            for _handle, (other, _name) in others:
                other.send(joi)
            peer.send(joi)
        for index, (other_handle, (_other, other_name)) in enumerate(others, 1):
            peer.send(f"IRO {trid} {index} {len(others)} {other_handle} {name_field(other_name)}")
        peer.send(f"ANS {trid} OK")
        if not self.dialect.joiner_gets_own_joi:
            for _handle, (other, _name) in others:
                other.send(joi)
        board.members[me.handle] = (peer, me.friendly)
        return board, me

    def _sb_cal(self, peer: Peer, board: Switchboard, me: Account, a: list[str]) -> None:
        trid, handle = a[0], a[1]
        target = self.accounts.get(handle.lower())
        session = self.online.get(handle.lower())
        online = session is not None and session.status not in (None, "HDN")
        allowed = target is not None and me.handle.lower() not in _keys(target.lists["BL"])
        refusal = self.dialect.cal_refusal(trid, handle, me, target, online, allowed)
        if refusal is not None:
            peer.send(refusal)
            return
        assert target is not None and session is not None
        cookie = self.dialect.new_cookie()
        self.invitations[cookie] = Invitation(target.handle, board.session_id)
        peer.send(f"CAL {trid} RINGING {board.session_id}")
        session.peer.send(f"RNG {board.session_id} {self.host}:{self.sb_port} CKI {cookie} {me.handle} "
                          f"{name_field(me.friendly)}")

    def _sb_msg(self, peer: Peer, board: Switchboard, me: Account, a: list[str], payload: bytes) -> object:
        trid, mode = a[0], a[1]
        limit = self.dialect.max_msg_payload
        if limit is not None and len(payload) > limit:
            return CLOSE
        others = [other for handle, (other, _name) in board.members.items() if handle != me.handle]
        for other in others:
            other.send(f"MSG {me.handle} {name_field(me.friendly)} {len(payload)}", payload)
        if mode == "A" and others:
            peer.send(f"ACK {trid}")
        elif mode in ("A", "N") and not others and self.dialect.nak_when_alone:
            peer.send(f"NAK {trid}")
        return None


def _keys(entries: dict[str, str]) -> set[str]:
    return {handle.lower() for handle in entries}


def _find(entries: dict[str, str], handle: str) -> str | None:
    return next((stored for stored in entries if stored.lower() == handle.lower()), None)

