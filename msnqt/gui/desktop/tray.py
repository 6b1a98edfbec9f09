"""The notification-area (tray) icon: the buddy in colour when signed in, grey when signed out.

Its menu has the status entries, Open and Exit (ui-spec screen 3, ui-fidelity §10). With a tray, closing
the main window only hides it (the program keeps running, as later versions did) and Exit ends the app.
When the platform has no tray (``QSystemTrayIcon.isSystemTrayAvailable()`` is False: offscreen, a bare
Xvfb, some Wayland desktops) nothing is created and the main window behaves as before: closing it ends
the app. ``create_tray`` is the one entry point; it returns None in that case.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAccessible, QAction, QActionGroup, QIcon
from PySide6.QtWidgets import QApplication, QBoxLayout, QFrame, QMainWindow, QMenu, QSystemTrayIcon, QWidget

from msnqt.gui.app.resources import icon
from msnqt.gui.desktop.alerts import ALERT_MS, Notifier, announce
from msnqt.gui.desktop.hotmail import COMPOSE, INBOX, PASSWORD, PERSON, HotmailLinks, MailLine
from msnqt.gui.desktop.sounds import SoundPlayer
from msnqt.gui.session.state import SIGNED_IN, SIGNED_OUT, GuiSession
from msnqt.gui.text.plain_text import plain_tray_text
from msnqt.gui.text.status_text import MENU_STATUSES, menu_entry, my_status_line, status_icon_name

TOOLTIP_SIGNED_OUT = "MSN Messenger Service - Not signed in"


def grey_icon(source: QIcon) -> QIcon:
    """The disabled (greyed) rendering of ``source`` as a normal icon, for the signed-out tray."""
    grey = QIcon()
    for size in (16, 24, 32):
        grey.addPixmap(source.pixmap(size, size, QIcon.Mode.Disabled))
    return grey


class Tray(QObject):
    """Owns the QSystemTrayIcon. ``show_window()`` and ``exit_app()`` are what Open and Exit call."""

    def __init__(self, session: GuiSession, show_window: Callable[[], None], exit_app: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.icon = QSystemTrayIcon(self)
        self.menu = QMenu(parent)
        self.menu.setAccessibleName("MSN Messenger Service")
        self.open_action = self.menu.addAction("&Open MSN Messenger Service", show_window)
        # Showing the window signed out opens the Log On dialog; Sign Out mirrors File > Sign Out.
        self.sign_in_action = self.menu.addAction("Sign &In...", show_window)
        self.sign_out_action = self.menu.addAction("Sign &Out", lambda: session.spawn(session.sign_out()))
        self.menu.addSeparator()
        self.status_menu = self.menu.addMenu("My &Status")
        self._group = QActionGroup(self)
        self.status_actions: dict[object, QAction] = {}
        for status, _label in MENU_STATUSES:
            action = self.status_menu.addAction(icon(status_icon_name(status)), menu_entry(status))
            action.setCheckable(True)
            action.setActionGroup(self._group)
            action.triggered.connect(lambda _checked=False, s=status: session.spawn(session.set_status(s)))
            self.status_actions[status] = action
        self.menu.addSeparator()
        self.exit_action = self.menu.addAction("E&xit", exit_app)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated(show_window))
        self._online_icon = icon("app")
        self._offline_icon = grey_icon(self._online_icon)
        session.stateChanged.connect(lambda *_args: self.refresh())
        session.myInfoChanged.connect(self.refresh)
        self.refresh()
        self.icon.show()

    @staticmethod
    def _on_activated(show_window: Callable[[], None]) -> Callable[[QSystemTrayIcon.ActivationReason], None]:
        def activated(reason: QSystemTrayIcon.ActivationReason) -> None:
            opening = (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick)
            if reason in opening:
                show_window()
        return activated

    def refresh(self) -> None:
        signed_in = self.session.state == SIGNED_IN
        self.icon.setIcon(self._online_icon if signed_in else self._offline_icon)
        status = self.session.my_status
        self.icon.setToolTip(plain_tray_text(
            f"MSN Messenger Service - {my_status_line(self.session.my_name, status)}")
            if signed_in else TOOLTIP_SIGNED_OUT)
        self.status_menu.setEnabled(signed_in)
        self.sign_in_action.setVisible(self.session.state == SIGNED_OUT)
        self.sign_out_action.setVisible(self.session.state != SIGNED_OUT)
        action = self.status_actions.get(status)
        if action is not None:
            action.setChecked(True)

    def message(self, title: str, text: str) -> None:
        """A balloon from the tray (the alert form when a tray exists); a name in it is shown as typed."""
        self.icon.showMessage(plain_tray_text(title), plain_tray_text(text), self._online_icon, 5_000)

    def hide(self) -> None:
        self.icon.hide()


HOTMAIL_TIP = "Opens Hotmail in your web browser (sign in first)"


def tray_available() -> bool:
    return QSystemTrayIcon.isSystemTrayAvailable()


def create_tray(session: GuiSession, show_window: Callable[[], None], exit_app: Callable[[], None],
                parent: QWidget | None = None) -> Tray | None:
    """A tray icon, or None where the platform has no tray (the main window then simply stays)."""
    if not tray_available():
        return None
    return Tray(session, show_window, exit_app, parent)


class DesktopExtras(QObject):
    """Everything around the main window that is not the contact list: tray icon, sign-in alerts and
    sounds, Hotmail links in the Tools menu, the unread-mail line, automatic sign-in, and accessible
    announcements of status changes. The main window creates one and asks ``keep_running_on_close()``
    from its ``closeEvent``.

    It gets what it touches, and nothing else of the main window: the ``window`` to show, hide and close (the
    mail line goes into its central widget), the ``tools_menu`` for the Hotmail items, the ``status_button``
    whose name changes are announced, and ``open_logon`` for a sign-in that needs a password."""

    def __init__(self, session: GuiSession, *, window: QMainWindow, tools_menu: QMenu, status_button: QWidget,
                 open_logon: Callable[[], None], sounds: SoundPlayer | None = None,
                 alert_ms: int = ALERT_MS) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self._tools = tools_menu
        self._status_button = status_button
        self._open_logon = open_logon
        self.exiting = False
        self.notifier = Notifier(session, sounds, alert_ms=alert_ms)
        self.tray = create_tray(session, self.show_window, self.exit_app, window)
        if self.tray is not None:
            self.notifier.tray_message = self.tray.message
            # The app lives in the tray: closing a conversation while the main window is hidden must not
            # count as "the last window closed" (which ends the app); only Exit or the main window does.
            session.windowCreated.connect(
                lambda w: w.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False))
        self.hotmail = HotmailLinks(session, window)
        self.mail_line = MailLine(session, self.hotmail, window)
        self.mail_line.setObjectName("mailLine")
        self._place_mail_line()
        self.hotmail_actions = self._add_hotmail_menu()
        session.stateChanged.connect(self._on_state)
        # A bound slot, not a lambda: Qt drops the connection when these extras die with their window, so a
        # session that outlives the window never announces through a deleted button.
        session.myInfoChanged.connect(self._announce_my_name)
        self._on_state(session.state, session.last_error)
        if session.settings.auto_sign_in:
            session.spawn(self.auto_sign_in())

    def _announce_my_name(self) -> None:
        announce(self._status_button, QAccessible.Event.NameChanged)

    def _place_mail_line(self) -> None:
        """Just above the brand strip at the bottom of the window (ui-spec screen 3)."""
        form = self.window.centralWidget()
        layout = form.layout() if form is not None else None
        if form is None or layout is None:
            return
        brand = form.findChild(QFrame, "brandPanel")
        index = layout.indexOf(brand) if brand is not None else -1
        if isinstance(layout, QBoxLayout) and index >= 0:
            layout.insertWidget(index, self.mail_line)
        else:
            layout.addWidget(self.mail_line)

    def _add_hotmail_menu(self) -> dict[str, QAction]:
        menu = self._tools
        menu.setToolTipsVisible(True)  # a greyed item says why on hover
        menu.addSeparator()
        actions: dict[str, QAction] = {}
        for service, label in ((INBOX, "Go to my Hotmail &Inbox"), (COMPOSE, "Send &Mail..."),
                               (PASSWORD, "Change My &Password..."), (PERSON, "My Account &Details...")):
            action = menu.addAction(label, partial(self.hotmail.open, service))
            action.setStatusTip(HOTMAIL_TIP)
            actions[service] = action
        return actions

    def _on_state(self, state: str, _message: str) -> None:
        for action in self.hotmail_actions.values():
            action.setEnabled(state == SIGNED_IN)
            action.setToolTip(HOTMAIL_TIP)
        if state == SIGNED_IN:
            self.session.spawn(self._check_mailbox())
        signed_in = state == SIGNED_IN
        announce(self.window, QAccessible.Event.NameChanged if signed_in else QAccessible.Event.Alert)

    async def _check_mailbox(self) -> None:
        """A server with no mail behind it: the four Hotmail items are greyed, and say why (tool tip, status
        bar, accessible description), instead of four identical error boxes."""
        reason = await self.hotmail.mailbox_problem()
        if not reason or self.session.state != SIGNED_IN:
            return
        for action in self.hotmail_actions.values():
            action.setEnabled(False)
            action.setToolTip(reason)
            action.setStatusTip(reason)

    async def auto_sign_in(self) -> None:
        """"Automatically sign me in": with the last account and its remembered password, or the Log On
        dialog when no password is remembered (so the option never silently does nothing)."""
        if self.session.state != SIGNED_OUT:
            return
        account = self.session.settings.last_account
        password = await self.session.remembered_password(account)
        if account and password:
            self.session.start_sign_in(account, password, True)
        else:
            self._open_logon()

    def show_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()
        if self.session.state == SIGNED_OUT:
            self._open_logon()

    def exit_app(self) -> None:
        """Exit: close the main window as "the last window" (the app's end, see ``msnqt.gui.main``)."""
        self.exiting = True
        if self.tray is not None:
            self.tray.hide()
        was_hidden = self.window.isHidden()
        self.window.close()
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return
        still_open = [w for w in app.topLevelWidgets()
                      if w.isVisible() and w.testAttribute(Qt.WidgetAttribute.WA_QuitOnClose)]
        if was_hidden or still_open:
            # The app's end is "the last window closed" (msnqt.gui.main), which then signs out and closes
            # the conversations; Qt does not say so itself while one is open, nor for a hidden window.
            app.lastWindowClosed.emit()

    def keep_running_on_close(self) -> bool:
        """True when closing the main window should only hide it (a tray icon keeps the app reachable)."""
        if self.tray is None or self.exiting:
            return False
        self.window.hide()
        return True
