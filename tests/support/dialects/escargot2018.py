"""Escargot 2018 (``Krutonium/msn-server@b1599a3``), as recorded in escargot-2018-transcripts.md (§8.2)."""

from __future__ import annotations

import secrets
import uuid

from .base import Account, Dialect, NsSession, name_field


class Escargot2018(Dialect):
    name = "escargot2018"
    has_ds = False                 # D6: the NS answers on the first port, no XFR NS
    fake_versions = True           # D9
    ns_out_reply = False           # D24: OUT closes with EOF only
    out_oth_closes = False         # D25: OUT OTH, and the old session stays open
    wrong_password_closes = False  # D4
    add_fl_implies_al = True       # D13
    bl_hides_presence = False      # D26: blocking sends no FLN; enforced at CAL only
    joiner_gets_own_joi = True     # D20
    nak_when_alone = False         # D21: MSG N/U never NAKed
    rl_notice_versioned = False    # D12, D16
    max_msg_payload = None         # no limit recorded

    def challenge(self, account: Account | None) -> str | None:
        return None if account is None else account.salt  # D3: fixed per-account salt; D4: 911 at I

    def profile(self, account: Account) -> bytes | None:
        return None  # no profile MSG for MSNP < 13

    def syn_lines(self, trid: str, version: int, account: Account, client_version: int) -> list[str]:
        # D7: LST first, then GTC, BLP; D8: "total item" order; D15: GTC/BLP never stored
        return [f"SYN {trid} {version}",
                *[line for name in ("FL", "AL", "BL", "RL")
                  for line in self.lst_lines(trid, version, name, account.lists[name])],
                f"GTC {trid} {version} A", f"BLP {trid} {version} AL"]

    def lst_lines(self, trid: str, version: int, name: str, entries: dict[str, str]) -> list[str]:
        if not entries:
            return [f"LST {trid} {name} {version} 0 0"]
        total = len(entries)
        return [f"LST {trid} {name} {version} {total} {i} {h} {name_field(n)}"
                for i, (h, n) in enumerate(entries.items(), 1)]

    def chg_echo(self, trid: str, status: str) -> str:
        return f"CHG {trid} {status} 0"  # D10

    def add_refusal(self, list_name: str, known: bool, already: bool, opposite: bool,
                    full: bool) -> int | None:
        return None if known else 207  # D14: unknown 207; duplicates and client ADD RL accepted

    def rem_refusal(self, member: bool) -> int | None:
        return None if member else 205  # D14

    def iln_on_add(self) -> str | None:
        return None  # D11

    def rl_add_notice(self, version: int, handle: str, friendly: str) -> str:
        return f"ADD 0 RL {handle} {name_field(friendly)}"  # D12: no list version

    def rl_add_notice_wanted(self, adder: str, target: Account) -> bool:
        decided = {h.lower() for name in ("AL", "BL") for h in target.lists[name]}
        return adder.lower() not in decided  # D12: only when the adder is on neither AL nor BL

    def rl_rem_notice(self, version: int, handle: str) -> str | None:
        return None  # D16

    def xfr_refusal(self, session: NsSession) -> int | None:
        return None  # no 913 recorded

    def setting_refusal(self, current: str, wanted: str) -> int | None:
        return None  # D15: never stored, so never "already set"

    def url_reply(self, trid: str) -> str | None:
        return None  # not an MSNP2 command it knows: ignored (D5)

    def fnd_reply(self, trid: str) -> list[str] | None:
        return None

    def new_session_id(self) -> str:
        return str(uuid.uuid4())  # D19

    def new_cookie(self) -> str:
        return secrets.token_hex(10)  # D18: 20 hex digits

    def cal_refusal(self, trid: str, handle: str, caller: Account, target: Account | None,
                    online: bool, allowed: bool) -> str | None:
        if target is None:
            return "207"  # D22: bare, no TrID
        on_lists = {h.lower() for entries in caller.lists.values() for h in entries}
        if target.handle.lower() not in on_lists:
            return f"205 {trid}"
        if not online or not allowed:
            return f"217 {trid}"
        return None
