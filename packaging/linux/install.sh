#!/bin/sh
# Per-user install of msnqt from this unpacked folder, for distributions without dpkg.
#
#   ./install.sh              copy the app to ~/.local/lib/msnqt, put msnqt, msnqt-server and msnqt-cli in
#                             ~/.local/bin, and add the menu entry and icons under ~/.local/share
#   ./install.sh --uninstall  remove exactly what the install added
#
# Honours XDG_DATA_HOME and PREFIX (default ~/.local). Nothing outside PREFIX and XDG_DATA_HOME is touched.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
data=${XDG_DATA_HOME:-$prefix/share}
app_dir=$prefix/lib/msnqt
bin_dir=$prefix/bin
programs="msnqt msnqt-server msnqt-cli"

say() { printf 'install.sh: %s\n' "$*" >&2; }

refresh_caches() {
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
}

uninstall() {
  for p in $programs; do
    if [ -L "$bin_dir/$p" ]; then rm -f "$bin_dir/$p"; fi
  done
  rm -rf "$app_dir"
  rm -f "$data/applications/msnqt.desktop" "$data/metainfo/msnqt.metainfo.xml"
  find "$data/icons/hicolor" -path '*/apps/msnqt.*' -exec rm -f {} + 2>/dev/null || true
  refresh_caches
  say "msnqt removed"
}

install_app() {
  for p in $programs; do
    [ -x "$here/$p" ] || { say "$here/$p is missing: run install.sh from the unpacked msnqt folder"; exit 1; }
  done
  mkdir -p "$prefix/lib" "$bin_dir" "$data/applications" "$data/metainfo"
  # Copy into a fresh folder, then swap it in, so an update never leaves a half-old app behind.
  rm -rf "$app_dir.new"
  mkdir -p "$app_dir.new"
  cp -R "$here/_internal" "$app_dir.new/"
  for p in $programs; do cp "$here/$p" "$app_dir.new/$p"; done
  rm -rf "$app_dir"
  mv "$app_dir.new" "$app_dir"
  for p in $programs; do ln -sf "$app_dir/$p" "$bin_dir/$p"; done
  # The menu entry names the executable by its full path: ~/.local/bin is not on every desktop's PATH.
  sed "s|^Exec=msnqt|Exec=$app_dir/msnqt|" "$here/msnqt.desktop" > "$data/applications/msnqt.desktop"
  cp "$here/msnqt.metainfo.xml" "$data/metainfo/msnqt.metainfo.xml"
  mkdir -p "$data/icons/hicolor"
  cp -R "$here/icons/." "$data/icons/hicolor/"
  refresh_caches
  say "installed msnqt in $app_dir"
  case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) say "note: $bin_dir is not on your PATH; add it to run msnqt, msnqt-server and msnqt-cli by name" ;;
  esac
}

case "${1:-}" in
  "") install_app ;;
  --uninstall) uninstall ;;
  -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) say "unknown option '$1' (use --uninstall or nothing)"; exit 2 ;;
esac
