"""Locate the app's own files (icons, Designer forms) from a source checkout and from a frozen bundle.

``resources/`` and ``ui/`` live at the top of the repository, beside the package, so a source run finds
them one level above ``msnqt/``. A PyInstaller build unpacks data files under ``sys._MEIPASS``; the
packaging spec must add both directories there under the same names.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QPixmap

#: Sizes we pre-render every SVG at so QIcon picks a crisp one on 1x and 2x screens.
_ICON_SIZES = (16, 24, 32, 48, 64)


def _bundle_root() -> Path | None:
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if meipass else None


@cache
def data_root() -> Path:
    """The directory holding ``resources/`` and ``ui/``."""
    bundled = _bundle_root()
    if bundled is not None and (bundled / "resources").is_dir():
        return bundled
    return Path(__file__).resolve().parents[3]  # msnqt/gui/app/resources.py -> the checkout


def resource_path(*parts: str) -> Path:
    """A file under ``resources/`` (e.g. ``resource_path("icons", "app.svg")``)."""
    return data_root().joinpath("resources", *parts)


def ui_path(name: str) -> Path:
    """A Qt Designer form under ``ui/`` (``name`` without the ``.ui`` suffix)."""
    return data_root() / "ui" / f"{name}.ui"


@cache
def icon(name: str) -> QIcon:
    """Our SVG icon ``resources/icons/<name>.svg`` rendered with QtSvg at several sizes (HiDPI-safe)."""
    path = resource_path("icons", f"{name}.svg")
    if not path.is_file():
        raise FileNotFoundError(f"missing icon {path}")
    result = QIcon()
    for size in _ICON_SIZES:
        result.addFile(str(path), QSize(size, size))
    return result


def pixmap(name: str, size: int, device_pixel_ratio: float = 1.0) -> QPixmap:
    """``icon(name)`` as a pixmap of ``size`` logical pixels."""
    return icon(name).pixmap(QSize(size, size), device_pixel_ratio)
