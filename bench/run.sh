#!/usr/bin/env bash
# bench/run.sh — the README "Performance" table in one command (issue 9).
#
#   bench/run.sh [--quick] [--repeat N] [-- extra ecraudit-gen options]
#
# Builds Release into build-release-bench/, generates synthetic bundles at
# 1k, 5k and 10k principals with 200 and 2,000 repositories (ecraudit-gen,
# deterministic), runs ecraudit-bench on each (per-phase wall time and
# memory, cJSON baseline, the real `ecraudit report` and `ecraudit matrix`
# as child processes), and prints Markdown tables plus the targets:
#   10k principals x 2k repositories, all four reports: <= 10 s, <= 1 GiB
#   `matrix` <= 3x the cJSON parse of the same JSON
#   5k -> 10k principals: time at most doubles
# Environment: ECR_BENCH_BUILD (build dir), ECR_BENCH_WORK (bundles, default
# /tmp/ecraudit-bench), ECR_BENCH_SIZES ("1000 5000 10000"), ECR_BENCH_REPOS
# ("200 2000").
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${ECR_BENCH_BUILD:-$SRC/build-release-bench}
WORK=${ECR_BENCH_WORK:-/tmp/ecraudit-bench}
SIZES=${ECR_BENCH_SIZES:-1000 5000 10000}
REPOS=${ECR_BENCH_REPOS:-200 2000}
REPEAT=1
TABLE_ONLY=0
GEN_EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) SIZES="1000"; REPOS="200"; shift ;;
    --table-only) TABLE_ONLY=1; shift ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --) shift; GEN_EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

results=()
if [ "$TABLE_ONLY" = 1 ]; then
  for p in $SIZES; do for r in $REPOS; do
    [ -f "$WORK/p$p-r$r.kv" ] && results+=("$(cat "$WORK/p$p-r$r.kv")")
  done; done
else
echo "## building (Release) in $BUILD" >&2
cmake -B "$BUILD" -S "$SRC" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target ecraudit_cli ecraudit-gen ecraudit-bench >/dev/null
GEN=$BUILD/bench/ecraudit-gen
BENCH=$BUILD/bench/ecraudit-bench
CLI=$BUILD/ecraudit
mkdir -p "$WORK"

for p in $SIZES; do
  for r in $REPOS; do
    users=$((p * 2 / 5)); roles=$((p - users))
    groups=$((p / 40)); [ "$groups" -lt 12 ] && groups=12
    policies=$((p / 2))
    dir=$WORK/p$p-r$r
    echo "## $p principals ($users users, $roles roles), $r repositories -> $dir" >&2
    "$GEN" --force --out "$dir" --users "$users" --roles "$roles" --groups "$groups" \
      --policies "$policies" --repos "$r" --regions 3 --repo-policy-share 0.25 \
      --scp-levels 3 --seed 1 "${GEN_EXTRA[@]}"
    rc=0
    out=$("$BENCH" --kv --threads --repeat "$REPEAT" --cli "$CLI" "$dir") || rc=$?
    echo "$out" | grep -v '^BENCH ' >&2
    line=$(echo "$out" | grep '^BENCH ' || true)
    [ -n "$line" ] || line="BENCH bench_failed=$rc"
    echo "$p $r ${line#BENCH }" > "$WORK/p$p-r$r.kv"
    results+=("$p $r ${line#BENCH }")
  done
done
fi

# get KEY from a "k=v k=v" string
get() { local k=$1; shift; local kv; for kv in $*; do [ "${kv%%=*}" = "$k" ] && { echo "${kv#*=}"; return; }; done; echo "-"; }
s() { awk -v ms="$1" 'BEGIN { if (ms == "-") print "-"; else printf "%.2f", ms / 1000 }'; }
# seconds of phase $1, "(failed)" appended when it returned an error
ph() { local k=$1; shift; local v; v=$(s "$(get "${k}_ms" "$@")"); [ "$(get "${k}_failed" "$@")" = 1 ] && v="$v (failed)"; echo "$v"; }

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo
echo "Load average when the table was printed: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates wall time; CPU time is steadier)."
echo "Machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB RAM; Release build; seconds, best of $REPEAT."
echo "Command: \`bench/run.sh\` (bundles: \`ecraudit-gen --users 0.4P --roles 0.6P --groups P/40 --policies P/2 --repos R --regions 3 --repo-policy-share 0.25 --scp-levels 3 --seed 1${GEN_EXTRA[*]:+ ${GEN_EXTRA[*]}}\`)"
echo
echo "| principals | repos | JSON MiB | cJSON parse | load | evaluate | findings | json | junit | html | pdf | 4 renderers on 2 threads | matrix TSV (lines, MiB) | pipeline peak MiB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for row in "${results[@]}"; do
  set -- $row; p=$1; r=$2; shift 2; kv="$*"
  printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s (%s, %s) | %s |\n" \
    "$p" "$r" "$(get json_mib $kv)" "$(s "$(get cjson_ms $kv)")" "$(s "$(get load_ms $kv)")" \
    "$(s "$(get evaluate_ms $kv)")" "$(s "$(get findings_ms $kv)")" "$(ph render-json $kv)" \
    "$(ph render-junit $kv)" "$(ph render-html $kv)" "$(ph render-pdf $kv)" \
    "$(ph render-all-2-threads $kv)" "$(s "$(get matrix-tsv_ms $kv)")" \
    "$(get matrix_lines $kv)" "$(get matrix-tsv_mib $kv)" "$(get peak_mib $kv)"
done
echo
echo "End to end, the real binary (\`ecraudit report --evidence B --out D\`, all four reports; \`ecraudit matrix --evidence B > /dev/null\`):"
echo
echo "| principals | repos | report s | report CPU s | report peak MiB | matrix s | matrix CPU s | matrix peak MiB | cJSON parse s (CPU) | matrix / cJSON parse (CPU) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
declare -A REP MAT REPC MATC
for row in "${results[@]}"; do
  set -- $row; p=$1; r=$2; shift 2; kv="$*"
  rep=$(get cli_report_ms $kv); mat=$(get cli_matrix_ms $kv); cj=$(get cjson_ms $kv)
  REP[$p-$r]=$rep; MAT[$p-$r]=$mat
  REPC[$p-$r]=$(get cli_report_cpu_ms $kv); MATC[$p-$r]=$(get cli_matrix_cpu_ms $kv)
  rc=$(get cli_report_rc $kv)
  note=""; [ "$rc" != "0" ] && [ "$rc" != "1" ] && note=" (exit $rc: failed)"
  printf "| %s | %s | %s%s | %s | %s | %s | %s | %s | %s (%s) | %s |\n" "$p" "$r" "$(s "$rep")" "$note" \
    "$(s "$(get cli_report_cpu_ms $kv)")" "$(get cli_report_peak_mib $kv)" "$(s "$mat")" \
    "$(s "$(get cli_matrix_cpu_ms $kv)")" "$(get cli_matrix_peak_mib $kv)" "$(s "$cj")" \
    "$(s "$(get cjson_cpu_ms $kv)")" \
    "$(awk -v a="$mat" -v b="$cj" -v c="$(get cli_matrix_cpu_ms $kv)" -v d="$(get cjson_cpu_ms $kv)" \
       'BEGIN { if (b > 0 && d > 0) printf "%.1fx (%.1fx)", a / b, c / d; else print "-" }')"
done
echo
if [ -n "${REP[5000-200]:-}" ] && [ -n "${REP[10000-200]:-}" ]; then
  echo "Scaling 5k -> 10k principals (time ratio, wall and CPU; target <= 2.0):"
  echo
  for r in $REPOS; do
    [ -n "${REP[5000-$r]:-}" ] && [ -n "${REP[10000-$r]:-}" ] || continue
    awk -v r="$r" -v a="${REP[5000-$r]}" -v b="${REP[10000-$r]}" -v c="${MAT[5000-$r]}" -v d="${MAT[10000-$r]}" \
      -v e="${REPC[5000-$r]}" -v f="${REPC[10000-$r]}" -v g="${MATC[5000-$r]}" -v h="${MATC[10000-$r]}" \
      'BEGIN { printf "- %s repositories: report x%.2f (CPU x%.2f), matrix x%.2f (CPU x%.2f)\n", r, b / a, f / e, d / c, h / g }'
  done
  echo
fi
if [ -n "${REP[10000-2000]:-}" ]; then
  awk -v t="${REP[10000-2000]}" -v m="$(for row in "${results[@]}"; do set -- $row; [ "$1-$2" = 10000-2000 ] && { shift 2; get cli_report_peak_mib $*; }; done)" \
    'BEGIN { printf "Target 10k x 2k, all four reports: %.2f s (<= 10: %s), peak %.0f MiB (<= 1024: %s)\n", t / 1000, (t <= 10000 ? "met" : "NOT met"), m, (m <= 1024 ? "met" : "NOT met") }'
fi
