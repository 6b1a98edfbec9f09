"""Notices when the user stops touching the keyboard and mouse, for the automatic Idle status.

With a desktop idle source (:mod:`~msnqt.gui.session.desktop_idle`: the X11 screen saver extension, Windows,
macOS or the freedesktop D-Bus service) the watcher polls how long the whole desktop has had no input, so
typing in another program keeps us active. Without one, an application-wide event filter restarts a
single-shot QTimer on every input event to our own windows; when it fires we are idle, and the next input
event makes us active again. The timeout is in milliseconds so tests can use a tiny value; the app converts
the QSettings idle minutes. ``set_timeout`` changes it live (Options > Preferences), so a new value applies
without restarting the program.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from msnqt.gui.session.desktop_idle import IdleSource, describe, find_idle_source

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
})


POLL_MAX_MS = 5_000
"""How often a desktop idle source is asked at most (Idle may come this much late; never early)."""


class IdleWatcher(QObject):
    becameIdle = Signal()
    becameActive = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None, *,
                 source: IdleSource | bool | None = True) -> None:
        """``source``: True finds the desktop's idle source, None or False uses our own input only,
        anything else is used as given (tests)."""
        super().__init__(parent)
        if source is True:
            self.source: IdleSource | None = find_idle_source(QGuiApplication.platformName())
        else:
            self.source = source or None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)
        self._poll = QTimer(self)
        self._poll.timeout.connect(self._check_desktop)
        self._idle = False
        self._timeout_ms = timeout_ms
        self._running = False
        self._wanted = False  # start() was called (signed in), even if a 0 timeout kept the watch off

    @property
    def idle(self) -> bool:
        return self._idle

    @property
    def description(self) -> str:
        """What Idle is measured by, in a sentence for Options."""
        return describe(self.source)

    def start(self) -> None:
        self._wanted = True
        if self._timeout_ms <= 0 or self._running:
            return
        self._running = True
        self._idle = False
        if self.source is not None:
            self._poll.start(max(100, min(POLL_MAX_MS, self._timeout_ms // 4)))
            return
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._timer.start(self._timeout_ms)

    def _check_desktop(self) -> None:
        """One look at the desktop's idle time: idle from the timeout on, active on any input."""
        if not self._running or self.source is None:
            return
        idle_ms = self.source.idle_ms()
        if idle_ms is None:
            return  # cannot tell right now: keep what we had
        if idle_ms >= self._timeout_ms and not self._idle:
            self._idle = True
            self.becameIdle.emit()
        elif idle_ms < self._timeout_ms and self._idle:
            self._idle = False
            self.becameActive.emit()

    @property
    def timeout_ms(self) -> int:
        return self._timeout_ms

    def set_timeout(self, timeout_ms: int) -> None:
        """Use a new timeout from now on; 0 (or less) turns automatic Idle off.

        While watching, the countdown restarts with the new value (the change itself counts as activity,
        since the user just made it); a watcher that was off because the timeout was 0 starts watching.
        Signed-out watchers (never started) only remember the value for their next ``start()``.
        """
        was_running = self._running
        self._timeout_ms = timeout_ms
        if timeout_ms <= 0:
            if was_running:
                was_idle = self._idle
                self.stop()
                self._wanted = True  # still signed in: a later non-zero timeout starts watching again
                if was_idle:
                    self.becameActive.emit()
            return
        if was_running:
            self.input_seen()
        elif self._wanted:
            self.start()

    def stop(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and self._running and self.source is None:
            app.removeEventFilter(self)
        self._running = False
        self._wanted = False
        self._timer.stop()
        self._poll.stop()
        self._idle = False

    def input_seen(self) -> None:
        """Treat now as user input (also called by the event filter)."""
        if not self._running:
            return
        if self.source is not None:
            self._poll.start(max(100, min(POLL_MAX_MS, self._timeout_ms // 4)))
            if self._idle:
                self._idle = False
                self.becameActive.emit()
            return
        self._timer.start(self._timeout_ms)
        if self._idle:
            self._idle = False
            self.becameActive.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self.input_seen()
        return False

    def _on_timeout(self) -> None:
        if self._running and not self._idle:
            self._idle = True
            self.becameIdle.emit()
