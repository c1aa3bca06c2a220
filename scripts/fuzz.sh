#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (libFuzzer through cargo-fuzz),
# then schemathesis against the OpenAPI document for longer than `make test`
# does. Crashes are copied to fuzz/regressions/<target>/ (replayed by
# tests/fuzz_regressions.rs) and make the run fail.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]
# A campaign: FUZZ_RUNS=10000000 runs each target for that many executions
# instead (FUZZ_MAX_SECONDS caps each target's time then); FUZZ_MINIMIZE=1 then minimises each corpus into fuzz/corpus-min/
# (kept in git and replayed by make test).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
data=${TUILE_DATA:-$PWD/target/test-data}
export TUILE_DATA=$data

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
# libFuzzer's instrumentation needs nightly flags: the nightly toolchain
# when there is one, the stable compiler told to allow them otherwise.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi

# An input that takes over 5 s is a hang, reported like a crash.
# Leak detection is off: GDAL and PROJ keep process-lifetime caches (CRS
# objects, per-thread transforms) that LeakSanitizer reports at exit.
export ASAN_OPTIONS=detect_leaks=0
targets=(${FUZZ_TARGETS:-http wms_kvp wmts_kvp wmts_rest ogcapi_items cql2 sld config})
# FUZZ_SANITIZER=none builds without AddressSanitizer (into its own target
# directory): 2.5x the executions per second for http, 8x for cql2, at the
# cost of ASan's checks on unsafe code and FFI buffers; address by default.
build=(-O --debug-assertions)
if [ "${FUZZ_SANITIZER:-address}" != address ]; then
  build+=(-s "$FUZZ_SANITIZER" --target-dir "fuzz/target-$FUZZ_SANITIZER")
fi
"${fuzz[@]}" build "${build[@]}"
# FUZZ_REPORT: another report file, so that two runs (one per core, each
# with its FUZZ_TARGETS) can go side by side.
report=${FUZZ_REPORT:-target/fuzz-report.txt}
mkdir -p target
printf '%-14s %12s %8s %8s %8s %10s\n' target executions coverage features crashes seconds > "$report"
failed=0
examples=$PWD/tests/fixtures/ogc-schemas/ogcapi-features/cql2/1.0/examples
for t in "${targets[@]}"; do
  corpus=fuzz/corpus/$t
  mkdir -p "$corpus" "fuzz/artifacts/$t"
  # A campaign goes on from the last one's minimised corpus (kept in git).
  if [ -d "fuzz/corpus-min/$t" ]; then cp -n fuzz/corpus-min/"$t"/* "$corpus"/ 2>/dev/null || true; fi
  extra=()
  if [ "$t" = cql2 ]; then
    extra=("$examples/text" "$examples/json")
  fi
  log=target/fuzz-$t.log
  set +e
  limit=(-max_total_time="$seconds")
  if [ -n "${FUZZ_RUNS:-}" ]; then
    limit=(-runs="$FUZZ_RUNS")
    if [ -n "${FUZZ_MAX_SECONDS:-}" ]; then limit+=(-max_total_time="$FUZZ_MAX_SECONDS"); fi
  fi
  started=$(date +%s)
  "${fuzz[@]}" run "${build[@]}" "$t" "$corpus" "fuzz/seeds/$t" "${extra[@]}" -- \
    "${limit[@]}" -rss_limit_mb=4096 -max_len=8192 -print_final_stats=1 \
    -detect_leaks=0 -timeout=10 >"$log" 2>&1
  status=$?
  elapsed=$(( $(date +%s) - started ))
  if [ "${FUZZ_MINIMIZE:-0}" = 1 ] && [ "$status" -eq 0 ]; then
    rm -rf "fuzz/corpus-min/$t" && mkdir -p "fuzz/corpus-min/$t"
    "${fuzz[@]}" cmin "${build[@]}" "$t" "$corpus" -- -rss_limit_mb=4096 -timeout=10 >>"$log" 2>&1
    cp "$corpus"/* "fuzz/corpus-min/$t/" 2>/dev/null || true
  fi
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  crashes=$(find "fuzz/artifacts/$t" -type f | wc -l)
  printf '%-14s %12s %8s %8s %8s %10s\n' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "$crashes" "$elapsed" >> "$report"
  if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    failed=1
    mkdir -p "fuzz/regressions/$t"
    cp fuzz/artifacts/"$t"/* "fuzz/regressions/$t/" 2>/dev/null || true
    echo "fuzz target $t failed: see $log; inputs copied to fuzz/regressions/$t" >&2
    tail -30 "$log" >&2
  fi
done
cat "$report"

# The HTTP API against its own OpenAPI document, longer than in make test
# (FUZZ_SCHEMATHESIS=0 skips it: a campaign split over several runs).
if [ "${FUZZ_SCHEMATHESIS:-1}" != 0 ]; then
  TUILE_SCHEMATHESIS_EXAMPLES=${TUILE_SCHEMATHESIS_EXAMPLES:-200} \
    scripts/client-tests.sh -k schemathesis -s
fi
exit $failed
