"""Options > Preferences and Connection, driven from the keyboard in the real signed-in app: what the
user chooses is stored in QSettings (a temporary INI file) and read back by a fresh settings object,
run-at-log-in creates and removes the XDG autostart entry in a temporary HOME, and bad input is explained."""

from __future__ import annotations

import plistlib
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialogButtonBox, QLineEdit, QSpinBox, QWidget

from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.app.settings import AppSettings
from msnqt.gui.desktop import autostart
from msnqt.gui.main import build_main_window
from msnqt.gui.options.dialog import OptionsDialog
from tests.gui.live import PASSWORD, World, fast_engine, world
from tests.support.qt import wait_until

ALICE = "alice@hotmail.com"


@pytest.fixture(autouse=True)
def temp_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Autostart entries go to a throw-away HOME, never the real one."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home


async def options_for(w: World, settings: AppSettings) -> OptionsDialog:
    window = build_main_window(w.address, settings=settings, credentials=MemoryCredentials(),
                               engine_factory=fast_engine)
    window.show()
    assert await window.session.sign_in(ALICE, PASSWORD)
    window.contact_ui.options_action.trigger()
    dialog = window.contact_ui.dialog
    assert isinstance(dialog, OptionsDialog) and dialog.isVisible()
    await wait_until(lambda: QApplication.activeWindow() is dialog)  # mnemonics work in the active window
    return dialog


def apply_button(dialog: OptionsDialog) -> QAbstractButton:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Apply)


async def alt(widget: QWidget, key: Qt.Key, button: QAbstractButton) -> None:
    """Press the Alt+letter mnemonic and wait for ``button`` to react (Qt animates the click first)."""
    before = button.isChecked()
    QTest.keyClick(widget, key, Qt.KeyboardModifier.AltModifier)
    if button.isCheckable() and not (button.autoExclusive() and before):
        await wait_until(lambda: button.isChecked() != before)


def reread(settings_file: Path) -> AppSettings:
    return AppSettings(QSettings(str(settings_file), QSettings.Format.IniFormat))


def test_preferences_chosen_with_the_keyboard_are_stored(gui_app: Any, qloop: Any, settings: AppSettings,
                                                         tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path / "data") as w:
            dialog = await options_for(w, settings)
            dialog.tabs.setCurrentWidget(dialog.preferences_tab)
            tab = dialog.preferences_tab
            assert tab.alert_on_online.isChecked() and tab.sounds_on.isChecked()
            assert tab.idle_check.isChecked() and tab.idle_minutes.value() == 5
            assert not tab.auto_sign_in.isChecked() and not tab.run_at_login.isChecked()

            await alt(tab, Qt.Key.Key_A, tab.alert_on_online)  # Display &alerts...
            await alt(tab, Qt.Key.Key_D, tab.sounds_on)  # Play a soun&d...
            await alt(tab, Qt.Key.Key_S, tab.auto_sign_in)  # Automatically &sign me in
            tab.idle_minutes.setFocus()
            tab.idle_minutes.selectAll()
            QTest.keyClicks(tab.idle_minutes, "12")
            assert not tab.alert_on_online.isChecked() and not tab.sounds_on.isChecked()
            assert settings.alert_on_online  # nothing is stored before Apply
            QTest.mouseClick(apply_button(dialog), Qt.MouseButton.LeftButton)

            stored = reread(tmp_path / "msnqt.ini")
            assert (stored.alert_on_online, stored.sounds_on, stored.auto_sign_in) == (False, False, True)
            assert stored.idle_minutes == 12

            await alt(tab, Qt.Key.Key_I, tab.idle_check)  # Show me as &Idle: off means never
            assert not tab.idle_minutes.isEnabled()
            QTest.keyClick(dialog, Qt.Key.Key_Return)  # OK is the default button
            assert not dialog.isVisible()
            assert reread(tmp_path / "msnqt.ini").idle_minutes == 0

    qloop.run(scenario())


def test_run_at_log_in_creates_and_removes_the_autostart_entry(
        gui_app: Any, qloop: Any, settings: AppSettings, tmp_path: Path, temp_home: Path) -> None:
    entry = temp_home / ".config" / "autostart" / "msnqt.desktop"

    async def scenario() -> None:
        async with world(tmp_path / "data") as w:
            dialog = await options_for(w, settings)
            tab = dialog.preferences_tab
            dialog.tabs.setCurrentWidget(tab)
            await alt(tab, Qt.Key.Key_R, tab.run_at_login)
            QTest.mouseClick(apply_button(dialog), Qt.MouseButton.LeftButton)
            text = entry.read_text()
            assert "[Desktop Entry]" in text and "Name=MSN Messenger Service" in text
            assert "\nExec=" in text and "msnqt" in text.split("Exec=", 1)[1]
            assert settings.run_at_login

            await alt(tab, Qt.Key.Key_R, tab.run_at_login)
            QTest.mouseClick(apply_button(dialog), Qt.MouseButton.LeftButton)
            assert not entry.exists()
            assert not settings.run_at_login

            entry.parent.rmdir()  # empty again; now put a file where the directory should be
            entry.parent.write_text("a file where a directory should be")
            await alt(tab, Qt.Key.Key_R, tab.run_at_login)
            QTest.mouseClick(apply_button(dialog), Qt.MouseButton.LeftButton)
            assert tab.error_label.isVisibleTo(tab)
            assert "could not be changed" in tab.error_label.text()
            assert not tab.run_at_login.isChecked()  # back to the truth
            assert not settings.run_at_login

    qloop.run(scenario())


def test_connection_tab_stores_a_server_and_explains_a_bad_name(
        gui_app: Any, qloop: Any, settings: AppSettings, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path / "data") as w:
            dialog = await options_for(w, settings)
            dialog.tabs.setCurrentWidget(dialog.connection_tab)
            tab = dialog.connection_tab
            assert tab.use_remote.isChecked()
            assert tab.host_edit.text() == w.address.rpartition(":")[0]

            tab.host_edit.setFocus()
            tab.host_edit.selectAll()
            QTest.keyClicks(tab.host_edit, "my server")
            QTest.mouseClick(apply_button(dialog), Qt.MouseButton.LeftButton)
            assert "no spaces" in tab.error_label.text() and tab.error_label.isVisibleTo(tab)
            assert settings.server == w.address  # unchanged

            tab.host_edit.selectAll()
            QTest.keyClicks(tab.host_edit, "messenger.example.org")
            tab.port_spin.setFocus()
            tab.port_spin.selectAll()
            QTest.keyClicks(tab.port_spin, "1864")
            QTest.mouseClick(apply_button(dialog), Qt.MouseButton.LeftButton)
            assert not tab.error_label.isVisibleTo(tab)
            assert reread(tmp_path / "msnqt.ini").server == "messenger.example.org:1864"
            assert dialog.session.server == "messenger.example.org:1864"  # used at the next sign-in

            await alt(tab, Qt.Key.Key_B, tab.use_local)  # Use the &built-in local server
            assert tab.use_local.isChecked() and not tab.host_edit.isEnabled()
            QTest.mouseClick(apply_button(dialog), Qt.MouseButton.LeftButton)
            assert reread(tmp_path / "msnqt.ini").use_local_server

    qloop.run(scenario())


def test_every_control_on_my_tabs_has_a_screen_reader_name(gui_app: Any, qloop: Any, settings: AppSettings,
                                                           tmp_path: Path) -> None:
    async def scenario() -> None:
        async with world(tmp_path / "data") as w:
            dialog = await options_for(w, settings)
            for tab in (dialog.preferences_tab, dialog.connection_tab):
                controls = [*tab.findChildren(QAbstractButton), *tab.findChildren(QSpinBox),
                            *(e for e in tab.findChildren(QLineEdit) if not isinstance(e.parent(), QSpinBox))]
                assert controls
                unnamed = [c.objectName() or type(c).__name__ for c in controls if not c.accessibleName()]
                assert unnamed == []

    qloop.run(scenario())


def test_macos_launch_agent_is_a_valid_plist(temp_home: Path) -> None:
    autostart.set_enabled(True, platform="mac", command=["/Applications/msnqt.app/msnqt"])
    plist = plistlib.loads(autostart.mac_launch_agent_file().read_bytes())
    assert plist["ProgramArguments"] == ["/Applications/msnqt.app/msnqt"] and plist["RunAtLoad"] is True
    assert autostart.is_enabled(platform="mac")
    autostart.set_enabled(False, platform="mac")
    assert not autostart.is_enabled(platform="mac")


def test_desktop_entry_quotes_a_path_with_spaces_as_the_spec_says(temp_home: Path) -> None:
    autostart.set_enabled(True, platform="xdg", command=["/home/me/My Apps/python", "-m", "msnqt"])
    text = autostart.xdg_autostart_file().read_text()
    assert 'Exec="/home/me/My Apps/python" -m msnqt\n' in text
    assert autostart.desktop_exec(["/opt/a\\b$c"]) == '"/opt/a\\\\\\\\b\\\\$c"'
