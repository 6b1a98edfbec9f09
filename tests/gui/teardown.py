"""Shared by the GUI and app fixtures: leave no window of one test behind for the next."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication


def close_every_window(qapp: QApplication) -> None:
    """Close and delete every top-level widget a test left behind, now rather than "later".

    Closing one window can close or create others (a conversation tells its session, a dialog's parent goes
    away), so the list is re-read until it is empty, and the deferred deletions are delivered before the
    next test starts: no half-destroyed window from this test meets the next test's loop.
    """
    for _round in range(5):
        widgets = [w for w in qapp.topLevelWidgets() if w.isVisible() or w.parent() is None]
        if not widgets:
            break
        for widget in widgets:
            widget.close()
            widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

