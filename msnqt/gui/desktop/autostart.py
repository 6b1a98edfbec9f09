""""Run this program when I log on": the platform's own autostart mechanism, nothing resident of ours.

- Linux and other XDG desktops: a ``.desktop`` file in ``$XDG_CONFIG_HOME/autostart`` (``~/.config``).
- Windows: a value under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run`` (QSettings NativeFormat).
- macOS: a LaunchAgent plist in ``~/Library/LaunchAgents``.

The command is the one that started this app (a frozen bundle's executable, or this interpreter with
``-m msnqt``), so the entry starts the same installation. Errors come back as ``AutostartError`` with a
sentence the Options dialog can show.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings

APP_ID = "msnqt"
DISPLAY_NAME = "MSN Messenger Service"
WINDOWS_RUN_KEY = r"HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run"
MAC_LABEL = "org.msnqt.msnqt"


class AutostartError(Exception):
    """Autostart could not be changed; ``str()`` is a sentence for the user."""


def launch_command() -> list[str]:
    """The argv that starts this installation of the app."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", APP_ID]


def _home() -> Path:
    return Path(os.environ.get("HOME") or Path.home())


def xdg_autostart_file() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(_home() / ".config")
    return Path(config) / "autostart" / f"{APP_ID}.desktop"


def mac_launch_agent_file() -> Path:
    return _home() / "Library" / "LaunchAgents" / f"{MAC_LABEL}.plist"


def desktop_exec_arg(arg: str) -> str:
    """One argument quoted as the Desktop Entry spec wants it (double quotes, backslash escapes, %%)."""
    arg = arg.replace("%", "%%")
    if not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`=') and arg:
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def desktop_exec(command: list[str]) -> str:
    """The Exec value: quoted arguments, then the string-value escape (a backslash is written twice)."""
    return " ".join(desktop_exec_arg(part) for part in command).replace("\\", "\\\\")


def desktop_entry(command: list[str]) -> str:
    return ("[Desktop Entry]\n"
            "Type=Application\n"
            f"Name={DISPLAY_NAME}\n"
            "Comment=Starts MSN Messenger Service when you log in\n"
            f"Exec={desktop_exec(command)}\n"
            "Terminal=false\n"
            "X-GNOME-Autostart-enabled=true\n")


def launch_agent(command: list[str]) -> str:
    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    args = "".join(f"\n    <string>{esc(part)}</string>" for part in command)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
            '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
            '<plist version="1.0">\n<dict>\n'
            f"  <key>Label</key>\n  <string>{MAC_LABEL}</string>\n"
            f"  <key>ProgramArguments</key>\n  <array>{args}\n  </array>\n"
            "  <key>RunAtLoad</key>\n  <true/>\n"
            "</dict>\n</plist>\n")


def _platform() -> str:
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "mac"
    return "xdg"


def is_enabled(platform: str | None = None) -> bool:
    """Whether an autostart entry of ours exists (it may have been removed outside the app)."""
    match platform or _platform():
        case "windows":
            return _windows_run_key().contains(APP_ID)
        case "mac":
            return mac_launch_agent_file().is_file()
        case _:
            return xdg_autostart_file().is_file()


def set_enabled(enabled: bool, platform: str | None = None, command: list[str] | None = None) -> None:
    """Create or remove the autostart entry; removing one that is not there is fine."""
    command = command or launch_command()
    match platform or _platform():
        case "windows":
            key = _windows_run_key()
            if enabled:
                key.setValue(APP_ID, " ".join(f'"{part}"' for part in command))
            else:
                key.remove(APP_ID)
            key.sync()
            if key.status() != key.Status.NoError:
                raise AutostartError("Windows did not let MSN Messenger Service change its start-up entry.")
        case "mac":
            _write_or_remove(mac_launch_agent_file(), launch_agent(command) if enabled else None)
        case _:
            _write_or_remove(xdg_autostart_file(), desktop_entry(command) if enabled else None)


def _write_or_remove(path: Path, content: str | None) -> None:
    try:
        if content is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise AutostartError(f"The start-up entry {path} could not be changed ({reason}).") from exc


def _windows_run_key() -> QSettings:
    return QSettings(WINDOWS_RUN_KEY, QSettings.Format.NativeFormat)
