"""Workaround: PySide6/shiboken6 6.12 on CPython 3.11 drops a reference to ``None`` on every call of a
void Qt method (``setEnabled``, ``QTimer.start``, ``processEvents``, qasync's timer and socket callbacks...)
and sometimes to ``True``/``False``. Measured here: ``sys.getrefcount(None)`` falls by exactly one per
``QObject.setObjectName("x")``. CPython 3.12+ made these objects immortal (PEP 683), which hides the bug
there; on 3.11 the count reaches zero after some 20 000 calls and the process aborts with
"Fatal Python error: none_dealloc: deallocating None" -- within minutes of normal use.

The fix belongs upstream (or in a pin to a PySide6 without the bug, or Python 3.12); until then we give
these three singletons a reference count so large that no session can exhaust it, which is what 3.12
does by design. Nothing ever frees them, so the extra count is harmless. It is applied once, when
``msnqt.gui`` is imported, and only on CPython before 3.12 where the object layout is known.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40  # ~10^12 dropped references: centuries at any realistic call rate
_applied = False


def _refcount_cell(obj: object) -> ctypes.c_ssize_t | None:
    """The ``ob_refcnt`` field of ``obj`` (the first word of every CPython object), if it reads right."""
    cell = ctypes.c_ssize_t.from_address(id(obj))
    # sys.getrefcount counts its own argument once more than the field holds.
    return cell if cell.value == sys.getrefcount(obj) - 1 else None


def immortalise_singletons() -> bool:
    """Give None, True and False enough references to survive the leak; True if applied (idempotent)."""
    global _applied
    if _applied:
        return True
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    cells = [_refcount_cell(obj) for obj in (None, True, False)]
    if any(cell is None for cell in cells):
        return False
    for cell in cells:
        assert cell is not None
        cell.value += _HEADROOM
    _applied = True
    return True
