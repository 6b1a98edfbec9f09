"""Text chosen by other people (names, messages, addresses, server replies) shown as text, never as markup.

Why: QLabel, QMessageBox and tooltips guess the format: text that *looks* like HTML (``Qt.mightBeRichText``)
is rendered as HTML, so a friendly name ``<b>Alice</b><!--`` shows as a bold "Alice" and hides the rest of
the line: the e-mail address the user checks before allowing someone in, the real sender of a message.
Every widget that shows such text is set to plain text here (``tests/gui/test_plain_text.py`` sweeps the
windows with a hostile name and fails on any that renders it as markup).
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGuiNamespace
from PySide6.QtWidgets import QLabel, QMessageBox


def plain(*widgets: QLabel | QMessageBox) -> None:
    """Show each widget's text (now and later) exactly as given."""
    for widget in widgets:
        widget.setTextFormat(Qt.TextFormat.PlainText)


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip shows it: tooltips have no format setting, so it is escaped into HTML."""
    return QtGuiNamespace.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


def plain_tray_text(text: str, platform: str = sys.platform) -> str:
    """``text`` as the tray icon's tool tip or balloon shows it, with no markup visible on any desktop.

    Windows and macOS show tray tool tips and balloons natively, as plain text: it is given as is (escaping
    it would show "&lt;" or "<p>" there). Elsewhere Qt draws them as an ordinary tooltip or balloon label
    (or hands them to a StatusNotifier host or a notification server) that guesses the format or takes
    markup, so text that looks like markup, a friendly name ``<b>Me</b>`` say, is escaped.
    """
    if platform.startswith(("win", "darwin")) or not QtGuiNamespace.mightBeRichText(text):
        return text
    return plain_tooltip(text)
