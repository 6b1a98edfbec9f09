"""The 1999 look: Qt's classic Windows 9x style with a Windows 98 palette and a small sans font.

Qt's "Windows" style already draws bevelled grey buttons and sunken white panes on every platform; we only
give it the classic colours (ButtonFace #C0C0C0, white bases, navy selection) and an 8-9 pt font. No
Microsoft font is bundled: DejaVu Sans (or the system sans) stands in for MS Sans Serif.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleHintReturn,
    QStyleOption,
    QWidget,
)

from msnqt.gui.app.resources import icon

BUTTON_FACE = QColor("#c0c0c0")
NAVY = QColor("#000080")
GREY_TEXT = QColor("#808080")
FONT_POINT_SIZE = 8


def classic_palette() -> QPalette:
    """The Windows 98 "Windows Standard" scheme as a QPalette."""
    pal = QPalette()
    black, white = QColor("#000000"), QColor("#ffffff")
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        pal.setColor(group, QPalette.ColorRole.Window, BUTTON_FACE)
        pal.setColor(group, QPalette.ColorRole.Button, BUTTON_FACE)
        pal.setColor(group, QPalette.ColorRole.Base, white)
        pal.setColor(group, QPalette.ColorRole.AlternateBase, QColor("#f0f0f0"))
        pal.setColor(group, QPalette.ColorRole.WindowText, black)
        pal.setColor(group, QPalette.ColorRole.ButtonText, black)
        pal.setColor(group, QPalette.ColorRole.Text, black)
        pal.setColor(group, QPalette.ColorRole.Highlight, NAVY)
        pal.setColor(group, QPalette.ColorRole.HighlightedText, white)
        pal.setColor(group, QPalette.ColorRole.Light, white)
        pal.setColor(group, QPalette.ColorRole.Midlight, QColor("#dfdfdf"))
        pal.setColor(group, QPalette.ColorRole.Mid, GREY_TEXT)
        pal.setColor(group, QPalette.ColorRole.Dark, GREY_TEXT)
        pal.setColor(group, QPalette.ColorRole.Shadow, black)
        pal.setColor(group, QPalette.ColorRole.ToolTipBase, QColor("#ffffe1"))
        pal.setColor(group, QPalette.ColorRole.ToolTipText, black)
        pal.setColor(group, QPalette.ColorRole.Link, QColor("#0000ff"))
        pal.setColor(group, QPalette.ColorRole.LinkVisited, QColor("#800080"))
    disabled = QPalette.ColorGroup.Disabled
    pal.setColor(disabled, QPalette.ColorRole.Window, BUTTON_FACE)
    pal.setColor(disabled, QPalette.ColorRole.Button, BUTTON_FACE)
    pal.setColor(disabled, QPalette.ColorRole.Base, BUTTON_FACE)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text):
        pal.setColor(disabled, role, GREY_TEXT)
    pal.setColor(disabled, QPalette.ColorRole.Light, white)
    # A highlighted disabled menu item keeps the navy bar (grey on grey was a blank bar) and its grey text.
    pal.setColor(disabled, QPalette.ColorRole.Highlight, NAVY)
    pal.setColor(disabled, QPalette.ColorRole.HighlightedText, BUTTON_FACE)
    # A selection in a list without the keyboard focus is grey, so the focused one stands out (9x did so).
    inactive = QPalette.ColorGroup.Inactive
    pal.setColor(inactive, QPalette.ColorRole.Highlight, BUTTON_FACE)
    pal.setColor(inactive, QPalette.ColorRole.HighlightedText, black)
    return pal


def classic_font() -> QFont:
    font = QFont("DejaVu Sans")
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPointSize(FONT_POINT_SIZE)
    return font


MESSAGE_BOX_ICONS = {
    QStyle.StandardPixmap.SP_MessageBoxInformation: "msgbox-information",
    QStyle.StandardPixmap.SP_MessageBoxQuestion: "msgbox-question",
    QStyle.StandardPixmap.SP_MessageBoxWarning: "msgbox-warning",
    QStyle.StandardPixmap.SP_MessageBoxCritical: "msgbox-critical",
}
"""Message boxes get 9x-style icons (speech bubble with i or ?, yellow triangle, red circle): our own
drawings in resources/icons, not the platform's theme icons Qt would pick."""


class ClassicStyle(QProxyStyle):
    """Qt's Windows style with the 9x details it lacks: passwords echo as ``*``, not as bullets, and
    message boxes carry 9x-style icons (our drawings)."""

    def standardIcon(self, standardIcon: QStyle.StandardPixmap, option: QStyleOption | None = None,
                     widget: QWidget | None = None) -> QIcon:
        name = MESSAGE_BOX_ICONS.get(standardIcon)
        if name is not None:
            return icon(name)
        return super().standardIcon(standardIcon, option, widget)

    def styleHint(self, hint: QStyle.StyleHint, option: QStyleOption | None = None,
                  widget: QWidget | None = None, returnData: QStyleHintReturn | None = None) -> int:
        if hint == QStyle.StyleHint.SH_LineEdit_PasswordCharacter:
            return ord("*")
        return super().styleHint(hint, option, widget, returnData)


def apply_classic_look(app: QApplication) -> None:
    """Give the whole application the 1999 look (call once, before creating windows)."""
    base = QStyleFactory.create("Windows")
    if base is not None:
        app.setStyle(ClassicStyle(base))
    app.setPalette(classic_palette())
    app.setFont(classic_font())
    app.setWindowIcon(icon("app"))
