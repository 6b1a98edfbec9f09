"""One msnqt per user: a second launch brings the running window to the front and exits.

Two instances would fight over one account (each sign-in signs the other out, as MSNP2 allows one session
per user) and over one settings file. The first instance holds a ``QLockFile`` and listens on a
``QLocalServer``, both in the user's runtime folder (``$XDG_RUNTIME_DIR``, private to the user); a later
launch finds the lock taken, connects, says ``raise`` and exits 0. A lock left by a crashed instance is
stale (its process is gone) and QLockFile takes it over.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile, QStandardPaths
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger("msnqt.gui")

RAISE = b"raise\n"


def runtime_dir() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.RuntimeLocation)
    return Path(found or tempfile.gettempdir())


class SingleInstance:
    """``acquire()`` is True for the first instance (which then calls ``on_raise`` when asked), False for
    a later one (which has asked the first to show itself)."""

    def __init__(self, name: str = "msnqt", folder: Path | None = None) -> None:
        folder = folder if folder is not None else runtime_dir()
        self._lock = QLockFile(str(folder / f"{name}.lock"))
        self._address = str(folder / f"{name}.socket")
        self._server: QLocalServer | None = None
        self.on_raise: Callable[[], None] | None = None

    def acquire(self) -> bool:
        if not self._lock.tryLock(200):
            self._ask_running_instance()
            return False
        QLocalServer.removeServer(self._address)  # a socket file left by a crash
        server = QLocalServer()
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self._address):
            log.warning("cannot listen on %s (%s): a second launch will not find this one",
                        self._address, server.errorString())
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()

    def _ask_running_instance(self) -> None:
        socket = QLocalSocket()
        socket.connectToServer(self._address)
        if socket.waitForConnected(2000):
            socket.write(RAISE)
            socket.flush()
            socket.waitForBytesWritten(2000)
            socket.disconnectFromServer()
        else:
            log.warning("another msnqt holds the lock but does not answer on %s", self._address)

    def _accept(self) -> None:
        assert self._server is not None
        while (connection := self._server.nextPendingConnection()) is not None:
            def read(connection: QLocalSocket = connection) -> None:
                if bytes(connection.readAll().data()).startswith(RAISE.strip()):
                    log.info("a second launch asked this instance to show its window")
                    if self.on_raise is not None:
                        self.on_raise()
                connection.disconnectFromServer()
            connection.readyRead.connect(read)
            connection.disconnected.connect(connection.deleteLater)
