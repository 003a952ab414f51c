#!/usr/bin/env bash
# Every ratio of BENCHMARKS.md, from one run on this machine.
#
#   benches/national.sh              # 2,850 bureaus (national scale)
#   BUREAUS=712 benches/national.sh  # a quicker run
#
# Generates seeded submissions (examples/national.rs) into $DATA, runs the parse floor
# (examples/floor.rs), kaohe's round on one core and on two, the YAML and XLSX inputs, the
# Rego peer (examples/rego_peer.rs), and prints each figure with its target. Outputs go to
# $OUT (tmpfs by default: the figures are kaohe's, not the disk's).
set -euo pipefail
cd "$(dirname "$0")/.."

BUREAUS=${BUREAUS:-2850}
SMALL=$(( BUREAUS / 16 ))
[ "$SMALL" -ge 8 ] || { echo "BUREAUS must be at least 128" >&2; exit 2; }
DATA=${DATA:-target/national}
if [ -z "${OUT:-}" ]; then
    if [ -d /dev/shm ] && [ -w /dev/shm ]; then OUT=/dev/shm/kaohe-national; else OUT=$DATA/out; fi
fi
PACK=rules/edu-rule-of-law
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }
command -v taskset >/dev/null || { echo "taskset (util-linux) is needed" >&2; exit 2; }

cargo build --release --quiet --bin kaohe --example national --example floor --example rego_peer
BIN=target/release
KAOHE=$BIN/kaohe

generate() { # DIR FORMAT COUNT FACTOR
    if [ ! -f "$1/.done" ]; then
        rm -rf "$1"
        mkdir -p "$1"
        "$BIN/examples/national" -o "$1" --format "$2" --bureaus "$3" --schools-factor "$4" >"$1.txt"
        touch "$1/.done"
    fi
}
generate "$DATA/json-$BUREAUS" json "$BUREAUS" 1
generate "$DATA/json-$SMALL" json "$SMALL" 1
generate "$DATA/json-$SMALL-x16" json "$SMALL" 16
generate "$DATA/yaml-$SMALL" yaml "$SMALL" 1
generate "$DATA/xlsx-$SMALL" xlsx "$SMALL" 1

size() { du -sb --exclude=.done "$1" | cut -f1 | awk '{printf "%.1f MB", $1/1e6}'; }

STAMP=$(mktemp)
trap 'rm -f "$STAMP"' EXIT

# seconds and peak KiB of a command, best of $REPEAT runs (peak memory of the best run)
REPEAT=${REPEAT:-3}
measure() {
    local best="" mem=""
    for _ in $(seq "$REPEAT"); do
        rm -rf "$OUT"
        "$TIME" -f "%e %M" -o "$STAMP" "$@" >/dev/null 2>&1 || true
        local t m
        read -r t m < <(tail -1 "$STAMP")
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; mem=$m; fi
    done
    echo "$best $mem"
}
floor() { # DIR -> seconds
    local best=""
    for _ in $(seq "$REPEAT"); do
        local t
        t=$(taskset -c 0 "$BIN/examples/floor" "$1" | awk '{print $(NF-1)}')
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    done
    echo "$best"
}
ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }
verdict() { # VALUE OP TARGET
    if awk "BEGIN{exit !($1 $2 $3)}"; then echo "met"; else echo "NOT met"; fi
}
round() { # DIR JOBS [taskset cpus]
    local cpus=$3
    measure taskset -c "$cpus" "$KAOHE" assess "$PACK" "$1" -o "$OUT/" --per-bureau json --jobs "$2"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "kaohe: $($KAOHE --version), outputs in $OUT, best of $REPEAT"
echo "data (examples/national.rs, seed 2024):"
for d in "json-$BUREAUS" "json-$SMALL" "json-$SMALL-x16" "yaml-$SMALL" "xlsx-$SMALL"; do
    echo "  $d: $(sed 's/ in .*//' "$DATA/$d.txt")"
done
echo

FLOOR=$(floor "$DATA/json-$BUREAUS")
read -r T1 M1 < <(round "$DATA/json-$BUREAUS" 1 0)
read -r T2 M2 < <(round "$DATA/json-$BUREAUS" 2 0,1)
echo "JSON parse floor (serde_json into IgnoredAny, 1 core): ${FLOOR} s"
echo "round, 1 core:  ${T1} s = $(ratio "$T1" "$FLOOR")x the floor (target <= 2): $(verdict "$(ratio "$T1" "$FLOOR")" "<=" 2)"
echo "round, 2 cores: ${T2} s = $(ratio "$T2" "$FLOOR")x the floor (target <= 1.2): $(verdict "$(ratio "$T2" "$FLOOR")" "<=" 1.2)"
echo "both cores: $(ratio "$T1" "$T2")x faster than one (target >= 1.7): $(verdict "$(ratio "$T1" "$T2")" ">=" 1.7)"

read -r TS MS < <(round "$DATA/json-$SMALL" 2 0,1)
read -r TS1 _ < <(round "$DATA/json-$SMALL" 1 0)
read -r TX _ < <(round "$DATA/json-$SMALL-x16" 1 0)
echo "linear in bureaus: 16x the bureaus costs $(ratio "$T1" "$TS1")x the time (${TS1} s -> ${T1} s, target <= 17): $(verdict "$(ratio "$T1" "$TS1")" "<=" 17)"
echo "linear in schools: 16x the schools costs $(ratio "$TX" "$TS1")x the time (${TS1} s -> ${TX} s, target <= 17): $(verdict "$(ratio "$TX" "$TS1")" "<=" 17)"
echo "memory: peak ${MS} KiB for $SMALL bureaus, ${M2} KiB for $BUREAUS: $(ratio "$M2" "$MS")x (target <= 1.2): $(verdict "$(ratio "$M2" "$MS")" "<=" 1.2)"

for fmt in yaml xlsx; do
    F=$(floor "$DATA/$fmt-$SMALL")
    read -r T _ < <(round "$DATA/$fmt-$SMALL" 1 0)
    echo "$fmt: floor ${F} s, round ${T} s (1 core, $SMALL bureaus, $(size "$DATA/$fmt-$SMALL")) = $(ratio "$T" "$F")x (target <= 2): $(verdict "$(ratio "$T" "$F")" "<=" 2)"
done

PEER=$(taskset -c 0 "$BIN/examples/rego_peer" "$DATA/json-$SMALL")
echo "$PEER" | sed 's/^/  /'
echo "$PEER" | grep -q "agree=\([0-9]*\)/\1" || { echo "the Rego peer disagrees with kaohe" >&2; exit 1; }
EVAL=$(echo "$PEER" | grep -o ' eval_ratio5=[0-9.]*' | cut -d= -f2)
WHOLE=$(echo "$PEER" | grep -o ' whole_ratio5=[0-9.]*' | cut -d= -f2)
echo "regorus on the same five items: evaluation ${EVAL}x kaohe's time (target >= 20): $(verdict "$EVAL" ">=" 20); whole process ${WHOLE}x (target >= 5): $(verdict "$WHOLE" ">=" 5)"

best_of() { # command... -> best wall seconds of 5
    local best=""
    for _ in 1 2 3 4 5; do
        local t
        "$TIME" -f "%e" -o "$STAMP" "$@" >/dev/null 2>&1 || true
        t=$(tail -1 "$STAMP")
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    done
    echo "$best"
}
CHECK=$(best_of "$KAOHE" check "$PACK")
TEST=$(best_of "$KAOHE" test "$PACK")
echo "kaohe check: ${CHECK} s (target < 0.1): $(verdict "$CHECK" "<" 0.1); kaohe test: ${TEST} s (target < 0.1): $(verdict "$TEST" "<" 0.1)"
rm -rf "$OUT"
