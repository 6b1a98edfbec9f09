"""Helpers for driving the frozen executables as a user would: separate processes, stdin, stdout lines.

Nothing here imports msnqt: the point of the packaging tests is that the frozen programs work on their own.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "frozen-pass-1"


def frozen_env(home: Path) -> dict[str, str]:
    """A clean environment: nothing from the venv or the source tree may leak into a frozen program."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "QT_PLUGIN_PATH", "QT_QPA_PLATFORM"}}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local/share"), LC_ALL="C.UTF-8", PYTHONUNBUFFERED="1",
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    return env


def run(argv: Sequence[str | Path], env: dict[str, str], stdin: str = "",
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], input=stdin, capture_output=True, text=True, env=env,
                          timeout=timeout, check=False)


class LineReader:
    """Reads a process's stdout on a thread so the test can wait for a line with a deadline."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._pump, args=(proc.stdout,), daemon=True)
        self._thread.start()

    def _pump(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        """The next line matching ``pattern`` (others are skipped); fails at EOF or after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no line matching {pattern!r} within {timeout}s; got {self.seen}")
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"output ended before a line matching {pattern!r}; got {self.seen}")
            self.seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match


@dataclass
class Started:
    proc: subprocess.Popen[str]
    out: LineReader
    err: IO[str]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> tuple[int, str]:
        """Signal the process, wait for it, and return (exit code, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"{self.proc.args!r} ignored signal {sig} for {timeout}s") from None
        return code, self.stderr()

    def stderr(self) -> str:
        """Everything the process wrote to stderr so far."""
        self.err.seek(0)
        return self.err.read()


@contextmanager
def started(argv: Sequence[str | Path], env: dict[str, str], stdin: str = "") -> Iterator[Started]:
    # stderr goes to a file: a pipe nobody reads could fill up with log lines and stall the program.
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        proc = subprocess.Popen([str(a) for a in argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=err, text=True, env=env)
        assert proc.stdin is not None
        proc.stdin.write(stdin)
        proc.stdin.close()
        try:
            yield Started(proc, LineReader(proc), err)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def chat_through_frozen_server(bin_dir: Path, work: Path) -> None:
    """The frozen server serves on loopback; two frozen CLI clients exchange one message through it."""
    server, cli = bin_dir / "msnqt-server", bin_dir / "msnqt-cli"
    env = frozen_env(work)
    data = work / "data"
    alice, bob = "alice@frozen.example", "bob@frozen.example"
    for email, name in ((alice, "Alice"), (bob, "Bob")):
        added = run([server, "user", "add", email, "--data", data, "--name", name], env,
                    stdin=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
    with started([server, "serve", "--data", data, "--ds-port", "0", "--ns-port", "0", "--sb-port", "0"],
                 env) as srv:
        address = srv.out.wait_for(r"^DS listening on (\S+:\d+)$", timeout=30).group(1)
        text = "hello from a frozen build, ünïcode too"
        with started([cli, "--server", address, "--user", bob, "listen", "--seconds", "120"], env,
                     stdin=PASSWORD + "\n") as listener:
            # `listen` prints nothing when it is signed in, and a message to a user who is not online yet
            # is refused (217) with exit 1. So send until the server delivers it: each attempt is a full
            # frozen sign-in, which paces the loop; the deadline bounds it.
            deadline = time.monotonic() + 60
            while True:
                sent = run([cli, "--server", address, "--user", alice, "send", bob, text], env,
                           stdin=PASSWORD + "\n")
                if sent.returncode == 0:
                    break
                assert listener.proc.poll() is None, f"listen exited early: {listener.stderr()}"
                assert "Traceback" not in sent.stderr, sent.stderr
                assert time.monotonic() < deadline, f"send never succeeded: {sent.stderr}"
            received = listener.out.wait_for(r"^(\S+)\t(.*)$", timeout=30)
            assert received.groups() == (alice, text)
            code, err = listener.stop(signal.SIGINT)
            assert (code, "Traceback" in err) == (0, False), err
        code, err = srv.stop(signal.SIGTERM)
        assert code == 0, err
