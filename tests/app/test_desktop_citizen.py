"""The desktop app as a process, the way a desktop treats it: one instance per user (a second launch
raises the first), SIGINT and SIGTERM end it cleanly with its settings written, a log file in the
user's state folder with secrets redacted, and the built-in server's folder where users look for it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from msnqt.app import restore_library_path
from msnqt.logfile import RedactSecrets, log_file
from tests.support.fakeserver import unused_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def desktop_env(tmp_path: Path) -> dict[str, str]:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
            "HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state"),
            "XDG_RUNTIME_DIR": str(runtime)}


def log_of(tmp_path: Path) -> Path:
    return tmp_path / "state" / "msnqt" / "msnqt.log"


def wait_for_line(path: Path, text: str, process: subprocess.Popen[str], seconds: float = 60) -> None:
    """Until ``text`` is in the log file (checked every 0.1 s, bounded); fails at once if the app died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file() and text in path.read_text():
            return
        if process.poll() is not None:
            err = process.stderr.read() if process.stderr else ""
            pytest.fail(f"msnqt exited {process.returncode} before logging {text!r}:\n{err}")
        time.sleep(0.1)
    pytest.fail(f"{text!r} never appeared in {path}")


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """``msnqt --server`` (nothing listening there: it stays signed out) with its main window shown."""
    process = subprocess.Popen([sys.executable, "-m", "msnqt.app", "--server", f"127.0.0.1:{unused_port()}"],
                               env=desktop_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        wait_for_line(log_of(tmp_path), "main window shown", process)
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_ends_the_app_cleanly_and_saves_its_settings(
        desktop: subprocess.Popen[str], tmp_path: Path, signum: signal.Signals) -> None:
    desktop.send_signal(signum)
    assert desktop.wait(timeout=60) == 0, desktop.stderr.read() if desktop.stderr else ""
    log = log_of(tmp_path).read_text()
    assert f"{signum.name}: signing out and ending" in log
    assert "signed out; settings saved" in log
    settings = (tmp_path / "config" / "msnqt" / "msnqt.ini").read_text()
    assert "geometry" in settings.lower()  # the window's place, written on the way out
    assert "Traceback" not in desktop.stderr.read() if desktop.stderr else True


def test_a_second_launch_raises_the_first_and_exits(desktop: subprocess.Popen[str], tmp_path: Path) -> None:
    second = subprocess.run([sys.executable, "-m", "msnqt.app"], env=desktop_env(tmp_path),
                            capture_output=True, text=True, timeout=60, check=False)
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stderr
    wait_for_line(log_of(tmp_path), "a second launch asked this instance to show its window", desktop)
    assert desktop.poll() is None  # the first one goes on, undisturbed
    desktop.send_signal(signal.SIGTERM)
    assert desktop.wait(timeout=60) == 0
    # Once it has gone, the next launch is the first again (the lock does not outlive its holder).
    lock = tmp_path / "run" / "msnqt.lock"
    assert not lock.exists()


def test_the_log_file_is_in_the_state_folder_and_never_holds_a_secret(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    from msnqt.logfile import start_logging

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = start_logging("msnqt-cli", debug=True, echo=False)
    assert path == log_file("msnqt-cli") == tmp_path / "state" / "msnqt" / "msnqt-cli.log"
    logging.getLogger("msnqt.test").debug("sent USR 3 MD5 S %s", "e3f1c2a9b8d74e6f0a1b2c3d4e5f6071")
    logging.getLogger("msnqt.test").debug("sent USR 4 MD5 I alice@hotmail.com")
    for handler in logging.getLogger("msnqt").handlers:
        handler.flush()
    text = path.read_text()
    assert "USR 3 MD5 S <redacted>" in text and "e3f1c2a9" not in text
    assert "USR 4 MD5 I <redacted>" in text  # the sign-in name is redacted too: it costs nothing
    assert isinstance(logging.getLogger("msnqt").handlers[-1].filters[0], RedactSecrets)
    from msnqt.gui.mainwindow.window import about_text

    assert str(log_file("msnqt")) in about_text()  # "where are my logs?" answered in Help > About


def test_children_of_the_frozen_app_get_the_users_library_path() -> None:
    environ = {"LD_LIBRARY_PATH": "/usr/lib/msnqt/_internal", "LD_LIBRARY_PATH_ORIG": "/opt/mine/lib"}
    restore_library_path(environ, frozen=True)
    assert environ == {"LD_LIBRARY_PATH": "/opt/mine/lib"}
    environ = {"LD_LIBRARY_PATH": "/usr/lib/msnqt/_internal"}  # the user had none
    restore_library_path(environ, frozen=True)
    assert environ == {}
    environ = {"LD_LIBRARY_PATH": "/home/dev/lib"}  # not frozen: a developer's own setting stays
    restore_library_path(environ, frozen=False)
    assert environ == {"LD_LIBRARY_PATH": "/home/dev/lib"}


def test_the_built_in_server_folder_is_not_doubled_and_an_old_one_moves(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code = ("from msnqt.gui.main import builtin_server_dir; print(builtin_server_dir())")
    env = desktop_env(tmp_path)
    old = tmp_path / "data" / "msnqt" / "msnqt" / "server"
    old.mkdir(parents=True)
    (old / "accounts.sqlite3").write_text("accounts")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            timeout=60, check=True)
    new = tmp_path / "data" / "msnqt" / "server"
    assert result.stdout.strip() == str(new)
    assert (new / "accounts.sqlite3").read_text() == "accounts"
    assert not (tmp_path / "data" / "msnqt" / "msnqt").exists()


ENTRY = "import sys; from msnqt import app; sys.exit(app.{}())"


@pytest.mark.parametrize("argv", [
    [sys.executable, "-m", "msnqt.app", "--help"],
    [sys.executable, "-m", "msnqt.app", "--demo", "--help"],
    [sys.executable, "-c", ENTRY.format("server_main"), "--help"],
    [sys.executable, "-c", ENTRY.format("cli_main"), "--help"],
])
def test_every_help_names_version_and_debug(argv: list[str], tmp_path: Path) -> None:
    result = subprocess.run(argv, env=desktop_env(tmp_path), capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert "--version" in result.stdout and "--debug" in result.stdout
