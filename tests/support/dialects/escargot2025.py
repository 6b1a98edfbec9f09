"""Escargot 2025 (``subpurple/escargot@1f5a190``), from its source notes and the wire (§8.3)."""

from __future__ import annotations

import secrets
import string

from .base import Account, Dialect, NsSession

_PROFILE_FIELDS = (
    "LoginTime: 1000000000", "EmailEnabled: 0", "MemberIdHigh: 0", "MemberIdLow: 0", "lang_preference: 1033",
    "preferredEmail: ", "country: ", "PostalCode: ", "Gender: ", "Kid: 0", "Age: ", "BDayPre: ", "Birthday: ",
    "Wallet: ", "Flags: 536872513", "sid: 507", "MSPAuth: 0000000000000000000000000000000000000000000000$$",
    "ClientIP: 127.0.0.1", "ClientPort: 0", "ABCHMigrated: 1",
)


class Escargot2025(Dialect):
    name = "escargot2025"
    has_ds = False
    fake_versions = True     # fake list version, lists always resent (msnp_ns.py:467)
    ns_out_reply = False     # NS OUT closes without an OUT reply
    nak_when_alone = False   # MSG never NAKs

    def challenge(self, account: Account | None) -> str | None:
        # a fake challenge for unknown accounts (msnp_ns.py:176); the 911 comes after the response
        return account.salt if account is not None else secrets.token_hex(8)[:15]

    def profile(self, account: Account) -> bytes | None:
        return ("MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\n"
                + "".join(f"{line}\r\n" for line in _PROFILE_FIELDS) + "\r\n").encode()

    def add_refusal(self, list_name: str, known: bool, already: bool, opposite: bool,
                    full: bool) -> int | None:
        return None if known else 205  # a duplicate ADD is accepted; no 219; FL limit far away

    def iln_on_add(self) -> str | None:
        return None

    def xfr_refusal(self, session: NsSession) -> int | None:
        return 913 if session.status in (None, "HDN") else None  # msnp_ns.py:1751

    def url_reply(self, trid: str) -> str | None:
        return f"URL {trid} /unused1 /unused2 1"  # observed on the wire

    def fnd_reply(self, trid: str) -> list[str] | None:
        return None  # no reply at all

    def new_session_id(self) -> str:
        return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(31))

    def cal_refusal(self, trid: str, handle: str, caller: Account, target: Account | None,
                    online: bool, allowed: bool) -> str | None:
        if "@" not in handle:
            return f"208 {trid}"
        if target is None or not online or not allowed:
            return f"217 {trid}"  # msnp_sb.py:198-212
        return None
