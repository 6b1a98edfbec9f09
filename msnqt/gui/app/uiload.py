"""Load a Qt Designer form from ``ui/`` into a host widget (QUiLoader, no compile step)."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QFile, QIODevice, QObject
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QWidget

from msnqt.gui.app.resources import ui_path

T = TypeVar("T", bound=QObject)


def load_form(name: str, parent: QWidget | None = None) -> QWidget:
    """Build the widget tree of ``ui/<name>.ui`` as a child of ``parent``."""
    path = ui_path(name)
    file = QFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FileNotFoundError(f"cannot open form {path}")
    try:
        widget = QUiLoader().load(file, parent)
    finally:
        file.close()
    if widget is None:
        raise RuntimeError(f"cannot load form {path}")
    return widget


def child(form: QWidget, kind: type[T], name: str) -> T:
    """The named widget of a loaded form; a missing one is a programming error, so fail loudly."""
    found = form.findChild(kind, name)
    if found is None:
        raise LookupError(f"form {form.objectName()} has no {kind.__name__} named {name}")
    return found
