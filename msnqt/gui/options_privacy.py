"""Options > Privacy tab."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from msnqt.gui.session import GuiSession


class PrivacyTab(QWidget):
    def __init__(self, session: GuiSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
