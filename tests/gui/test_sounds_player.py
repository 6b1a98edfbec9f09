"""Sounds: our own three chimes, handed to a command-line player without blocking the loop; silent and
harmless when there is no player, and a real conversation message still reaches the user visually."""

from __future__ import annotations

import stat
import wave
from pathlib import Path
from typing import Any

import pytest

from msnqt.gui.app.resources import resource_path
from msnqt.gui.desktop.sounds import (
    CONTACT_ONLINE,
    NEW_MAIL,
    NEW_MESSAGE,
    SOUND_EVENTS,
    SoundPlayer,
    find_player,
)

RECORDING_PLAYER = """#!/bin/sh
echo "$1" >> "{log}"
"""


def fake_player(directory: Path, name: str, log: Path) -> Path:
    """A stand-in ``paplay`` that writes the file it was asked to play into ``log``."""
    directory.mkdir(exist_ok=True)
    script = directory / name
    script.write_text(RECORDING_PLAYER.format(log=log))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.mark.parametrize("event", SOUND_EVENTS)
def test_each_event_has_a_short_audible_sound_of_our_own(event: str) -> None:
    with wave.open(str(resource_path("sounds", f"{event}.wav"))) as sound:
        seconds = sound.getnframes() / sound.getframerate()
        frames = sound.readframes(sound.getnframes())
    assert 0.2 < seconds < 1.5
    samples = memoryview(frames).cast("h")
    assert max(abs(s) for s in samples) > 8000  # audible, not silence
    assert max(abs(s) for s in samples) < 32000  # and not clipped


def test_no_player_on_path_means_silence_not_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      aloop: Any) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_player() is None
    assert find_player(platform="win32") == "winsound"  # Windows has none on PATH: the stdlib plays
    player = SoundPlayer(lambda: True)

    async def scenario() -> None:
        assert player.play(NEW_MESSAGE) is False
        await player.drain()

    aloop.run(scenario())


def test_the_first_player_found_plays_the_event_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                      aloop: Any) -> None:
    log = tmp_path / "played.txt"
    bin_dir = tmp_path / "bin"
    fake_player(bin_dir, "aplay", log)
    monkeypatch.setenv("PATH", str(bin_dir))
    player = SoundPlayer(lambda: True)

    async def scenario() -> None:
        assert player.play(CONTACT_ONLINE)
        assert player.play(NEW_MAIL)
        await player.drain()

    aloop.run(scenario())
    assert player.player == str(bin_dir / "aplay")
    played = sorted(Path(line).name for line in log.read_text().split())
    assert played == ["mail.wav", "online.wav"]


def test_sounds_off_plays_nothing(tmp_path: Path, aloop: Any) -> None:
    log = tmp_path / "played.txt"
    script = fake_player(tmp_path / "bin", "paplay", log)
    enabled = [False]
    player = SoundPlayer(lambda: enabled[0], player=str(script))

    async def scenario() -> None:
        assert not player.play(NEW_MESSAGE)
        enabled[0] = True  # the Options change takes effect at once
        assert player.play(NEW_MESSAGE)
        await player.drain()

    aloop.run(scenario())
    assert [Path(line).name for line in log.read_text().split()] == ["message.wav"]


def test_a_player_that_fails_or_vanishes_is_harmless(tmp_path: Path, aloop: Any) -> None:
    failing = tmp_path / "failing"
    failing.write_text("#!/bin/sh\necho 'no audio device' >&2\nexit 1\n")
    failing.chmod(0o755)
    gone = SoundPlayer(lambda: True, player=str(tmp_path / "deleted-player"))
    broken = SoundPlayer(lambda: True, player=str(failing))

    async def scenario() -> None:
        assert broken.play(NEW_MAIL)
        assert gone.play(NEW_MAIL)
        await broken.drain()  # raises if a failing or missing player escaped as an exception
        await gone.drain()

    aloop.run(scenario())


def test_a_burst_of_one_event_chimes_once_and_again_after_it_finished(tmp_path: Path, aloop: Any) -> None:
    """Fifty contacts signing in at once (a server restart) start one player, not fifty."""
    log = tmp_path / "played.txt"
    player = SoundPlayer(lambda: True, player=str(fake_player(tmp_path / "bin", "paplay", log)))

    async def scenario() -> list[bool]:
        started = [player.play(CONTACT_ONLINE) for _ in range(50)]
        started.append(player.play(NEW_MESSAGE))  # another event is not held back
        await player.drain()
        started.append(player.play(CONTACT_ONLINE))  # the first one finished: the next sign-in chimes
        await player.drain()
        return started

    started = aloop.run(scenario())
    assert started == [True] + [False] * 49 + [True, True]
    assert sorted(Path(line).name for line in log.read_text().split()) == ["message.wav", "online.wav",
                                                                           "online.wav"]
