"""``msnqt --demo --screenshot PATH --quit-after N``: the command the README and ``packaging/dev demo`` run,
in-process (offscreen) and as a real process under Xvfb."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from msnqt.app import demo_main, gui_main
from tests.app.conftest import QUIET


def distinct_colours(image: QImage, step: int = 4) -> int:
    return len({image.pixel(x, y)
                for x in range(0, image.width(), step) for y in range(0, image.height(), step)})


def assert_real_screenshot(path: Path) -> None:
    """Both windows side by side, with content: big enough and far from a single colour."""
    image = QImage(str(path))
    assert not image.isNull(), f"{path} is not a readable image"
    assert image.width() >= 500 and image.height() >= 300
    assert distinct_colours(image) > 20


def test_the_demo_signs_in_talks_to_the_answering_bot_and_saves_a_screenshot(
        gui_app: Any, tmp_path: Path, capsys: Any) -> None:
    shot = tmp_path / "demo.png"
    assert demo_main(["--demo", "--screenshot", str(shot), "--quit-after", "20"], timings=QUIET) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == f"screenshot saved to {shot}"
    assert_real_screenshot(shot)


@pytest.mark.parametrize("screenshot", [True, False])
def test_a_failed_sign_in_exits_non_zero_with_one_line(gui_app: Any, tmp_path: Path, capsys: Any,
                                                        monkeypatch: Any, screenshot: bool) -> None:
    import msnqt.demo

    monkeypatch.setattr(msnqt.demo, "DEMO_PASSWORD", "not-the-password")
    shot = tmp_path / "demo.png"
    options = ["--screenshot", str(shot), "--quit-after", "20"] if screenshot else ["--quit-after", "0.5"]
    assert demo_main(["--demo", *options], timings=QUIET) == 1
    err = capsys.readouterr().err
    assert err == ("msnqt: could not sign in to the demo server: "
                   "The e-mail address or password is incorrect.\n")
    assert not shot.exists()


def test_an_unwritable_screenshot_path_exits_non_zero_with_one_line(gui_app: Any, tmp_path: Path,
                                                                    capsys: Any) -> None:
    shot = tmp_path / "no-such-directory" / "demo.png"
    assert demo_main(["--demo", "--screenshot", str(shot), "--quit-after", "20"], timings=QUIET) == 1
    assert capsys.readouterr().err == f"msnqt: could not write the screenshot to {shot}\n"


@pytest.mark.parametrize("argv", [
    ["--screenshot", "demo.png"],
    ["--demo", "--quit-after", "soon"],
    ["--demo", "--quit-after", "-1"],
    ["--demo", "--server", "example.com:1863"],
    ["--data-dir"],  # the desktop command's options go the same way
    ["--server", "example.com"],
    ["--data-dir", "x", "--surprise"],
])
def test_bad_demo_options_get_one_line_and_exit_2(argv: list[str], capsys: Any) -> None:
    with pytest.raises(SystemExit) as exited:
        gui_main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("msnqt: ") and err.count("\n") == 1


@pytest.mark.skipif(shutil.which("xvfb-run") is None,
                    reason="xvfb-run is not installed (apt-get install xvfb)")
def test_the_demo_command_under_xvfb_saves_a_screenshot_of_the_signed_in_app(tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "HOME": str(tmp_path)}
    done = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1024x768x24",
         sys.executable, "-X", "dev", "-m", "msnqt",
         "--demo", "--screenshot", str(shot), "--quit-after", "20"],
        env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"screenshot saved to {shot}" in done.stdout
    assert_real_screenshot(shot)
    # The bots, the server and the GUI's engine all shut down cleanly (development mode reports leaks).
    for sign_of_a_dirty_exit in ("Traceback", "Task was destroyed", "never retrieved", "never awaited",
                                 "ResourceWarning"):
        assert sign_of_a_dirty_exit not in done.stderr, done.stderr


def test_when_the_demo_ends_its_throwaway_server_data_and_settings_are_gone(
        gui_app: Any, tmp_path: Path, monkeypatch: Any) -> None:
    import tempfile

    created: list[Path] = []
    real_mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args: Any, **kwargs: Any) -> str:
        path = real_mkdtemp(*args, **kwargs)
        created.append(Path(path))
        return path

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)
    assert demo_main(["--demo", "--quit-after", "0.5"], timings=QUIET) == 0
    assert len(created) == 2  # the server's data and the demo's settings
    assert list(tmp_path.iterdir()) == []
