#!/usr/bin/env bash
# Runs the client tests (OWSLib, GDAL, xmllint) against a real `tuile serve`
# on loopback, with the small test data set.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${TUILE_TEST_PORT:-18080}
data=${TUILE_DATA:?set TUILE_DATA to the test data directory}
venv=${VENV:-target/venv}
log=target/client-tests-server.log

# Requests are logged (access=debug) so that their targets can seed the
# response-level fuzzer: scripts/record-seeds.sh.
TUILE_DATA="$data" RUST_LOG=warn,access=debug target/release/tuile serve --bind "127.0.0.1:$port" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  if curl -fs "http://127.0.0.1:$port/wms?SERVICE=WMS&REQUEST=GetCapabilities" -o /dev/null; then break; fi
  if ! kill -0 $server 2>/dev/null; then echo "the server died:"; cat "$log"; exit 1; fi
  sleep 0.2
done

TUILE_URL="http://127.0.0.1:$port" TUILE_DATA="$data" \
  "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/clients "$@"

# The viewer in headless chromium (skipped when pytest was given a selection).
if [ $# -eq 0 ]; then
  TUILE_URL="http://127.0.0.1:$port" node --test tests/browser/
fi
