"""The Go MSNP2 server (``marcantoinegodde/msn_server@8d741bc``), from its source notes (§8.4)."""

from __future__ import annotations

import itertools

from .base import Account, Dialect

_session_ids = itertools.count(1)


class GoServer(Dialect):
    name = "goserver"
    png_drops = True        # the NS loop closes on any command it does not handle: PNG, LST
    unknown_drops = True
    nak_when_alone = False  # NAK only when the sender is in no session
    max_msg_payload = 462   # 62 header bytes + the 1.0 client's 400 characters; larger closes (msg.go)

    def ver_reply(self, trid: str, offered: list[str]) -> str:
        both = "MSNP2" in offered and "CVR0" in offered
        return f"VER {trid} MSNP2 CVR0" if both else f"VER {trid} 0"  # echoes and requires both

    def ds_refers_after(self, stage: str) -> bool:
        return True  # XFR NS after any USR

    def profile(self, account: Account) -> bytes | None:
        return None

    def add_refusal(self, list_name: str, known: bool, already: bool, opposite: bool,
                    full: bool) -> int | None:
        if not known:
            return 205
        if already and list_name == "FL":
            return 215  # AL/BL duplicates allowed
        if opposite:
            return 219
        return 210 if full else None  # FL limit 150

    def iln_on_add(self) -> str | None:
        return "before"  # the ILN is sent before the ADD echo (pkg/commands/add.go)

    def new_session_id(self) -> str:
        return str(next(_session_ids))

    def cal_refusal(self, trid: str, handle: str, caller: Account, target: Account | None,
                    online: bool, allowed: bool) -> str | None:
        return None if target is not None and online and allowed else f"217 {trid}"
