"""Render the app icon (our SVG) to PNGs at every hicolor size, offscreen, with Qt's own SVG renderer.

Used by packaging/build-linux (and usable for the Windows .ico and macOS .icns steps in packaging/README.md).
Exit 1 with one line on stderr when the SVG is missing or unreadable: we never invent a stand-in icon.

    python packaging/linux/render_icons.py resources/icons/app.svg OUT_DIR [SIZE ...]

writes OUT_DIR/<size>x<size>/apps/msnqt.png and OUT_DIR/scalable/apps/msnqt.svg (the hicolor layout).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, out: Path, sizes: tuple[int, ...]) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG image")
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
        renderer.render(painter)
        painter.end()
        target = out / f"{size}x{size}" / "apps" / "msnqt.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):  # format from the .png suffix
            raise OSError(f"could not write {target}")
        written.append(target)
    scalable = out / "scalable" / "apps" / "msnqt.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)
    written.append(scalable)
    return written


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: render_icons.py APP.svg OUT_DIR [SIZE ...]", file=sys.stderr)
        return 2
    svg, out = Path(argv[0]), Path(argv[1])
    sizes = tuple(int(s) for s in argv[2:]) or HICOLOR_SIZES
    if not svg.is_file():
        print(f"render_icons: the app icon {svg} does not exist yet (the GUI provides it); "
              "refusing to invent another one", file=sys.stderr)
        return 1
    try:
        render(svg, out, sizes)
    except (ValueError, OSError) as exc:
        print(f"render_icons: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
