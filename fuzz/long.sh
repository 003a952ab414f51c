#!/usr/bin/env bash
# A long run of one target on one core: `fuzz/long.sh TARGET SECONDS [LIBFUZZER FLAGS]`.
# libFuzzer runs in fork mode with one job and goes on after a crash, timeout or
# out-of-memory (each is written to fuzz/artifacts/TARGET/). Seeds the corpora first when
# fuzz/corpus/TARGET is absent. Prints the executions, the time, the corpus size and what
# was found; the full log is fuzz/artifacts/TARGET/long.log. Exits 1 when anything was found.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target=${1:?usage: fuzz/long.sh TARGET SECONDS}
seconds=${2:?usage: fuzz/long.sh TARGET SECONDS}
shift 2
[ -d "fuzz/corpus/$target" ] || fuzz/seed.sh
mkdir -p "fuzz/artifacts/$target"
log="fuzz/artifacts/$target/long.log"
start=$(date +%s)
RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz --debug-assertions "$target" "fuzz/corpus/$target" -- \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
    -max_len=262144 "$@" >"$log" 2>&1 || true
end=$(date +%s)
# The last progress line: `#EXECS: cov: .. ft: .. corp: N exec/s .. oom/timeout/crash: a/b/c`.
last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
found=$(sed -nE 's/.*oom\/timeout\/crash: ([0-9]+\/[0-9]+\/[0-9]+).*/\1/p' <<<"$last")
echo "target:            $target"
echo "time:              $((end - start)) s"
echo "executions:        ${execs:-?}"
echo "corpus:            $(find "fuzz/corpus/$target" -type f | wc -l) files"
echo "oom/timeout/crash: ${found:-?}"
echo "last line:         $last"
ls "fuzz/artifacts/$target" | grep -vE '\.log$' || true
case "$found" in 0/0/0) exit 0 ;; *) exit 1 ;; esac
