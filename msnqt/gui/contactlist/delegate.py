"""Paints one contact-list row the 1.0 way: a 16 px person icon, the friendly name, and the status suffix.

Section rows are drawn bold with their connected/disconnected computer glyph. The selection is the classic
navy bar behind the text only (not the icon), as Windows 9x list views did.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QIcon, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from msnqt.gui.contactlist.model import IsSectionRole, NameRole, SuffixRole
from msnqt.gui.text.elide import elide_keeping_tail

ICON_SIZE = 16
GAP = 4


class ContactDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        # Width is whatever the list has (names are shortened to it): a long name must not widen the list.
        return QSize(ICON_SIZE + GAP + 40, max(base.height(), ICON_SIZE + 4))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        painter.save()
        rect: QRect = option.rect
        is_section = bool(index.data(IsSectionRole))
        decoration: Any = index.data(Qt.ItemDataRole.DecorationRole)
        top = rect.top() + (rect.height() - ICON_SIZE) // 2
        icon_rect = QRect(rect.left() + 2, top, ICON_SIZE, ICON_SIZE)
        if isinstance(decoration, QIcon):
            decoration.paint(painter, icon_rect)

        font = QFont(option.font)
        font.setBold(is_section)
        painter.setFont(font)
        name = str(index.data(NameRole) or "")
        suffix = "" if is_section else str(index.data(SuffixRole) or "")
        metrics = painter.fontMetrics()
        text_left = icon_rect.right() + GAP + 1
        available = max(0, rect.right() - text_left - 2)
        shown = elide_keeping_tail(metrics, name, suffix, available - 4)  # "(Busy)" is never cut off
        text_rect = QRect(text_left, rect.top(), min(metrics.horizontalAdvance(shown) + 4, available + 2),
                          rect.height())

        palette: QPalette = option.palette
        # Navy while the window is active, grey otherwise: the focused list's selection stands out.
        group = (QPalette.ColorGroup.Active if option.state & QStyle.StateFlag.State_Active
                 else QPalette.ColorGroup.Inactive)
        selected = bool(option.state & QStyle.StateFlag.State_Selected) and not is_section
        if selected:
            painter.fillRect(text_rect, palette.color(group, QPalette.ColorRole.Highlight))
            ink = palette.color(group, QPalette.ColorRole.HighlightedText)
        else:
            ink = palette.color(group, QPalette.ColorRole.Text)
        painter.setPen(ink)
        painter.drawText(text_rect.adjusted(2, 0, 0, 0),
                         int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), shown)
        if option.state & QStyle.StateFlag.State_HasFocus and not is_section:
            # The dotted focus rectangle in the text's own colour: white on navy, black on white.
            pen = QPen(ink)
            pen.setStyle(Qt.PenStyle.DotLine)
            painter.setPen(pen)
            painter.drawRect(text_rect.adjusted(0, 0, -1, -1))
        painter.restore()
