"""The Linux artefacts, built by packaging/build-linux and exercised as a user gets them.

Everything here runs **the frozen executables**, never the source: from the unpacked tarball, from the
tarball's per-user install, and from the .deb installed by dpkg into a throw-away root. The build is
cached under build/ (keyed on a hash of its inputs), so only the first run after a source change pays
for PyInstaller.
"""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import tarfile
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.packaging.frozen import REPO, chat_through_frozen_server, frozen_env, run

pytestmark = [
    pytest.mark.slow,
    # The first test also builds (PyInstaller + .deb + lintian + tarball): ~1.5 min cold on 2 cores.
    pytest.mark.timeout(300),
    pytest.mark.skipif(not (REPO / ".venv/bin/pyinstaller").exists(),
                       reason="PyInstaller is not installed in .venv (packaging/dev setup installs it)"),
]

VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
PROGRAMS = ("msnqt", "msnqt-server", "msnqt-cli")
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


@pytest.fixture(scope="module")
def artefacts() -> tuple[Path, Path]:
    """(deb, tarball) from packaging/build-linux, into build/ so that reruns reuse them."""
    dist = REPO / "build" / "test-dist"
    result = subprocess.run(["packaging/build-linux", "--dist", str(dist)], cwd=REPO, capture_output=True,
                            text=True, timeout=280, check=False)
    assert result.returncode == 0, f"packaging/build-linux failed:\n{result.stderr[-3000:]}"
    deb = dist / f"msnqt_{VERSION}_amd64.deb"
    tarball = dist / f"msnqt-{VERSION}-linux-x86_64.tar.gz"
    assert result.stdout.split() == [str(deb), str(tarball)]
    return deb, tarball


@pytest.fixture(scope="module")
def unpacked(artefacts: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tarball's folder, unpacked as a user would."""
    target = tmp_path_factory.mktemp("tarball")
    with tarfile.open(artefacts[1]) as tar:
        tar.extractall(target, filter="tar")
    folder = target / f"msnqt-{VERSION}-linux-x86_64"
    assert folder.is_dir(), sorted(p.name for p in target.iterdir())
    return folder


def dpkg(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """dpkg acting on a throw-away root with its own database. The root has no libc or Qt libraries (a
    chroot with them would cost a debootstrap), so dependencies are not checked here, and the programs
    run from <root>/opt/msnqt against the host's system libraries."""
    (root / "var/lib/dpkg/info").mkdir(parents=True, exist_ok=True)
    (root / "var/lib/dpkg/updates").mkdir(exist_ok=True)
    (root / "var/lib/dpkg/status").touch()
    return subprocess.run(["dpkg", f"--root={root}", "--force-depends", "--force-not-root", "--log=/dev/null",
                           *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def deb_root(artefacts: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .deb installed by dpkg into a throw-away root."""
    root = tmp_path_factory.mktemp("debroot")
    installed = dpkg(root, "--install", str(artefacts[0]))
    assert installed.returncode == 0, installed.stderr
    return root


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_every_frozen_program_reports_the_pyproject_version(unpacked: Path, tmp_path: Path) -> None:
    for program in PROGRAMS:
        result = run([unpacked / program, "--version"], frozen_env(tmp_path), timeout=30)
        assert (result.returncode, result.stdout, result.stderr) == (0, f"{program} {VERSION}\n", "")


def test_frozen_clients_chat_through_the_frozen_server(unpacked: Path, tmp_path: Path) -> None:
    chat_through_frozen_server(unpacked, tmp_path)


def test_frozen_demo_reaches_the_signed_in_main_window_under_xvfb(unpacked: Path, tmp_path: Path) -> None:
    xvfb_run = shutil.which("xvfb-run")
    assert xvfb_run, "xvfb-run is missing (packaging/dev setup installs xvfb)"
    shot = tmp_path / "demo.png"
    env = frozen_env(tmp_path) | {"QT_QPA_PLATFORM": "xcb"}
    result = run([xvfb_run, "-a", "-s", "-screen 0 1024x768x24", unpacked / "msnqt", "--demo",
                  "--screenshot", shot, "--quit-after", "8"], env, timeout=90)
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr, result.stderr
    # The demo writes the screenshot only once signed in with a conversation open (else exit 1).
    assert f"screenshot saved to {shot}" in result.stdout
    width, height = png_size(shot)
    assert width > 100 and height > 100


def test_tarball_installs_per_user_and_uninstalls_cleanly(unpacked: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = frozen_env(home)
    env.pop("XDG_DATA_HOME")
    installed = run(["sh", unpacked / "install.sh"], env, timeout=120)
    assert installed.returncode == 0, installed.stderr
    local = home / ".local"
    for program in PROGRAMS:
        result = run([local / "bin" / program, "--version"], env, timeout=30)
        assert result.stdout == f"{program} {VERSION}\n", result.stderr
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(local / "share/applications/msnqt.desktop")
    exec_path = Path(entry["Desktop Entry"]["Exec"])
    assert exec_path == local / "lib/msnqt/msnqt" and exec_path.is_file()
    assert png_size(local / "share/icons/hicolor/48x48/apps/msnqt.png") == (48, 48)

    removed = run(["sh", unpacked / "install.sh", "--uninstall"], env, timeout=60)
    assert removed.returncode == 0, removed.stderr
    leftovers = [p for p in local.rglob("*") if "msnqt" in p.name]
    assert leftovers == []


def test_deb_declares_its_runtime_dependencies(artefacts: tuple[Path, Path]) -> None:
    control = subprocess.run(["dpkg-deb", "-f", str(artefacts[0]), "Package", "Version", "Architecture",
                              "Depends"], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(": ", 1) for line in control.splitlines())
    assert (fields["Package"], fields["Version"], fields["Architecture"]) == ("msnqt", VERSION, "amd64")
    depends = {alt.strip().split(" ")[0] for part in fields["Depends"].split(",") for alt in part.split("|")}
    # GL/EGL are never bundled, libxcb is the system's, and without fonts every glyph is a box.
    assert {"libc6", "libgl1", "libegl1", "libxcb1", "fontconfig-config", "fonts-dejavu-core"} <= depends


def test_deb_puts_programs_menu_entry_icons_and_metainfo_in_place(deb_root: Path) -> None:
    for program in PROGRAMS:
        link = deb_root / "usr/bin" / program
        assert link.is_symlink() and str(link.readlink()) == f"/opt/msnqt/{program}"
        assert (deb_root / "opt/msnqt" / program).stat().st_mode & 0o111
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(deb_root / "usr/share/applications/msnqt.desktop")
    desktop = entry["Desktop Entry"]
    assert (desktop["Type"], desktop["Exec"], desktop["Icon"], desktop["Terminal"]) == (
        "Application", "msnqt", "msnqt", "false")
    icons = deb_root / "usr/share/icons/hicolor"
    for size in HICOLOR_SIZES:
        assert png_size(icons / f"{size}x{size}/apps/msnqt.png") == (size, size)
    assert (icons / "scalable/apps/msnqt.svg").read_bytes() == (REPO / "resources/icons/app.svg").read_bytes()
    metainfo = ET.parse(deb_root / "usr/share/metainfo/msnqt.metainfo.xml").getroot()
    assert metainfo.findtext("launchable") == "msnqt.desktop"
    assert metainfo.find("releases/release").get("version") == VERSION  # type: ignore[union-attr]


def test_programs_from_the_unpacked_deb_chat_through_its_server(deb_root: Path, tmp_path: Path) -> None:
    chat_through_frozen_server(deb_root / "opt/msnqt", tmp_path)


def test_deb_purges_without_leaving_files_behind(artefacts: tuple[Path, Path], tmp_path: Path) -> None:
    assert dpkg(tmp_path, "--install", str(artefacts[0])).returncode == 0
    assert (tmp_path / "opt/msnqt/msnqt").is_file()
    purged = dpkg(tmp_path, "--purge", "msnqt")
    assert purged.returncode == 0, purged.stderr
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and "var/lib/dpkg" not in str(p)]
    assert leftovers == []
