"""Hypothesis strategies producing *valid* values for every command class, and which decoder reads them."""

from __future__ import annotations

from hypothesis import strategies as st

from msnqt.protocol import (
    SETTABLE_STATUSES,
    Ack,
    AckMode,
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
    ListName,
    Lst,
    LstRequest,
    MsgRelay,
    MsgSend,
    Nak,
    Nln,
    Out,
    Png,
    Privacy,
    Qng,
    Rea,
    ReaRequest,
    Rem,
    RemRequest,
    ReverseListPrompt,
    Rng,
    Sender,
    SndOk,
    SndRequest,
    Status,
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
    friendly_fits,
)
from msnqt.protocol.grammar import GRAMMARS, Grammar

trids = st.integers(0, 4_294_967_295)
counts = st.integers(0, 4_294_967_295)
token = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=24)
_label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
handles = st.builds(
    lambda local, labels: f"{local}@{'.'.join(labels)}",
    st.from_regex(r"[A-Za-z0-9._+-]{1,30}", fullmatch=True),
    st.lists(_label, min_size=2, max_size=4),
)
# Any Unicode (no surrogates) that fits the 387-byte encoded limit; empty names have no wire form.
friendlies = st.text(st.characters(codec="utf-8"), min_size=1, max_size=60).filter(friendly_fits)
statuses = st.sampled_from(list(Status))
settable = st.sampled_from(sorted(SETTABLE_STATUSES))
lists = st.sampled_from(list(ListName))
prompts = st.sampled_from(list(ReverseListPrompt))
privacies = st.sampled_from(list(Privacy))
payloads = st.binary(max_size=400)
fnd_values = st.one_of(st.just("*"), friendlies, st.just(""))
BY_TYPE: dict[type, st.SearchStrategy[Command]] = {}
"""Every command class a peer can send, with valid values of it (whichever direction reads it)."""


def _of(kind: type, *fields: st.SearchStrategy[object]) -> st.SearchStrategy[Command]:
    """``st.builds(kind, *fields)``, also listed under ``kind`` in :data:`BY_TYPE`."""
    strategy: st.SearchStrategy[Command] = st.builds(kind, *fields)
    BY_TYPE[kind] = BY_TYPE[kind] | strategy if kind in BY_TYPE else strategy
    return strategy


# A TrID-looking first "extra" field would be read back as the TrID, so bare errors carry none.
errors = st.one_of(
    _of(Error, st.integers(0, 999), trids, st.lists(token, max_size=3).map(tuple)),
    _of(Error, st.integers(0, 999)),
)

CLIENT_NS = st.one_of(
    _of(Ver, trids, st.lists(token, min_size=1, max_size=3).map(tuple)),
    _of(Inf, trids),
    _of(UsrInitial, trids, handles),
    _of(UsrResponse, trids, token),
    _of(XfrRequest, trids, token),
    _of(Cvr, trids, st.lists(token, max_size=7).map(tuple)),
    _of(Cvq, trids, st.lists(token, max_size=7).map(tuple)),
    _of(Syn, trids, counts),
    _of(LstRequest, trids, lists),
    _of(GtcRequest, trids, prompts),
    _of(BlpRequest, trids, privacies),
    _of(AddRequest, trids, lists, handles, friendlies),
    _of(RemRequest, trids, lists, handles),
    _of(ReaRequest, trids, handles, friendlies),
    _of(Chg, trids, settable),
    _of(UrlRequest, trids, token, st.none() | token),
    _of(FndRequest, trids, fnd_values, fnd_values, fnd_values, fnd_values, fnd_values),
    _of(SndRequest, trids, token),
    _of(Png),
    _of(Out),
    errors,
)

SERVER_NS = st.one_of(
    _of(Ver, trids, st.lists(token, min_size=1, max_size=3).map(tuple)),
    _of(InfReply, trids, st.lists(token, min_size=1, max_size=2).map(tuple)),
    _of(UsrChallenge, trids, token),
    _of(UsrOk, trids, handles, friendlies),
    _of(XfrNs, trids, token),
    _of(XfrSb, trids, token, token),
    _of(Cvr, trids, st.lists(token, max_size=6).map(tuple)),
    _of(Syn, trids, counts),
    _of(Lst, trids, lists, counts, counts, counts, handles, friendlies),
    _of(Lst, trids, lists, counts, st.just(0), st.just(0)),
    _of(Gtc, trids, counts, prompts),
    _of(Blp, trids, counts, privacies),
    _of(Add, trids, lists, counts, handles, friendlies),
    _of(Rem, trids, lists, counts, handles),
    _of(Rea, trids, counts, handles, friendlies),
    _of(Chg, trids, statuses),
    _of(Iln, trids, statuses, handles, friendlies),
    _of(Nln, statuses, handles, friendlies),
    _of(Fln, handles),
    _of(Rng, token, token, token, handles, friendlies),
    _of(Url, trids, token, token),
    _of(FndResult, trids, counts, counts),
    _of(FndResult, trids, counts, counts, fnd_values, fnd_values, fnd_values, fnd_values, fnd_values),
    _of(SndOk, trids),
    _of(Qng),
    _of(Out, st.none() | st.sampled_from(["OTH", "SSD"])),
    _of(MsgRelay, token, friendlies, payloads),
    errors,
)

CLIENT_SB = st.one_of(
    _of(UsrSb, trids, handles, token),
    _of(Cal, trids, handles),
    _of(Ans, trids, handles, token, token),
    _of(MsgSend, trids, st.sampled_from(list(AckMode)), payloads),
    _of(Out),
)

SERVER_SB = st.one_of(
    _of(UsrOk, trids, handles, friendlies),
    _of(CalRinging, trids, token),
    _of(Iro, trids, counts, counts, handles, friendlies),
    _of(AnsOk, trids),
    _of(Joi, handles, friendlies),
    _of(Bye, handles),
    _of(MsgRelay, handles, friendlies, payloads),
    _of(Ack, trids),
    _of(Nak, trids),
    _of(Out),
    errors,
)



def unknown(grammar: Grammar) -> st.SearchStrategy[Command]:
    """Lines this decoder does not know (another side's command included) come back as Unknown."""
    names = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,5}", fullmatch=True).filter(
        lambda n: n not in grammar.lines and n != "MSG")
    return st.builds(Unknown, names, st.lists(token, max_size=4).map(tuple))


BY_DIRECTION: dict[tuple[Sender, Channel], st.SearchStrategy[Command]] = {
    (sender, channel): strategy | unknown(GRAMMARS[(sender, channel)])
    for (sender, channel), strategy in [
        ((Sender.CLIENT, Channel.NS), CLIENT_NS),
        ((Sender.SERVER, Channel.NS), SERVER_NS),
        ((Sender.CLIENT, Channel.SB), CLIENT_SB),
        ((Sender.SERVER, Channel.SB), SERVER_SB),
    ]
}
DIRECTIONS = list(BY_DIRECTION)
