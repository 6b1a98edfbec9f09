"""The contact list as a two-level tree: two section rows ("Contacts Currently Online", "Contacts Not
Online") whose children are the forward-list contacts, sorted by friendly name.

Heading wording: ui-fidelity §3 and §14.7 keep the title-case "Contacts Currently Online" / "Contacts Not
Online" as the working hypothesis and find no evidence for a "(n)" count, so none is shown; the counts are
available as :meth:`ContactListModel.section_count` for tests and accessibility text.

Updates are incremental (remove + insert, or dataChanged) so the view keeps its expansion state.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from msnqt.gui.resources import icon
from msnqt.gui.status_text import contact_suffix, status_icon_name
from msnqt.protocol.codes import ListName, Status

ONLINE_SECTION, OFFLINE_SECTION = 0, 1
SECTION_TITLES = ("Contacts Currently Online", "Contacts Not Online")
SECTION_ICONS = ("section-online", "section-offline")

HandleRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
IsSectionRole = Qt.ItemDataRole.UserRole + 3
NameRole = Qt.ItemDataRole.UserRole + 4      # the friendly name without the status suffix
SuffixRole = Qt.ItemDataRole.UserRole + 5    # " (Busy)" etc.
BlockedRole = Qt.ItemDataRole.UserRole + 6

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


def _section_of(contact: Any) -> int:
    return OFFLINE_SECTION if contact.status in (Status.OFFLINE, Status.HIDDEN) else ONLINE_SECTION


def _sort_key(contact: Any) -> tuple[str, str]:
    return (contact.friendly.casefold(), contact.handle)


class ContactListModel(QAbstractItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._sections: tuple[list[Any], list[Any]] = ([], [])

    # --- feeding -----------------------------------------------------------------------------------
    def reset_contacts(self, contacts: list[Any]) -> None:
        """Replace everything (after ListsLoaded, or empty on sign-out)."""
        self.beginResetModel()
        self._sections = ([], [])
        for contact in contacts:
            if ListName.FORWARD in contact.lists:
                self._sections[_section_of(contact)].append(contact)
        for rows in self._sections:
            rows.sort(key=_sort_key)
        self.endResetModel()

    def update_contact(self, contact: Any) -> None:
        """Apply a ContactChanged: presence, name or list membership."""
        where = self._find(contact.handle)
        if ListName.FORWARD not in contact.lists:
            if where is not None:
                self._remove_at(*where)
            return
        target = _section_of(contact)
        if where is not None:
            section, row = where
            rows = self._sections[section]
            others = rows[:row] + rows[row + 1:]
            new_row = self._insert_position(others, contact)
            if section == target and new_row == row:
                rows[row] = contact
                idx = self.index(row, 0, self.index(section, 0))
                self.dataChanged.emit(idx, idx)
                return
            self._remove_at(section, row)
        rows = self._sections[target]
        new_row = self._insert_position(rows, contact)
        self.beginInsertRows(self.index(target, 0), new_row, new_row)
        rows.insert(new_row, contact)
        self.endInsertRows()
        self._emit_section_changed(target)

    def remove_contact(self, handle: str) -> None:
        where = self._find(handle)
        if where is not None:
            self._remove_at(*where)

    # --- queries ---------------------------------------------------------------------------------
    def section_count(self, section: int) -> int:
        return len(self._sections[section])

    def contacts_in(self, section: int) -> list[Any]:
        return list(self._sections[section])

    def contact_at(self, index: _Index) -> Any | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        return self._sections[index.internalId() - 1][index.row()]

    def index_of(self, handle: str) -> QModelIndex:
        where = self._find(handle)
        if where is None:
            return QModelIndex()
        return self.index(where[1], 0, self.index(where[0], 0))

    # --- QAbstractItemModel ------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: _Index = _ROOT) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, 0) if row < 2 else QModelIndex()
        if parent.internalId() != 0:
            return QModelIndex()
        section = parent.row()
        if row >= len(self._sections[section]):
            return QModelIndex()
        return self.createIndex(row, 0, section + 1)

    def parent(self, index: _Index = _ROOT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: _Index = _ROOT) -> int:
        if not parent.isValid():
            return 2
        if parent.internalId() == 0:
            return len(self._sections[parent.row()])
        return 0

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 1

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == 0:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._section_data(index.row(), role)
        contact = self._sections[index.internalId() - 1][index.row()]
        blocked = ListName.BLOCK in contact.lists
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return contact.friendly + contact_suffix(contact.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{contact.friendly} <{contact.handle}>"
        if role == Qt.ItemDataRole.DecorationRole:
            return icon(status_icon_name(contact.status, blocked=blocked))
        if role == HandleRole:
            return contact.handle
        if role == StatusRole:
            return contact.status
        if role == NameRole:
            return contact.friendly
        if role == SuffixRole:
            return contact_suffix(contact.status)
        if role == BlockedRole:
            return blocked
        if role == IsSectionRole:
            return False
        return None

    def _section_data(self, section: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, NameRole):
            return SECTION_TITLES[section]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{SECTION_TITLES[section]}, {len(self._sections[section])} contacts"
        if role == Qt.ItemDataRole.DecorationRole:
            return icon(SECTION_ICONS[section])
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == IsSectionRole:
            return True
        return None

    # --- helpers ---------------------------------------------------------------------------------
    def _find(self, handle: str) -> tuple[int, int] | None:
        for section, rows in enumerate(self._sections):
            for row, contact in enumerate(rows):
                if contact.handle == handle:
                    return section, row
        return None

    @staticmethod
    def _insert_position(rows: list[Any], contact: Any) -> int:
        key = _sort_key(contact)
        for pos, other in enumerate(rows):
            if key < _sort_key(other):
                return pos
        return len(rows)

    def _remove_at(self, section: int, row: int) -> None:
        self.beginRemoveRows(self.index(section, 0), row, row)
        del self._sections[section][row]
        self.endRemoveRows()
        self._emit_section_changed(section)

    def _emit_section_changed(self, section: int) -> None:
        idx = self.index(section, 0)
        self.dataChanged.emit(idx, idx)
