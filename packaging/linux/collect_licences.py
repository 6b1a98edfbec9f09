"""Gather the licence texts of everything a frozen bundle carries into one folder.

The bundle is msnqt plus a Python runtime, the Python packages msnqt runs on, Qt, PyInstaller's
bootloader and shared libraries copied from the build host. Shipping them (tarball: ``licenses/``; .deb:
``/usr/share/doc/msnqt/licenses/``) is what their licences ask of a binary redistribution:

- msnqt: ``LICENSE`` from the repository;
- each Python distribution in msnqt's run-time dependency closure: the licence files in its dist-info,
  or, where the wheel ships none (PySide6-Essentials and shiboken6 are LGPL-3 by their metadata), the
  licence text from the build host's ``/usr/share/common-licenses`` that their metadata names;
- Python itself: the interpreter's ``LICENSE.txt`` (or Debian's copyright file of its libpython);
- PyInstaller's bootloader (GPL-2 with the bootloader exception): PyInstaller's ``COPYING.txt``;
- each library the bundle copied from a Debian package: that package's copyright file.

    python packaging/linux/collect_licences.py BUNDLE_DIR OUT_DIR
"""

from __future__ import annotations

import platform
import re
import shutil
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COMMON_LICENSES = Path("/usr/share/common-licenses")
LICENCE_FILE = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", re.IGNORECASE)
# Licence names in wheel metadata -> the texts to ship (LGPL-3 is GPL-3 plus additional permissions).
TEXTS_BY_NAME = {"LGPL": ("LGPL-3", "GPL-3"), "GPL": ("GPL-3",)}


def runtime_closure(root: str) -> list[metadata.Distribution]:
    """msnqt and every distribution it needs at run time (no extras), by walking Requires-Dist."""
    seen: dict[str, metadata.Distribution] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # an optional or platform-specific requirement that is not installed
        seen[key] = dist
        for requirement in dist.requires or ():
            if "extra ==" in requirement:
                continue
            marker = requirement.split(";", 1)[1] if ";" in requirement else ""
            if "sys_platform" in marker and sys.platform not in marker and "!=" not in marker:
                continue
            todo.append(re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0])
    return [seen[k] for k in sorted(seen)]


def dist_licence_files(dist: metadata.Distribution) -> list[Path]:
    files = []
    for entry in dist.files or ():
        parts = Path(str(entry)).parts
        if parts and parts[0].endswith(".dist-info") and LICENCE_FILE.search(Path(str(entry)).name):
            files.append(Path(str(dist.locate_file(entry))))
    return [f for f in files if f.is_file()]


def copy_python_distributions(out: Path) -> None:
    for dist in runtime_closure("msnqt"):
        name = dist.metadata["Name"]
        if name.lower() == "msnqt":
            continue
        target = out / "python-packages" / f"{name}-{dist.version}"
        target.mkdir(parents=True, exist_ok=True)
        found = dist_licence_files(dist)
        for path in found:
            shutil.copy(path, target / path.name)
        if not found:
            declared = dist.metadata.get("License-Expression") or dist.metadata.get("License") or ""
            classifiers = " ".join(dist.metadata.get_all("Classifier") or ())
            texts = next((t for key, t in TEXTS_BY_NAME.items() if key in declared or f"({key}" in classifiers
                          or f"{key}v3" in classifiers), None)
            if texts is None:
                raise SystemExit(f"collect_licences: {name} ships no licence file and declares {declared!r}")
            (target / "LICENSE").write_text(
                f"{name} {dist.version} is licensed under: {declared or texts[0]}\n"
                f"The full texts follow in this folder ({', '.join(texts)}).\n")
            for text in texts:
                shutil.copy(COMMON_LICENSES / text, target / text)


def copy_python(out: Path) -> None:
    stdlib_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    debian = Path(f"/usr/share/doc/libpython{version}/copyright")
    source = stdlib_licence if stdlib_licence.is_file() else debian
    if not source.is_file():
        raise SystemExit(f"collect_licences: found neither {stdlib_licence} nor {debian}")
    (out / "python").mkdir(parents=True, exist_ok=True)
    shutil.copy(source, out / "python" / "LICENSE")


def copy_bootloader(out: Path) -> None:
    dist = metadata.distribution("pyinstaller")
    copying = [p for p in dist_licence_files(dist) if p.name.startswith("COPYING")]
    if not copying:
        raise SystemExit("collect_licences: PyInstaller's COPYING.txt was not found")
    (out / "pyinstaller-bootloader").mkdir(parents=True, exist_ok=True)
    shutil.copy(copying[0], out / "pyinstaller-bootloader" / "COPYING.txt")


def copy_debian_libraries(bundle: Path, out: Path) -> None:
    """The copyright file of every Debian package a bundled library was copied from. PyInstaller puts the
    build host's libraries at the top of ``_internal``; we ask dpkg who owns each one's system path."""
    multiarch = f"{platform.machine()}-linux-gnu"
    names = sorted(p.name for p in (bundle / "_internal").glob("lib*.so*")
                   if p.is_file() and not p.is_symlink() and not p.name.startswith("libpython"))
    paths = [f"{d}/{multiarch}/{n}" for n in names for d in ("/usr/lib", "/lib")]
    result = subprocess.run(["dpkg-query", "-S", *paths], capture_output=True, text=True, check=False)
    packages = set()
    for line in result.stdout.splitlines():
        package, _, _path = line.partition(": ")
        if "diversion" not in package:
            packages.update(p.split(":")[0].strip() for p in package.split(","))
    for package in sorted(packages):
        copyright_file = Path("/usr/share/doc") / package / "copyright"
        if copyright_file.is_file():
            (out / "debian" / package).mkdir(parents=True, exist_ok=True)
            shutil.copy(copyright_file, out / "debian" / package / "copyright")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not Path(argv[0]).is_dir():
        print("usage: collect_licences.py BUNDLE_DIR OUT_DIR", file=sys.stderr)
        return 2
    bundle, out = Path(argv[0]), Path(argv[1])
    if out.exists():
        shutil.rmtree(out)
    (out / "msnqt").mkdir(parents=True)
    shutil.copy(REPO / "LICENSE", out / "msnqt" / "LICENSE")
    copy_python_distributions(out)
    copy_python(out)
    copy_bootloader(out)
    copy_debian_libraries(bundle, out)
    (out / "README").write_text(
        "Licences of msnqt and of everything its self-contained bundle carries:\n"
        "  msnqt/                   msnqt itself (MIT)\n"
        "  python/                  the Python runtime (PSF licence)\n"
        "  python-packages/NAME/    each Python package msnqt runs on (PySide6 and shiboken6: LGPL-3)\n"
        "  pyinstaller-bootloader/  the msnqt, msnqt-server and msnqt-cli executables' loader\n"
        "                           (GPL-2 or later with the bootloader exception)\n"
        "  debian/PACKAGE/          shared libraries copied from these Debian packages\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
