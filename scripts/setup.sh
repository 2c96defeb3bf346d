#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian/Ubuntu machine with Python 3.11+.
#   scripts/setup.sh run    the runtime: virtualenv + requirements.txt
#   scripts/setup.sh test   also the test tools: requirements-dev.txt, axe-core (npm), Debian's Chromium
# Each step is skipped when already done (the requirements files' hashes are remembered in .venv/).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"
PYTHON="${PYTHON:-python3}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_install() {
  # Install Debian packages that are missing; apt-get update once per run, only when needed.
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing Debian packages: ${missing[*]}"
  if ! command -v apt-get >/dev/null; then
    echo "apt-get is not available: install ${missing[*]} with your system's package manager." >&2
    return 1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "Python 3.11 or newer is needed (found $("$PYTHON" --version 2>&1))." >&2
  exit 1
}

if [ ! -x .venv/bin/python ]; then
  say "Creating the virtual environment in .venv"
  "$PYTHON" -m venv .venv 2>/dev/null || { apt_install python3-venv && rm -rf .venv && "$PYTHON" -m venv .venv; }
fi

install_requirements() {
  local file="$1" stamp=".venv/.installed-$1"
  local want
  want="$(cat "$file" requirements.txt | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "Installing $file"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$file"
    echo "$want" >"$stamp"
  fi
}

install_requirements requirements.txt
# Debian's libraries the app loads at run time: WeasyPrint's text layout and fonts, libmagic for uploads.
apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core libmagic1 ||
  echo "Could not install WeasyPrint's or libmagic's libraries: PDFs and uploads will fail." >&2

if [ "$mode" = "test" ]; then
  install_requirements requirements-dev.txt
  if [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/axe-core/axe.min.js ]; then
    command -v npm >/dev/null || apt_install nodejs npm
    say "Installing axe-core (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  # Browser tests drive Debian's Chromium; Playwright's own browser download cannot work here.
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium || echo "Chromium could not be installed: the browser tests will fail." >&2
  fi
fi
