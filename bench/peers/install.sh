#!/usr/bin/env bash
# Installs the peer servers of the side-by-side benchmark: MapServer (FastCGI
# behind nginx) from Debian, and pygeoapi, TiTiler, MapProxy in a venv at
# target/bench-venv with the versions pinned in requirements.txt.
# Idempotent: a second run only checks.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv="$repo/target/bench-venv"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

debs="mapserver-bin cgi-mapserver spawn-fcgi nginx-light python3-gdal python3-venv gdal-bin fonts-dejavu-core"
missing=""
for p in $debs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "apt: installing$missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

# The venv uses Debian's python so that Debian's GDAL bindings (osgeo) load in it.
if [ ! -x "$venv/bin/python" ]; then
    /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
fi
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    "$venv/bin/pip" install -q -r "$here/requirements.txt"
    echo "$want" > "$stamp"
fi

# pygeoapi's OGR provider needs `osgeo`: link Debian's build (GDAL 3.6) in.
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
ln -sfn /usr/lib/python3/dist-packages/osgeo "$site/osgeo"

"$venv/bin/python" - <<'EOF'
from importlib.metadata import version
from osgeo import gdal
import mapproxy, pygeoapi, titiler.core, uvicorn, gunicorn  # noqa: F401
print("venv ok: " + ", ".join(f"{p} {version(p)}" for p in
      ["pygeoapi", "titiler.core", "rio-tiler", "rasterio", "uvicorn", "gunicorn", "MapProxy"])
      + f", osgeo {gdal.__version__}")
EOF
echo "debian ok: mapserver $(dpkg-query -W -f='${Version}' mapserver-bin), nginx-light $(dpkg-query -W -f='${Version}' nginx-light), spawn-fcgi $(dpkg-query -W -f='${Version}' spawn-fcgi), gdal $(dpkg-query -W -f='${Version}' gdal-bin)"
