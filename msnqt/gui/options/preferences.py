"""Options > Preferences: sign in automatically, run at log-in, Idle after n minutes, online alerts, sounds.

Wording follows the 4.x Preferences tab (ui-fidelity §8, the closest evidence for a pre-6.x look), adapted
where our behaviour differs: we set "Idle" (1.0's automatic state), not "Away", and the log-in entry is the
platform's own autostart mechanism (``msnqt.gui.desktop.autostart``). Nothing is stored until OK or Apply.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from msnqt.gui.desktop import autostart
from msnqt.gui.session.state import GuiSession

MAX_IDLE_MINUTES = 99


class PreferencesTab(QWidget):
    """``apply()`` stores the choices in the session's settings and creates or removes the autostart
    entry; a failure there is shown in ``error_label`` and the checkbox goes back to the truth."""

    def __init__(self, session: GuiSession, parent: QWidget | None = None, *,
                 autostart_enabled: Callable[[], bool] = autostart.is_enabled,
                 set_autostart: Callable[[bool], None] = autostart.set_enabled) -> None:
        super().__init__(parent)
        self.session = session
        self._autostart_enabled = autostart_enabled
        self._set_autostart = set_autostart
        settings = session.settings
        layout = QVBoxLayout(self)

        general = QGroupBox("General", self)
        general_layout = QVBoxLayout(general)
        self.auto_sign_in = QCheckBox("Automatically &sign me in when this program starts", general)
        self.auto_sign_in.setAccessibleName("Automatically sign me in when this program starts")
        self.auto_sign_in.setAccessibleDescription("Uses the account and password you chose to remember")
        self.run_at_login = QCheckBox("&Run this program when I log on to my computer", general)
        self.run_at_login.setAccessibleName("Run this program when I log on to my computer")
        general_layout.addWidget(self.auto_sign_in)
        general_layout.addWidget(self.run_at_login)
        idle_row = QHBoxLayout()
        self.idle_check = QCheckBox("Show me as &Idle when I'm inactive for", general)
        self.idle_check.setAccessibleName("Show me as Idle when I'm inactive")
        self.idle_minutes = QSpinBox(general)
        self.idle_minutes.setRange(1, MAX_IDLE_MINUTES)
        self.idle_minutes.setAccessibleName("Minutes of inactivity before Idle")
        minutes_label = QLabel("minutes", general)
        minutes_label.setBuddy(self.idle_minutes)
        idle_row.addWidget(self.idle_check)
        idle_row.addWidget(self.idle_minutes)
        idle_row.addWidget(minutes_label)
        idle_row.addStretch(1)
        general_layout.addLayout(idle_row)
        # Say what "inactive" means here: the whole desktop's input, or (where the desktop will not tell)
        # only input to this program's windows.
        self.idle_note = QLabel(session.idle.description, general)
        self.idle_note.setWordWrap(True)
        self.idle_note.setAccessibleName("How inactivity is measured")
        self.idle_note.setContentsMargins(20, 0, 0, 0)
        general_layout.addWidget(self.idle_note)
        self.idle_check.toggled.connect(self.idle_minutes.setEnabled)
        layout.addWidget(general)

        alerts = QGroupBox("Alerts", self)
        alerts_layout = QVBoxLayout(alerts)
        self.alert_on_online = QCheckBox("Display &alerts when contacts come online", alerts)
        self.alert_on_online.setAccessibleName("Display alerts when contacts come online")
        self.sounds_on = QCheckBox("Play a soun&d when contacts sign in, send a message\nor new e-mail "
                                   "arrives", alerts)
        self.sounds_on.setAccessibleName(
            "Play a sound when contacts sign in, send a message or new e-mail arrives")
        alerts_layout.addWidget(self.alert_on_online)
        alerts_layout.addWidget(self.sounds_on)
        layout.addWidget(alerts)

        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #800000")
        self.error_label.setAccessibleName("Preferences problem")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        self.auto_sign_in.setChecked(settings.auto_sign_in)
        self.run_at_login.setChecked(self._autostart_now())
        minutes = settings.idle_minutes
        self.idle_check.setChecked(minutes > 0)
        self.idle_minutes.setValue(min(MAX_IDLE_MINUTES, max(1, round(minutes or 5))))
        self.idle_minutes.setEnabled(minutes > 0)
        self.alert_on_online.setChecked(settings.alert_on_online)
        self.sounds_on.setChecked(settings.sounds_on)

    def _autostart_now(self) -> bool:
        try:
            return self._autostart_enabled()
        except (OSError, autostart.AutostartError):
            return self.session.settings.run_at_login

    def apply(self) -> bool:
        """Store the preferences; False when run-at-login could not be changed (the tab says why)."""
        settings = self.session.settings
        settings.auto_sign_in = self.auto_sign_in.isChecked()
        minutes = float(self.idle_minutes.value()) if self.idle_check.isChecked() else 0.0
        if minutes != settings.idle_minutes:
            self.session.idle.set_timeout(int(minutes * 60_000))  # live, not only at the next start
        settings.idle_minutes = minutes
        settings.alert_on_online = self.alert_on_online.isChecked()
        settings.sounds_on = self.sounds_on.isChecked()
        self.error_label.hide()
        wanted = self.run_at_login.isChecked()
        refused = False
        if wanted != self._autostart_now():
            try:
                self._set_autostart(wanted)
            except autostart.AutostartError as exc:
                self.error_label.setText(str(exc))
                self.error_label.show()
                self.run_at_login.setChecked(not wanted)
                wanted = not wanted
                refused = True
        settings.run_at_login = wanted
        settings.sync()
        return not refused
