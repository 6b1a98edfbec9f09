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
# A TrID-looking first "extra" field would be read back as the TrID, so bare errors carry none.
errors = st.one_of(
    st.builds(Error, st.integers(0, 999), trids, st.lists(token, max_size=3).map(tuple)),
    st.builds(Error, st.integers(0, 999)),
)

CLIENT_NS = st.one_of(
    st.builds(Ver, trids, st.lists(token, min_size=1, max_size=3).map(tuple)),
    st.builds(Inf, trids),
    st.builds(UsrInitial, trids, handles),
    st.builds(UsrResponse, trids, token),
    st.builds(XfrRequest, trids, token),
    st.builds(Cvr, trids, st.lists(token, max_size=7).map(tuple)),
    st.builds(Cvq, trids, st.lists(token, max_size=7).map(tuple)),
    st.builds(Syn, trids, counts),
    st.builds(LstRequest, trids, lists),
    st.builds(GtcRequest, trids, prompts),
    st.builds(BlpRequest, trids, privacies),
    st.builds(AddRequest, trids, lists, handles, friendlies),
    st.builds(RemRequest, trids, lists, handles),
    st.builds(ReaRequest, trids, handles, friendlies),
    st.builds(Chg, trids, settable),
    st.builds(UrlRequest, trids, token, st.none() | token),
    st.builds(FndRequest, trids, fnd_values, fnd_values, fnd_values, fnd_values, fnd_values),
    st.builds(SndRequest, trids, token),
    st.just(Png()),
    st.just(Out()),
    errors,
)

SERVER_NS = st.one_of(
    st.builds(Ver, trids, st.lists(token, min_size=1, max_size=3).map(tuple)),
    st.builds(InfReply, trids, st.lists(token, min_size=1, max_size=2).map(tuple)),
    st.builds(UsrChallenge, trids, token),
    st.builds(UsrOk, trids, handles, friendlies),
    st.builds(XfrNs, trids, token),
    st.builds(XfrSb, trids, token, token),
    st.builds(Cvr, trids, st.lists(token, max_size=6).map(tuple)),
    st.builds(Syn, trids, counts),
    st.builds(Lst, trids, lists, counts, counts, counts, handles, friendlies),
    st.builds(Lst, trids, lists, counts, st.just(0), st.just(0)),
    st.builds(Gtc, trids, counts, prompts),
    st.builds(Blp, trids, counts, privacies),
    st.builds(Add, trids, lists, counts, handles, friendlies),
    st.builds(Rem, trids, lists, counts, handles),
    st.builds(Rea, trids, counts, handles, friendlies),
    st.builds(Chg, trids, statuses),
    st.builds(Iln, trids, statuses, handles, friendlies),
    st.builds(Nln, statuses, handles, friendlies),
    st.builds(Fln, handles),
    st.builds(Rng, token, token, token, handles, friendlies),
    st.builds(Url, trids, token, token),
    st.builds(FndResult, trids, counts, counts),
    st.builds(FndResult, trids, counts, counts, fnd_values, fnd_values, fnd_values, fnd_values, fnd_values),
    st.builds(SndOk, trids),
    st.just(Qng()),
    st.builds(Out, st.none() | st.sampled_from(["OTH", "SSD"])),
    st.builds(MsgRelay, token, friendlies, payloads),
    errors,
)

CLIENT_SB = st.one_of(
    st.builds(UsrSb, trids, handles, token),
    st.builds(Cal, trids, handles),
    st.builds(Ans, trids, handles, token, token),
    st.builds(MsgSend, trids, st.sampled_from(list(AckMode)), payloads),
    st.just(Out()),
)

SERVER_SB = st.one_of(
    st.builds(UsrOk, trids, handles, friendlies),
    st.builds(CalRinging, trids, token),
    st.builds(Iro, trids, counts, counts, handles, friendlies),
    st.builds(AnsOk, trids),
    st.builds(Joi, handles, friendlies),
    st.builds(Bye, handles),
    st.builds(MsgRelay, handles, friendlies, payloads),
    st.builds(Ack, trids),
    st.builds(Nak, trids),
    st.just(Out()),
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
