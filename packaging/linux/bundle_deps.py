"""Work out the Debian run-time dependencies of a frozen bundle from the bundle itself.

PyInstaller copies most libraries into the bundle but leaves the system's own (glibc, libxcb, GL, ...) to
the target. Two questions, two answers:

- *Which* packages: every DT_NEEDED soname that the bundle does not carry, mapped to the installed package
  that ships it (``dpkg-query -S``). dpkg-shlibdeps cannot answer this one: it resolves the bundle's own
  copies of libraries (found at run time through the bootloader's LD_LIBRARY_PATH) to the build host's and
  would make the package depend on ~25 libraries it carries. A soname no installed package provides is an
  error: the .deb would install and then fail to start.
- *Which versions*: ``dpkg-shlibdeps``, run on the files that need those libraries, from the libraries'
  own symbols and shlibs files (e.g. ``libc6 (>= 2.36)``, ``libwayland-client0 (>= 1.20.0)``).

    python packaging/linux/bundle_deps.py BUNDLE_DIR

prints one comma-separated Depends fragment, e.g. "libc6 (>= 2.36), libegl1, libxcb1 (>= 1.11)".
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
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


def versioned(packages: set[str], files: list[Path]) -> dict[str, str]:
    """package -> "package (>= x)" as dpkg-shlibdeps words it, for the packages asked about."""
    with tempfile.TemporaryDirectory(prefix="bundle-deps-") as work:
        (Path(work) / "debian").mkdir()
        (Path(work) / "debian/control").write_text("Source: msnqt\n\nPackage: msnqt\nArchitecture: any\n")
        result = subprocess.run(["dpkg-shlibdeps", "--warnings=0", "-O", *(str(f.resolve()) for f in files)],
                                cwd=work, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"bundle_deps: dpkg-shlibdeps failed:\n{result.stderr.strip()}")
    found: dict[str, str] = {}
    for line in result.stdout.splitlines():
        if line.startswith("shlibs:Depends="):
            for relation in line.split("=", 1)[1].split(","):
                name = relation.strip().split(" ")[0]
                if name in packages:
                    found[name] = relation.strip()
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: bundle_deps.py BUNDLE_DIR", file=sys.stderr)
        return 2
    bundle = Path(argv[0])
    shipped = {p.name for p in bundle.rglob("*")}
    needs: dict[Path, set[str]] = {}
    for path in elf_files(bundle):
        needs[path] = set(re.findall(r"^\s*NEEDED\s+(\S+)", objdump(path, "-p"), re.MULTILINE)) - shipped
    packages: set[str] = set()
    missing = []
    for soname in sorted(set().union(*needs.values())):
        package = package_of(soname)
        if package is None:
            missing.append(soname)
        else:
            packages.add(package)
    if missing:
        print("bundle_deps: no installed package provides " + ", ".join(missing), file=sys.stderr)
        return 1
    relations = versioned(packages, [path for path, external in needs.items() if external])
    print(", ".join(relations.get(package, package) for package in sorted(packages)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
