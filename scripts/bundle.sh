#!/usr/bin/env bash
# Builds the one-folder bundle dist/shoumen/ with PyInstaller (build.spec), prints its size,
# then runs `dist/shoumen/shoumen --self-test` the way a kiosk without Python would:
#   - the system's libzbar is hidden (an empty file is bind-mounted over it), so a libzbar
#     missing from the bundle fails the pyzbar step instead of being found on the system;
#   - the build's Python standard library, .venv and the source packages are hidden too, so
#     nothing outside dist/shoumen/ can stand in for what the bundle lacks;
#   - the environment is emptied (env -i) but for PATH, HOME, LANG and TMPDIR.
# The hiding needs a private mount namespace: root and unshare(1) (CI runs as root).
#   scripts/bundle.sh              build, then self-test with the system libzbar hidden
#   scripts/bundle.sh --no-hide    build, then self-test as is (no root needed; proves less)
#   scripts/bundle.sh --test-only  self-test the existing dist/shoumen/ (hidden)
# The self-test's files (workbench.png, its log) are kept in test-artifacts/bundle/.
set -euo pipefail
SELF=$(realpath "${BASH_SOURCE[0]}")
cd "$(dirname "$SELF")/.."

BUNDLE=dist/shoumen
ARTIFACTS=test-artifacts/bundle

# --- inside the private mount namespace (see run_hidden) ------------------------------------
if [[ "${1:-}" == "--in-namespace" ]]; then
  shift
  hide=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do hide+=("$1"); shift; done
  shift
  for lib in "${hide[@]}"; do
    mount --bind /dev/null "$lib"
  done
  # Prove the hiding works before trusting a pass: the system's loader cannot load it now.
  if .venv/bin/python -c 'import ctypes; ctypes.CDLL("libzbar.so.0")' 2>/dev/null; then
    echo "bundle.sh: libzbar is still loadable after hiding ${hide[*]}" >&2
    exit 3
  fi
  echo "hidden: ${hide[*]}"
  for folder in "$@"; do
    mount -t tmpfs -o ro,size=1m shoumen-hidden "$folder"
  done
  echo "hidden: $*"
  exec env -i PATH=/usr/bin:/bin HOME="${HOME:-/root}" LANG=C.UTF-8 TMPDIR=/tmp \
    "$BUNDLE/shoumen" --self-test --data-dir "$ARTIFACTS"
fi

die() { echo "bundle.sh: $*" >&2; exit 1; }

build() {
  [[ -x .venv/bin/pyinstaller ]] || die ".venv/bin/pyinstaller missing: run scripts/setup-venv.sh"
  command -v objdump >/dev/null || die "PyInstaller needs objdump on Linux (Debian: apt install binutils)"
  echo "== bundle: building $BUNDLE (PyInstaller, build.spec)"
  local began=$SECONDS
  .venv/bin/pyinstaller --noconfirm --clean --log-level WARN build.spec
  local took=$((SECONDS - began))
  local bytes files
  bytes=$(du -sb "$BUNDLE" | cut -f1)
  files=$(find "$BUNDLE" -type f | wc -l)
  echo "bundle: $BUNDLE $((bytes / 1048576)) MiB in $files files, built in ${took} s (target: <= 300 MB)"
}

# System copies of libzbar (real files, not the symlinks to them), one per line.
system_zbar() {
  local lib
  for lib in /usr/lib/*/libzbar.so* /usr/lib/libzbar.so* /usr/lib64/libzbar.so* /usr/local/lib/libzbar.so*; do
    [[ -e "$lib" ]] && realpath "$lib"
  done | sort -u
}

run_hidden() {
  [[ $(id -u) -eq 0 ]] || die "hiding the system libzbar needs root (a private mount namespace); run as root, or pass --no-hide"
  command -v unshare >/dev/null || die "hiding the system libzbar needs unshare (util-linux); or pass --no-hide"
  local libs stdlib
  mapfile -t libs < <(system_zbar)
  [[ ${#libs[@]} -gt 0 ]] || echo "bundle.sh: no system libzbar to hide"
  stdlib=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
  local folders=("$stdlib" "$(realpath .venv)" shoumen_core shoumen_gui shoumen_server resources)
  echo "== bundle: self-test with the system libzbar, Python and sources hidden"
  unshare --mount --propagation private -- "$SELF" --in-namespace "${libs[@]}" -- "${folders[@]}"
}

run_plain() {
  echo "== bundle: self-test (nothing hidden: --no-hide)"
  "$BUNDLE/shoumen" --self-test --data-dir "$ARTIFACTS"
}

mode=${1:-}
case "$mode" in
  ""|--no-hide) build ;;
  --test-only) [[ -x "$BUNDLE/shoumen" ]] || die "$BUNDLE/shoumen missing: build it first" ;;
  *) die "usage: scripts/bundle.sh [--no-hide | --test-only]" ;;
esac
# build.spec links some libraries to the system's copy instead of shipping them (cv2's OpenBLAS).
while IFS= read -r link; do
  [[ -e "$link" ]] || die "$link links to $(readlink "$link"), missing here: run scripts/install-system-deps.sh"
done < <(find "$BUNDLE" -type l -lname '/*')
rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"
if [[ "$mode" == "--no-hide" ]]; then
  run_plain
else
  run_hidden
fi
