"""Tools > Options: tabs Personal, Preferences, Privacy, Connection (the 4.x order without Phone).

Each tab is its own module so two engineers can work on it at once. A tab is any QWidget; if it has an
``apply()`` method the dialog calls it on OK and Apply, which is where a tab sends its changes (REA, BLP,
GTC, list moves) or stores settings. Tabs get the session so they can read lists and send commands.
An ``apply()`` that returns ``False`` refused the input (it says why on its own page): OK then keeps the
dialog open on that tab instead of silently dropping the edit.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from msnqt.gui.app.resources import icon
from msnqt.gui.options.connection import ConnectionTab
from msnqt.gui.options.personal import PersonalTab
from msnqt.gui.options.preferences import PreferencesTab
from msnqt.gui.options.privacy import PrivacyTab
from msnqt.gui.session.state import GuiSession

TITLE = "Options"
TAB_NAMES = ("Personal", "Preferences", "Privacy", "Connection")
TAB_LABELS = ("&Personal", "Pr&eferences", "Privac&y", "&Connection")
"""Tab captions with Alt mnemonics unique across the dialog (no page uses E, Y, C or P for its controls)."""


class ApplicableTab(Protocol):
    def apply(self) -> bool | None: ...


class OptionsDialog(QDialog):
    """Open with ``open()``; OK and Apply call every tab's ``apply()``, Cancel drops unsent edits."""

    def __init__(self, session: GuiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(TITLE)
        self.setWindowIcon(icon("app"))
        self.setAccessibleName(TITLE)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Option categories")
        self.personal_tab = PersonalTab(session, self)
        self.preferences_tab = PreferencesTab(session, self)
        self.privacy_tab = PrivacyTab(session, self)
        self.connection_tab = ConnectionTab(session, self)
        for name, label, tab in zip(TAB_NAMES, TAB_LABELS, self.all_tabs(), strict=True):
            tab.setAccessibleName(f"{name} options")
            self.tabs.addTab(tab, label)  # Alt+letter or Ctrl+Tab switches
        layout.addWidget(self.tabs)
        standard = QDialogButtonBox.StandardButton
        self.buttons = QDialogButtonBox(standard.Ok | standard.Cancel | standard.Apply, self)
        self.buttons.setAccessibleName("Dialog buttons")
        for which, name in ((standard.Ok, "OK"), (standard.Cancel, "Cancel"), (standard.Apply, "Apply")):
            self.buttons.button(which).setAccessibleName(name)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(standard.Apply).clicked.connect(self.apply)
        layout.addWidget(self.buttons)
        self.resize(440, 440)

    def all_tabs(self) -> tuple[QWidget, ...]:
        return (self.personal_tab, self.preferences_tab, self.privacy_tab, self.connection_tab)

    def apply(self) -> bool:
        """Hand every tab the chance to send or store its changes; False, with the first refusing tab
        shown, when a tab refused its input (the other tabs still applied theirs)."""
        refused: QWidget | None = None
        for tab in self.all_tabs():
            applier = getattr(tab, "apply", None)
            if callable(applier) and applier() is False and refused is None:
                refused = tab
        if refused is not None:
            self.tabs.setCurrentWidget(refused)
            focus_problem = getattr(refused, "focus_problem", None)
            if callable(focus_problem):
                focus_problem()
            return False
        return True

    def _on_ok(self) -> None:
        if self.apply():
            self.accept()
