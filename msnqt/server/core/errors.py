"""The one exception the core raises: a refusal that the fronts turn into a numeric reply."""

from __future__ import annotations

from msnqt.protocol.codes import ErrorCode


class Refused(Exception):
    """A request the core will not carry out; ``code`` is the MSNP2 error to answer with.

    ``close`` asks the front to drop the connection after answering (or instead of answering when
    ``code`` is None), for the cases where real servers disconnect (ADD RL, bad cookies).
    """

    def __init__(self, code: ErrorCode | None, *, close: bool = False) -> None:
        super().__init__(f"refused: {code}" if code is not None else "refused: close")
        self.code = code
        self.close = close


class AccountError(ValueError):
    """Account administration failed (duplicate or malformed handle, unknown account).

    ``reason`` says which, so a front end can phrase it in its own words without parsing the message:
    ``"exists"``, ``"unknown"``, ``"bad_handle"``, ``"bad_name"`` or ``"bad_input"``.
    """

    def __init__(self, message: str, reason: str = "bad_input") -> None:
        super().__init__(message)
        self.reason = reason


class StoreError(RuntimeError):
    """The store could not read or commit (disk full, file locked, corrupt). Nothing was changed.

    The fronts answer ``501`` (database error) to the request and keep the session, so the client
    never sees an acknowledgement for a change that was not committed.
    """
