#!/usr/bin/env bash
# start.sh NAME DATA_DIR PORT [EXTRA]
#   NAME: mapserver | mapserver-region | pygeoapi | titiler | mapproxy | mapproxy-cascade
#   EXTRA: for mapproxy, the upstream WMS URL (required), e.g.
#          http://127.0.0.1:8081/wms  (MapServer) or http://127.0.0.1:8080/wms (tuile)
# Renders the templates into target/bench-peers/NAME/, starts the server in
# the background on 127.0.0.1:PORT with 2 worker processes, waits until it
# answers. A peer already running under NAME is stopped first.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv="$repo/target/bench-venv"

[ $# -ge 3 ] || { echo "usage: $0 NAME DATA_DIR PORT [EXTRA]" >&2; exit 2; }
name=$1 data=$(cd "$2" && pwd) port=$3 extra=${4:-}
run="$repo/target/bench-peers/$name"

"$here/stop.sh" "$name" >/dev/null
# wait_for must not take another server for ours
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/" || [ $? -ne 7 ]; then
    echo "port $port is already in use" >&2
    exit 1
fi
mkdir -p "$run"
# Same GDAL block cache as tuile.toml's gdal_cache_mb, for every peer.
export GDAL_CACHEMAX=256

esc() { printf '%s' "$1" | sed 's/[&#\\]/\\&/g'; }  # for a sed replacement
render() { # template [output]
    sed -e "s#@DATA_DIR@#$(esc "$data")#g; s#@RUN_DIR@#$(esc "$run")#g; s#@PORT@#$port#g" \
        -e "s#@MILLESIME@#${millesime:-}#g; s#@UPSTREAM@#$(esc "${upstream:-}")#g" \
        -e "s#@FORMAT@#${format:-}#g; s#@USER_LINE@#${user_line:-}#g" \
        "$here/templates/$1" > "$run/${2:-$1}"
}

wait_for() { # url
    for _ in $(seq 1 120); do
        curl -sf -o /dev/null "$1" && return 0
        sleep 0.5
    done
    echo "$name did not answer $1; logs in $run" >&2
    "$here/stop.sh" "$name" >/dev/null
    exit 1
}

case "$name" in
mapserver|mapserver-region)
    if [ "$name" = mapserver ]; then
        # tuile draws ocsol's latest edition (millesime) by default: so does the mapfile.
        millesime=$(ogrinfo -ro -q -dialect sqlite -sql "SELECT max(millesime) AS m FROM ocsol" \
            "$data/ocsol.fgb" | sed -n 's/.*m (Integer) = //p')
        [ -n "$millesime" ] || { echo "no millesime in $data/ocsol.fgb" >&2; exit 1; }
        render tuile.map
    else
        # bench/region.py writes the mapfile (tile indexes per edition and level) first.
        [ -f "$run/tuile.map" ] || { echo "$run/tuile.map: run bench/region.py" >&2; exit 1; }
    fi
    user_line=""
    [ "$(id -u)" -ne 0 ] || user_line="user root;"
    mkdir -p "$run/nginx-tmp"
    render mapserver.conf
    render nginx.conf
    render fonts.txt
    rm -f "$run/mapserv.sock"
    MAPSERVER_CONFIG_FILE="$run/mapserver.conf" \
        spawn-fcgi -s "$run/mapserv.sock" -F 2 -P "$run/mapserv.pid" -- /usr/bin/mapserv >/dev/null
    nginx -p "$run" -c "$run/nginx.conf" -e "$run/nginx-error.log"
    wait_for "http://127.0.0.1:$port/wms?SERVICE=WMS&REQUEST=GetCapabilities"
    ;;
pygeoapi)
    render pygeoapi.yml
    export PYGEOAPI_CONFIG="$run/pygeoapi.yml" PYGEOAPI_OPENAPI="$run/openapi.yml"
    "$venv/bin/pygeoapi" openapi generate "$PYGEOAPI_CONFIG" --output-file "$PYGEOAPI_OPENAPI" >/dev/null
    "$venv/bin/gunicorn" --workers 2 --bind "127.0.0.1:$port" --timeout 120 \
        --daemon --pid "$run/gunicorn.pid" --error-logfile "$run/gunicorn.log" \
        pygeoapi.flask_app:APP
    wait_for "http://127.0.0.1:$port/collections/adresses?f=json"
    ;;
titiler)
    # uvicorn's supervisor process plus 2 worker processes.
    setsid "$venv/bin/uvicorn" --app-dir "$here" titiler_app:app --host 127.0.0.1 --port "$port" \
        --workers 2 --no-access-log > "$run/uvicorn.log" 2>&1 < /dev/null &
    echo $! > "$run/uvicorn.pid"
    wait_for "http://127.0.0.1:$port/health"
    ;;
mapproxy)
    upstream=$extra format=${MAPPROXY_FORMAT:-png}
    [ -n "$upstream" ] || { echo "mapproxy needs the upstream WMS URL as EXTRA" >&2; exit 2; }
    # a cache filled from another upstream is stale: empty it
    [ "$(cat "$run/cache/upstream" 2>/dev/null)" = "$upstream $format" ] || rm -rf "$run/cache"
    mkdir -p "$run/cache"
    echo "$upstream $format" > "$run/cache/upstream"
    render mapproxy.yaml
    MAPPROXY_CONFIG="$run/mapproxy.yaml" "$venv/bin/gunicorn" --workers 2 \
        --bind "127.0.0.1:$port" --timeout 120 --pythonpath "$here" \
        --daemon --pid "$run/gunicorn.pid" --error-logfile "$run/gunicorn.log" \
        mapproxy_app:application
    wait_for "http://127.0.0.1:$port/wmts/1.0.0/WMTSCapabilities.xml"
    ;;
mapproxy-cascade)
    # EXTRA: the partner's base URL (a tuile), whose LAMB93 tiles are cascaded.
    upstream=$extra
    [ -n "$upstream" ] || { echo "mapproxy-cascade needs the upstream tuile's URL as EXTRA" >&2; exit 2; }
    rm -rf "$run/cache"
    mkdir -p "$run/cache"
    render mapproxy-cascade.yaml mapproxy.yaml
    MAPPROXY_CONFIG="$run/mapproxy.yaml" "$venv/bin/gunicorn" --workers 2 \
        --bind "127.0.0.1:$port" --timeout 120 --pythonpath "$here" \
        --daemon --pid "$run/gunicorn.pid" --error-logfile "$run/gunicorn.log" \
        mapproxy_app:application
    wait_for "http://127.0.0.1:$port/wmts/1.0.0/WMTSCapabilities.xml"
    ;;
*)
    echo "unknown peer $name (mapserver, pygeoapi, titiler, mapproxy)" >&2
    exit 2
    ;;
esac
echo "$name: http://127.0.0.1:$port/ (files in $run)"
