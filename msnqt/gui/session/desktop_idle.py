"""How long the *desktop* has had no keyboard or mouse input, for the automatic Idle status.

Someone typing in another program is not idle. Only the desktop knows about input to other programs, so we
ask it, in this order:

- X11: the MIT-SCREEN-SAVER extension (``XScreenSaverQueryInfo`` from libXss, loaded with ctypes; nothing
  to install beyond the library X desktops ship);
- Windows: ``GetLastInputInfo``; macOS: ``CGEventSourceSecondsSinceLastEventType``;
- the freedesktop ScreenSaver D-Bus service (``GetSessionIdleTime``, KDE and others) through QtDBus.

Where none answers (Wayland without that service, the offscreen platform), :func:`find_idle_source` returns
None and :class:`~msnqt.gui.session.idle.IdleWatcher` falls back to input to this program's own windows;
Options says which one is in use (``describe``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from typing import Protocol

APP_ONLY = ("Only typing and mouse use in this program's own windows count: this desktop does not report "
            "how long the computer has been idle.")


class IdleSource(Protocol):
    name: str
    """Where the idle time comes from, for Options ("the X11 screen saver extension")."""

    def idle_ms(self) -> int | None:
        """Milliseconds since the last input anywhere on the desktop; None if it cannot say right now."""


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = [("window", ctypes.c_ulong), ("state", ctypes.c_int), ("kind", ctypes.c_int),
                ("til_or_since", ctypes.c_ulong), ("idle", ctypes.c_ulong),
                ("eventMask", ctypes.c_ulong)]


class X11Idle:
    """Idle time from the X server's screen saver extension (one display connection of our own)."""

    name = "the X11 screen saver extension"

    def __init__(self, display_name: str | None = None) -> None:
        xlib_path = ctypes.util.find_library("X11")
        xss_path = ctypes.util.find_library("Xss")
        if not xlib_path or not xss_path:
            raise OSError("libX11 or libXss is not installed")
        self._xlib = ctypes.CDLL(xlib_path)
        self._xss = ctypes.CDLL(xss_path)
        self._xlib.XOpenDisplay.restype = ctypes.c_void_p
        self._xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self._xlib.XDefaultRootWindow.restype = ctypes.c_ulong
        self._xlib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self._xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self._xlib.XFree.argtypes = [ctypes.c_void_p]
        self._xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_XScreenSaverInfo)
        self._xss.XScreenSaverQueryExtension.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int),
                                                         ctypes.POINTER(ctypes.c_int)]
        self._xss.XScreenSaverQueryInfo.argtypes = [ctypes.c_void_p, ctypes.c_ulong,
                                                    ctypes.POINTER(_XScreenSaverInfo)]
        name = display_name if display_name is not None else os.environ.get("DISPLAY", "")
        if not name:
            raise OSError("no X display")
        self._display = self._xlib.XOpenDisplay(name.encode())
        if not self._display:
            raise OSError(f"cannot open the X display {name}")
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not self._xss.XScreenSaverQueryExtension(self._display, ctypes.byref(event_base),
                                                    ctypes.byref(error_base)):
            self.close()
            raise OSError("the X server has no screen saver extension")
        self._root = self._xlib.XDefaultRootWindow(self._display)
        self._info = self._xss.XScreenSaverAllocInfo()

    def idle_ms(self) -> int | None:
        if not self._display:
            return None
        if not self._xss.XScreenSaverQueryInfo(self._display, self._root, self._info):
            return None
        return int(self._info.contents.idle)

    def close(self) -> None:
        if getattr(self, "_info", None):
            self._xlib.XFree(self._info)
            self._info = None
        if self._display:
            self._xlib.XCloseDisplay(self._display)
            self._display = None


class WindowsIdle:
    name = "Windows (GetLastInputInfo)"

    def __init__(self) -> None:
        class LastInputInfo(ctypes.Structure):
            _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]

        self._info = LastInputInfo()
        self._info.cbSize = ctypes.sizeof(LastInputInfo)
        windll = getattr(ctypes, "windll", None)
        if windll is None:
            raise OSError("not Windows")
        self._user32, self._kernel32 = windll.user32, windll.kernel32

    def idle_ms(self) -> int | None:
        if not self._user32.GetLastInputInfo(ctypes.byref(self._info)):
            return None
        return int((self._kernel32.GetTickCount() - self._info.dwTime) & 0xFFFFFFFF)


class MacIdle:
    name = "macOS (Quartz event source)"

    def __init__(self) -> None:
        path = ctypes.util.find_library("ApplicationServices")
        if not path:
            raise OSError("not macOS")
        self._quartz = ctypes.CDLL(path)
        self._quartz.CGEventSourceSecondsSinceLastEventType.restype = ctypes.c_double
        self._quartz.CGEventSourceSecondsSinceLastEventType.argtypes = [ctypes.c_int, ctypes.c_uint32]

    def idle_ms(self) -> int | None:
        any_input = 0xFFFFFFFF  # kCGAnyInputEventType; 1 = kCGEventSourceStateHIDSystemState
        return int(self._quartz.CGEventSourceSecondsSinceLastEventType(1, any_input) * 1000)


class FreedesktopIdle:
    """``org.freedesktop.ScreenSaver.GetSessionIdleTime`` on the session bus (milliseconds)."""

    name = "the desktop's screen saver service (D-Bus)"

    def __init__(self) -> None:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface

        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            raise OSError("no D-Bus session bus")
        self._iface = QDBusInterface("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                                     "org.freedesktop.ScreenSaver", bus)
        if not self._iface.isValid() or self.idle_ms() is None:
            raise OSError("no freedesktop ScreenSaver service with GetSessionIdleTime")

    def idle_ms(self) -> int | None:
        reply = self._iface.call("GetSessionIdleTime")
        values = reply.arguments()
        if reply.errorName() or not values:
            return None
        try:
            return int(values[0])
        except (TypeError, ValueError):
            return None


def find_idle_source(platform_name: str = "") -> IdleSource | None:
    """The first desktop idle source that answers here, or None (then only our own windows' input counts).

    ``platform_name`` is Qt's (``QGuiApplication.platformName()``): the offscreen and minimal platforms
    have no desktop to ask, and on Wayland the X11 query would only see XWayland's clients."""
    if platform_name in ("offscreen", "minimal"):
        return None
    candidates: list[type] = []
    if sys.platform == "win32":
        candidates.append(WindowsIdle)
    elif sys.platform == "darwin":
        candidates.append(MacIdle)
    else:
        if platform_name in ("", "xcb"):
            candidates.append(X11Idle)
        candidates.append(FreedesktopIdle)
    for candidate in candidates:
        try:
            source: IdleSource = candidate()
        except (OSError, AttributeError, ImportError):
            continue
        return source
    return None


def describe(source: IdleSource | None) -> str:
    """One sentence for Options: what the automatic Idle status is measured by."""
    if source is None:
        return APP_ONLY
    return f"Idle time comes from {source.name}: input to any program counts."
