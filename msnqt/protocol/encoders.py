"""Per-type encoders: a command value to its wire fields (and MSG payload), canonically.

Each value knows its own shape, so encoding needs no Sender/Channel. Friendly names and FND values
are URL-encoded here, which is why the values hold them decoded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
    Chg,
    Cvq,
    Cvr,
    Error,
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
    Malformed,
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
    SndOk,
    SndRequest,
    Syn,
    Unknown,
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
from .names import encode_friendly as ef

Encoded = tuple[list[str], bytes | None]


def _fnd(values: tuple[str | None, ...]) -> list[str]:
    keys = ("fname", "lname", "city", "state", "country")
    return [f"{k}={ef(v or '')}" for k, v in zip(keys, values, strict=True)]


def _lst(c: Lst) -> Encoded:
    out = ["LST", str(c.trid), c.list_name, str(c.version), str(c.index), str(c.total)]
    if c.handle is not None:
        out += [c.handle, ef(c.friendly or "")]
    return out, None


def _fnd_result(c: FndResult) -> Encoded:
    out = ["FND", str(c.trid), str(c.index), str(c.total)]
    if c.fname is not None:
        out += _fnd((c.fname, c.lname, c.city, c.state, c.country))
    return out, None


def _error(c: Error) -> Encoded:
    out = [f"{c.code:03d}"]
    if c.trid is not None:
        out.append(str(c.trid))
    return out + list(c.extra), None


def _line(*parts: str) -> Encoded:
    return list(parts), None


ENCODERS: dict[type[Any], Callable[[Any], Encoded]] = {
    Ver: lambda c: _line("VER", str(c.trid), *c.dialects),
    Inf: lambda c: _line("INF", str(c.trid)),
    InfReply: lambda c: _line("INF", str(c.trid), *c.packages),
    UsrInitial: lambda c: _line("USR", str(c.trid), c.package, "I", c.handle),
    UsrChallenge: lambda c: _line("USR", str(c.trid), c.package, "S", c.challenge),
    UsrResponse: lambda c: _line("USR", str(c.trid), c.package, "S", c.response),
    UsrOk: lambda c: _line("USR", str(c.trid), "OK", c.handle, ef(c.friendly)),
    XfrRequest: lambda c: _line("XFR", str(c.trid), c.kind),
    XfrNs: lambda c: _line("XFR", str(c.trid), "NS", c.address),
    XfrSb: lambda c: _line("XFR", str(c.trid), "SB", c.address, "CKI", c.cookie),
    Cvr: lambda c: _line("CVR", str(c.trid), *c.fields),
    Cvq: lambda c: _line("CVQ", str(c.trid), *c.fields),
    Syn: lambda c: _line("SYN", str(c.trid), str(c.version)),
    LstRequest: lambda c: _line("LST", str(c.trid), c.list_name),
    Lst: _lst,
    GtcRequest: lambda c: _line("GTC", str(c.trid), c.setting),
    Gtc: lambda c: _line("GTC", str(c.trid), str(c.version), c.setting),
    BlpRequest: lambda c: _line("BLP", str(c.trid), c.setting),
    Blp: lambda c: _line("BLP", str(c.trid), str(c.version), c.setting),
    AddRequest: lambda c: _line("ADD", str(c.trid), c.list_name, c.handle, ef(c.friendly)),
    Add: lambda c: _line("ADD", str(c.trid), c.list_name, str(c.version), c.handle, ef(c.friendly)),
    RemRequest: lambda c: _line("REM", str(c.trid), c.list_name, c.handle),
    Rem: lambda c: _line("REM", str(c.trid), c.list_name, str(c.version), c.handle),
    ReaRequest: lambda c: _line("REA", str(c.trid), c.handle, ef(c.friendly)),
    Rea: lambda c: _line("REA", str(c.trid), str(c.version), c.handle, ef(c.friendly)),
    Chg: lambda c: _line("CHG", str(c.trid), c.status),
    Iln: lambda c: _line("ILN", str(c.trid), c.status, c.handle, ef(c.friendly)),
    Nln: lambda c: _line("NLN", c.status, c.handle, ef(c.friendly)),
    Fln: lambda c: _line("FLN", c.handle),
    Rng: lambda c: _line("RNG", c.session_id, c.address, "CKI", c.cookie, c.caller, ef(c.caller_friendly)),
    UrlRequest: lambda c: _line("URL", str(c.trid), c.service, *(() if c.param is None else (c.param,))),
    Url: lambda c: _line("URL", str(c.trid), c.relative_url, c.login_url),
    FndRequest: lambda c: _line("FND", str(c.trid), *_fnd((c.fname, c.lname, c.city, c.state, c.country))),
    FndResult: _fnd_result,
    SndRequest: lambda c: _line("SND", str(c.trid), c.address),
    SndOk: lambda c: _line("SND", str(c.trid), "OK"),
    Png: lambda c: _line("PNG"),
    Qng: lambda c: _line("QNG"),
    Out: lambda c: _line("OUT", *(() if c.reason is None else (c.reason,))),
    UsrSb: lambda c: _line("USR", str(c.trid), c.handle, c.cookie),
    Cal: lambda c: _line("CAL", str(c.trid), c.handle),
    CalRinging: lambda c: _line("CAL", str(c.trid), "RINGING", c.session_id),
    Ans: lambda c: _line("ANS", str(c.trid), c.handle, c.cookie, c.session_id),
    AnsOk: lambda c: _line("ANS", str(c.trid), "OK"),
    Iro: lambda c: _line("IRO", str(c.trid), str(c.index), str(c.total), c.handle, ef(c.friendly)),
    Joi: lambda c: _line("JOI", c.handle, ef(c.friendly)),
    Bye: lambda c: _line("BYE", c.handle),
    MsgSend: lambda c: (["MSG", str(c.trid), c.ack, str(len(c.payload))], c.payload),
    MsgRelay: lambda c: (["MSG", c.sender, ef(c.sender_friendly), str(len(c.payload))], c.payload),
    Ack: lambda c: _line("ACK", str(c.trid)),
    Nak: lambda c: _line("NAK", str(c.trid)),
    Error: _error,
    Unknown: lambda c: _line(c.name, *c.args),
    Malformed: lambda c: _line(c.name, *c.args),
}
