"""Telling a screen reader something happened that the user did not cause: a message arrived, someone is
typing. Focus stays where the user is typing; the screen reader speaks the text (Qt's announcement event,
polite unless the caller says otherwise) and says nothing when no assistive technology is running."""

from __future__ import annotations

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QWidget


def say(widget: QWidget, text: str, *, assertive: bool = False) -> None:
    """Ask assistive technology to speak ``text`` on behalf of ``widget``."""
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if assertive
                        else QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)
