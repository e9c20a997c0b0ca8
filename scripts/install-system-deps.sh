#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Shoumen needs, skipping the ones already present.
# Runs as root, or through sudo when it is available.
set -euo pipefail

PACKAGES=(
  python3 python3-venv python3-pip        # the interpreter and venv (Debian splits them)
  libzbar0                                # pyzbar's decoder library
  fonts-wqy-microhei                      # CJK glyphs for the Chinese interface
  libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-xinerama0
  libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xkb1
  libegl1 libgl1 libdbus-1-3 libpulse0 libfontconfig1 libglib2.0-0
  libopenblas0-pthread                    # OpenCV's BLAS in the bundle (build.spec links it, the .deb depends on it)
  postgresql                              # real PostgreSQL for the server tests
  xvfb                                    # real-window tests and a headless `run`
  chromium                                # the venue-code page's browser tests (Playwright)
  curl jq                                 # docs/API_WALKTHROUGH.md (run by tests/server/test_walkthrough.py)
  binutils util-linux                     # objdump for PyInstaller; unshare for the bundle self-test
  nginx-light                             # the TLS front of tests/deploy/test_tls_nginx.py (deploy/nginx/shoumen.conf, docs/DEPLOY.md)
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

# A python3 that cannot make a venv (Debian without python3-venv) counts as missing.
if command -v python3 >/dev/null && ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  [[ " ${missing[*]-} " == *" python3-venv "* ]] || missing+=(python3-venv)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "system packages: all present"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null; then
  SUDO=(sudo)
else
  echo "missing system packages: ${missing[*]}" >&2
  echo "run this script as root (or install sudo)" >&2
  exit 1
fi

echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
