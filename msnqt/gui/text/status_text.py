"""How each presence state is named and drawn in the 1.0 UI (ui-fidelity §3-§4: "On the Phone", "Out to
Lunch" with lower-case "the" and "to")."""

from __future__ import annotations

from msnqt.protocol.codes import Status

#: Labels of the status menu, in the menu's order (ui-fidelity §4). Idle is set automatically, never picked.
MENU_STATUSES: tuple[tuple[Status, str], ...] = (
    (Status.ONLINE, "Online"),
    (Status.BUSY, "Busy"),
    (Status.BE_RIGHT_BACK, "Be Right Back"),
    (Status.AWAY, "Away"),
    (Status.ON_THE_PHONE, "On the Phone"),
    (Status.OUT_TO_LUNCH, "Out to Lunch"),
    (Status.HIDDEN, "Appear Offline"),
)

#: The status menu's entries with their Alt keys (each letter used once in the menu).
MENU_MNEMONICS: dict[Status, str] = {
    Status.ONLINE: "&Online",
    Status.BUSY: "&Busy",
    Status.BE_RIGHT_BACK: "Be &Right Back",
    Status.AWAY: "&Away",
    Status.ON_THE_PHONE: "On the &Phone",
    Status.OUT_TO_LUNCH: "Out to &Lunch",
    Status.HIDDEN: "Appear O&ffline",
}


def menu_entry(status: Status) -> str:
    """The status menu's text for ``status``, with its Alt key."""
    return MENU_MNEMONICS[status]


_LABELS: dict[Status, str] = {
    **dict(MENU_STATUSES),
    Status.IDLE: "Idle",
    Status.OFFLINE: "Offline",
}

_ICONS: dict[Status, str] = {
    Status.ONLINE: "status-online",
    Status.BUSY: "status-busy",
    Status.BE_RIGHT_BACK: "status-brb",
    Status.AWAY: "status-away",
    Status.ON_THE_PHONE: "status-phone",
    Status.OUT_TO_LUNCH: "status-lunch",
    Status.IDLE: "status-idle",
    Status.HIDDEN: "status-offline",
    Status.OFFLINE: "status-offline",
}


def status_label(status: Status) -> str:
    """The English name of a state, as the menu and "(...)" suffixes show it."""
    return _LABELS[status]


def contact_suffix(status: Status) -> str:
    """The suffix after a contact's name: "" for Online and Offline, else " (Busy)" etc."""
    if status in (Status.ONLINE, Status.OFFLINE, Status.HIDDEN):
        return ""
    return f" ({_LABELS[status]})"


def my_status_line(friendly: str, status: Status) -> str:
    """The header of the signed-in main window: "<my name> (Online)"."""
    return f"{friendly} ({_LABELS[status]})"


def status_icon_name(status: Status, *, blocked: bool = False) -> str:
    """The resources/icons name drawn for a contact in ``status``."""
    return "status-blocked" if blocked else _ICONS[status]
