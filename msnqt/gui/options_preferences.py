"""Options > Preferences tab (placeholder: filled in by the engineer who owns this tab)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from msnqt.gui.session import GuiSession


class PreferencesTab(QWidget):
    """Empty for now; give it an ``apply()`` to act on OK/Apply (see options_dialog)."""

    def __init__(self, session: GuiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
