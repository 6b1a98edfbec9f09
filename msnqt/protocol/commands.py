"""Typed, frozen values for every MSNP2 line (msnp2-reference §3.0), in both directions.

One class per line *shape*. Where a command has one shape for requests and another for replies the
request class carries a ``Request`` suffix (``AddRequest`` is ``ADD t L h f`` from a client, ``Add`` is
``ADD t L v h f`` from a server). Friendly names and FND fields are held *decoded* (plain Unicode);
the encoder URL-encodes them. Handles, cookies, session ids and addresses are opaque strings.

Which class a line decodes to depends on who sent it and on which connection (``USR t MD5 S x`` is a
challenge from a server but a response from a client), so :class:`msnqt.protocol.wire.Decoder` is
built for one ``Sender`` and one ``Channel``. Encoding needs neither: each value knows its own shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .codes import AckMode, ListName, Privacy, ReverseListPrompt, Status
from .errors import ProtocolError


class Sender(StrEnum):
    """Who wrote the bytes being decoded."""

    CLIENT = "client"
    SERVER = "server"


class Channel(StrEnum):
    """Which connection the bytes travel on. The DS speaks the NS grammar."""

    NS = "ns"
    SB = "sb"


# --- login: VER, INF, USR, XFR, CVR/CVQ (DS and NS) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ver:
    """``VER t d1 [d2 ...]``; a server refusing every dialect answers ``VER t 0``."""

    trid: int
    dialects: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Inf:
    """``INF t`` from a client."""

    trid: int


@dataclass(frozen=True, slots=True)
class InfReply:
    """``INF t MD5`` from a server."""

    trid: int
    packages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UsrInitial:
    """``USR t MD5 I handle`` from a client (DS or NS)."""

    trid: int
    handle: str
    package: str = "MD5"


@dataclass(frozen=True, slots=True)
class UsrChallenge:
    """``USR t MD5 S challenge`` from the NS."""

    trid: int
    challenge: str
    package: str = "MD5"


@dataclass(frozen=True, slots=True)
class UsrResponse:
    """``USR t MD5 S md5hex`` from a client."""

    trid: int
    response: str
    package: str = "MD5"


@dataclass(frozen=True, slots=True)
class UsrOk:
    """``USR t OK handle friendly`` from the NS or the SB."""

    trid: int
    handle: str
    friendly: str


@dataclass(frozen=True, slots=True)
class XfrRequest:
    """``XFR t SB`` from a client (``kind`` is kept as sent so a bad kind can be answered with 201)."""

    trid: int
    kind: str = "SB"


@dataclass(frozen=True, slots=True)
class XfrNs:
    """``XFR t NS host:port`` from the DS, or ``XFR 0 NS host:port`` from the NS (move)."""

    trid: int
    address: str


@dataclass(frozen=True, slots=True)
class XfrSb:
    """``XFR t SB host:port CKI cookie`` from the NS."""

    trid: int
    address: str
    cookie: str


@dataclass(frozen=True, slots=True)
class Cvr:
    """``CVR t ...`` in either direction (client version check on the NS); fields kept verbatim."""

    trid: int
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cvq:
    """``CVQ t ...`` in either direction (CVR0 version check on the DS); fields kept verbatim."""

    trid: int
    fields: tuple[str, ...]


# --- lists and settings (NS) -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Syn:
    """``SYN t version`` in either direction."""

    trid: int
    version: int


@dataclass(frozen=True, slots=True)
class LstRequest:
    """``LST t L`` from a client."""

    trid: int
    list_name: ListName


@dataclass(frozen=True, slots=True)
class Lst:
    """``LST t L v i n handle friendly``; an empty list is ``LST t L v 0 0`` (handle and friendly None)."""

    trid: int
    list_name: ListName
    version: int
    index: int
    total: int
    handle: str | None = None
    friendly: str | None = None


@dataclass(frozen=True, slots=True)
class GtcRequest:
    trid: int
    setting: ReverseListPrompt


@dataclass(frozen=True, slots=True)
class Gtc:
    trid: int
    version: int
    setting: ReverseListPrompt


@dataclass(frozen=True, slots=True)
class BlpRequest:
    trid: int
    setting: Privacy


@dataclass(frozen=True, slots=True)
class Blp:
    trid: int
    version: int
    setting: Privacy


@dataclass(frozen=True, slots=True)
class AddRequest:
    """``ADD t L handle friendly`` from a client."""

    trid: int
    list_name: ListName
    handle: str
    friendly: str


@dataclass(frozen=True, slots=True)
class Add:
    """``ADD t L v handle friendly`` from the NS; ``trid`` 0 and RL when someone added us."""

    trid: int
    list_name: ListName
    version: int
    handle: str
    friendly: str


@dataclass(frozen=True, slots=True)
class RemRequest:
    trid: int
    list_name: ListName
    handle: str


@dataclass(frozen=True, slots=True)
class Rem:
    """``REM t L v handle`` from the NS; ``trid`` 0 and RL when someone removed us."""

    trid: int
    list_name: ListName
    version: int
    handle: str


@dataclass(frozen=True, slots=True)
class ReaRequest:
    trid: int
    handle: str
    friendly: str


@dataclass(frozen=True, slots=True)
class Rea:
    trid: int
    version: int
    handle: str
    friendly: str


# --- presence (NS) ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Chg:
    """``CHG t status`` in either direction (the 1.0 client sends a trailing space; decoding ignores it)."""

    trid: int
    status: Status


@dataclass(frozen=True, slots=True)
class Iln:
    trid: int
    status: Status
    handle: str
    friendly: str


@dataclass(frozen=True, slots=True)
class Nln:
    status: Status
    handle: str
    friendly: str


@dataclass(frozen=True, slots=True)
class Fln:
    handle: str


@dataclass(frozen=True, slots=True)
class Rng:
    """``RNG sid host:port CKI cookie caller friendly``: someone invites us to a switchboard."""

    session_id: str
    address: str
    cookie: str
    caller: str
    caller_friendly: str


# --- services (NS) ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UrlRequest:
    trid: int
    service: str
    param: str | None = None


@dataclass(frozen=True, slots=True)
class Url:
    trid: int
    relative_url: str
    login_url: str


@dataclass(frozen=True, slots=True)
class FndRequest:
    """``FND t fname=F lname=L city=C state=S country=CC``; values decoded, ``*`` means any."""

    trid: int
    fname: str
    lname: str
    city: str = "*"
    state: str = "*"
    country: str = "*"


@dataclass(frozen=True, slots=True)
class FndResult:
    """``FND t i n fname=.. lname=.. city=.. state=.. country=..``; no hits is ``FND t 0 0`` (fields None)."""

    trid: int
    index: int
    total: int
    fname: str | None = None
    lname: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class SndRequest:
    trid: int
    address: str


@dataclass(frozen=True, slots=True)
class SndOk:
    trid: int


@dataclass(frozen=True, slots=True)
class Png:
    pass


@dataclass(frozen=True, slots=True)
class Qng:
    pass


@dataclass(frozen=True, slots=True)
class Out:
    """``OUT`` (client, or server reply) or ``OUT OTH`` / ``OUT SSD`` (server)."""

    reason: str | None = None


# --- switchboard -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UsrSb:
    """``USR t handle cookie`` from a client on the SB."""

    trid: int
    handle: str
    cookie: str


@dataclass(frozen=True, slots=True)
class Cal:
    trid: int
    handle: str


@dataclass(frozen=True, slots=True)
class CalRinging:
    trid: int
    session_id: str


@dataclass(frozen=True, slots=True)
class Ans:
    trid: int
    handle: str
    cookie: str
    session_id: str


@dataclass(frozen=True, slots=True)
class AnsOk:
    trid: int


@dataclass(frozen=True, slots=True)
class Iro:
    trid: int
    index: int
    total: int
    handle: str
    friendly: str


@dataclass(frozen=True, slots=True)
class Joi:
    handle: str
    friendly: str


@dataclass(frozen=True, slots=True)
class Bye:
    handle: str


@dataclass(frozen=True, slots=True)
class MsgSend:
    """``MSG t U|N|A n`` + n payload bytes, from a client on the SB."""

    trid: int
    ack: AckMode
    payload: bytes


@dataclass(frozen=True, slots=True)
class MsgRelay:
    """``MSG handle friendly n`` + payload, from the SB (or ``MSG Hotmail Hotmail n`` from the NS)."""

    sender: str
    sender_friendly: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class Ack:
    trid: int


@dataclass(frozen=True, slots=True)
class Nak:
    trid: int


# --- errors and the unexpected ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Error:
    """A numeric reply: ``NNN t [anything]`` or a bare ``NNN``."""

    code: int
    trid: int | None = None
    extra: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unknown:
    """A line whose command this codec does not know; kept so a peer can log it or answer it."""

    name: str
    args: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Malformed:
    """A known command whose fields break the grammar or a limit.

    ``trid`` is set when the second field was a valid TrID, so a server can answer ``201 t`` (or the
    code that fits ``error``) and carry on. For a MSG whose payload was read, the payload bytes were
    consumed from the stream, so framing stays intact.
    """

    name: str
    trid: int | None
    args: tuple[str, ...]
    error: ProtocolError = field(compare=False)


Command = (
    Ver | Inf | InfReply | UsrInitial | UsrChallenge | UsrResponse | UsrOk | XfrRequest | XfrNs | XfrSb
    | Cvr | Cvq | Syn | LstRequest | Lst | GtcRequest | Gtc | BlpRequest | Blp | AddRequest | Add
    | RemRequest | Rem | ReaRequest | Rea | Chg | Iln | Nln | Fln | Rng | UrlRequest | Url | FndRequest
    | FndResult | SndRequest | SndOk | Png | Qng | Out | UsrSb | Cal | CalRinging | Ans | AnsOk | Iro
    | Joi | Bye | MsgSend | MsgRelay | Ack | Nak | Error | Unknown | Malformed
)
"""Everything :meth:`Decoder.feed` can return."""
