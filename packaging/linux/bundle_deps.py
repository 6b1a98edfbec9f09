"""Work out the Debian run-time dependencies of a frozen bundle from the bundle itself.

PyInstaller copies most libraries into the bundle but leaves the system's own (glibc, libxcb, ...) to the
target. Every DT_NEEDED soname that the bundle does not carry must come from an installed package, so we
ask dpkg on the build host which package ships it, and take the highest GLIBC_x.y symbol version any file
needs as the libc6 lower bound. A soname that no package on the build host provides is an error: the .deb
would install and then fail to start.

    python packaging/linux/bundle_deps.py BUNDLE_DIR

prints one comma-separated Depends fragment, e.g. "libc6 (>= 2.34), libxcb1".
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ELF_MAGIC = b"\x7fELF"


def elf_files(bundle: Path) -> list[Path]:
    found = []
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as fh:
                if fh.read(4) == ELF_MAGIC:
                    found.append(path)
    return found


def objdump(path: Path, flag: str) -> str:
    return subprocess.run(["objdump", flag, str(path)], capture_output=True, text=True, check=False).stdout


def package_of(soname: str) -> str | None:
    """The installed package that ships ``soname`` in a library directory (ignores diversions, docs)."""
    out = subprocess.run(["dpkg-query", "-S", f"*/{soname}"], capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        package, _, path = line.partition(": ")
        if re.search(r"/lib(/[^/]+)?/" + re.escape(soname) + "$", path) and "diversion" not in package:
            return package.split(":")[0].split(",")[0].strip()
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: bundle_deps.py BUNDLE_DIR", file=sys.stderr)
        return 2
    bundle = Path(argv[0])
    files = elf_files(bundle)
    shipped = {p.name for p in bundle.rglob("*")}
    needed: set[str] = set()
    glibc = (2, 0)
    for path in files:
        needed.update(re.findall(r"^\s*NEEDED\s+(\S+)", objdump(path, "-p"), re.MULTILINE))
        for major, minor in re.findall(r"GLIBC_(\d+)\.(\d+)", objdump(path, "-T")):
            glibc = max(glibc, (int(major), int(minor)))
    packages = {"libc6"}
    missing = []
    for soname in sorted(needed - shipped):
        package = package_of(soname)
        if package is None:
            missing.append(soname)
        else:
            packages.add(package)
    if missing:
        print("bundle_deps: no installed package provides " + ", ".join(missing), file=sys.stderr)
        return 1
    parts = [f"libc6 (>= {glibc[0]}.{glibc[1]})", *sorted(packages - {"libc6"})]
    print(", ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
