#!/usr/bin/env bash
# verify.sh DATA_DIR [BASE_PORT] [--keep]
# Starts the four peers on BASE_PORT (default 18081: mapserver), +1 pygeoapi,
# +2 titiler, +3 mapproxy (upstream: the MapServer peer), seeds MapProxy
# around the test tiles, runs verify.py on every scenario, then stops the
# peers (unless --keep). Exit status: verify.py's.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
py=${PYTHON:-$repo/target/venv/bin/python}   # needs Pillow and numpy

[ $# -ge 1 ] || { echo "usage: $0 DATA_DIR [BASE_PORT] [--keep]" >&2; exit 2; }
data=$(cd "$1" && pwd) base=${2:-18081} keep=${3:-}
[ "$base" != --keep ] || { base=18081; keep=--keep; }
ms=$base pg=$((base + 1)) tt=$((base + 2)) mp=$((base + 3))

stop_all() { for n in mapserver pygeoapi titiler mapproxy; do "$here/stop.sh" "$n" >/dev/null; done; }
[ "$keep" = --keep ] || trap stop_all EXIT

"$here/start.sh" mapserver "$data" "$ms"
"$here/start.sh" pygeoapi "$data" "$pg"
"$here/start.sh" titiler "$data" "$tt"
"$here/start.sh" mapproxy "$data" "$mp" "http://127.0.0.1:$ms/wms"
# 600 m around the centre of the orthophoto, where verify.py's tiles are
bbox=$("$py" -c "import sys; sys.path.insert(0, '$here'); import scenarios as s
b = s.test_area('$data')['s3_bbox']; c = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
print(','.join(str(round(v)) for v in (c[0] - 300, c[1] - 300, c[0] + 300, c[1] + 300)))")
"$here/seed.sh" "$bbox" 14 18 2>&1 | tail -1
"$py" "$here/verify.py" "$data" --mapserver "$ms" --pygeoapi "$pg" --titiler "$tt" --mapproxy "$mp"
