#!/usr/bin/env bash
# seed.sh BBOX ZMIN ZMAX [BBOX_SRS]
#   BBOX: minx,miny,maxx,maxy in BBOX_SRS (default EPSG:2154)
# Fills the MapProxy peer's bdortho cache (WebMercatorQuad levels ZMIN..ZMAX
# over BBOX) with mapproxy-seed, 2 concurrent requests to the upstream WMS.
# Needs `start.sh mapproxy ...` first (its rendered mapproxy.yaml) and the
# upstream WMS running.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv="$repo/target/bench-venv"
run="$repo/target/bench-peers/mapproxy"

[ $# -ge 3 ] || { echo "usage: $0 minx,miny,maxx,maxy ZMIN ZMAX [BBOX_SRS]" >&2; exit 2; }
bbox=$1 zmin=$2 zmax=$3 srs=${4:-EPSG:2154}
[ -f "$run/mapproxy.yaml" ] || { echo "start the mapproxy peer first (start.sh mapproxy ...)" >&2; exit 1; }

sed -e "s#@BBOX@#$bbox#g; s#@BBOX_SRS@#$srs#g; s#@ZMIN@#$zmin#g; s#@ZMAX@#$zmax#g" \
    "$here/templates/mapproxy-seed.yaml" > "$run/mapproxy-seed.yaml"
"$venv/bin/mapproxy-seed" -f "$run/mapproxy.yaml" -s "$run/mapproxy-seed.yaml" \
    -c 2 --seed ALL -q
echo "seeded bdortho z$zmin-$zmax over $bbox ($srs): $(find "$run/cache/bdortho" -type f | wc -l) tiles in cache"
