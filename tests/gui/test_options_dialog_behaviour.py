"""Options dialog behaviour a user notices before and after signing in: it opens signed out, OK keeps a
refused edit on screen, every tab has its own Alt key, and a new idle time applies at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from msnqt.gui.app.credentials import MemoryCredentials
from msnqt.gui.app.settings import AppSettings
from msnqt.gui.main import build_main_window
from msnqt.gui.mainwindow.window import MainWindow
from msnqt.gui.options.dialog import OptionsDialog
from msnqt.gui.session.idle import IdleWatcher
from tests.gui.live import fast_engine
from tests.support.qt import wait_signal, wait_until


@pytest.fixture(autouse=True)
def temp_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Applying Preferences may touch autostart entries: keep them in a throw-away HOME."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))


async def signed_out_options(settings: AppSettings) -> tuple[MainWindow, OptionsDialog]:
    window = build_main_window("127.0.0.1:1", settings=settings, credentials=MemoryCredentials(),
                               engine_factory=fast_engine)
    window.show()
    assert window.contact_ui.options_action.isEnabled()  # choosing the server comes before signing in
    window.contact_ui.options_action.trigger()
    dialog = window.contact_ui.dialog
    assert isinstance(dialog, OptionsDialog)
    await wait_until(lambda: QApplication.activeWindow() is dialog)
    return window, dialog


def test_ok_with_a_bad_server_name_keeps_the_dialog_open_on_the_connection_tab(
        gui_app: Any, qloop: Any, settings: AppSettings) -> None:
    async def scenario() -> None:
        _window, dialog = await signed_out_options(settings)
        tab = dialog.connection_tab
        dialog.tabs.setCurrentWidget(tab)
        tab.host_edit.setFocus()
        tab.host_edit.selectAll()
        QTest.keyClicks(tab.host_edit, "my server")
        dialog.tabs.setCurrentWidget(dialog.personal_tab)  # the user wandered off before pressing OK
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

        assert dialog.isVisible()
        assert dialog.tabs.currentWidget() is tab
        assert "no spaces" in tab.error_label.text() and tab.error_label.isVisibleTo(tab)
        assert settings.server != "my server:1863"

        tab.host_edit.selectAll()
        QTest.keyClicks(tab.host_edit, "messenger.example.org")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert not dialog.isVisible()
        assert settings.server == "messenger.example.org:1863"

    qloop.run(scenario())


def test_every_tab_has_its_own_alt_key(gui_app: Any, qloop: Any, settings: AppSettings) -> None:
    async def scenario() -> None:
        _window, dialog = await signed_out_options(settings)
        bar = dialog.tabs.tabBar()
        labels = [bar.tabText(i) for i in range(bar.count())]
        letters = [label[label.index("&") + 1].lower() for label in labels]
        assert len(set(letters)) == len(labels) == 4
        for index in reversed(range(bar.count())):
            key = Qt.Key(ord(letters[index].upper()))
            QTest.keyClick(dialog, key, Qt.KeyboardModifier.AltModifier)
            assert dialog.tabs.currentIndex() == index, labels[index]

    qloop.run(scenario())


def test_a_new_idle_time_counts_at_once(gui_app: Any, qloop: Any) -> None:
    async def scenario() -> None:
        watcher = IdleWatcher(3_600_000)
        watcher.start()
        try:
            watcher.set_timeout(30)
            await wait_signal(watcher.becameIdle)
            assert watcher.idle
            watcher.set_timeout(0)  # "never": no longer idle, and stays so
            assert not watcher.idle
            watcher.set_timeout(30)  # back on while still signed in
            await wait_signal(watcher.becameIdle)
        finally:
            watcher.stop()

    qloop.run(scenario())


def test_preferences_apply_changes_the_running_idle_watch(gui_app: Any, qloop: Any,
                                                          settings: AppSettings) -> None:
    async def scenario() -> None:
        window, dialog = await signed_out_options(settings)
        tab = dialog.preferences_tab
        dialog.tabs.setCurrentWidget(tab)
        tab.idle_minutes.setValue(12)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Apply).click()
        assert window.session.idle.timeout_ms == 12 * 60_000
        tab.idle_check.setChecked(False)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        assert window.session.idle.timeout_ms == 0 and not dialog.isVisible()

    qloop.run(scenario())
