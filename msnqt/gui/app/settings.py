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

    def _bool(self, key: str, default: bool) -> bool:
        value = self._q.value(key, default)
        if isinstance(value, str):  # INI files give strings back
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    # --- Options > Preferences / Connection -------------------------------------------------------
    @property
    def auto_sign_in(self) -> bool:
        """Sign in with the remembered account and password when the app starts."""
        return self._bool("preferences/auto_sign_in", False)

    @auto_sign_in.setter
    def auto_sign_in(self, value: bool) -> None:
        self._q.setValue("preferences/auto_sign_in", bool(value))

    @property
    def run_at_login(self) -> bool:
        return self._bool("preferences/run_at_login", False)

    @run_at_login.setter
    def run_at_login(self, value: bool) -> None:
        self._q.setValue("preferences/run_at_login", bool(value))

    @property
    def alert_on_online(self) -> bool:
        """Show "X has just signed in" when a contact comes online."""
        return self._bool("preferences/alert_on_online", True)

    @alert_on_online.setter
    def alert_on_online(self, value: bool) -> None:
        self._q.setValue("preferences/alert_on_online", bool(value))

    @property
    def sounds_on(self) -> bool:
        return self._bool("preferences/sounds_on", True)

    @sounds_on.setter
    def sounds_on(self, value: bool) -> None:
        self._q.setValue("preferences/sounds_on", bool(value))

    @property
    def use_local_server(self) -> bool:
        """Run the bundled server in-process and sign in to it instead of ``server``."""
        return self._bool("connection/use_local_server", False)

    @use_local_server.setter
    def use_local_server(self, value: bool) -> None:
        self._q.setValue("connection/use_local_server", bool(value))

    @property
    def server_chosen(self) -> bool:
        """A server or the built-in one was ever chosen (or signed in to): not a first start."""
        return self._q.contains("connection/server") or self._q.contains("connection/use_local_server")

    def geometry(self, window: str) -> QByteArray | None:
        value = self._q.value(f"geometry/{window}")
        return value if isinstance(value, QByteArray) else None

    def set_geometry(self, window: str, data: QByteArray) -> None:
        self._q.setValue(f"geometry/{window}", data)

    @property
    def server_quirks(self) -> str:
        """What the engine learned about servers (no PNG, no FND, ...; ``msnqt.client.quirks``), as its
        ``export()`` text, so the next run does not have to find out again."""
        return self._str("connection/server_quirks", "")

    @server_quirks.setter
    def server_quirks(self, value: str) -> None:
        self._q.setValue("connection/server_quirks", value)

    def sync(self) -> None:
        self._q.sync()
