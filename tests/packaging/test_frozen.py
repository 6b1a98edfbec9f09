"""The Linux artefacts, built by packaging/build-linux and exercised as a user gets them.

Everything here runs **the frozen executables**, never the source: from the unpacked tarball, from the
tarball's per-user install, and from the .deb installed by dpkg into a throw-away root. The build is
cached under build/ (keyed on a hash of its inputs), so only the first run after a source change pays
for PyInstaller.
"""

from __future__ import annotations

import configparser
import re
import shutil
import signal
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.packaging.frozen import REPO, chat_through_frozen_server, frozen_env, run

pytestmark = [
    pytest.mark.slow,
    # The first test also builds (PyInstaller, dpkg-shlibdeps, lintian, tarball): 2-3 min cold on 2 cores,
    # up to twice that while other test runs load both cores.
    pytest.mark.timeout(720),
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
                            text=True, timeout=700, check=False)
    assert result.returncode == 0, f"packaging/build-linux failed:\n{result.stderr[-3000:]}"
    deb = dist / f"msnqt_{VERSION}_amd64.deb"
    tarball = dist / f"msnqt-{VERSION}-linux-x86_64.tar.gz"
    assert result.stdout.split() == [str(deb), str(tarball)]
    return deb, tarball


@pytest.fixture(scope="module")
def unpacked(artefacts: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tarball's folder, unpacked as a user would: with tar (Python's extraction filters need 3.11.4,
    and Debian 12 ships 3.11.2)."""
    target = tmp_path_factory.mktemp("tarball")
    subprocess.run(["tar", "-xzf", str(artefacts[1]), "-C", str(target)], check=True, timeout=120)
    folder = target / f"msnqt-{VERSION}-linux-x86_64"
    assert folder.is_dir(), sorted(p.name for p in target.iterdir())
    return folder


def dpkg(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """dpkg acting on a throw-away root with its own database. The root has no libc or shell (a chroot
    with them would cost a debootstrap), so packages are only unpacked (the maintainer script, which
    creates the server's system user, would run chrooted there), dependencies are not checked, and the
    programs run from <root>/usr/lib/msnqt against the host's system libraries. packaging/clean-root-check
    installs the .deb for real, with apt, on a bare Debian 12."""
    (root / "var/lib/dpkg/info").mkdir(parents=True, exist_ok=True)
    (root / "var/lib/dpkg/updates").mkdir(exist_ok=True)
    (root / "var/lib/dpkg/status").touch()
    return subprocess.run(["dpkg", f"--root={root}", "--force-depends", "--force-not-root", "--log=/dev/null",
                           *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def deb_root(artefacts: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .deb installed by dpkg into a throw-away root."""
    root = tmp_path_factory.mktemp("debroot")
    installed = dpkg(root, "--unpack", str(artefacts[0]))
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


def desktop_exec_arguments(value: str) -> list[str]:
    """An Exec key's arguments as a desktop reads them (Desktop Entry spec): unescape the string value,
    then split it, a quoted argument keeping its spaces and losing the backslash before " ` $ \\."""
    text = value.replace("\\\\", "\\")
    return [re.sub(r'\\(["`$\\])', r"\1", quoted) if quoted else plain
            for quoted, plain in re.findall(r'"((?:[^"\\]|\\.)*)"|(\S+)', text)]


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_tarball_installs_per_user_and_uninstalls_exactly(unpacked: Path, tmp_path: Path) -> None:
    home = tmp_path / "home of $USER with spaces"  # the menu entry must still start the app
    (home / ".local/share/applications").mkdir(parents=True)
    (home / ".local/share/applications/other.desktop").write_text("[Desktop Entry]\n")  # not ours
    before = tree(home)
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
    exec_line = desktop_exec_arguments(entry["Desktop Entry"]["Exec"])
    assert exec_line == [str(local / "lib/msnqt/msnqt")] and Path(exec_line[0]).is_file()
    assert png_size(local / "share/icons/hicolor/48x48/apps/msnqt.png") == (48, 48)
    assert (local / "share/metainfo/io.github.msnqt.metainfo.xml").is_file()

    removed = run(["sh", unpacked / "install.sh", "--uninstall"], env, timeout=60)
    assert removed.returncode == 0, removed.stderr
    assert tree(home) == before  # every file and every folder it made gone; nothing else touched


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
        assert link.is_symlink() and str(link.readlink()) == f"../lib/msnqt/{program}"
        assert (deb_root / "usr/lib/msnqt" / program).stat().st_mode & 0o111
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(deb_root / "usr/share/applications/msnqt.desktop")
    desktop = entry["Desktop Entry"]
    assert (desktop["Type"], desktop["Exec"], desktop["Icon"], desktop["Terminal"]) == (
        "Application", "msnqt", "msnqt", "false")
    icons = deb_root / "usr/share/icons/hicolor"
    for size in HICOLOR_SIZES:
        assert png_size(icons / f"{size}x{size}/apps/msnqt.png") == (size, size)
    assert (icons / "scalable/apps/msnqt.svg").read_bytes() == (REPO / "resources/icons/app.svg").read_bytes()
    metainfo = ET.parse(deb_root / "usr/share/metainfo/io.github.msnqt.metainfo.xml").getroot()
    assert metainfo.findtext("id") == "io.github.msnqt"
    assert metainfo.findtext("launchable") == "msnqt.desktop"
    assert metainfo.find("releases/release").get("version") == VERSION  # type: ignore[union-attr]


def test_programs_from_the_unpacked_deb_chat_through_its_server(deb_root: Path, tmp_path: Path) -> None:
    chat_through_frozen_server(deb_root / "usr/lib/msnqt", tmp_path)


def test_deb_purges_without_leaving_files_behind(artefacts: tuple[Path, Path], tmp_path: Path) -> None:
    contents = subprocess.run(["dpkg-deb", "--contents", str(artefacts[0])], capture_output=True, text=True,
                              check=True).stdout
    # dpkg removes the directories a package ships once they are empty: shipping /opt (which nothing else
    # owns on a bare system) deleted it on removal.
    assert not [line for line in contents.splitlines() if line.split()[-1].startswith("./opt")]
    assert dpkg(tmp_path, "--unpack", str(artefacts[0])).returncode == 0
    assert (tmp_path / "usr/lib/msnqt/msnqt").is_file()
    purged = dpkg(tmp_path, "--purge", "msnqt")
    assert purged.returncode == 0, purged.stderr
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and "var/lib/dpkg" not in str(p)]
    assert leftovers == []


def test_no_path_of_the_build_machine_in_any_runpath(unpacked: Path) -> None:
    """Only bundle-relative ($ORIGIN) library search paths: the build host's interpreter directory (a
    pyenv's, say) would be searched first on a user's machine."""
    foreign = {}
    for path in (unpacked / "_internal").rglob("*.so*"):
        if path.is_file() and not path.is_symlink():
            dynamic = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True).stdout
            for entry in re.findall(r"^\s*R(?:UN)?PATH\s+(\S+)", dynamic, re.MULTILINE):
                if any(not part.startswith("$ORIGIN") for part in entry.split(":")):
                    foreign[str(path.relative_to(unpacked))] = entry
    assert foreign == {}


def test_tarball_carries_the_licence_texts(unpacked: Path) -> None:
    licences = unpacked / "licenses"
    assert "MIT License" in (licences / "msnqt/LICENSE").read_text()
    assert "PYTHON SOFTWARE FOUNDATION LICENSE" in (licences / "python/LICENSE").read_text().upper()
    assert "Bootloader Exception" in (licences / "pyinstaller-bootloader/COPYING.txt").read_text()
    pyside = next(licences.glob("python-packages/PySide6_Essentials-*"))
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (pyside / "LGPL-3").read_text()
    assert not list(unpacked.rglob("make_sounds.py"))  # a development tool, not part of the app


def test_deb_metainfo_passes_appstream_validation(deb_root: Path) -> None:
    metainfo = deb_root / "usr/share/metainfo/io.github.msnqt.metainfo.xml"
    result = subprocess.run(["appstreamcli", "validate", "--no-net", "--pedantic", str(metainfo)],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "W:" not in result.stdout and "E:" not in result.stdout, result.stdout


def test_deb_ships_a_valid_server_unit_and_enables_nothing(artefacts: tuple[Path, Path],
                                                           deb_root: Path) -> None:
    verified = subprocess.run(["systemd-analyze", "verify", "--man=no", "--recursive-errors=no",
                               f"--root={deb_root}", "msnqt-server.service"],
                              capture_output=True, text=True, timeout=60, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    unit = (deb_root / "usr/lib/systemd/system/msnqt-server.service").read_text()
    assert "User=msnqt" in unit and "StateDirectory=msnqt" in unit
    assert (deb_root / "usr/lib/sysusers.d/msnqt.conf").read_text().count("u msnqt") == 1
    contents = subprocess.run(["dpkg-deb", "--contents", str(artefacts[0])], capture_output=True, text=True,
                              check=True).stdout
    assert "./etc/systemd" not in contents  # no .wants link: serving is the administrator's choice
    postinst = subprocess.run(["dpkg-deb", "--ctrl-tarfile", str(artefacts[0])], capture_output=True,
                              check=True).stdout
    assert b"systemctl" not in postinst


def test_frozen_app_is_one_instance_and_ends_cleanly_on_sigterm(unpacked: Path, tmp_path: Path) -> None:
    """The bundle carries what the single-instance guard needs (QtNetwork) and its signal handling."""
    from tests.app.test_desktop_citizen import wait_for_line

    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = frozen_env(tmp_path) | {"QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime),
                                  "XDG_STATE_HOME": str(tmp_path / "state")}
    log = tmp_path / "state" / "msnqt" / "msnqt.log"
    first = subprocess.Popen([str(unpacked / "msnqt"), "--server", "127.0.0.1:9"], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_line(log, "main window shown", first)
        second = run([unpacked / "msnqt"], env, timeout=60)
        assert second.returncode == 0 and "already running" in second.stderr, second.stderr
        wait_for_line(log, "a second launch asked this instance to show its window", first)
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=60) == 0
        assert "signed out; settings saved" in log.read_text()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=30)
