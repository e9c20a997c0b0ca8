#!/usr/bin/env bash
# The Debian package of the staff app, made from the PyInstaller bundle dist/shoumen/
# (scripts/bundle.sh builds it), and its install / upgrade / remove test.
#
#   scripts/package.sh build          dist/shoumen_<version>_<arch>.deb (version from pyproject.toml;
#                                     VERSION=... overrides it, e.g. for the upgrade test)
#   scripts/package.sh test           as root: builds the package, and the same under a newer version,
#                                     checks the size budget and, on this machine, installs the first
#                                     with apt, self-tests the installed app with the build's Python,
#                                     .venv and sources out of reach, upgrades to the second,
#                                     self-tests again, removes and purges it; the user's data
#                                     folder (~/.local/share/shoumen) must outlive all of it.
#   scripts/package.sh test --no-build    the same with the package already in dist/ (xz takes minutes)
#
# What goes where (packaging/):
#   /opt/shoumen/                          the bundle as it is
#   /usr/bin/shoumen                       a link to /opt/shoumen/shoumen (the bootloader finds its
#                                          folder through /proc/self/exe)
#   /usr/share/applications/shoumen.desktop, /usr/share/icons/hicolor/scalable/apps/shoumen.svg
#   /usr/lib/systemd/user/shoumen-kiosk.service   the optional kiosk autostart, installed disabled:
#                                          systemctl --user enable --now shoumen-kiosk.service
# No maintainer scripts: installing, upgrading and removing touch nothing but the files above,
# never a user's data (platformdirs folders in their home, or --data-dir).
# Depends: every shared library the bundle's programs and libraries link (objdump NEEDED) that the
# bundle does not carry itself, mapped to its Debian package with dpkg -S, plus what is loaded
# without a NEEDED entry (EXTRA_DEPENDS below). The package is therefore made for the
# distribution it is built on (today Debian 12 amd64), like any binary .deb.
set -euo pipefail
SELF=$(realpath "${BASH_SOURCE[0]}")
cd "$(dirname "$SELF")/.."

BUNDLE=dist/shoumen
NAME=shoumen
die() { echo "package.sh: $*" >&2; exit 1; }

# --- PLATFORM: the parts that depend on the target (an ARM or another distribution adds a branch)
ARCH=$(dpkg --print-architecture 2>/dev/null) || die "dpkg missing: the package is built on Debian or Ubuntu"
MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
# Needed at run time without a NEEDED entry in any bundled library:
#   the CJK font (Qt finds it through fontconfig), and OpenBLAS, which build.spec links cv2's
#   private copy to (SYSTEM_REPLACEMENTS) instead of shipping it.
EXTRA_DEPENDS=("fonts-wqy-microhei" "libopenblas0-pthread | libopenblas0")
# Libraries a program may find missing but never loads in the app (none today).
IGNORED_NEEDED=()

version_from_pyproject() {
  sed -n 's/^version *= *"\(.*\)"/\1/p' pyproject.toml | head -1
}

# The Debian package that owns a library file (merged /usr: dpkg may know it under /lib).
owner_of() {
  local path=$1 candidate owner
  for candidate in "$path" "$(realpath "$path")" "${path#/usr}" "/usr${path}"; do
    owner=$(dpkg-query -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1) || true
    if [[ -n "$owner" ]]; then
      echo "${owner%%,*}"
      return 0
    fi
  done
  return 1
}

# Where the dynamic loader finds a soname on this system (ldconfig's cache, this architecture).
system_path_of() {
  ldconfig -p | awk -v name="$1" '$1 == name && /x86-64|AArch64|x32|ARM|i386/ {print $NF}' \
    | while read -r path; do [[ "$path" == *"/$MULTIARCH/"* || "$path" == /lib64/* || "$path" == /usr/lib64/* ]] && echo "$path"; done \
    | head -1
}

compute_depends() {
  local provided needed name path owner
  declare -A provided=() owners=()
  while IFS= read -r name; do provided[$name]=1; done < <(find "$BUNDLE" \( -type f -o -type l \) -printf '%f\n')
  # Every ELF in the bundle: its NEEDED entries.
  mapfile -t needed < <(find "$BUNDLE" -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
    | xargs -0 objdump -p 2>/dev/null | awk '$1 == "NEEDED" {print $2}' | sort -u)
  for name in "${needed[@]}"; do
    [[ -n "${provided[$name]:-}" ]] && continue
    [[ " ${IGNORED_NEEDED[*]-} " == *" $name "* ]] && continue
    path=$(system_path_of "$name")
    [[ -n "$path" ]] || die "the bundle needs $name, which neither it nor this system has"
    owner=$(owner_of "$path") || die "no Debian package owns $path (needed as $name)"
    owners[$owner]=1
  done
  # Links that leave the bundle (build.spec SYSTEM_REPLACEMENTS) must land on a file here too.
  while IFS= read -r path; do
    [[ -e "$path" ]] || die "$path links to $(readlink "$path"), missing on this system (scripts/install-system-deps.sh)"
  done < <(find "$BUNDLE" -type l -lname '/*')
  {
    printf '%s\n' "${!owners[@]}" | sort
    printf '%s\n' "${EXTRA_DEPENDS[@]}"
  } | paste -sd, - | sed 's/,/, /g'
}

build() {
  [[ -x "$BUNDLE/$NAME" ]] || die "$BUNDLE/$NAME missing: scripts/bundle.sh builds it"
  command -v dpkg-deb >/dev/null || die "dpkg-deb missing"
  command -v objdump >/dev/null || die "objdump missing (Debian: apt install binutils)"
  local version=${VERSION:-$(version_from_pyproject)}
  [[ -n "$version" ]] || die "no version in pyproject.toml"
  local out="dist/${NAME}_${version}_${ARCH}.deb"
  local root
  root=$(mktemp -d "${TMPDIR:-/tmp}/shoumen-deb.XXXXXX")
  echo "== package: $out from $BUNDLE"
  chmod 755 "$root"  # mktemp made it 700: it becomes the package's "./"
  install -d "$root/opt" "$root/usr/bin" "$root/DEBIAN"
  cp -a "$BUNDLE" "$root/opt/$NAME"
  ln -s "/opt/$NAME/$NAME" "$root/usr/bin/$NAME"
  install -D -m 644 packaging/debian/shoumen.desktop "$root/usr/share/applications/$NAME.desktop"
  install -D -m 644 packaging/debian/shoumen.svg "$root/usr/share/icons/hicolor/scalable/apps/$NAME.svg"
  install -D -m 644 packaging/debian/shoumen-kiosk.service "$root/usr/lib/systemd/user/$NAME-kiosk.service"
  install -D -m 644 packaging/debian/copyright "$root/usr/share/doc/$NAME/copyright"
  chmod -R u=rwX,go=rX "$root/opt" "$root/usr"
  local depends size
  depends=$(compute_depends)
  size=$(du -sk --apparent-size "$root/opt" "$root/usr" | awk '{s += $1} END {print s}')
  sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
    packaging/debian/control.in > "$root/DEBIAN/control"
  # xz: about a third smaller than gzip on the bundle's libraries; -z9 gains little more.
  dpkg-deb --root-owner-group --build -Zxz -z6 "$root" "$out" >/dev/null
  rm -rf "$root"
  echo "package: $out $(($(stat -c %s "$out") / 1048576)) MiB, installed $((size / 1024)) MiB"
  echo "Depends: $depends"
}

# The same package under a newer version, for the upgrade test: only the control member is made
# again (dpkg-deb would spend minutes compressing the same data once more). A .deb is an ar
# archive of debian-binary, control.tar.* and data.tar.*, in that order.
repack_as() {
  local source=$1 version=$2 out=$3 work
  work=$(mktemp -d "${TMPDIR:-/tmp}/shoumen-repack.XXXXXX")
  (
    cd "$work"
    ar x "$OLDPWD/$source"
    mkdir control
    tar -xf control.tar.xz -C control
    sed -i "s/^Version: .*/Version: $version/" control/control
    rm control.tar.xz
    tar --owner=0 --group=0 --numeric-owner -cJf control.tar.xz -C control .
    rm -f "$OLDPWD/$out"
    ar rc "$OLDPWD/$out" debian-binary control.tar.xz data.tar.*
  )
  rm -rf "$work"
  dpkg-deb --info "$out" >/dev/null || die "$out is not a valid package"
  [[ "$(dpkg-deb -f "$out" Version)" == "$version" ]] || die "$out does not say version $version"
}

# --- test: install, self-test, upgrade, remove, purge on this machine --------------------------

# Runs the installed app's self-test the way a station runs it: another folder, an empty
# environment, and (private mount namespace) the build's Python, .venv and sources hidden.
installed_selftest() {
  local home=$1
  local stdlib folders=()
  stdlib=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])' 2>/dev/null || true)
  [[ -n "$stdlib" ]] && folders+=("$stdlib")
  [[ -e .venv ]] && folders+=("$(realpath .venv)")
  folders+=("$PWD/shoumen_core" "$PWD/shoumen_gui" "$PWD/shoumen_server" "$PWD/resources")
  unshare --mount --propagation private -- bash -euc '
    home=$1; shift
    for folder in "$@"; do mount -t tmpfs -o ro,size=1m shoumen-hidden "$folder"; done
    cd /
    exec env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 TMPDIR=/tmp \
      shoumen --self-test --data-dir "$home/.local/share/shoumen/self-test"
  ' installed-selftest "$home" "${folders[@]}"
}

# The budget of issue 18 §2, in MiB like the figures it starts from (460 MiB installed).
MAX_DEB_MIB=120
MAX_INSTALLED_MIB=350
check_size() {
  local deb=$1 bytes kib
  bytes=$(stat -c %s "$deb")
  kib=$(dpkg-deb -f "$deb" Installed-Size)
  ((bytes <= MAX_DEB_MIB * 1048576)) || die "$deb is $((bytes / 1048576)) MiB, over the budget of $MAX_DEB_MIB MiB"
  ((kib <= MAX_INSTALLED_MIB * 1024)) || die "$deb installs $((kib / 1024)) MiB, over the budget of $MAX_INSTALLED_MIB MiB"
  echo "package: $((bytes / 1048576)) MiB, installed $((kib / 1024)) MiB (budget $MAX_DEB_MIB / $MAX_INSTALLED_MIB MiB)"
}

installed_version() {
  dpkg-query -W -f='${Status} ${Version}' "$NAME" 2>/dev/null | awk '$3 == "installed" {print $4}'
}

check_installed() {
  local want=$1
  [[ "$(installed_version)" == "$want" ]] || die "installed version is '$(installed_version)', not $want"
  [[ -x /opt/$NAME/$NAME ]] || die "/opt/$NAME/$NAME missing"
  [[ "$(command -v $NAME)" == /usr/bin/$NAME ]] || die "$NAME is not on the PATH as /usr/bin/$NAME"
  [[ -f /usr/share/applications/$NAME.desktop ]] || die "desktop entry missing"
  [[ -f /usr/share/icons/hicolor/scalable/apps/$NAME.svg ]] || die "icon missing"
  [[ -f /usr/lib/systemd/user/$NAME-kiosk.service ]] || die "kiosk unit missing"
  if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate /usr/share/applications/$NAME.desktop
  fi
  echo "package: $NAME $want installed, files in place"
}

check_data_kept() {
  local home=$1 marker=$2
  [[ -f "$marker" ]] || die "the user's data ($marker) is gone"
  ls -d "$home"/.local/share/shoumen/self-test/shoumen-selftest-* >/dev/null \
    || die "the self-test's files in $home/.local/share/shoumen are gone"
}

test_package() {
  [[ $(id -u) -eq 0 ]] || die "the package test installs on this machine: run it as root"
  command -v apt-get >/dev/null || die "apt-get missing"
  command -v unshare >/dev/null || die "unshare missing (Debian: apt install util-linux)"
  [[ -z "$(installed_version)" ]] || die "$NAME $(installed_version) is installed here already: remove it first (apt-get purge $NAME)"
  local version newer home marker
  version=$(version_from_pyproject)
  newer="${version}+upgrade1"  # sorts after $version (dpkg --compare-versions)
  dpkg --compare-versions "$newer" gt "$version" || die "$newer does not sort after $version"
  if [[ "${1:-}" == "--no-build" ]]; then
    [[ -f "dist/${NAME}_${version}_${ARCH}.deb" ]] || die "dist/${NAME}_${version}_${ARCH}.deb missing: scripts/package.sh build"
  else
    VERSION=$version build
  fi
  repack_as "dist/${NAME}_${version}_${ARCH}.deb" "$newer" "dist/${NAME}_${newer}_${ARCH}.deb"
  check_size "dist/${NAME}_${version}_${ARCH}.deb"
  home=$(mktemp -d /tmp/shoumen-package-home.XXXXXX)
  chmod 755 "$home"
  # Whatever happens below, leave no package behind on the machine.
  trap 'apt-get purge -y -qq '"$NAME"' >/dev/null 2>&1 || true' EXIT
  export DEBIAN_FRONTEND=noninteractive

  echo "== package: apt install ./dist/${NAME}_${version}_${ARCH}.deb"
  apt-get install -y -qq --no-install-recommends "./dist/${NAME}_${version}_${ARCH}.deb"
  check_installed "$version"
  installed_selftest "$home"
  marker="$home/.local/share/shoumen/user-data-marker"
  echo "the user's data: removing or upgrading the package must keep this" > "$marker"

  echo "== package: upgrade to $newer"
  apt-get install -y -qq --no-install-recommends "./dist/${NAME}_${newer}_${ARCH}.deb"
  check_installed "$newer"
  check_data_kept "$home" "$marker"
  installed_selftest "$home"

  echo "== package: apt remove, then (installed again) apt purge"
  apt-get remove -y -qq "$NAME"
  [[ -z "$(installed_version)" ]] || die "$NAME still installed after apt remove"
  local leftover
  for leftover in /opt/$NAME /usr/bin/$NAME /usr/share/applications/$NAME.desktop \
    /usr/share/icons/hicolor/scalable/apps/$NAME.svg /usr/lib/systemd/user/$NAME-kiosk.service; do
    [[ ! -e "$leftover" && ! -L "$leftover" ]] || die "$leftover left behind by apt remove"
  done
  check_data_kept "$home" "$marker"
  # The package has no conffiles, so remove leaves nothing for purge: purge it installed.
  apt-get install -y -qq --no-install-recommends "./dist/${NAME}_${newer}_${ARCH}.deb"
  check_installed "$newer"
  apt-get purge -y -qq "$NAME"
  if dpkg-query -W -f='${Status}' "$NAME" 2>/dev/null | grep -qv 'not-installed'; then
    die "$NAME still known to dpkg after purge"
  fi
  [[ ! -e /opt/$NAME && ! -L /usr/bin/$NAME ]] || die "files left behind by apt purge"
  check_data_kept "$home" "$marker"
  trap - EXIT
  rm -rf "$home"
  echo "package: installed, self-tested, upgraded, self-tested, removed and purged; the user's data kept"
}

case "${1:-}" in
  build) build ;;
  test) test_package "${2:-}" ;;
  *) die "usage: scripts/package.sh build | test [--no-build]" ;;
esac
