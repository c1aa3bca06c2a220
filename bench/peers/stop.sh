#!/usr/bin/env bash
# stop.sh NAME: stops the peer that start.sh NAME started, from the pid files
# in target/bench-peers/NAME/ (a pid that leads its own process group has its
# whole group stopped: uvicorn's, gunicorn's and nginx's workers go with it).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: $0 NAME" >&2; exit 2; }
run="$repo/target/bench-peers/$1"

pids=""
for f in "$run"/*.pid; do
    [ -f "$f" ] || continue
    if [ "$(basename "$f")" = mapserv.pid ]; then
        # MapServer's FastCGI loop only acts on SIGTERM after its next
        # request: the idle processes are killed outright.
        for pid in $(cat "$f"); do kill -KILL "$pid" 2>/dev/null || true; done
    else
        pids="$pids $(cat "$f")"
    fi
    rm -f "$f"
done

targets=""
for pid in $pids; do
    kill -0 "$pid" 2>/dev/null || continue
    if [ "$(ps -o pgid= -p "$pid" | tr -d ' ')" = "$pid" ]; then
        targets="$targets -$pid"
    else
        targets="$targets $pid"
    fi
done
[ -n "$targets" ] || exit 0
for t in $targets; do kill -TERM -- "$t" 2>/dev/null || true; done
for _ in $(seq 1 50); do
    alive=""
    for t in $targets; do kill -0 -- "$t" 2>/dev/null && alive="$alive $t"; done
    [ -n "$alive" ] || { echo "$1 stopped"; exit 0; }
    sleep 0.2
done
for t in $alive; do kill -KILL -- "$t" 2>/dev/null || true; done
echo "$1 killed"
