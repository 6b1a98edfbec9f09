"""The three 1.0 sound events ("contact signed in", "new message", "new mail"), played by a helper process.

PySide6-Essentials has no QtMultimedia, so a sound is handed to the platform's command-line player
(``paplay``, ``aplay`` or ``afplay``, whichever exists) through ``asyncio.create_subprocess_exec``: the loop
never waits for audio. Windows has no such player; there the standard library's ``winsound`` plays the
file asynchronously (``SND_ASYNC``), which does not block either. No player, no audio device, a player
that fails: all silent, because every sound also has a visual equivalent (the sign-in alert, the
conversation window's flash, the mail line).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from msnqt.gui.app.resources import resource_path
from msnqt.gui.app.tasks import BackgroundTasks

CONTACT_ONLINE, NEW_MESSAGE, NEW_MAIL = "online", "message", "mail"
SOUND_EVENTS = (CONTACT_ONLINE, NEW_MESSAGE, NEW_MAIL)
PLAYERS = ("paplay", "aplay", "afplay")  # PulseAudio/PipeWire, ALSA, macOS
WINSOUND = "winsound"  # the player "name" on Windows: the standard library module, not a program


def find_player(candidates: Sequence[str] = PLAYERS, platform: str = sys.platform) -> str | None:
    """The first command-line player on PATH (``winsound`` on Windows), or None: then the app is simply
    silent."""
    if platform == "win32":
        return WINSOUND
    for name in candidates:
        found = shutil.which(name)
        if found:
            return found
    return None


class SoundPlayer:
    """Plays event sounds without blocking; ``enabled()`` is asked each time so the Options take effect
    at once. ``player`` defaults to whatever :func:`find_player` finds when the first sound is played."""

    def __init__(self, enabled: Callable[[], bool], *, player: str | None = None,
                 sounds_dir: Path | None = None) -> None:
        self._enabled = enabled
        self._player = player
        self._looked_up = player is not None
        self._dir = sounds_dir if sounds_dir is not None else resource_path("sounds")
        self._tasks = BackgroundTasks()
        self._playing: set[str] = set()

    @property
    def player(self) -> str | None:
        if not self._looked_up:
            self._player, self._looked_up = find_player(), True
        return self._player

    def play(self, event: str) -> bool:
        """Start playing ``event``'s sound; False when nothing was started (sounds off, no player, no
        file, no running loop, or the same sound still playing: a burst of sign-ins chimes once, not
        once per contact with a player process each)."""
        if not self._enabled() or self.player is None or event in self._playing:
            return False
        path = self._dir / f"{event}.wav"
        if not path.is_file():
            return False
        if self.player == WINSOUND:
            return _play_with_winsound(path)
        started = self._tasks.spawn(self._run(self.player, path, event))
        if started:
            self._playing.add(event)
        return started

    async def _run(self, player: str, path: Path, event: str) -> None:
        try:
            with contextlib.suppress(OSError):  # vanished player, no permission: silence, not a traceback
                process = await asyncio.create_subprocess_exec(
                    player, str(path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
                await process.wait()  # a missing audio device makes the player exit non-zero: ignored
        finally:
            self._playing.discard(event)

    async def drain(self) -> None:
        """Wait for the sounds still playing (tests, and a tidy exit). Player failures were already
        turned into silence; anything else raised here is a bug and is not hidden."""
        await self._tasks.drain()


def _play_with_winsound(path: Path) -> bool:
    """Windows: hand the WAV to the system mixer and return at once (SND_ASYNC); no sound device or a
    broken file means silence, as with the players elsewhere."""
    if sys.platform != "win32":
        return False
    import winsound

    try:
        winsound.PlaySound(str(path), winsound.SND_FILENAME | winsound.SND_ASYNC | winsound.SND_NODEFAULT)
    except (RuntimeError, OSError):
        return False
    return True
