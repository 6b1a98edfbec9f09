"""The contact list as a two-level tree: two section rows ("Contacts Currently Online", "Contacts Not
Online") whose children are the forward-list contacts, sorted by friendly name.

Heading wording: ui-fidelity §3 and §14.7 keep the title-case "Contacts Currently Online" / "Contacts Not
Online" as the working hypothesis and find no evidence for a "(n)" count, so none is shown; the counts are
available as :meth:`ContactListModel.section_count` for tests and accessibility text.

Updates are incremental (a row move, or dataChanged) so the view keeps its expansion state. A presence
change costs O(log n) comparisons: with 1,000 contacts and 1,000 NLNs a second, a linear scan per NLN was
most of the GUI loop's time (bench/README.md, "loop lag"). Each section keeps its rows and, in a parallel
list, their sort keys; a handle → (section, key) map finds a row by bisecting the keys.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from msnqt.gui.app.resources import icon
from msnqt.gui.text.plain_text import plain_tooltip
from msnqt.gui.text.status_text import contact_suffix, status_icon_name, status_label
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
_CONTACT_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


def _section_of(contact: Any) -> int:
    return OFFLINE_SECTION if contact.status in (Status.OFFLINE, Status.HIDDEN) else ONLINE_SECTION


def _sort_key(contact: Any) -> tuple[str, str]:
    return (contact.friendly.casefold(), contact.handle)


class ContactListModel(QAbstractItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._sections: tuple[list[Any], list[Any]] = ([], [])
        # _keys[s][i] == _sort_key(_sections[s][i]), kept so bisecting never recomputes a casefold.
        self._keys: tuple[list[tuple[str, str]], list[tuple[str, str]]] = ([], [])
        self._where: dict[str, tuple[int, tuple[str, str]]] = {}

    # --- feeding -----------------------------------------------------------------------------------
    def reset_contacts(self, contacts: Sequence[Any]) -> None:
        """Replace everything (after ListsLoaded, or empty on sign-out)."""
        self.beginResetModel()
        latest = {c.handle: c for c in contacts if ListName.FORWARD in c.lists}
        self._where = {}
        pairs: tuple[list[tuple[tuple[str, str], Any]], ...] = ([], [])
        for contact in latest.values():
            key, section = _sort_key(contact), _section_of(contact)
            pairs[section].append((key, contact))
            self._where[contact.handle] = (section, key)
        for section_pairs in pairs:
            section_pairs.sort(key=lambda pair: pair[0])
        self._sections = ([c for _k, c in pairs[0]], [c for _k, c in pairs[1]])
        self._keys = ([k for k, _c in pairs[0]], [k for k, _c in pairs[1]])
        self.endResetModel()

    def update_contact(self, contact: Any) -> None:
        """Apply a ContactChanged: presence, name or list membership.

        A change that keeps the row where it is (the usual NLN: status only) is one dataChanged; a change
        of section or name moves the row with beginMoveRows, so views keep selection and expansion.
        """
        where = self._find(contact.handle)
        if ListName.FORWARD not in contact.lists:
            if where is not None:
                self._remove_at(*where)
            return
        target, key = _section_of(contact), _sort_key(contact)
        if where is None:
            self._insert(target, key, contact)
            return
        section, row = where
        keys = self._keys[section]
        if section == target and _still_in_order(keys, row, key):
            self._sections[section][row] = contact
            keys[row] = key
            self._where[contact.handle] = (section, key)
            idx = self.index(row, 0, self.index(section, 0))
            self.dataChanged.emit(idx, idx)
            return
        self._move(section, row, target, key, contact)

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
        # ItemNeverHasChildren keeps QTreeView.expandAll() from holding a persistent index per contact:
        # Qt walks every persistent index (calling parent()) on each row insert, remove or move.
        return _CONTACT_FLAGS

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._section_data(index.row(), role)
        contact = self._sections[index.internalId() - 1][index.row()]
        blocked = ListName.BLOCK in contact.lists
        if role == Qt.ItemDataRole.DisplayRole:
            return contact.friendly + contact_suffix(contact.status)
        if role == Qt.ItemDataRole.AccessibleTextRole:  # what the icon shows, in words
            state = "Online" if contact.status is Status.ONLINE else status_label(contact.status)
            return f"{contact.friendly}, {state}" + (", blocked" if blocked else "")
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole name, even when the row shortens it
            state = "Blocked" if blocked else status_label(contact.status)
            return plain_tooltip(f"{contact.friendly} <{contact.handle}>\n{state}")
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
            count = len(self._sections[section])
            return f"{SECTION_TITLES[section]}, {count} contact{'' if count == 1 else 's'}"
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
        found = self._where.get(handle)
        if found is None:
            return None
        section, key = found
        return section, bisect_left(self._keys[section], key)

    def _insert(self, section: int, key: tuple[str, str], contact: Any) -> None:
        row = bisect_right(self._keys[section], key)
        self.beginInsertRows(self.index(section, 0), row, row)
        self._sections[section].insert(row, contact)
        self._keys[section].insert(row, key)
        self._where[contact.handle] = (section, key)
        self.endInsertRows()
        self._emit_section_changed(section)

    def _move(self, section: int, row: int, target: int, key: tuple[str, str], contact: Any) -> None:
        """Move the row at (section, row) to its sorted place in ``target``, replacing the contact."""
        keys = self._keys[target]
        # The position among the *other* rows: within one section, the row itself is still in keys.
        new_row = bisect_right(keys, key)
        if target == section and new_row > row:
            new_row -= 1
        # Qt's destination is counted before the removal: moving down within a parent means row + 1 past it.
        destination = new_row + 1 if target == section and new_row > row else new_row
        source_parent, target_parent = self.index(section, 0), self.index(target, 0)
        moved = self.beginMoveRows(source_parent, row, row, target_parent, destination)
        if not moved:  # Qt refuses no-op moves; the caller has ruled those out, but stay consistent.
            self._remove_at(section, row)
            self._insert(target, key, contact)
            return
        del self._sections[section][row]
        del self._keys[section][row]
        self._sections[target].insert(new_row, contact)
        keys.insert(new_row, key)
        self._where[contact.handle] = (target, key)
        self.endMoveRows()
        idx = self.index(new_row, 0, target_parent)
        self.dataChanged.emit(idx, idx)
        if target != section:
            self._emit_section_changed(section)
            self._emit_section_changed(target)

    def _remove_at(self, section: int, row: int) -> None:
        self.beginRemoveRows(self.index(section, 0), row, row)
        handle = self._sections[section][row].handle
        del self._sections[section][row]
        del self._keys[section][row]
        del self._where[handle]
        self.endRemoveRows()
        self._emit_section_changed(section)

    def _emit_section_changed(self, section: int) -> None:
        idx = self.index(section, 0)
        self.dataChanged.emit(idx, idx)


def _still_in_order(keys: list[tuple[str, str]], row: int, key: tuple[str, str]) -> bool:
    """Whether ``key`` may replace ``keys[row]`` without breaking the order (keys are unique by handle)."""
    return (row == 0 or keys[row - 1] < key) and (row + 1 == len(keys) or key < keys[row + 1])
