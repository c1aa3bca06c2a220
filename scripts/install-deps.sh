#!/usr/bin/env bash
# Installs the system packages tuile needs, only those missing (Debian/Ubuntu).
set -euo pipefail

packages=(
  libgdal-dev gdal-bin      # GDAL 3.6: COG/VRT reads, warping, OSR transforms; gdalwarp for tests
  pkg-config                # lets gdal-sys find libgdal
  libxml2-utils             # xmllint: schema validation in the tests
  fonts-dejavu-core         # label and legend font
  curl                      # readiness checks in the scripts
)
# `install-deps.sh test` adds what only the tests use.
if [ "${1:-}" = test ]; then
  packages+=(
    nginx-light             # a real HTTP server answering range requests, for remote sources
    chromium                # the headless browser of the viewer test
    python3-qgis qgis-providers  # QGIS 3.22 itself: the catalogue's .qlr files load in it
    mapserver-bin           # Debian's MapServer: a partner's WMS for the cascading tests
  )
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# npm fetches OpenLayers for the viewer at build time; any Node 18+ will do.
if ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing+=(python3-venv)
fi
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v cargo >/dev/null; then
  echo "cargo is missing: install Rust with https://rustup.rs and run this again" >&2
  exit 1
fi
