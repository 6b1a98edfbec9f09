# shellcheck shell=bash
# The Debian packages packaging/build-linux needs on the build host (sourced by build-linux and by
# packaging/dev, whose test suite builds the packages): dpkg-dev and lintian for the .deb, binutils
# (objdump) for PyInstaller, patchelf to drop the build host's RUNPATHs, the X11/Wayland client libraries
# PyInstaller must find on the build host to copy them into the bundle (toolchain-notes §5, §8), and the
# validators tests/packaging runs on what the .deb installs (appstreamcli, systemd-analyze). Add yours.
BUILD_PACKAGES=(
  dpkg-dev lintian binutils xz-utils patchelf appstream systemd
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libwayland-cursor0 libwayland-egl1
)

# debian_python_packages PYTHON: the packages Debian's own Python needs for a venv (ensurepip) and for
# PyInstaller (the shared libpython), printed one a line; nothing for a Python that dpkg did not install
# (pyenv and the like carry both). Toolchain-notes §10.
debian_python_packages() {
  local exe version
  exe=$("$1" -c 'import os, sys; print(os.path.realpath(sys.executable))' 2>/dev/null) || return 0
  version=$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  if command -v dpkg-query >/dev/null 2>&1 && dpkg-query -S "$exe" >/dev/null 2>&1; then
    printf '%s\n' "python$version-venv" "libpython$version"
  fi
}
