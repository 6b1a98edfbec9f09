"""Hotmail links (Tools menu, the mail line) and the unread-mail line at the bottom of the main window.

The engine's ``url(service)`` asks the server (``URL INBOX|COMPOSE|PASSWORD|PERSON``) and returns a
relative address plus a login address. A real 1999 server answered with Hotmail paths and a Passport
login page; both services are long gone, and our bundled server answers the same retired addresses
because it has no mail behind it. Opening them would show the user a dead page, so this module only opens
an address that leads somewhere (an absolute http(s) address, or a login page on a host that is not one of
the retired Microsoft ones) and otherwise says, in a sentence, why there is no mailbox to open.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeyEvent
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from msnqt.gui.app.errors import user_message
from msnqt.gui.desktop.alerts import announce
from msnqt.gui.session.state import SIGNED_IN, GuiSession
from msnqt.gui.text.plain_text import plain

INBOX, COMPOSE, PASSWORD, PERSON = "INBOX", "COMPOSE", "PASSWORD", "PERSON"
SERVICE_NAMES = {
    INBOX: "your Hotmail inbox",
    COMPOSE: "a new e-mail message",
    PASSWORD: "the page for changing your password",
    PERSON: "your account details",
}
#: Hosts of the 1999 services; they no longer answer, so a link to them would be dead.
RETIRED_HOSTS = ("passport.com", "passport.net", "hotmail.com", "msn.com")


def _retired(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host == h or host.endswith("." + h) for h in RETIRED_HOSTS)


def link_target(relative: str, login: str) -> QUrl | None:
    """Where a ``URL`` reply leads, or None when it would lead to a retired service (no mailbox)."""
    direct = QUrl(relative)
    if direct.scheme() in ("http", "https") and direct.host() and not _retired(direct.host()):
        return direct
    via_login = QUrl(login)
    if via_login.scheme() in ("http", "https") and via_login.host() and not _retired(via_login.host()):
        separator = "&" if via_login.hasQuery() else "?"
        return QUrl(f"{login}{separator}rru={quote(relative, safe='')}")
    return None


def no_mailbox_text(service: str) -> str:
    what = SERVICE_NAMES.get(service, "that Hotmail page")
    return (f"There is no Hotmail account behind this server, so {what} cannot be opened. "
            "The server you are signed in to (such as the built-in local server) does not provide "
            "e-mail.")


NO_MAILBOX_REASON = ("Not available: this server has no Hotmail mailbox behind it (the built-in server does "
                     "not provide e-mail).")


class HotmailLinks:
    """Opens Hotmail services for the signed-in user; explains in a message box when it cannot.

    ``open_url`` is injectable so tests can see what would have been opened without a browser."""

    def __init__(self, session: GuiSession, parent: QWidget,
                 open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl) -> None:
        self.session = session
        self.parent = parent
        self.open_url = open_url
        self.message_box: QMessageBox | None = None
        self.last_opened: QUrl | None = None

    def open(self, service: str) -> None:
        self.session.spawn(self.open_service(service))

    async def open_service(self, service: str) -> bool:
        """Ask the server for ``service``'s address and open it; True when a browser was asked to."""
        messenger = self.session.messenger
        if messenger is None:
            self._explain("Sign in to MSN Messenger Service first; Hotmail is reached through your "
                          "sign-in.")
            return False
        try:
            relative, login = await messenger.url(service)
        except Exception as exc:  # the UI boundary
            self._explain(user_message(exc, "The server did not give an address for Hotmail."))
            return False
        target = link_target(relative, login)
        if target is None:
            self._explain(no_mailbox_text(service))
            return False
        self.last_opened = target
        if not self.open_url(target):
            self._explain(f"No web browser could be started to open {target.toString()}.")
            return False
        return True

    async def mailbox_problem(self) -> str:
        """Why this server's Hotmail links lead nowhere ("" when they lead somewhere, or it is unknown)."""
        messenger = self.session.messenger
        if messenger is None:
            return ""
        try:
            relative, login = await messenger.url(INBOX)
        except Exception:  # the UI boundary: the menu stays as it is; a click explains the failure
            return ""
        if link_target(relative, login) is not None:
            return ""
        return NO_MAILBOX_REASON

    def _explain(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Hotmail - MSN Messenger Service", text,
                          QMessageBox.StandardButton.Ok, self.parent)
        plain(box)
        box.setAccessibleName("Hotmail")
        box.setAccessibleDescription(text)
        self.message_box = box
        box.open()


def mail_line_text(inbox_unread: int) -> str:
    plural = "message" if inbox_unread == 1 else "messages"
    return f"{inbox_unread} new e-mail {plural}"


class MailLine(QLabel):
    """ "n new e-mail message(s)" as a link at the bottom of the main window (ui-spec screen 3),
    shown while the server reports unread mail; activating it opens INBOX. ``activated`` is emitted too,
    so the window can react. Keyboard: it takes focus with Tab and opens with Enter/Space."""

    activated = Signal()

    def __init__(self, session: GuiSession, links: HotmailLinks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.links = links
        self.unread = 0
        self.showing = False
        self.setTextFormat(self.textFormat().RichText)
        self.setTextInteractionFlags(self.textInteractionFlags().LinksAccessibleByMouse
                                     | self.textInteractionFlags().LinksAccessibleByKeyboard)
        self.setContentsMargins(6, 2, 6, 3)
        self.linkActivated.connect(lambda _link: self.open_inbox())
        # Bound slots, not lambdas: the session outlives this label, and Qt only drops connections to a
        # receiver it knows about when that receiver is deleted.
        session.bridge.mailSummary.connect(self._on_summary)
        session.bridge.newMail.connect(self._on_new_mail)
        session.stateChanged.connect(self._on_state)
        self.set_unread(0)

    def _on_summary(self, inbox: int, _folders: object) -> None:
        self.set_unread(inbox)

    def _on_new_mail(self, *_args: object) -> None:
        self.set_unread(self.unread + 1)

    def set_unread(self, count: int) -> None:
        self.unread = max(0, count)
        text = mail_line_text(self.unread)
        self.setText(f'<a href="inbox">{text}</a>')
        self.setAccessibleName(f"Hotmail: {text}. Activate to open your inbox.")
        self.setToolTip("Go to your Hotmail inbox")
        self.showing = self.unread > 0 and self.session.state == SIGNED_IN
        self.setVisible(self.showing)
        if self.showing:
            announce(self)

    @property
    def plain_text(self) -> str:
        return mail_line_text(self.unread) if self.showing else ""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter or Space on the focused line opens the inbox (QLabel alone only does that for a link
        reached by a second Tab, which nobody would guess)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            event.accept()
            self.open_inbox()
            return
        super().keyPressEvent(event)

    def open_inbox(self) -> None:
        self.activated.emit()
        self.links.open(INBOX)

    def _on_state(self, state: str, _message: str) -> None:
        if state != SIGNED_IN and self.unread:
            self.unread = 0
        self.set_unread(self.unread)
