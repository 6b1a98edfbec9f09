"""Per-command parsers: the fields of one line (after the name) to a typed command (§3.0).

There is one table per (Sender, Channel), because the same line means different things depending
on who sent it (``USR t MD5 S x``) and where (``USR t h ck`` only exists on a switchboard). Each
parser raises a MalformedCommand subclass; :mod:`.wire` turns that into a ``Malformed`` value.

Strict one way, liberal the other (msnp2-reference §10, client 1): what a *client* sends is checked
field for field, because our server answers it; what a *server* sends is read by the client engine,
which must work against every MSNP2 server a user points it at. So the server-line parsers read the
fields they need and ignore any that follow (Escargot 2018's ``CHG t NLN 0``, Escargot 2025's
``URL t /unused1 /unused2 1``, later-MSNP extras), and take a missing optional field as absent
(``ADD 0 RL handle name`` without a list version, §8.2 D12).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from . import fields as f
from .codes import SETTABLE_STATUSES, AckMode, ListName, Privacy, ReverseListPrompt, Status
from .commands import (
    Ack,
    Add,
    AddRequest,
    Ans,
    AnsOk,
    Blp,
    BlpRequest,
    Bye,
    Cal,
    CalRinging,
    Channel,
    Chg,
    Command,
    Cvq,
    Cvr,
    Fln,
    FndRequest,
    FndResult,
    Gtc,
    GtcRequest,
    Iln,
    Inf,
    InfReply,
    Iro,
    Joi,
    Lst,
    LstRequest,
    MsgRelay,
    MsgSend,
    Nak,
    Nln,
    Out,
    Png,
    Qng,
    Rea,
    ReaRequest,
    Rem,
    RemRequest,
    Rng,
    Sender,
    SndOk,
    SndRequest,
    Syn,
    Url,
    UrlRequest,
    UsrChallenge,
    UsrInitial,
    UsrOk,
    UsrResponse,
    UsrSb,
    Ver,
    XfrNs,
    XfrRequest,
    XfrSb,
)
from .errors import MalformedCommand
from .limits import MAX_TRID

LineParser = Callable[[list[str]], Command]
MsgParser = Callable[[list[str], bytes], Command]
FastMsgParser = Callable[[list[bytes], bytes], Command | None]
"""Parses a whole ``MSG`` line's undecoded fields (name included) and its payload; None means "not the
simple case, use the general parser", so a fast parser never has to reproduce an error message."""
FND_KEYS = ("fname", "lname", "city", "state", "country")

# Presence lines repeat the same few handles and names (a contact changing status again and again), and
# the %XX decoding of a name is most of an NLN's cost, so the checks are cached. They are pure: a cached
# answer is the answer, and a refusal raises every time (lru_cache keeps no exceptions).
_cached_handle = lru_cache(maxsize=4096)(f.handle)
_cached_received_friendly = lru_cache(maxsize=4096)(f.received_friendly)
_STATUSES = {status.value: status for status in Status}


def _at_least(args: list[str], count: int, what: str) -> None:
    """A server line needs ``count`` fields; more are ignored (see the module docstring)."""
    if len(args) < count:
        raise MalformedCommand(f"{what} needs at least {count} fields, got {len(args)}")


NO_VERSION = 0
"""The list version of an ``ADD``/``REM`` that carried none (Escargot 2018, §8.2 D12): 0 never raises
the cached version (the engine keeps the larger one)."""


def _status(text: str, allowed: frozenset[Status] | None = None) -> Status:
    """f.status by dict lookup (an enum call is slow); anything unusual goes to f.status to be refused."""
    status = _STATUSES.get(text)
    if status is None or (allowed is not None and status not in allowed):
        return f.status(text, allowed)
    return status


class Grammar:
    """The commands one side may send on one connection, by name.

    ``no_trid`` names the commands whose first field is not a TrID (so a Malformed of them carries
    ``trid=None``); ``msg`` parses a MSG once its payload has been read, or is None when a MSG is
    illegal on this connection (the payload is still consumed, to keep framing). ``fast_msg`` is the
    switchboard's hot path (every relayed message): it reads well-formed MSG fields straight from
    bytes and must give exactly what ``msg`` gives for them, returning None for anything else.
    """

    def __init__(self, lines: dict[str, LineParser], no_trid: frozenset[str], msg: MsgParser | None,
                 fast_msg: FastMsgParser | None = None) -> None:
        self.lines = lines
        self.no_trid = no_trid
        self.msg = msg
        self.fast_msg = fast_msg


# --- shared ------------------------------------------------------------------------------------------

def _ver(a: list[str]) -> Command:
    if len(a) < 2:
        raise MalformedCommand("VER needs a TrID and at least one dialect")
    return Ver(f.trid(a[0]), tuple(a[1:]))


def _cvr(a: list[str]) -> Command:
    if not a:
        raise MalformedCommand("CVR needs a TrID")
    return Cvr(f.trid(a[0]), tuple(a[1:]))


def _cvq(a: list[str]) -> Command:
    if not a:
        raise MalformedCommand("CVQ needs a TrID")
    return Cvq(f.trid(a[0]), tuple(a[1:]))


def _syn(a: list[str]) -> Command:
    f.expect_count(a, 2)
    return Syn(f.trid(a[0]), f.number(a[1], "list version"))


def _s_syn(a: list[str]) -> Command:
    _at_least(a, 2, "SYN")
    return Syn(f.trid(a[0]), f.number(a[1], "list version"))


def _out(a: list[str]) -> Command:
    f.expect_count(a, 0, 1)
    return Out(a[0] if a else None)


def _s_out(a: list[str]) -> Command:
    return Out(a[0] if a else None)


def _s_trid_only(cls: Callable[[int], Command]) -> LineParser:
    def parse(a: list[str]) -> Command:
        _at_least(a, 1, "a reply")
        return cls(f.trid(a[0]))
    return parse


def _trid_only(cls: Callable[[int], Command]) -> LineParser:
    def parse(a: list[str]) -> Command:
        f.expect_count(a, 1)
        return cls(f.trid(a[0]))
    return parse


# --- client on DS/NS ---------------------------------------------------------------------------------

def _c_usr(a: list[str]) -> Command:
    f.expect_count(a, 4)
    t = f.trid(a[0])
    if a[2] == "I":
        return UsrInitial(t, f.handle(a[3]), a[1])
    if a[2] == "S":
        return UsrResponse(t, a[3], a[1])
    raise MalformedCommand(f"USR stage must be I or S, got {a[2][:40]!r}")


def _c_xfr(a: list[str]) -> Command:
    f.expect_count(a, 2)
    return XfrRequest(f.trid(a[0]), a[1])


def _c_lst(a: list[str]) -> Command:
    f.expect_count(a, 2)
    return LstRequest(f.trid(a[0]), f.list_name(a[1]))


def _c_gtc(a: list[str]) -> Command:
    f.expect_count(a, 2)
    return GtcRequest(f.trid(a[0]), f.choice(ReverseListPrompt, a[1], "GTC setting"))


def _c_blp(a: list[str]) -> Command:
    f.expect_count(a, 2)
    return BlpRequest(f.trid(a[0]), f.choice(Privacy, a[1], "BLP setting"))


def _c_add(a: list[str]) -> Command:
    f.expect_count(a, 4)
    return AddRequest(f.trid(a[0]), f.list_name(a[1]), f.handle(a[2]), f.friendly(a[3]))


def _c_rem(a: list[str]) -> Command:
    f.expect_count(a, 3)
    return RemRequest(f.trid(a[0]), f.list_name(a[1]), f.handle(a[2]))


def _c_rea(a: list[str]) -> Command:
    f.expect_count(a, 3)
    return ReaRequest(f.trid(a[0]), f.handle(a[1]), f.friendly(a[2]))


def _c_chg(a: list[str]) -> Command:
    f.expect_count(a, 2)
    return Chg(f.trid(a[0]), _status(a[1], SETTABLE_STATUSES))


def _c_url(a: list[str]) -> Command:
    f.expect_count(a, 2, 3)
    return UrlRequest(f.trid(a[0]), a[1], a[2] if len(a) == 3 else None)


def _fnd_fields(a: list[str], decode: Callable[[str], str]) -> list[str]:
    """``key=value`` fields in the fixed order, values URL-decoded by ``decode`` (``*`` stays ``*``)."""
    values = []
    for key, item in zip(FND_KEYS, a, strict=True):
        name, eq, value = item.partition("=")
        if not eq or name != key:
            raise MalformedCommand(f"FND expected {key}=..., got {item[:40]!r}")
        values.append(decode(value))
    return values


def _c_fnd(a: list[str]) -> Command:
    f.expect_count(a, 6)
    t = f.trid(a[0])
    return FndRequest(t, *_fnd_fields(a[1:], f.friendly))


def _c_snd(a: list[str]) -> Command:
    f.expect_count(a, 2)
    return SndRequest(f.trid(a[0]), a[1])


def _c_png(a: list[str]) -> Command:
    f.expect_count(a, 0)
    return Png()


CLIENT_NS = Grammar(
    {
        "VER": _ver, "INF": _trid_only(Inf), "USR": _c_usr, "XFR": _c_xfr, "CVR": _cvr, "CVQ": _cvq,
        "SYN": _syn, "LST": _c_lst, "GTC": _c_gtc, "BLP": _c_blp, "ADD": _c_add, "REM": _c_rem,
        "REA": _c_rea, "CHG": _c_chg, "URL": _c_url, "FND": _c_fnd, "SND": _c_snd, "PNG": _c_png,
        "OUT": _out,
    },
    frozenset({"PNG", "OUT"}),
    None,
)


# --- server on DS/NS ---------------------------------------------------------------------------------
# Names in what a server sends are decoded with f.received_friendly: one contact's bad name must not
# cost the client its sign-in (fields.received_friendly). What clients send stays strict (f.friendly).

def _s_inf(a: list[str]) -> Command:
    if len(a) < 2:
        raise MalformedCommand("INF reply needs a TrID and a package")
    return InfReply(f.trid(a[0]), tuple(a[1:]))


def _usr_ok(a: list[str]) -> Command:
    _at_least(a, 4, "USR")
    t = f.trid(a[0])
    f.expect_word(a[1], "OK")
    return UsrOk(t, f.handle(a[2]), f.received_friendly(a[3]))


def _s_usr(a: list[str]) -> Command:
    _at_least(a, 4, "USR")
    if a[1] == "OK":
        return _usr_ok(a)
    t = f.trid(a[0])
    f.expect_word(a[2], "S")
    return UsrChallenge(t, a[3], a[1])


def _s_xfr(a: list[str]) -> Command:
    _at_least(a, 3, "XFR")
    t = f.trid(a[0])
    if a[1] == "NS":
        return XfrNs(t, a[2])
    f.expect_word(a[1], "SB")
    _at_least(a, 5, "XFR SB")
    f.expect_word(a[3], "CKI")
    return XfrSb(t, a[2], a[4])


def _s_lst(a: list[str]) -> Command:
    _at_least(a, 5, "LST")
    t = f.trid(a[0])
    head = (f.list_name(a[1]), f.number(a[2], "list version"), f.number(a[3], "index"),
            f.number(a[4], "count"))
    if len(a) == 5:
        return Lst(t, *head)
    contact = f.handle(a[5])
    return Lst(t, *head, contact, f.received_friendly(a[6]) if len(a) > 6 else contact)


def _s_gtc(a: list[str]) -> Command:
    _at_least(a, 3, "GTC")
    return Gtc(f.trid(a[0]), f.number(a[1], "list version"),
               f.choice(ReverseListPrompt, a[2], "GTC setting"))


def _s_blp(a: list[str]) -> Command:
    _at_least(a, 3, "BLP")
    return Blp(f.trid(a[0]), f.number(a[1], "list version"), f.choice(Privacy, a[2], "BLP setting"))


def _list_change(a: list[str], what: str) -> tuple[int, ListName, int, list[str]]:
    """TrID, list, version and the remaining fields of ``ADD``/``REM``; the version may be missing
    (``ADD 0 RL handle name``, Escargot 2018 D12), which a handle in its place gives away."""
    _at_least(a, 3, what)
    t, list_ = f.trid(a[0]), f.list_name(a[1])
    if not f.is_number(a[2]):  # a handle is never all digits (it has an @)
        return t, list_, NO_VERSION, a[2:]
    return t, list_, f.number(a[2], "list version"), a[3:]


def _s_add(a: list[str]) -> Command:
    t, list_, version, rest = _list_change(a, "ADD")
    if not rest:
        raise MalformedCommand("ADD needs a handle")
    contact = f.handle(rest[0])
    return Add(t, list_, version, contact, f.received_friendly(rest[1]) if len(rest) > 1 else contact)


def _s_rem(a: list[str]) -> Command:
    t, list_, version, rest = _list_change(a, "REM")
    if not rest:
        raise MalformedCommand("REM needs a handle")
    return Rem(t, list_, version, f.handle(rest[0]))


def _s_rea(a: list[str]) -> Command:
    _at_least(a, 4, "REA")
    return Rea(f.trid(a[0]), f.number(a[1], "list version"), f.handle(a[2]), f.received_friendly(a[3]))


def _s_chg(a: list[str]) -> Command:
    _at_least(a, 2, "CHG")  # E18: "CHG t NLN 0" (a capabilities field of later MSNP, §8.2 D10)
    return Chg(f.trid(a[0]), f.status(a[1]))


def _s_iln(a: list[str]) -> Command:
    _at_least(a, 3, "ILN")
    contact = _cached_handle(a[2])
    return Iln(f.trid(a[0]), _status(a[1]), contact,
               _cached_received_friendly(a[3]) if len(a) > 3 else contact)


def _s_nln(a: list[str]) -> Command:
    _at_least(a, 2, "NLN")
    contact = _cached_handle(a[1])
    return Nln(_status(a[0]), contact, _cached_received_friendly(a[2]) if len(a) > 2 else contact)


def _s_fln(a: list[str]) -> Command:
    _at_least(a, 1, "FLN")
    return Fln(_cached_handle(a[0]))


def _s_rng(a: list[str]) -> Command:
    _at_least(a, 5, "RNG")
    f.expect_word(a[2], "CKI")
    caller = f.handle(a[4])
    return Rng(a[0], a[1], a[3], caller, f.received_friendly(a[5]) if len(a) > 5 else caller)


def _s_url(a: list[str]) -> Command:
    _at_least(a, 2, "URL")  # E25: "URL t /unused1 /unused2 1"
    return Url(f.trid(a[0]), a[1], a[2] if len(a) > 2 else "")


def _s_fnd(a: list[str]) -> Command:
    _at_least(a, 3, "FND")
    t = f.trid(a[0])
    index, total = f.number(a[1], "index"), f.number(a[2], "count")
    if len(a) < 3 + len(FND_KEYS):
        return FndResult(t, index, total)
    return FndResult(t, index, total, *_fnd_fields(a[3:3 + len(FND_KEYS)], f.received_friendly))


def _s_snd(a: list[str]) -> Command:
    _at_least(a, 1, "SND")
    return SndOk(f.trid(a[0]))


def _s_qng(a: list[str]) -> Command:
    return Qng()  # MSNP9+ servers add a number


def _msg_relay(check_sender: bool) -> MsgParser:
    def parse(a: list[str], payload: bytes) -> Command:
        _at_least(a, 3, "MSG")
        # The NS sends "MSG Hotmail Hotmail n", so only the SB's sender is a real handle.
        sender = f.handle(a[0]) if check_sender else a[0]
        return MsgRelay(sender, f.received_friendly(a[1]), payload)
    return parse


@lru_cache(maxsize=1024)
def _relay_names(sender: bytes, friendly: bytes, check_sender: bool) -> tuple[str, str] | None:
    """The checked sender and decoded friendly name of a relayed MSG, or None when either is bad.

    A conversation repeats the same few senders, so the handle check and %XX decoding are cached.
    """
    try:
        sender_text = sender.decode("utf-8", "surrogateescape")
        return (f.handle(sender_text) if check_sender else sender_text,
                f.received_friendly(friendly.decode("utf-8", "surrogateescape")))
    except MalformedCommand:
        return None


def _msg_relay_fast(check_sender: bool) -> FastMsgParser:
    def parse(p: list[bytes], payload: bytes) -> Command | None:
        if len(p) != 4:
            return None  # the general parser reads (and tolerates) any other shape
        names = _relay_names(p[1], p[2], check_sender)
        return None if names is None else MsgRelay(names[0], names[1], payload)
    return parse


SERVER_NS = Grammar(
    {
        "VER": _ver, "INF": _s_inf, "USR": _s_usr, "XFR": _s_xfr, "CVR": _cvr, "CVQ": _cvq,
        "SYN": _s_syn, "LST": _s_lst, "GTC": _s_gtc, "BLP": _s_blp, "ADD": _s_add, "REM": _s_rem,
        "REA": _s_rea, "CHG": _s_chg, "ILN": _s_iln, "NLN": _s_nln, "FLN": _s_fln, "RNG": _s_rng,
        "URL": _s_url, "FND": _s_fnd, "SND": _s_snd, "QNG": _s_qng, "OUT": _s_out,
    },
    frozenset({"NLN", "FLN", "RNG", "QNG", "OUT", "MSG"}),
    _msg_relay(check_sender=False),
    _msg_relay_fast(check_sender=False),
)


# --- client on SB ------------------------------------------------------------------------------------

def _c_sb_usr(a: list[str]) -> Command:
    f.expect_count(a, 3)
    return UsrSb(f.trid(a[0]), f.handle(a[1]), a[2])


def _c_cal(a: list[str]) -> Command:
    f.expect_count(a, 2)
    return Cal(f.trid(a[0]), f.handle(a[1]))


def _c_ans(a: list[str]) -> Command:
    f.expect_count(a, 4)
    return Ans(f.trid(a[0]), f.handle(a[1]), a[2], a[3])


def _c_msg(a: list[str], payload: bytes) -> Command:
    f.expect_count(a, 3)
    return MsgSend(f.trid(a[0]), f.ack_mode(a[1]), payload)


ACK_MODES = {mode.value.encode("ascii"): mode for mode in AckMode}


def _c_msg_fast(p: list[bytes], payload: bytes) -> Command | None:
    """``MSG t U|N|A n`` with a valid TrID and ack mode (bytes.isdigit is ASCII-only, like f.trid).

    The switchboard's run decoding (``Decoder(msg_runs=True)``) applies the same checks inline."""
    if len(p) != 4:
        return None
    trid, ack = p[1], ACK_MODES.get(p[2])
    if ack is None or not trid.isdigit() or len(trid) > 10:
        return None
    number = int(trid)
    return MsgSend(number, ack, payload) if number <= MAX_TRID else None


CLIENT_SB = Grammar(
    {"USR": _c_sb_usr, "CAL": _c_cal, "ANS": _c_ans, "OUT": _out},
    frozenset({"OUT"}),
    _c_msg,
    _c_msg_fast,
)


# --- server on SB ------------------------------------------------------------------------------------

def _s_cal(a: list[str]) -> Command:
    _at_least(a, 3, "CAL")
    t = f.trid(a[0])
    f.expect_word(a[1], "RINGING")
    return CalRinging(t, a[2])


def _s_iro(a: list[str]) -> Command:
    _at_least(a, 4, "IRO")
    member = f.handle(a[3])
    return Iro(f.trid(a[0]), f.number(a[1], "index"), f.number(a[2], "count"), member,
               f.received_friendly(a[4]) if len(a) > 4 else member)


def _s_ans(a: list[str]) -> Command:
    _at_least(a, 2, "ANS")
    t = f.trid(a[0])
    f.expect_word(a[1], "OK")
    return AnsOk(t)


def _s_joi(a: list[str]) -> Command:
    _at_least(a, 1, "JOI")
    member = f.handle(a[0])
    return Joi(member, f.received_friendly(a[1]) if len(a) > 1 else member)


def _s_bye(a: list[str]) -> Command:
    _at_least(a, 1, "BYE")
    return Bye(f.handle(a[0]))


SERVER_SB = Grammar(
    {
        "USR": _usr_ok, "CAL": _s_cal, "IRO": _s_iro, "ANS": _s_ans, "JOI": _s_joi, "BYE": _s_bye,
        "ACK": _s_trid_only(Ack), "NAK": _s_trid_only(Nak), "OUT": _s_out,
    },
    frozenset({"JOI", "BYE", "OUT", "MSG"}),
    _msg_relay(check_sender=True),
    _msg_relay_fast(check_sender=True),
)

GRAMMARS: dict[tuple[Sender, Channel], Grammar] = {
    (Sender.CLIENT, Channel.NS): CLIENT_NS,
    (Sender.SERVER, Channel.NS): SERVER_NS,
    (Sender.CLIENT, Channel.SB): CLIENT_SB,
    (Sender.SERVER, Channel.SB): SERVER_SB,
}
