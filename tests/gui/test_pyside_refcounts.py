"""PySide6 must not leak or drop references to None on void calls.

PySide6-Essentials 6.12.0 on CPython 3.11 dropped one reference to None per void Qt call (setEnabled,
QTimer.start, processEvents, and qasync's own timer and socket callbacks), and after some tens of thousands
of calls the interpreter aborted with "deallocating None": a long GUI session simply died. We pin 6.11.3; this
test fails if an upgrade brings the bug back. It runs in a subprocess because the failure is an abort.
"""

from __future__ import annotations

import os
import subprocess
import sys

MANY_VOID_CALLS = """
import sys
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
widget, timer, obj = QWidget(), QTimer(), QObject()
calls = sys.getrefcount(None) + 5000   # more void calls than None has references at start
before = sys.getrefcount(None)
for _ in range(calls):
    obj.setObjectName("x")
    widget.setEnabled(True)
    timer.start(1000)
    timer.stop()
app.processEvents()
print(sys.getrefcount(None) - before)
"""


def test_many_void_qt_calls_leave_none_refcount_alone() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", MANY_VOID_CALLS], env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-500:]
    assert abs(int(result.stdout.strip())) < 100
