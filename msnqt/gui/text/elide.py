"""Friendly names as text, whatever they contain and however long they are.

A name may be 387 encoded bytes long and may hold ``&``, which Qt reads as a keyboard mnemonic on buttons
and in menus ("a+b=c & d" would show as "a+b=c _d"). Every place that puts a name into such a widget goes
through :func:`no_mnemonic`; every place that shows a name on one line elides the *name* and never the
status after it ("Carol (the very long...) (Be Right Back)" keeps "(Be Right Back)"), with the whole text
in the tool tip, so one long name cannot widen a window.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QWidget

from msnqt.gui.text.plain_text import plain_tooltip

ELLIPSIS_MIN = 40  # px a label asks for at least, so an empty window still shows something


def no_mnemonic(text: str) -> str:
    """``text`` for a button or menu entry, with every ``&`` shown as itself (Qt's ``&&``)."""
    return text.replace("&", "&&")


def tooltip(text: str) -> str:
    """``text`` for a tool tip, shown literally (see :mod:`msnqt.gui.text.plain_text`)."""
    return plain_tooltip(text)


def elide_keeping_tail(metrics: QFontMetrics, head: str, tail: str, width: int) -> str:
    """``head + tail`` in ``width`` pixels, shortening ``head`` (with "...") but never ``tail``."""
    if metrics.horizontalAdvance(head + tail) <= width:
        return head + tail
    room = max(0, width - metrics.horizontalAdvance(tail))
    return metrics.elidedText(head, Qt.TextElideMode.ElideRight, room) + tail


class ElidedLabel(QLabel):
    """A one-line plain-text label that elides its head to fit and never asks for more width than it has.

    ``set_parts(head, tail)`` keeps ``tail`` whole. ``text()`` (and so the accessible name screen readers
    read) stays the full text; only the painting is shortened, and the tool tip then shows it all.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._head = ""
        self._tail = ""
        self._own_tooltip = ""

    def set_parts(self, head: str, tail: str = "") -> None:
        self._head, self._tail = head, tail
        self.setText(head + tail)
        self._update_tooltip()

    def setToolTip(self, text: str) -> None:
        self._own_tooltip = text
        self._update_tooltip()

    def _text_rect(self) -> QRect:
        """Where QLabel would put the text: inside the frame and margin, indented as QLabel indents."""
        indent = self.indent()
        if indent < 0:
            indent = self.fontMetrics().horizontalAdvance("x") // 2 if self.frameWidth() > 0 else 0
        m = self.margin()
        return self.contentsRect().adjusted(m + indent, m, -m, -m)

    def shown_text(self) -> str:
        """What is painted at the current width (for tests and the tool tip decision)."""
        width = max(0, self._text_rect().width())
        return elide_keeping_tail(self.fontMetrics(), self._head or self.text(), self._tail, width)

    def elided(self) -> bool:
        return self.shown_text() != self.text()

    def minimumSizeHint(self) -> QSize:
        return QSize(ELLIPSIS_MIN, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(ELLIPSIS_MIN, super().sizeHint().height())

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._update_tooltip()

    def paintEvent(self, event: QPaintEvent) -> None:
        QFrame.paintEvent(self, event)  # the frame only (QLabel's own would paint the whole text)
        painter = QPainter(self)
        self.style().drawItemText(painter, self._text_rect(), int(self.alignment()), self.palette(),
                                  self.isEnabled(), self.shown_text(), self.foregroundRole())
        painter.end()

    def _update_tooltip(self) -> None:
        full = self.text()
        parts = [self._own_tooltip] if self._own_tooltip else []
        if full and self.elided():
            parts.insert(0, full)
        super().setToolTip(tooltip("\n".join(parts)) if parts else "")
