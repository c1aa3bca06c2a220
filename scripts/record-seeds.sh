#!/usr/bin/env bash
# Turns the requests real clients sent during the client tests (OWSLib, GDAL,
# the OGC API test suite, OpenLayers in chromium; logged by
# scripts/client-tests.sh) into seeds of the response-level fuzzer, one
# request target per file, a few per kind of request.
#   scripts/client-tests.sh && scripts/record-seeds.sh
set -euo pipefail
cd "$(dirname "$0")/.."
log=${1:-target/client-tests-server.log}
out=fuzz/seeds/http
mkdir -p "$out"
sed 's/\x1b\[[0-9;]*m//g' "$log" | python3 -c '
import collections, hashlib, pathlib, re, sys, urllib.parse
out = pathlib.Path(sys.argv[1])
seen = collections.Counter()
for line in sys.stdin:
    m = re.search(r" path=(\S+)(?: query=(\S*))? status=", line)
    if not m or "access" not in line:
        continue
    path, query = m.group(1), m.group(2) or ""
    if query == "\"\"":
        query = ""
    kvp = {k.lower(): v for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True)}
    # A kind of request: where it goes, what it asks and of which layer,
    # with numbers (tile indexes, ids) folded.
    kind = (re.sub(r"\d+", "N", path), kvp.get("request", ""), kvp.get("layers", kvp.get("layer", "")), "f" in kvp)
    seen[kind] += 1
    if seen[kind] > 3:
        continue
    target = path + ("?" + query if query else "")
    name = hashlib.sha1(target.encode()).hexdigest()[:16]
    (out / name).write_text(target)
print(f"{len(seen)} kinds of request, {sum(min(n, 3) for n in seen.values())} seeds in {out}")
' "$out"
