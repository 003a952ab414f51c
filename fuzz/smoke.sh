#!/usr/bin/env bash
# CI smoke run of every fuzz target: installs cargo-fuzz when missing, seeds the corpora,
# builds the targets once (address sanitizer) and runs each briefly. Fails on any crash,
# timeout or out-of-memory. `FUZZ_SECONDS` sets each target's time (default 15).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${FUZZ_SECONDS:-15}
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
fuzz/seed.sh
export RUSTC_BOOTSTRAP=1
cargo fuzz build --fuzz-dir fuzz --debug-assertions
targets=$(cargo fuzz list --fuzz-dir fuzz)
failed=0
for t in $targets; do
    mkdir -p "fuzz/artifacts/$t"
    log="fuzz/artifacts/$t/smoke.log"
    if cargo fuzz run --fuzz-dir fuzz --debug-assertions "$t" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
        -max_len=262144 -print_final_stats=1 >"$log" 2>&1; then
        execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
        echo "ok      $t ($execs executions)"
    else
        echo "FAILED  $t (log: $log)"
        grep -E '^(==[0-9]+== ERROR|SUMMARY|Test unit written|thread .* panicked)' "$log" || tail -20 "$log"
        failed=1
    fi
done
exit "$failed"
