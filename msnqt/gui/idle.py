"""Notices when the user stops touching the keyboard and mouse, for the automatic Idle status.

An application-wide event filter restarts a single-shot QTimer on every input event; when it fires we are
idle, and the next input event makes us active again. The timeout is in milliseconds so tests can use a
tiny value; the app converts the QSettings idle minutes. ``set_timeout`` changes it live (Options >
Preferences), so a new value applies without restarting the program.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
})


class IdleWatcher(QObject):
    becameIdle = Signal()
    becameActive = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)
        self._idle = False
        self._timeout_ms = timeout_ms
        self._running = False
        self._wanted = False  # start() was called (signed in), even if a 0 timeout kept the watch off

    @property
    def idle(self) -> bool:
        return self._idle

    def start(self) -> None:
        self._wanted = True
        if self._timeout_ms <= 0 or self._running:
            return
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._running = True
        self._idle = False
        self._timer.start(self._timeout_ms)

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
        if app is not None and self._running:
            app.removeEventFilter(self)
        self._running = False
        self._wanted = False
        self._timer.stop()
        self._idle = False

    def input_seen(self) -> None:
        """Treat now as user input (also called by the event filter)."""
        if not self._running:
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
