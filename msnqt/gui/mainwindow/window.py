"""The main window, "MSN Messenger Service": signed-out page, sign-in progress, and the contact list.

Everything that talks to the engine goes through :class:`msnqt.gui.session.state.GuiSession`; this module only
builds widgets, menus and dialogs (opened with ``open()``, never ``exec()``) and reflects session state.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QTreeView,
    QWidget,
)

from msnqt.gui.app.resources import icon, pixmap
from msnqt.gui.app.uiload import child, load_form
from msnqt.gui.contactlist.delegate import ContactDelegate
from msnqt.gui.contactlist.model import HandleRole, IsSectionRole
from msnqt.gui.desktop.tray import DesktopExtras
from msnqt.gui.mainwindow.contact_menu import ContactUi
from msnqt.gui.mainwindow.create_account_dialog import CreateAccountDialog
from msnqt.gui.mainwindow.help_topics import HelpDialog
from msnqt.gui.mainwindow.logon_dialog import LogonDialog
from msnqt.gui.mainwindow.send_message_dialog import SendMessageDialog
from msnqt.gui.session.state import SIGNED_IN, SIGNED_OUT, SIGNING_IN, GuiSession
from msnqt.gui.text.elide import elide_keeping_tail, no_mnemonic, tooltip
from msnqt.gui.text.plain_text import plain
from msnqt.gui.text.status_text import MENU_STATUSES, menu_entry, my_status_line, status_icon_name
from msnqt.protocol.codes import Status

TITLE = "MSN Messenger Service"
EMPTY_LIST_HINT = "Your contact list is empty. To add someone, click Add."
ABOUT_TEXT = ("<b>MSN Messenger Service</b><br>Version {version}<br>A replica of the 1999 client (MSNP2), "
              "written with Qt.<br>No Microsoft code, images, sounds or fonts are included.")


def about_text() -> str:
    """The About box, with this program's version (the one ``msnqt --version`` prints)."""
    from msnqt import __version__
    from msnqt.logfile import log_file

    where = f"<br><small>Log file: {html.escape(str(log_file('msnqt')))}</small>"  # "where are my logs?"
    return ABOUT_TEXT.format(version=html.escape(str(__version__))) + where


class MainWindow(QMainWindow):
    def __init__(self, session: GuiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(TITLE)
        self.setWindowIcon(icon("app"))
        self.setAccessibleName(TITLE)
        form = load_form("main_form", self)
        self.setCentralWidget(form)
        self.pages = child(form, QStackedWidget, "pages")
        self.signed_out_page = child(form, QWidget, "signedOutPage")
        self.signing_in_page = child(form, QWidget, "signingInPage")
        self.signed_in_page = child(form, QWidget, "signedInPage")
        self.sign_in_link = child(form, QLabel, "signInLink")
        self.error_label = child(form, QLabel, "errorLabel")
        self.progress_label = child(form, QLabel, "progressLabel")
        self.cancel_link = child(form, QLabel, "cancelLink")
        self.status_button = child(form, QToolButton, "statusButton")
        self.contact_tree = child(form, QTreeView, "contactTree")
        child(form, QLabel, "buddyAnimation").setPixmap(pixmap("app", 48, self.devicePixelRatioF()))
        child(form, QLabel, "brandLogo").setPixmap(pixmap("app", 24, self.devicePixelRatioF()))
        for panel in ("signedOutPanel", "signingInPanel", "brandPanel"):
            child(form, QFrame, panel).setBackgroundRole(QPalette.ColorRole.Base)  # white, like the list
        self.error_label.setStyleSheet("color: #800000")
        self.logon_dialog: LogonDialog | None = None
        self.create_account_dialog: CreateAccountDialog | None = None
        self.send_dialog: SendMessageDialog | None = None
        self.name_dialog: QInputDialog | None = None
        self.message_box: QMessageBox | None = None
        self.help_dialog: HelpDialog | None = None

        self.contact_tree.setModel(session.model)
        self.contact_tree.setItemDelegate(ContactDelegate(self.contact_tree))
        self.contact_tree.expandAll()
        session.model.modelReset.connect(self.contact_tree.expandAll)
        session.model.rowsInserted.connect(self._expand_inserted)
        self.contact_tree.doubleClicked.connect(self._on_contact_activated)
        selection = self.contact_tree.selectionModel()
        selection.currentChanged.connect(lambda *_: self._enable_contact_commands())
        self.contact_tree.installEventFilter(self)
        # A long name is shortened to the window's width; it never widens the window.
        height_policy = self.status_button.sizePolicy().verticalPolicy()
        self.status_button.setSizePolicy(QSizePolicy.Policy.Maximum, height_policy)
        self.status_button.setMinimumWidth(40)
        self.signed_in_page.installEventFilter(self)  # its width is the room the button has
        self.contact_tree.header().setStretchLastSection(True)
        self.contact_tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self._build_menus()
        # Add a Contact, Options, right-click menu, "has added you"
        self.contact_ui = ContactUi(session, window=self, tools_menu=self.tools_menu,
                                    contact_tree=self.contact_tree)
        self._build_toolbar()
        # tray, alerts, sounds, Hotmail links, mail line
        self.extras = DesktopExtras(session, window=self, tools_menu=self.tools_menu,
                                    status_button=self.status_button, open_logon=self.open_logon)
        self.status_button.setMenu(self.status_menu)
        self.sign_in_link.linkActivated.connect(self._on_sign_in_link)
        self.sign_in_link.setWordWrap(True)  # "To sign in with a different name..." must not widen the window
        self.empty_hint = QLabel(EMPTY_LIST_HINT, self.signed_in_page)
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAccessibleName("Your contact list is empty")
        self.empty_hint.hide()
        page_layout = self.signed_in_page.layout()
        if isinstance(page_layout, QBoxLayout):
            page_layout.insertWidget(page_layout.indexOf(self.contact_tree), self.empty_hint)
        for signal in (session.model.modelReset, session.model.rowsInserted, session.model.rowsRemoved):
            signal.connect(self._show_empty_hint)
        self.cancel_link.linkActivated.connect(lambda _link: session.abort_signing_in())
        session.stateChanged.connect(self._on_state)
        session.progress.connect(self.progress_label.setText)
        session.myInfoChanged.connect(self._refresh_me)
        session.notice.connect(self.show_notice)
        session.contactListWanted.connect(self.extras.show_window)

        geometry = session.settings.geometry("main")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(260, 440)
        self._on_state(session.state, session.last_error)

    # --- menus -------------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.sign_in_action = file_menu.addAction("Sign &In...", lambda: self.open_logon())
        self.sign_out_action = file_menu.addAction("Sign &Out", self._sign_out)
        file_menu.addSeparator()
        self.status_menu = QMenu("My &Status", self)
        self._status_group = QActionGroup(self)
        self._status_actions: dict[Status, QAction] = {}
        for status, _label in MENU_STATUSES:
            action = self.status_menu.addAction(icon(status_icon_name(status)), menu_entry(status))
            action.setCheckable(True)
            action.setActionGroup(self._status_group)
            action.triggered.connect(
                lambda _checked=False, s=status: self.session.spawn(self.session.set_status(s)))
            self._status_actions[status] = action
        file_menu.addMenu(self.status_menu)
        self.send_action = file_menu.addAction("Send an Instant &Message...", self.open_send_dialog)
        self.delete_action = file_menu.addAction("&Delete Contact", lambda: self.contact_ui.delete_current())
        file_menu.addSeparator()
        close_action = file_menu.addAction("&Close", self.close)
        close_action.setShortcut(QKeySequence("Alt+F4"))
        self.exit_action = file_menu.addAction("E&xit", lambda: self.extras.exit_app())
        self.file_menu = file_menu

        view_menu = bar.addMenu("&View")
        self.on_top_action = view_menu.addAction("Always on &Top")
        self.on_top_action.setCheckable(True)
        self.on_top_action.toggled.connect(self._set_on_top)

        tools_menu = bar.addMenu("&Tools")
        self.tools_menu: QMenu = tools_menu
        self.change_name_action = tools_menu.addAction("Change My &Name...", self.open_change_name)

        help_menu = bar.addMenu("&Help")
        self.help_action = help_menu.addAction("&Help Topics", self.open_help)
        self.help_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        help_menu.addSeparator()
        help_menu.addAction("&About MSN Messenger Service", self._about)

    def _build_toolbar(self) -> None:
        """The 1.0 toolbar under the menu: big icon above a one-word label, flat until hovered.

        Its buttons take part in the Tab order (Qt leaves toolbar buttons out of it), so a keyboard user
        reaches them too; the same commands stay in Tools and File for Alt+letter users.
        """
        bar = QToolBar("Toolbar", self)
        bar.setObjectName("mainToolbar")
        bar.setAccessibleName("Toolbar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        bar.setIconSize(QSize(24, 24))
        bar.toggleViewAction().setEnabled(False)  # no "hide the toolbar" entry in a context menu
        self.toolbar = bar
        self.toolbar_add = self._toolbar_button(bar, "toolbar-add", "Add", "Add a Contact",
                                                self.contact_ui.open_add_contact)
        self.toolbar_send = self._toolbar_button(bar, "toolbar-send", "Send", "Send an Instant Message",
                                                 self.open_send_dialog)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        QWidget.setTabOrder(self.toolbar_add, self.toolbar_send)  # first in the window, as it reads
        QWidget.setTabOrder(self.toolbar_send, self.status_button)

    def _toolbar_button(self, bar: QToolBar, icon_name: str, label: str, meaning: str,
                        slot: Callable[[], object]) -> QToolButton:
        action = QAction(icon(icon_name), label, bar)
        action.setToolTip(meaning)
        action.setStatusTip(meaning)
        action.triggered.connect(lambda _checked=False: slot())
        bar.addAction(action)
        button = bar.widgetForAction(action)
        assert isinstance(button, QToolButton)
        button.setAutoRaise(True)
        button.setAccessibleName(meaning)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return button

    # --- state ---------------------------------------------------------------------------------------
    def _on_state(self, state: str, message: str) -> None:
        signed_in = state == SIGNED_IN
        if state == SIGNED_OUT:
            self._offer_last_account()
            self.pages.setCurrentWidget(self.signed_out_page)
            self.error_label.setText(message)
            self.error_label.setVisible(bool(message))
        elif state == SIGNING_IN:
            self.pages.setCurrentWidget(self.signing_in_page)
        else:
            self.pages.setCurrentWidget(self.signed_in_page)
            self.contact_tree.expandAll()
        self._show_empty_hint()
        self.sign_in_action.setEnabled(state == SIGNED_OUT)
        self.sign_out_action.setEnabled(state != SIGNED_OUT)
        for action in (self.send_action, self.change_name_action, self.status_menu.menuAction()):
            action.setEnabled(signed_in)
        for button in (self.toolbar_add, self.toolbar_send):
            button.defaultAction().setEnabled(signed_in)
        self._enable_contact_commands()
        self._refresh_me()

    def _expand_inserted(self, parent: QModelIndex, *_rows: int) -> None:
        self.contact_tree.expand(parent)

    def _offer_last_account(self) -> None:
        """2.x-3.x's signed-out page: the last account as a link, and another link for anyone else."""
        account = self.session.settings.last_account
        if not account:
            self.sign_in_link.setText('<a href="sign-in">Click here to sign in</a>')
            self.sign_in_link.setAccessibleName("Click here to sign in")
            return
        self.sign_in_link.setText(f'<a href="last">{html.escape(account)}</a><br><br>'
                                  'To sign in with a different name <a href="other">click here</a>')
        self.sign_in_link.setAccessibleName(f"Sign in as {account}, or click here to sign in with a "
                                            "different name")

    def _on_sign_in_link(self, link: str) -> None:
        if link == "last":
            self.session.spawn(self._sign_in_as_last())
        else:
            self.open_logon(account="" if link == "other" else None)

    async def _sign_in_as_last(self) -> None:
        """The last account's link signs straight in when its password is remembered, else asks for it."""
        account = self.session.settings.last_account
        password = await self.session.remembered_password(account)
        if password is None or self.session.state != SIGNED_OUT:
            self.open_logon()
            return
        self.session.start_sign_in(account, password, True)

    def _show_empty_hint(self, *_args: object) -> None:
        """A signed-in list with nobody on it says how to add someone (the Add button above)."""
        model = self.session.model
        empty = all(model.rowCount(model.index(section, 0)) == 0 for section in range(model.rowCount()))
        self.empty_hint.setVisible(empty and self.session.state == SIGNED_IN)

    def _enable_contact_commands(self) -> None:
        """File > Delete Contact needs a contact picked in the list (and a session to delete it in)."""
        index = self.contact_tree.currentIndex()
        picked = index.isValid() and not index.data(IsSectionRole) and bool(index.data(HandleRole))
        self.delete_action.setEnabled(self.session.state == SIGNED_IN and picked)

    def _refresh_me(self) -> None:
        status = self.session.my_status
        if self.session.state == SIGNED_IN:
            self.status_button.setIcon(icon(status_icon_name(status)))
            self.status_button.setAccessibleName(f"My status: {my_status_line(self.session.my_name, status)}")
            self._fit_status_button()
        action = self._status_actions.get(status)
        if action is not None:
            action.setChecked(True)

    def _fit_status_button(self) -> None:
        """"<my name> (Online)" in the button's width: the name is shortened, the status never, and an
        ``&`` in the name is shown as itself, not taken as the button's Alt key."""
        name = self.session.my_name
        tail = my_status_line("", self.session.my_status)
        page = self.signed_in_page
        page_layout = page.layout()
        margins = page_layout.contentsMargins() if page_layout is not None else None
        room = page.width() - (margins.left() + margins.right() if margins is not None else 0)
        room -= self.status_button.iconSize().width() + 28  # icon, gaps, the menu arrow
        shown = elide_keeping_tail(self.status_button.fontMetrics(), name, tail, max(room, 20))
        self.status_button.setText(no_mnemonic(shown))
        full = name + tail
        tip = "Click to change your status"
        self.status_button.setToolTip(tooltip(tip if shown == full else f"{full}\n{tip}"))

    @property
    def error_text(self) -> str:
        return self.error_label.text() if self.pages.currentWidget() is self.signed_out_page else ""

    # --- sign in / out ----------------------------------------------------------------------------------
    def open_logon(self, account: str | None = None) -> None:
        """Open the Sign In dialog, pre-filled with ``account`` (default: the last one) and any remembered
        password."""
        if self.session.state != SIGNED_OUT:
            return
        self.session.spawn(self._open_logon(account))

    async def _open_logon(self, account: str | None = None) -> None:
        if self.logon_dialog is not None and self.logon_dialog.isVisible():
            self.logon_dialog.raise_()
            return
        dialog = LogonDialog(self)
        self.logon_dialog = dialog
        if account is None:
            account = self.session.settings.last_account
        dialog.set_remember_availability(await self.session.remember_availability())
        dialog.prefill(account, await self.session.remembered_password(account))
        settings = self.session.settings
        first_start = not account and not settings.server_chosen
        dialog.offer_servers(self.session.server, local_available=self.session.local_server is not None,
                             use_local=self.session.uses_local_server or first_start)
        dialog.offer_account_creation(self.session.create_account is not None)
        dialog.create_account_button.clicked.connect(lambda: self.open_create_account(dialog))
        dialog.accepted.connect(lambda: self._logon_accepted(dialog))
        dialog.open()

    def open_create_account(self, logon: LogonDialog) -> CreateAccountDialog:
        """The built-in server's "Create a new account" form, over the Log On dialog it fills in."""
        self._use_server_choice(logon)
        # The last account exists already: offer its address only if the user typed another one.
        typed = logon.account if logon.account != self.session.settings.last_account else ""
        form = CreateAccountDialog(self.session, typed, logon)
        form.created.connect(logon.use_new_account)
        self.create_account_dialog = form
        form.open()
        return form

    def _logon_accepted(self, dialog: LogonDialog) -> None:
        self._use_server_choice(dialog)
        self.session.start_sign_in(dialog.account, dialog.password, dialog.remember)

    def _use_server_choice(self, dialog: LogonDialog) -> None:
        """Where the Log On dialog says to sign in (the same settings as Options > Connection)."""
        settings = self.session.settings
        settings.use_local_server = dialog.use_local_server
        if not dialog.use_local_server:
            self.session.server = dialog.server_address  # stored as "the server" once a sign-in works

    def _sign_out(self) -> None:
        self.session.spawn(self.session.sign_out())

    # --- contacts ---------------------------------------------------------------------------------------
    def _on_contact_activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        if index.data(IsSectionRole):
            self.contact_tree.setExpanded(index, not self.contact_tree.isExpanded(index))
            return
        handle = index.data(HandleRole)
        if handle:
            self.contact_ui.activate(str(handle))  # a message, or an e-mail to someone not online

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.signed_in_page and event.type() == QEvent.Type.Resize:
            if self.session.state == SIGNED_IN:
                self._fit_status_button()
            return False
        if watched is self.contact_tree and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            if key_event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._on_contact_activated(self.contact_tree.currentIndex())
                return True
        return super().eventFilter(watched, event)

    def open_send_dialog(self) -> None:
        dialog = SendMessageDialog(self.session.online_contacts(), self)
        self.send_dialog = dialog
        dialog.accepted.connect(lambda: self.session.open_conversation(dialog.handle))
        dialog.open()

    def open_change_name(self) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Change My Name - MSN Messenger Service")
        dialog.setLabelText("&Type your name as you want others to see it:")
        dialog.setTextValue(self.session.my_name)
        dialog.setAccessibleName("Change My Name")
        dialog.textValueSelected.connect(
            lambda name: self.session.spawn(self.session.set_friendly_name(name)))
        self.name_dialog = dialog
        dialog.open()

    # --- misc ----------------------------------------------------------------------------------------
    def show_notice(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, TITLE, text, QMessageBox.StandardButton.Ok, self)
        plain(box)
        box.setAccessibleName("Notice")
        self.message_box = box
        box.open()

    def open_help(self) -> HelpDialog:
        if self.help_dialog is None:
            self.help_dialog = HelpDialog(self)
        self.help_dialog.show()
        self.help_dialog.raise_()
        return self.help_dialog

    def _about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, "About MSN Messenger Service", about_text(),
                          QMessageBox.StandardButton.Ok, self)
        box.setIconPixmap(pixmap("app", 32, self.devicePixelRatioF()))
        self.message_box = box
        box.open()

    def _set_on_top(self, on_top: bool) -> None:
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on_top)
        self.show()

    def closeEvent(self, event: QCloseEvent) -> None:
        session, extras = getattr(self, "session", None), getattr(self, "extras", None)
        if session is None or extras is None:  # closed half-built or half-gone (the app's teardown)
            super().closeEvent(event)
            return
        session.settings.set_geometry("main", self.saveGeometry())
        if extras.keep_running_on_close():  # a tray icon keeps the app reachable: only hide
            event.ignore()
            return
        if session.state != SIGNED_OUT and not extras.exiting:
            # No tray: the list is the only way back to the session, so closing it signs out, as closing
            # a 1999 program's main window ended it. Open conversations stay readable (and offer the list
            # again); the program ends when the last of them is closed.
            session.spawn(session.sign_out())
        super().closeEvent(event)


def visible_contact_names(window: MainWindow, section: int) -> list[str]:
    """The row texts of one section as the user reads them (for tests and accessibility checks)."""
    model: Any = window.session.model
    parent = model.index(section, 0)
    return [str(model.index(row, 0, parent).data()) for row in range(model.rowCount(parent))]
