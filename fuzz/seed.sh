#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets in fuzz/corpus/<target>/ from the repository's
# packs, fixtures and test data. The workbooks (filled-in templates, rectification lists)
# are made with the kaohe binary (`cargo run`, honouring CARGO_TARGET_DIR).
#
# Inputs of several files are NUL-separated: the main file, then `NAME\nCONTENT` per file
# (see src/fuzz.rs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
corpus=fuzz/corpus
rm -rf "$corpus"
for t in pack submission_yaml submission_json submission_csv submission_xlsx reviews waivers filled end_to_end; do
    mkdir -p "$corpus/$t"
done

# A seed's file name: its content's hash, so that the same input is kept once.
put() { # TARGET FILE
    local sum
    sum=$(sha1sum <"$2" | cut -c1-16)
    cp "$2" "$corpus/$1/$sum"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Packs: pack.yaml, then each items, tests and test-fixture file (at most 16 in all).
while IFS= read -r -d '' packfile; do
    dir=$(dirname "$packfile")
    out="$tmp/pack"
    cat "$packfile" >"$out"
    n=0
    while IFS= read -r -d '' f; do
        rel=${f#"$dir"/}
        [ "$n" -lt 16 ] || break
        case "$rel" in *[!A-Za-z0-9_./-]*) continue ;; esac
        printf '\0%s\n' "$rel" >>"$out"
        cat "$f" >>"$out"
        n=$((n + 1))
    done < <(find "$dir" -mindepth 2 -maxdepth 3 -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.csv' \) -print0 | sort -z)
    put pack "$out"
done < <(find rules tests fixtures examples -name pack.yaml -print0 2>/dev/null)

# Submissions: YAML and JSON files with a `bureau`; the YAML ones with their CSV files.
while IFS= read -r -d '' f; do
    case "$f" in
    *.json) put submission_json "$f"; put end_to_end "$f" ;;
    *) put submission_yaml "$f" ;;
    esac
done < <(find fixtures tests rules examples -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) \
    ! -path '*/snapshots/*' ! -name 'sarif-schema*' -print0 2>/dev/null | xargs -0 grep -lZ -e '^bureau:' -e '"bureau"')
for f in fixtures/bad/*.json tests/engine/bad/*.json; do
    [ -f "$f" ] && put submission_json "$f"
done
while IFS= read -r -d '' f; do
    dir=$(dirname "$f")
    out="$tmp/sub"
    cat "$f" >"$out"
    for csv in "$dir"/*.csv; do
        [ -f "$csv" ] || continue
        name=$(basename "$csv")
        case "$name" in *[!A-Za-z0-9_.-]*) continue ;; esac
        printf '\0%s\n' "$name" >>"$out"
        cat "$csv" >>"$out"
    done
    put submission_csv "$out"
    put end_to_end "$out"
done < <(find fixtures tests examples -type f -name '*.yaml' ! -path '*/snapshots/*' -print0 2>/dev/null | xargs -0 grep -lZ '^bureau:')
# JSON forms of the YAML submissions, when Python with PyYAML is at hand.
if python3 -c 'import yaml' 2>/dev/null; then
    for f in fixtures/*/submission.yaml fixtures/round/*.yaml fixtures/cycle/20*.yaml; do
        [ -f "$f" ] || continue
        python3 - "$f" >"$tmp/sub.json" <<'PY' || continue
import json, sys, yaml
with open(sys.argv[1], encoding="utf-8") as f:
    doc = yaml.safe_load(f)
print(json.dumps(doc, ensure_ascii=False, indent=1, default=str))
PY
        put submission_json "$tmp/sub.json"
        put end_to_end "$tmp/sub.json"
    done
fi

# Workbooks: the empty template, templates filled in from submissions, rectification lists.
cargo build --quiet --bin kaohe
bin="${CARGO_TARGET_DIR:-target}/debug/kaohe"
pack=rules/edu-rule-of-law
"$bin" template "$pack" -o "$tmp/template.xlsx"
put submission_xlsx "$tmp/template.xlsx"
i=0
for f in fixtures/compliant/submission.yaml fixtures/partial/submission.yaml fixtures/veto/submission.yaml \
    fixtures/missing-data/submission.yaml fixtures/hostile-text/submission.yaml fixtures/incomplete/submission.yaml \
    fixtures/cycle/2023.yaml; do
    [ -f "$f" ] || continue
    i=$((i + 1))
    if "$bin" template "$pack" --from "$f" -o "$tmp/filled-$i.xlsx" 2>/dev/null; then
        put submission_xlsx "$tmp/filled-$i.xlsx"
        put end_to_end "$tmp/filled-$i.xlsx"
    fi
    if "$bin" rectify "$pack" "$f" --format xlsx -o "$tmp/list-$i.xlsx" 2>/dev/null; then
        put filled "$tmp/list-$i.xlsx"
    fi
done
for f in fixtures/cycle/*.xlsx; do
    [ -f "$f" ] && put filled "$f"
done

# Waivers and reviews files.
while IFS= read -r -d '' f; do
    put waivers "$f"
done < <(find fixtures tests rules -type f -name '*.yaml' ! -path '*/snapshots/*' -print0 | xargs -0 grep -lZ '^waivers:')
while IFS= read -r -d '' f; do
    put reviews "$f"
done < <(find fixtures tests rules -type f -name '*.yaml' ! -path '*/snapshots/*' -print0 | xargs -0 grep -lZ '^reviews:' || true)
cat >"$tmp/reviews.yaml" <<'EOF'
reviews:
  - {item: LVP-01, reviewer: 专家甲, points: 3, reason: 台账齐全, date: 2024-02-20}
  - {item: DOC-03, reviewer: 专家乙, points: 2.5, reason: 实地查看, date: 2024-02-21}
  - item: LG-01
    reviewer: 专家丙
    points: 0.5
    reason: '  '
    date: 2024-02-30
EOF
put reviews "$tmp/reviews.yaml"
printf 'reviews: []\n' >"$tmp/reviews-empty.yaml"
put reviews "$tmp/reviews-empty.yaml"

for t in "$corpus"/*/; do
    printf '%-16s %4d seeds\n' "$(basename "$t")" "$(find "$t" -type f | wc -l)"
done
