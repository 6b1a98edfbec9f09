"""Alerts: "X has just signed in" near the screen corner, and the sounds that go with engine events.

``AlertToast`` is a small 1999-style window (grey bevelled frame, buddy icon, navy title strip) that
appears above the taskbar corner without taking the keyboard focus and goes away by itself. ``Notifier``
watches the session for the three 1.0 events and gives each its sound and its visual equivalent:

- contact signed in: the toast (or the tray balloon when a tray exists), if alerts are on;
- new message: the conversation window's taskbar flash (done by the session) plus the sound;
- new mail: the mail line on the main window (``hotmail.MailLine``) plus the sound.

Every alert is also announced to screen readers as an accessible alert event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent, QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from msnqt.gui.app.resources import pixmap
from msnqt.gui.desktop.sounds import CONTACT_ONLINE, NEW_MAIL, NEW_MESSAGE, SoundPlayer
from msnqt.gui.session.state import SIGNED_IN, GuiSession
from msnqt.gui.text.plain_text import plain
from msnqt.protocol.codes import ListName, Status

ALERT_MS = 5_000
MAX_ALERTS_SHOWN = 3
"""A burst of sign-ins (everyone back after a server restart) shows the latest few, not a wall of them."""
_SCREEN_MARGIN = 8


def signed_in_text(friendly: str) -> str:
    return f"{friendly} has just signed in."


def announce(widget: QWidget, event_type: QAccessible.Event = QAccessible.Event.Alert) -> None:
    """Tell assistive technology that ``widget`` changed (status line, alert): PySide6's closest to
    ``QAccessible::updateAccessibility``. Harmless when no screen reader is active."""
    QAccessible.updateAccessibility(QAccessibleEvent(widget, event_type))


class AlertToast(QFrame):
    """The sign-in alert. ``clicked`` when the user clicks it (the caller opens a conversation)."""

    clicked = Signal()

    def __init__(self, text: str, *, timeout_ms: int = ALERT_MS, parent: QWidget | None = None) -> None:
        # Bypassing the window manager (an override-redirect window on X11) is what keeps it out of the
        # taskbar and away from the focus, like a tooltip; Qt.Tool would ask the WM to raise it instead.
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus
                         | Qt.WindowType.BypassWindowManagerHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFrameShape(QFrame.Shape.Panel)
        self.setFrameShadow(QFrame.Shadow.Raised)
        self.setLineWidth(2)
        self.setAutoFillBackground(True)
        self.setAccessibleName("MSN Messenger Service alert")
        self.setAccessibleDescription(text)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(3, 3, 3, 3)
        outer.setSpacing(0)
        title = QLabel("MSN Messenger Service", self)
        title.setStyleSheet("background: #000080; color: white; font-weight: bold; padding: 1px 3px;")
        outer.addWidget(title)
        body = QWidget(self)
        body.setStyleSheet("background: white;")
        row = QHBoxLayout(body)
        row.setContentsMargins(8, 10, 10, 10)
        buddy = QLabel(body)
        buddy.setPixmap(pixmap("app", 32, self.devicePixelRatioF()))
        row.addWidget(buddy, 0, Qt.AlignmentFlag.AlignTop)
        self.text_label = QLabel(text, body)
        plain(self.text_label)
        self.text_label.setWordWrap(True)
        self.text_label.setStyleSheet("color: #000080;")
        row.addWidget(self.text_label, 1)
        outer.addWidget(body, 1)
        self.resize(200, 96)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.close)
        self._timeout_ms = timeout_ms
        self.slot = 0

    @property
    def text(self) -> str:
        return self.text_label.text()

    def show_near_corner(self, slot: int = 0) -> None:
        """Show above the bottom-right corner of the available screen area (where the taskbar's clock
        is on a 1999 desktop), without activating; ``slot`` n stacks it above n alerts still showing."""
        self.slot = slot
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(QPoint(area.right() - self.width() - _SCREEN_MARGIN,
                             area.bottom() - (self.height() + _SCREEN_MARGIN) * (slot + 1)))
        self.show()
        announce(self)
        if self._timeout_ms > 0:
            self._timer.start(self._timeout_ms)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.clicked.emit()
        self.close()
        event.accept()


class Notifier:
    """Gives the session's events their sounds and alerts. ``tray_message(title, text)`` is used instead
    of the toast when the app has a tray icon (set by the tray module)."""

    def __init__(self, session: GuiSession, sounds: SoundPlayer | None = None, *,
                 alert_ms: int = ALERT_MS) -> None:
        self.session = session
        self.sounds = sounds or SoundPlayer(lambda: session.settings.sounds_on)
        self.tray_message: Callable[[str, str], None] | None = None
        self.toasts: list[AlertToast] = []
        self._alert_ms = alert_ms
        self._last_status: dict[str, Status] = {}
        bridge = session.bridge
        bridge.contactChanged.connect(self._on_contact_changed)
        bridge.listsLoaded.connect(self._remember_statuses)
        bridge.messageReceived.connect(lambda *_args: self.sounds.play(NEW_MESSAGE))
        bridge.newMail.connect(lambda *_args: self.sounds.play(NEW_MAIL))
        bridge.mailSummary.connect(self._on_mail_summary)
        session.stateChanged.connect(self._on_state)

    def _on_state(self, state: str, _message: str) -> None:
        if state != SIGNED_IN:
            self._last_status.clear()
            for toast in list(self.toasts):
                toast.close()
        else:
            self._remember_statuses()

    def _remember_statuses(self) -> None:
        messenger = self.session.messenger or self.session.bridge.messenger
        if messenger is not None:
            self._last_status = {c.handle: c.status for c in messenger.contacts()}

    def _on_contact_changed(self, contact: Any) -> None:
        before = self._last_status.get(contact.handle)
        self._last_status[contact.handle] = contact.status
        # The ILN burst of signing in arrives before the session is SIGNED_IN, and a contact just added
        # (unknown until now) is reported with its current status: neither has "just signed in".
        if self.session.state != SIGNED_IN or before is None or ListName.FORWARD not in contact.lists:
            return
        offline = (Status.OFFLINE, Status.HIDDEN)
        if before in offline and contact.status not in offline:
            self.contact_signed_in(contact.handle, str(contact.friendly))

    def contact_signed_in(self, handle: str, friendly: str) -> None:
        self.sounds.play(CONTACT_ONLINE)
        if not self.session.settings.alert_on_online:
            return
        text = signed_in_text(friendly)
        if self.tray_message is not None:
            self.tray_message("MSN Messenger Service", text)
            return
        toast = AlertToast(text, timeout_ms=self._alert_ms)
        toast.clicked.connect(lambda: self.session.open_conversation(handle))
        toast.destroyed.connect(lambda _obj=None, t=toast: self._forget(t))
        if len(self.toasts) >= self._room_for(toast):
            oldest = self.toasts.pop(0)  # the newest takes the place of the oldest
            slot = oldest.slot
            oldest.close()
        else:
            used = {t.slot for t in self.toasts}
            slot = min(set(range(len(used) + 1)) - used)
        toast.show_near_corner(slot=slot)
        self.toasts.append(toast)

    @staticmethod
    def _room_for(toast: AlertToast) -> int:
        """How many alerts may show at once: :data:`MAX_ALERTS_SHOWN`, fewer on a screen too short."""
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return 1
        fits = screen.availableGeometry().height() // (toast.height() + _SCREEN_MARGIN)
        return max(1, min(MAX_ALERTS_SHOWN, fits))

    def _forget(self, toast: AlertToast) -> None:
        if toast in self.toasts:
            self.toasts.remove(toast)

    def _on_mail_summary(self, inbox_unread: int, _folders_unread: int) -> None:
        if inbox_unread > 0:
            self.sounds.play(NEW_MAIL)
