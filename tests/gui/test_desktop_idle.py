"""Honest idle: the automatic Idle status follows the whole desktop's input where the desktop reports it
(here a real X server, Xvfb, asked through the screen saver extension, and input made with XTest), and
Options says when only this program's own windows can be watched."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.main import build_main_window
from msnqt.gui.options.preferences import PreferencesTab
from msnqt.gui.session.desktop_idle import APP_ONLY, X11Idle, find_idle_source
from msnqt.gui.session.idle import IdleWatcher
from tests.support.qt import wait_until


@pytest.fixture
def x_display() -> Iterator[str]:
    """A private X server (Xvfb, which has the screen saver and XTest extensions) on a free display."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", "320x240x24",
                               "-nolisten", "tcp"], pass_fds=(write_end,), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        with os.fdopen(read_end) as numbers:
            number = numbers.readline().strip()  # Xvfb writes it once it accepts connections
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def move_the_mouse(display: str) -> None:
    """Input as a user makes it, through XTest on its own connection (not through this program)."""
    xlib = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    xtst = ctypes.CDLL(ctypes.util.find_library("Xtst") or "libXtst.so.6")
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XFlush.argtypes = [ctypes.c_void_p]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    xtst.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                          ctypes.c_ulong]
    connection = xlib.XOpenDisplay(display.encode())
    assert connection
    xtst.XTestFakeMotionEvent(connection, -1, 50, 60, 0)
    xlib.XFlush(connection)
    xlib.XCloseDisplay(connection)


def test_idle_follows_the_desktops_input(gui_app: Any, qloop: Any, x_display: str) -> None:
    source = X11Idle(x_display)
    try:
        assert isinstance(source.idle_ms(), int)
        watcher = IdleWatcher(300, source=source)
        seen: list[str] = []
        watcher.becameIdle.connect(lambda: seen.append("idle"))
        watcher.becameActive.connect(lambda: seen.append("active"))

        async def scenario() -> None:
            watcher.start()
            await wait_until(lambda: seen == ["idle"])  # nobody touched that desktop
            move_the_mouse(x_display)  # someone uses another program on it
            await wait_until(lambda: seen == ["idle", "active"])
            watcher.stop()

        qloop.run(scenario())
    finally:
        source.close()


def test_without_a_desktop_source_options_says_only_our_windows_count(gui_app: Any, settings: Any) -> None:
    assert find_idle_source("offscreen") is None
    window = build_main_window("127.0.0.1:1", settings=settings, credentials=MemoryCredentials())
    assert window.session.idle.source is None
    tab = PreferencesTab(window.session)
    assert tab.idle_note.text() == APP_ONLY
    assert "this program's own windows" in APP_ONLY
