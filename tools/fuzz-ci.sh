#!/usr/bin/env bash
# CI: builds the libFuzzer targets (tools/fuzz.sh build) and runs each for a short
# fixed time on its corpus (the seeds in fuzz/corpus/, experiments/*.toml for the
# config parser). Fails on the first target that crashes, leaks, times out or
# allocates past the limit; the input is left in build-fuzz/crashes/<target>/.
#   FUZZ_SECONDS  per target (default 20)      FUZZ_BUILD  build folder (default build-fuzz)
#   FUZZ_SEED     libFuzzer's -seed (default 1): CI mutates the same way on every run, so
#                 a run is a prefix of the one checked here at a longer time (RELIABILITY.md);
#                 new ground is covered by the long rounds (tools/fuzz.sh run), not by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${FUZZ_SECONDS:-20}
SEED=${FUZZ_SEED:-1}
B=${FUZZ_BUILD:-build-fuzz}
t0=$(date +%s)
bash tools/fuzz.sh build >"${TMPDIR:-/tmp}/slimlab-fuzz-build.log" 2>&1 || {
  tail -n 40 "${TMPDIR:-/tmp}/slimlab-fuzz-build.log" >&2; exit 1; }
t1=$(date +%s)
echo "fuzz-ci: built the fuzz targets in $((t1 - t0)) s"
mkdir -p "$B/logs"
status=0
for t in $(bash tools/fuzz.sh list); do
  log="$B/logs/$t.log"
  if bash tools/fuzz.sh run "$t" "$SECS" -seed="$SEED" >"$log" 2>&1; then
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    printf 'fuzz-ci: %-12s ok   %6s exec/s  %s\n' "$t" "$rate" "$(echo "$done_line" | grep -oE 'cov: [0-9]+ ft: [0-9]+')"
  else
    echo "fuzz-ci: $t FAILED — the log's end ($log):" >&2
    tail -n 60 "$log" >&2
    status=1
  fi
done
echo "fuzz-ci: $(bash tools/fuzz.sh list | wc -l) targets × ${SECS} s; total $(( $(date +%s) - t0 )) s"
exit $status
