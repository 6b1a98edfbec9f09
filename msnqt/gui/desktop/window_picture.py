"""A picture of windows as a 1999 reviewer saw them: each under a navy caption with its title and caption
buttons, side by side on a teal desktop. ``msnqt --demo --screenshot`` saves one.

A bare X server (or the offscreen platform) draws no window decorations and ``QWidget.grab`` never includes
them, so the frame is painted here, with plain lines (no Microsoft artwork).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter
from PySide6.QtWidgets import QWidget


def place_side_by_side(main_window: QWidget, conversation: QWidget) -> None:
    """The main window top left, the conversation to its right, as the picture shows them."""
    main_window.move(16, 16)
    conversation.move(main_window.frameGeometry().right() + 16, 16)


CAPTION_HEIGHT = 18
CAPTION_BUTTON = 14
FRAME = 3
GAP = 16


def _caption_buttons(painter: QPainter, caption: QRect) -> None:
    """Minimise, maximise and close boxes at the right of a caption, drawn with plain lines."""
    top = caption.top() + (CAPTION_HEIGHT - CAPTION_BUTTON) // 2
    for index, glyph in enumerate(("close", "maximise", "minimise")):
        left = caption.right() - 2 - (index + 1) * (CAPTION_BUTTON + 2) + (2 if index == 0 else 0)
        box = QRect(left, top, CAPTION_BUTTON + 2, CAPTION_BUTTON)
        painter.fillRect(box, QColor("#c0c0c0"))
        painter.setPen(QColor("#ffffff"))
        painter.drawLine(box.topLeft(), box.topRight())
        painter.drawLine(box.topLeft(), box.bottomLeft())
        painter.setPen(QColor("#404040"))
        painter.drawLine(box.bottomLeft(), box.bottomRight())
        painter.drawLine(box.topRight(), box.bottomRight())
        painter.setPen(QColor("#000000"))
        inner = box.adjusted(4, 3, -5, -4)
        if glyph == "close":
            painter.drawLine(inner.topLeft(), inner.bottomRight())
            painter.drawLine(inner.topRight(), inner.bottomLeft())
        elif glyph == "maximise":
            painter.drawRect(inner)
            painter.drawLine(inner.topLeft() + QPoint(0, 1), inner.topRight() + QPoint(0, 1))
        else:
            painter.drawLine(inner.bottomLeft(), inner.bottomLeft() + QPoint(5, 0))
            painter.drawLine(inner.bottomLeft() + QPoint(0, -1), inner.bottomLeft() + QPoint(5, -1))


def side_by_side_image(*windows: QWidget) -> QImage:
    """Both windows on a teal 1999 desktop, each under a navy caption with its title, as a reviewer would
    have seen them (a bare X server draws no window decorations, and ``grab`` never includes them)."""
    shots = [w.grab() for w in windows]
    width = GAP + sum(s.width() + 2 * FRAME + GAP for s in shots)
    height = GAP * 2 + max(s.height() for s in shots) + CAPTION_HEIGHT + 2 * FRAME
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#008080"))
    painter = QPainter(image)
    font = QFont(painter.font())
    font.setBold(True)
    font.setPixelSize(11)
    painter.setFont(font)
    x = GAP
    for window, shot in zip(windows, shots, strict=True):
        outer = QRect(x, GAP, shot.width() + 2 * FRAME, shot.height() + CAPTION_HEIGHT + 2 * FRAME)
        painter.fillRect(outer, QColor("#c0c0c0"))
        painter.setPen(QColor("#ffffff"))
        painter.drawLine(outer.topLeft(), outer.topRight())
        painter.drawLine(outer.topLeft(), outer.bottomLeft())
        painter.setPen(QColor("#404040"))
        painter.drawLine(outer.bottomLeft(), outer.bottomRight())
        painter.drawLine(outer.topRight(), outer.bottomRight())
        caption = QRect(x + FRAME, GAP + FRAME, shot.width(), CAPTION_HEIGHT)
        gradient = QLinearGradient(caption.topLeft(), caption.topRight())
        gradient.setColorAt(0.0, QColor("#000080"))
        gradient.setColorAt(1.0, QColor("#1084d0"))
        painter.fillRect(caption, gradient)
        _caption_buttons(painter, caption)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(caption.adjusted(4, 0, -3 * (CAPTION_BUTTON + 2) - 4, 0),
                         int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                         window.windowTitle())
        painter.drawPixmap(QPoint(x + FRAME, GAP + FRAME + CAPTION_HEIGHT), shot)
        x += outer.width() + GAP
    painter.end()
    return image
