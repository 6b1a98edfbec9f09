"""The contact list stays sorted and sectioned through any sequence of presence, name and list changes.

The model updates rows in place (dataChanged) or moves them (beginMoveRows) instead of rebuilding, so a
user looking at the list sees the same order a fresh sign-in would show, and a view's selection follows
the contact it was on. Qt's own QAbstractItemModelTester watches every signal for contract violations.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPersistentModelIndex, QtMsgType, qInstallMessageHandler
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication

from msnqt.client.model import Contact
from msnqt.gui.contactlist.model import (
    OFFLINE_SECTION,
    ONLINE_SECTION,
    ContactListModel,
    HandleRole,
)
from msnqt.protocol.codes import ListName, Status

HANDLES = [f"user{n}@example.com" for n in range(8)]
NAMES = ["alice", "Alice", "bob", "Zed", "émile", "Bob", "alice "]
FL = frozenset({ListName.FORWARD, ListName.ALLOW})
NOT_FL = frozenset({ListName.ALLOW})

handles = st.sampled_from(HANDLES)
operations = st.one_of(
    st.tuples(st.just("status"), handles, st.sampled_from(list(Status))),
    st.tuples(st.just("rename"), handles, st.sampled_from(NAMES)),
    st.tuples(st.just("lists"), handles, st.sampled_from([FL, NOT_FL])),
    st.tuples(st.just("remove"), handles, st.none()),
)


@pytest.fixture
def model_warnings(qapp: QApplication) -> Iterator[list[str]]:
    """Qt warnings (where QAbstractItemModelTester reports violations) collected for the test."""
    seen: list[str] = []

    def handler(kind: QtMsgType, _context: Any, message: str) -> None:
        if kind != QtMsgType.QtDebugMsg:
            seen.append(message)

    previous = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(previous)


def shown(model: ContactListModel, section: int) -> list[tuple[str, str, Status]]:
    """What the user sees in one section, read through the Qt model interface."""
    parent = model.index(section, 0)
    rows = []
    for row in range(model.rowCount(parent)):
        contact = model.contact_at(model.index(row, 0, parent))
        rows.append((contact.handle, contact.friendly, contact.status))
    return rows


def apply(contacts: dict[str, Contact], model: ContactListModel, op: tuple[str, str, Any]) -> None:
    kind, handle, value = op
    old = contacts.get(handle, Contact(handle, handle, Status.OFFLINE, FL))
    if kind == "remove":
        contacts.pop(handle, None)
        model.remove_contact(handle)
        return
    if kind == "status":
        new = Contact(handle, old.friendly, value, old.lists)
    elif kind == "rename":
        new = Contact(handle, value, old.status, old.lists)
    else:
        new = Contact(handle, old.friendly, old.status, value)
    contacts[handle] = new
    model.update_contact(new)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    start=st.lists(st.tuples(handles, st.sampled_from(NAMES), st.sampled_from(list(Status))), max_size=8),
    ops=st.lists(operations, max_size=40),
)
def test_any_sequence_of_changes_matches_a_freshly_sorted_list(
    model_warnings: list[str], start: list[tuple[str, str, Status]], ops: list[tuple[str, str, Any]]
) -> None:
    contacts = {h: Contact(h, name, status, FL) for h, name, status in start}
    model = ContactListModel()
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    model.reset_contacts(list(contacts.values()))
    for op in ops:
        apply(contacts, model, op)
        for handle in contacts:
            index = model.index_of(handle)
            assert index.data(HandleRole) == handle or ListName.FORWARD not in contacts[handle].lists

    fresh = ContactListModel()
    fresh.reset_contacts(list(contacts.values()))
    for section in (ONLINE_SECTION, OFFLINE_SECTION):
        assert shown(model, section) == shown(fresh, section)
        assert model.section_count(section) == fresh.section_count(section)
    assert [w for w in model_warnings if "FAIL" in w or "modeltest" in w.lower()] == []
    del tester


def test_a_selected_contact_stays_selected_when_it_moves(model_warnings: list[str]) -> None:
    model = ContactListModel()
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning)
    people = [Contact(f"{n}@example.com", n, Status.ONLINE, FL) for n in ("anna", "bert", "carl", "dora")]
    model.reset_contacts(people)
    held = QPersistentModelIndex(model.index_of("bert@example.com"))

    model.update_contact(Contact("bert@example.com", "zeta", Status.ONLINE, FL))  # moves down
    assert held.data(HandleRole) == "bert@example.com"
    assert [c.handle for c in model.contacts_in(ONLINE_SECTION)][-1] == "bert@example.com"

    model.update_contact(Contact("bert@example.com", "zeta", Status.OFFLINE, FL))  # other section
    assert held.data(HandleRole) == "bert@example.com"
    assert held.parent().row() == OFFLINE_SECTION

    model.update_contact(Contact("bert@example.com", "aaron", Status.BUSY, FL))  # back, to the top
    assert held.data(HandleRole) == "bert@example.com"
    assert (held.parent().row(), held.row()) == (ONLINE_SECTION, 0)
    assert [w for w in model_warnings if "FAIL" in w] == []
    del tester


def test_a_status_only_change_is_one_data_changed_on_that_row(qapp: QApplication) -> None:
    model = ContactListModel()
    people = [Contact(f"{n}@example.com", n, Status.ONLINE, FL) for n in ("anna", "bert", "carl")]
    model.reset_contacts(people)
    changed: list[tuple[int, int]] = []
    moved: list[Any] = []
    model.dataChanged.connect(lambda top, _bottom, _roles=(): changed.append((top.parent().row(), top.row())))
    model.rowsMoved.connect(lambda *args: moved.append(args))

    model.update_contact(Contact("bert@example.com", "bert", Status.AWAY, FL))

    assert changed == [(ONLINE_SECTION, 1)]
    assert moved == []
    assert model.contact_at(model.index_of("bert@example.com")).status == Status.AWAY
