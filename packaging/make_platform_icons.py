"""Make the Windows .ico and the macOS .icns from our SVG app icon, with Qt and the stdlib only.

Both formats may hold plain PNG images, so we render PNGs with packaging/linux/render_icons.py and pack
them: no Pillow, no iconutil, and it runs on any OS (Windows and macOS maintainers run it before the
spec, see packaging/README.md; the spec picks the files up when they exist).

    python packaging/make_platform_icons.py [resources/icons/app.svg]

writes packaging/windows/msnqt.ico and packaging/macos/msnqt.icns. Exit 1 with one line on stderr if the
SVG is missing: we never invent a stand-in icon.
"""

from __future__ import annotations

import struct
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "linux"))

from render_icons import render  # noqa: E402

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns element types that hold a PNG of the given pixel size (Apple's "ic07".."ic10", "icp4".."icp6").
ICNS_TYPES = ((16, b"icp4"), (32, b"icp5"), (64, b"icp6"), (128, b"ic07"), (256, b"ic08"), (512, b"ic09"),
              (1024, b"ic10"))


def pack_ico(pngs: dict[int, bytes]) -> bytes:
    """ICONDIR + one ICONDIRENTRY per size + the PNG payloads (Vista and later read PNG entries)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, payload = b"", b""
    for size in sizes:
        data = pngs[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in the ICO directory
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset + len(payload))
        payload += data
    return header + entries + payload


def pack_icns(pngs: dict[int, bytes]) -> bytes:
    body = b""
    for size, kind in ICNS_TYPES:
        data = pngs[size]
        body += kind + struct.pack(">I", 8 + len(data)) + data
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv: list[str]) -> int:
    svg = Path(argv[0]) if argv else HERE.parent / "resources" / "icons" / "app.svg"
    if not svg.is_file():
        print(f"make_platform_icons: the app icon {svg} does not exist; refusing to invent another one",
              file=sys.stderr)
        return 1
    sizes = tuple(sorted(set(ICO_SIZES) | {size for size, _kind in ICNS_TYPES}))
    with tempfile.TemporaryDirectory() as tmp:
        try:
            render(svg, Path(tmp), sizes)
        except (ValueError, OSError) as exc:
            print(f"make_platform_icons: {exc}", file=sys.stderr)
            return 1
        pngs = {size: (Path(tmp) / f"{size}x{size}" / "apps" / "msnqt.png").read_bytes() for size in sizes}
    (HERE / "windows").mkdir(exist_ok=True)
    (HERE / "macos").mkdir(exist_ok=True)
    (HERE / "windows" / "msnqt.ico").write_bytes(pack_ico({s: pngs[s] for s in ICO_SIZES}))
    (HERE / "macos" / "msnqt.icns").write_bytes(pack_icns(pngs))
    print(HERE / "windows" / "msnqt.ico")
    print(HERE / "macos" / "msnqt.icns")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
