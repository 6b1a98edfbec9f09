"""The GUI side of ``bench.client``: runs inside the measured desktop-app process (offscreen).

    python -m bench.client_child cold
        ``msnqt --demo`` itself, with one hook after its sign-in: print one JSON line (wall-clock time
        of the signed-in contact list, RSS, conversation-window open time), then close the app.
    python -m bench.client_child lag --server HOST:PORT --email E --password P --seconds N
        The main window signed in to HOST:PORT; prints ``{"ready": …}``, waits for ``GO`` on stdin,
        then samples event-loop lag for N seconds while the driver sends presence changes, and prints
        one JSON line with the lag percentiles, the changes the GUI applied and the RSS.

Output lines are JSON objects, one per line, so the parent can read them as they come.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import procfs
from .stats import latency_summary

LAG_TICK = 0.005
"""Sampling period: the lag is how late a 5 ms timer fires (a 60 Hz frame is 16.7 ms)."""


def _emit(payload: dict[str, Any]) -> None:
    print(json.dumps(payload), flush=True)


def _rss_mb() -> float:
    return round(procfs.rss_bytes(os.getpid()) / 2**20, 1)


async def _until(predicate: Any, timeout: float = 30.0) -> None:
    """Yield to the loop until ``predicate()``; bounded, so a broken app cannot hang the benchmark."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the contact list did not fill in time")
        await asyncio.sleep(0.001)


async def _open_conversation_ms(window: Any, handle: str) -> float:
    """open_conversation() plus one loop turn (Qt lays out and paints the new window in it).

    Never QApplication.processEvents() here: nesting Qt's loop inside a qasync coroutine breaks
    tasks (toolchain-notes §3).
    """
    began = time.perf_counter()
    conversation = window.session.open_conversation(handle)
    await asyncio.sleep(0)
    elapsed = (time.perf_counter() - began) * 1000
    conversation.close()
    return round(elapsed, 2)


def cold() -> int:
    from msnqt import app
    from msnqt.demo.cast import ANSWERER

    original = app._DemoRun._sign_in

    async def timed_sign_in(self: Any, window: Any, *, stay_on_failure: bool = False) -> None:
        await original(self, window, stay_on_failure=stay_on_failure)
        model = window.session.model  # two section rows always exist: wait for contacts in them
        await _until(lambda: model.section_count(0) + model.section_count(1) > 0)
        signed_in_at = time.time()
        _emit({"signed_in_at": signed_in_at, "rss_mb": _rss_mb(),
               "conversation_open_ms": await _open_conversation_ms(window, ANSWERER.handle)})
        app._close_all_windows()

    app._DemoRun._sign_in = timed_sign_in  # type: ignore[method-assign]
    return app.gui_main(["--demo", "--quit-after", "60"])


def lag(server: str, email: str, password: str, seconds: float) -> int:
    import qasync
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from msnqt.gui.app.credentials import MemoryCredentials
    from msnqt.gui.app.look import apply_classic_look
    from msnqt.gui.app.settings import AppSettings
    from msnqt.gui.contactlist.model import ONLINE_SECTION
    from msnqt.gui.main import build_main_window

    app = QApplication.instance() or QApplication(["bench-client"])
    assert isinstance(app, QApplication)
    apply_classic_look(app)

    async def run(settings_dir: str) -> int:
        settings = AppSettings(QSettings(str(Path(settings_dir) / "msnqt.ini"), QSettings.Format.IniFormat))
        window = build_main_window(server, settings=settings, credentials=MemoryCredentials())
        window.show()
        changes = 0

        def counted(_contact: Any) -> None:
            nonlocal changes
            changes += 1

        window.session.bridge.contactChanged.connect(counted)
        began = time.perf_counter()
        if not await window.session.sign_in(email, password):
            _emit({"error": f"sign-in failed: {window.session.last_error}"})
            return 1
        signed_in = time.perf_counter() - began
        engine = window.session.messenger
        assert engine is not None, "signed in without an engine"
        contacts = len(engine.contacts())
        # Steady state only: the ILN burst of the sign-in must be on screen before the probe starts.
        await _until(lambda: window.session.model.section_count(ONLINE_SECTION) >= contacts, timeout=120)
        all_online = time.perf_counter() - began
        loop = asyncio.get_running_loop()
        _emit({"ready": True, "contacts": contacts, "rss_mb": _rss_mb(), "sign_in_s": round(signed_in, 3),
               "all_online_shown_s": round(all_online, 3)})
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if line.strip() != "GO":
            return 1
        changes = 0
        lags: list[float] = []
        profile_to = os.environ.get("BENCH_PROFILE")  # cProfile of the probed window, to find hot spots
        profiler = None
        if profile_to:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            await asyncio.sleep(LAG_TICK)  # the probe itself: how late does a 5 ms timer fire?
            lags.append(max(0.0, time.perf_counter() - began - LAG_TICK))
        if profiler is not None and profile_to:
            profiler.disable()
            profiler.dump_stats(profile_to)
        _emit({"lag": latency_summary(lags), "changes_applied": changes,
               "changes_per_s": round(changes / seconds, 1), "rss_mb": _rss_mb()})
        await window.session.sign_out()
        window.close()
        return 0

    with tempfile.TemporaryDirectory(prefix="msnqt-bench-client-") as settings_dir, \
            asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(run(settings_dir))


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    if argv[:1] == ["cold"]:
        return cold()
    if argv[:1] == ["lag"] and len(argv) == 9:
        options = dict(zip(argv[1::2], argv[2::2], strict=True))
        return lag(options["--server"], options["--email"], options["--password"],
                   float(options["--seconds"]))
    print("usage: python -m bench.client_child cold | lag --server H:P --email E --password P --seconds N",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
