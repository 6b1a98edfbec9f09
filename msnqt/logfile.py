"""Where every program logs, and ``--debug``: one rotating file per program, secrets never written.

``msnqt``, ``msnqt-server`` and ``msnqt-cli`` each append to their own file in the user's state folder
(``$XDG_STATE_HOME/msnqt``, by default ``~/.local/state/msnqt``; ``~/Library/Logs/msnqt`` on macOS,
``%LOCALAPPDATA%\\msnqt\\Logs`` on Windows), rotated at 1 MB with three old files kept, so "where are my
logs" has one answer (the About box and docs/logs.md say it too). INFO and above by default; ``--debug``
writes DEBUG (the protocol trace) to the file and to stderr.

Passwords and MD5 responses never reach a file: the engine already writes ``USR t MD5 S <redacted>``, and
a filter on the handlers redacts anything of that shape that some other log line might carry.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
from pathlib import Path

MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"

_SECRETS = re.compile(r"\b(USR \d+ MD5 [SI]|USR \d+ CTP [SI] \S+)( +)\S+")


def log_dir() -> Path:
    """The folder the log files live in (not created here)."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "msnqt" / "Logs"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / "msnqt"
    state = os.environ.get("XDG_STATE_HOME", "")
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "msnqt"


def log_file(program: str) -> Path:
    return log_dir() / f"{program}.log"


class RedactSecrets(logging.Filter):
    """Replaces an MD5 response or password following ``USR n MD5 S``/``I`` with ``<redacted>``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRETS.sub(r"\1\2<redacted>", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def start_logging(program: str, *, debug: bool = False, echo: bool | None = None) -> Path | None:
    """Send the ``msnqt`` loggers to ``program``'s rotating file (and to stderr with ``debug``).

    ``echo`` (default: ``debug``) also writes to stderr; the server leaves that to its own stderr handler.
    Idempotent (a second call replaces the handlers of the first). Returns the file, or None when it
    cannot be written (read-only home, full disk): logging must never stop a program from running."""
    logger = logging.getLogger("msnqt")
    for handler in [h for h in logger.handlers if getattr(h, "msnqt_log", False)]:
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    handlers: list[logging.Handler] = []
    path: Path | None = log_file(program)
    try:
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                             encoding="utf-8"))
    except OSError:
        path = None
    if debug if echo is None else echo:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RedactSecrets())
        handler.msnqt_log = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    return path
