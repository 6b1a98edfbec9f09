"""Settings that are not secrets (last account, server, idle minutes, window geometry) in QSettings.

The QSettings instance is injected so tests can point it at a temporary INI file and never touch the
user's real configuration.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

DEFAULT_SERVER = "127.0.0.1:1863"
DEFAULT_IDLE_MINUTES = 5


def default_qsettings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "msnqt", "msnqt")


class AppSettings:
    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._q = qsettings if qsettings is not None else default_qsettings()

    def _str(self, key: str, default: str) -> str:
        value = self._q.value(key, default)
        return value if isinstance(value, str) else default

    @property
    def last_account(self) -> str:
        return self._str("account/last", "")

    @last_account.setter
    def last_account(self, value: str) -> None:
        self._q.setValue("account/last", value)

    @property
    def server(self) -> str:
        return self._str("connection/server", DEFAULT_SERVER)

    @server.setter
    def server(self, value: str) -> None:
        self._q.setValue("connection/server", value)

    @property
    def idle_minutes(self) -> float:
        """Minutes without input before the status turns to Idle; 0 disables automatic Idle."""
        try:
            return max(0.0, float(self._str("status/idle_minutes", str(DEFAULT_IDLE_MINUTES))))
        except ValueError:
            return float(DEFAULT_IDLE_MINUTES)

    @idle_minutes.setter
    def idle_minutes(self, value: float) -> None:
        self._q.setValue("status/idle_minutes", str(value))

    def geometry(self, window: str) -> QByteArray | None:
        value = self._q.value(f"geometry/{window}")
        return value if isinstance(value, QByteArray) else None

    def set_geometry(self, window: str, data: QByteArray) -> None:
        self._q.setValue(f"geometry/{window}", data)

    def sync(self) -> None:
        self._q.sync()
