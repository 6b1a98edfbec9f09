#!/bin/sh
# Per-user install of msnqt from this unpacked folder, for distributions without dpkg.
#
#   ./install.sh              copy the app to ~/.local/lib/msnqt, put msnqt, msnqt-server and msnqt-cli in
#                             ~/.local/bin, and add the menu entry and icons under ~/.local/share
#   ./install.sh --uninstall  remove exactly what the install added: its files, the folders it had to
#                             create, and the menu/icon caches if it was the one that made them
#
# Honours XDG_DATA_HOME and PREFIX (default ~/.local). Nothing outside PREFIX and XDG_DATA_HOME is touched.
# What the install added is recorded in PREFIX/lib/msnqt/install-record, which --uninstall reads.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
data=${XDG_DATA_HOME:-$prefix/share}
app_dir=$prefix/lib/msnqt
bin_dir=$prefix/bin
record=$app_dir/install-record
programs="msnqt msnqt-server msnqt-cli"
desktop_cache=$data/applications/mimeinfo.cache
icon_cache=$data/icons/hicolor/icon-theme.cache

say() { printf 'install.sh: %s\n' "$*" >&2; }

# make_dir DIR: mkdir -p, writing each folder it creates (outermost first) to $new_dirs.
make_dir() {
  missing=""
  d=$1
  while [ ! -d "$d" ]; do missing="$d
$missing"; d=$(dirname "$d"); done
  mkdir -p "$1"
  printf '%s' "$missing" >> "$new_dirs"
}

# desktop_quote ARG: ARG as one argument of a desktop entry's Exec= key (Desktop Entry spec, "The Exec
# key"): in double quotes with " ` $ \ escaped, then backslashes escaped again for the string type, % doubled.
desktop_quote() {
  printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\\\\\/g' -e 's/["`$]/\\\\&/g' -e 's/%/%%/g')"
}

refresh_caches() {
  if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$data/applications" ]; then
    update-desktop-database -q "$data/applications" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$data/icons/hicolor" ]; then
    gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
  fi
}

uninstall() {
  [ -f "$record" ] || { say "no msnqt installed in $app_dir (no $record)"; exit 1; }
  # The record: "file PATH", "cache PATH" (made by this install) and "dir PATH" (outermost first).
  sed -n 's/^file //p' "$record" | while IFS= read -r f; do rm -f "$f"; done
  refresh_caches
  sed -n 's/^cache //p' "$record" | while IFS= read -r f; do rm -f "$f"; done
  dirs=$(sed -n 's/^dir //p' "$record")
  rm -rf "$app_dir"
  # Innermost first, and only when empty: a folder something else has put files in since stays.
  printf '%s\n' "$dirs" | sed '1!G;h;$!d' | while IFS= read -r d; do
    [ -n "$d" ] && [ -d "$d" ] && rmdir "$d" 2>/dev/null || true
  done
  say "msnqt removed"
}

install_app() {
  for p in $programs; do
    [ -x "$here/$p" ] || { say "$here/$p is missing: run install.sh from the unpacked msnqt folder"; exit 1; }
  done
  if [ -f "$record" ]; then
    say "updating the msnqt installed in $app_dir"
    old_record=$(cat "$record")
  else
    old_record=""
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  new_dirs=$work/dirs
  : > "$new_dirs"
  # Folders that already existed before a first install are never recorded, so never removed.
  printf '%s\n' "$old_record" | sed -n 's/^dir //p' > "$new_dirs"
  for d in "$prefix/lib" "$bin_dir" "$data/applications" "$data/metainfo" "$data/icons/hicolor"; do
    make_dir "$d"
  done
  (cd "$here/icons" && find . -type d) | while IFS= read -r d; do make_dir "$data/icons/hicolor/${d#./}"; done
  caches=$work/caches
  printf '%s\n' "$old_record" | sed -n 's/^cache //p' > "$caches"
  for c in "$desktop_cache" "$icon_cache"; do
    [ -e "$c" ] || echo "$c" >> "$caches"
  done

  # Copy into a fresh folder, then swap it in, so an update never leaves a half-old app behind.
  rm -rf "$app_dir.new"
  mkdir -p "$app_dir.new"
  cp -R "$here/_internal" "$app_dir.new/"
  for p in $programs; do cp "$here/$p" "$app_dir.new/$p"; done
  rm -rf "$app_dir"
  mv "$app_dir.new" "$app_dir"

  files=$work/files
  : > "$files"
  for p in $programs; do ln -sf "$app_dir/$p" "$bin_dir/$p"; echo "$bin_dir/$p" >> "$files"; done
  # The menu entry names the executable by its full path (~/.local/bin is not on every desktop's PATH),
  # quoted, so a space or a $ in the home folder's name cannot break it.
  exec_path=$(desktop_quote "$app_dir/msnqt")
  while IFS= read -r line; do
    case $line in
      Exec=msnqt*) printf 'Exec=%s%s\n' "$exec_path" "${line#Exec=msnqt}" ;;
      *) printf '%s\n' "$line" ;;
    esac
  done < "$here/msnqt.desktop" > "$data/applications/msnqt.desktop"
  echo "$data/applications/msnqt.desktop" >> "$files"
  cp "$here/msnqt.metainfo.xml" "$data/metainfo/io.github.msnqt.metainfo.xml"
  echo "$data/metainfo/io.github.msnqt.metainfo.xml" >> "$files"
  (cd "$here/icons" && find . -type f) | while IFS= read -r f; do
    cp "$here/icons/$f" "$data/icons/hicolor/${f#./}"
    echo "$data/icons/hicolor/${f#./}" >> "$files"
  done
  refresh_caches

  {
    sed 's/^/file /' "$files"
    sort -u "$caches" | sed '/^$/d; s/^/cache /'
    awk 'NF && !seen[$0]++' "$new_dirs" | sed 's/^/dir /'
  } > "$record"
  say "installed msnqt in $app_dir"
  case ":$PATH:" in
    *":$bin_dir:"*) ;;
    *) say "note: $bin_dir is not on your PATH; add it to run msnqt, msnqt-server and msnqt-cli by name" ;;
  esac
}

case "${1:-}" in
  "") install_app ;;
  --uninstall) uninstall ;;
  -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) say "unknown option '$1' (use --uninstall or nothing)"; exit 2 ;;
esac
