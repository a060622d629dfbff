#!/usr/bin/env bash
# bench/run.sh — the README "Performance" tables in one command (issues 9, 12).
#
#   bench/run.sh [--profile rare|broad|both] [--quick] [--repeat N] [--table-only]
#                [--timeout S] [-- extra ecraudit-gen options]
#
# Builds Release into build-release-bench/, generates synthetic bundles
# (ecraudit-gen, deterministic) and measures them with ecraudit-bench:
#   rare  (--profile rare, the issue 9 account: ~3.5 % of principals with ECR
#          access on every repository): 1k, 5k, 10k principals x 200, 2,000
#          repositories; per-phase table and the real binary end to end.
#   broad (--profile broad: ~57 % of principals write to most repositories,
#          Deny carve-outs on prod-*/platform/*, 40 % repository policies):
#          10k x 2k with every phase, plus a scaling table 5k x 1k, 10k x 2k,
#          20k x 4k (the real binary: `ecraudit report`, all four formats, and
#          `ecraudit matrix > /dev/null`; wall, CPU, peak RSS, findings.json).
# Default: both. Targets printed at the end:
#   10k x 2k, all four reports, both profiles: <= 10 s wall, <= 1 GiB peak
#   broad 10k x 2k: findings.json <= 150 MB
#   broad 20k x 4k: report time <= 2.5x the 10k x 2k time
#   rare: `matrix` <= 3x the cJSON parse; 5k -> 10k principals at most doubles
# --quick: 1k principals x 200 repositories per profile, no scaling table.
# --timeout S: kill a `report`/`matrix` child after S seconds (its row then
# says "killed"; numbers are partial). Default: none.
# Environment: ECR_BENCH_BUILD (build dir), ECR_BENCH_WORK (bundles, default
# /tmp/ecraudit-bench), ECR_BENCH_SIZES ("1000 5000 10000") and
# ECR_BENCH_REPOS ("200 2000") for rare, ECR_BENCH_BROAD ("5000x1000
# 10000x2000 20000x4000") for broad, ECR_BENCH_TIMEOUT (as --timeout).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${ECR_BENCH_BUILD:-$SRC/build-release-bench}
WORK=${ECR_BENCH_WORK:-/tmp/ecraudit-bench}
SIZES=${ECR_BENCH_SIZES:-1000 5000 10000}
REPOS=${ECR_BENCH_REPOS:-200 2000}
BROAD=${ECR_BENCH_BROAD:-5000x1000 10000x2000 20000x4000}
FULL_BROAD=10000x2000   # the broad size measured phase by phase
TIMEOUT=${ECR_BENCH_TIMEOUT:-0}
PROFILE=both
REPEAT=1
TABLE_ONLY=0
QUICK=0
GEN_EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) PROFILE=$2; shift 2 ;;
    --profile=*) PROFILE=${1#--profile=}; shift ;;
    --quick) QUICK=1; SIZES="1000"; REPOS="200"; BROAD="1000x200"; FULL_BROAD=1000x200; shift ;;
    --table-only) TABLE_ONLY=1; shift ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --) shift; GEN_EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$PROFILE" in
  rare) PROFILES="rare" ;; broad) PROFILES="broad" ;; both) PROFILES="rare broad" ;;
  *) echo "run.sh: --profile rare|broad|both, not '$PROFILE'" >&2; exit 2 ;;
esac

# The bundles of a profile: "P R mode" lines (mode full = every phase, cli = the real binary only).
cases() {
  if [ "$1" = rare ]; then
    for p in $SIZES; do for r in $REPOS; do echo "$p $r full"; done; done
  else
    local pr
    for pr in $BROAD; do
      echo "${pr%x*} ${pr#*x} $([ "$pr" = "$FULL_BROAD" ] && echo full || echo cli)"
    done
  fi
}
# rare keeps the issue 9 file names (p$p-r$r), broad is prefixed.
name() { [ "$1" = rare ] && echo "p$2-r$3" || echo "broad-p$2-r$3"; }
share() { [ "$1" = rare ] && echo 0.25 || echo 0.4; }
gen_cmd() {
  echo "ecraudit-gen$([ "$1" = broad ] && echo " --profile broad") --users 0.4P --roles 0.6P --groups P/40 --policies P/2 --repos R --regions 3 --repo-policy-share $(share "$1") --scp-levels 3 --seed 1${GEN_EXTRA[*]:+ ${GEN_EXTRA[*]}}"
}

if [ "$TABLE_ONLY" = 0 ]; then
  echo "## building (Release) in $BUILD" >&2
  cmake -B "$BUILD" -S "$SRC" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$BUILD" -j"$(nproc)" --target ecraudit_cli ecraudit-gen ecraudit-bench >/dev/null
  GEN=$BUILD/bench/ecraudit-gen
  BENCH=$BUILD/bench/ecraudit-bench
  CLI=$BUILD/ecraudit
  mkdir -p "$WORK"
  for prof in $PROFILES; do
    while read -r p r mode; do
      users=$((p * 2 / 5)); roles=$((p - users))
      groups=$((p / 40)); [ "$groups" -lt 12 ] && groups=12
      policies=$((p / 2))
      n=$(name "$prof" "$p" "$r"); dir=$WORK/$n
      echo "## $prof: $p principals ($users users, $roles roles), $r repositories -> $dir ($mode)" >&2
      "$GEN" --force --out "$dir" --profile "$prof" --users "$users" --roles "$roles" --groups "$groups" \
        --policies "$policies" --repos "$r" --regions 3 --repo-policy-share "$(share "$prof")" \
        --scp-levels 3 --seed 1 "${GEN_EXTRA[@]}"
      opts=(--kv --repeat "$REPEAT" --cli "$CLI" --tmp "$WORK" --timeout "$TIMEOUT")
      if [ "$mode" = full ]; then opts+=(--threads); else opts+=(--cli-only); fi
      rc=0
      out=$("$BENCH" "${opts[@]}" "$dir") || rc=$?
      echo "$out" | grep -v '^BENCH ' >&2
      line=$(echo "$out" | grep '^BENCH ' || true)
      [ -n "$line" ] || line="BENCH bench_failed=$rc"
      echo "$p $r ${line#BENCH }" > "$WORK/$n.kv"
    done < <(cases "$prof")
  done
fi

# get KEY from a "k=v k=v" string
get() { local k=$1; shift; local kv; for kv in $*; do [ "${kv%%=*}" = "$k" ] && { echo "${kv#*=}"; return; }; done; echo "-"; }
s() { awk -v ms="$1" 'BEGIN { if (ms == "-") print "-"; else printf "%.2f", ms / 1000 }'; }
# seconds of phase $1, "(failed)" appended when it returned an error
ph() { local k=$1; shift; local v; v=$(s "$(get "${k}_ms" "$@")"); [ "$(get "${k}_failed" "$@")" = 1 ] && v="$v (failed)"; echo "$v"; }
# "report s" with a note when the child failed or was killed
rep_s() {
  local v rc; v=$(s "$(get cli_report_ms "$@")"); rc=$(get cli_report_rc "$@")
  if [ "$(get cli_report_timeout "$@")" = 1 ]; then v="> $v (killed)"
  elif [ "$rc" != "0" ] && [ "$rc" != "1" ] && [ "$rc" != "-" ]; then v="$v (exit $rc: failed)"; fi
  echo "$v"
}
mat_s() {
  local v; v=$(s "$(get cli_matrix_ms "$@")")
  [ "$(get cli_matrix_timeout "$@")" = 1 ] && v="> $v (killed)"
  echo "$v"
}
mib() {
  local v; v=$(get "$1" "${@:2}"); [ "$v" = "-1.0" ] && v="-"
  [ "$v" != "-" ] && [ "$1" = cli_findings_mib ] && [ "$(get cli_report_timeout "${@:2}")" = 1 ] && v="$v (partial)"
  echo "$v"
}

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo
echo "Load average when the table was printed: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates wall time; CPU time is steadier)."
echo "Machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB RAM; Release build; seconds, best of $REPEAT."

declare -A REP REPC PEAK FJ
for prof in $PROFILES; do
  results=(); full=()
  while read -r p r mode; do
    f=$WORK/$(name "$prof" "$p" "$r").kv
    [ -f "$f" ] || continue
    row=$(cat "$f"); results+=("$row")
    [ "$mode" = full ] && [[ " $row " == *" load_ms="* ]] && full+=("$row")
  done < <(cases "$prof")
  [ "${#results[@]}" -gt 0 ] || continue
  echo
  echo "### Profile $prof"
  echo
  echo "Command: \`bench/run.sh --profile $prof\` (bundles: \`$(gen_cmd "$prof")\`)"
  if [ "${#full[@]}" -gt 0 ]; then
    echo
    echo "| principals | repos | JSON MiB | cJSON parse | load | evaluate | findings | json | junit | html | pdf | 4 renderers on 2 threads | matrix TSV (lines, MiB) | pipeline peak MiB |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for row in "${full[@]}"; do
      set -- $row; p=$1; r=$2; shift 2; kv="$*"
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s (%s, %s) | %s |\n" \
        "$p" "$r" "$(get json_mib $kv)" "$(s "$(get cjson_ms $kv)")" "$(s "$(get load_ms $kv)")" \
        "$(s "$(get evaluate_ms $kv)")" "$(s "$(get findings_ms $kv)")" "$(ph render-json $kv)" \
        "$(ph render-junit $kv)" "$(ph render-html $kv)" "$(ph render-pdf $kv)" \
        "$(ph render-all-2-threads $kv)" "$(s "$(get matrix-tsv_ms $kv)")" \
        "$(get matrix_lines $kv)" "$(get matrix-tsv_mib $kv)" "$(get peak_mib $kv)"
    done
  fi
  echo
  echo "End to end, the real binary (\`ecraudit report --evidence B --out D\`, all four reports; \`ecraudit matrix --evidence B > /dev/null\`):"
  echo
  echo "| principals | repos | report s | report CPU s | report peak MiB | findings.json MiB | html / pdf / junit MiB | matrix s | matrix CPU s | matrix peak MiB | matrix / cJSON parse (CPU) |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for row in "${results[@]}"; do
    set -- $row; p=$1; r=$2; shift 2; kv="$*"
    k=$prof-$p-$r
    REP[$k]=$(get cli_report_ms $kv); REPC[$k]=$(get cli_report_cpu_ms $kv)
    PEAK[$k]=$(get cli_report_peak_mib $kv); FJ[$k]=$(get cli_findings_mib $kv)
    [ "$(get cli_report_timeout $kv)" = 1 ] && REP[$k]="killed"
    mat=$(get cli_matrix_ms $kv); cj=$(get cjson_ms $kv)
    printf "| %s | %s | %s | %s | %s | %s | %s / %s / %s | %s | %s | %s | %s |\n" "$p" "$r" "$(rep_s $kv)" \
      "$(s "$(get cli_report_cpu_ms $kv)")" "$(get cli_report_peak_mib $kv)" "$(mib cli_findings_mib $kv)" \
      "$(mib cli_html_mib $kv)" "$(mib cli_pdf_mib $kv)" "$(mib cli_junit_mib $kv)" \
      "$(mat_s $kv)" "$(s "$(get cli_matrix_cpu_ms $kv)")" "$(get cli_matrix_peak_mib $kv)" \
      "$(awk -v a="$mat" -v b="$cj" -v c="$(get cli_matrix_cpu_ms $kv)" -v d="$(get cjson_cpu_ms $kv)" \
         'BEGIN { if (b != "-" && d != "-" && b > 0 && d > 0) printf "%.1fx (%.1fx)", a / b, c / d; else print "-" }')"
  done
  if [ "$prof" = rare ] && [ -n "${REP[rare-5000-200]:-}" ] && [ -n "${REP[rare-10000-200]:-}" ]; then
    echo
    echo "Scaling 5k -> 10k principals (time ratio, CPU in parentheses; target <= 2.0):"
    echo
    for r in $REPOS; do
      a=${REP[rare-5000-$r]:-}; b=${REP[rare-10000-$r]:-}
      [ -n "$a" ] && [ -n "$b" ] && [ "$a" != killed ] && [ "$b" != killed ] || continue
      awk -v r="$r" -v a="$a" -v b="$b" -v e="${REPC[rare-5000-$r]}" -v f="${REPC[rare-10000-$r]}" \
        'BEGIN { printf "- %s repositories: report x%.2f (CPU x%.2f)\n", r, b / a, f / e }'
    done
  fi
  if [ "$prof" = broad ] && [ "$QUICK" = 0 ] && [ "${#results[@]}" -gt 1 ]; then
    echo
    echo "Scaling on the broad profile (report time relative to the previous row; target 20k x 4k <= 2.5x 10k x 2k):"
    echo
    echo "| principals x repos | report s | report CPU s | report peak MiB | matrix s | matrix CPU s | matrix peak MiB | findings.json MiB | report time vs previous (CPU) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    prev=""; prevc=""
    for row in "${results[@]}"; do
      set -- $row; p=$1; r=$2; shift 2; kv="$*"
      t=$(get cli_report_ms $kv); c=$(get cli_report_cpu_ms $kv)
      ratio=$(awk -v a="$prev" -v b="$t" -v e="$prevc" -v f="$c" -v k="$(get cli_report_timeout $kv)" \
        'BEGIN { if (a == "" || a <= 0 || b == "-" || k == "1") print "-"; else printf "x%.2f (x%.2f)", b / a, f / e }')
      printf "| %s x %s | %s | %s | %s | %s | %s | %s | %s | %s |\n" "$p" "$r" "$(rep_s $kv)" "$(s "$c")" \
        "$(get cli_report_peak_mib $kv)" "$(mat_s $kv)" "$(s "$(get cli_matrix_cpu_ms $kv)")" \
        "$(get cli_matrix_peak_mib $kv)" "$(mib cli_findings_mib $kv)" "$ratio"
      if [ "$(get cli_report_timeout $kv)" = 1 ]; then prev=""; else prev=$t; prevc=$c; fi
    done
  fi
done

echo
echo "Targets:"
[ -n "${REP[rare-10000-2000]:-}${REP[broad-10000-2000]:-}" ] || echo "- (measured at 10k x 2k only; none in this run)"
for prof in $PROFILES; do
  k=$prof-10000-2000
  [ -n "${REP[$k]:-}" ] || continue
  if [ "${REP[$k]}" = killed ]; then
    echo "- $prof 10k x 2k, all four reports: killed after ${TIMEOUT} s (<= 10 s: NOT met)"
  else
    awk -v pr="$prof" -v t="${REP[$k]}" -v m="${PEAK[$k]}" \
      'BEGIN { printf "- %s 10k x 2k, all four reports: %.2f s (<= 10: %s), peak %.0f MiB (<= 1024: %s)\n", pr, t / 1000, (t <= 10000 ? "met" : "NOT met"), m, (m <= 1024 ? "met" : "NOT met") }'
  fi
  if [ "$prof" = broad ] && [ "${FJ[$k]:--}" != "-" ] && [ "${FJ[$k]}" != "-1.0" ]; then
    awk -v f="${FJ[$k]}" -v k="${REP[$k]}" \
      'BEGIN { mb = f * 1.048576; printf "- broad 10k x 2k findings.json: %.0f MB%s (<= 150 MB: %s)\n", mb, (k == "killed" ? " (partial)" : ""), (mb <= 150 && k != "killed" ? "met" : "NOT met") }'
  fi
done
if [[ " $PROFILES " == *" broad "* ]] && [ -n "${REP[broad-20000-4000]:-}" ] && [ -n "${REP[broad-10000-2000]:-}" ]; then
  if [ "${REP[broad-20000-4000]}" = killed ] || [ "${REP[broad-10000-2000]}" = killed ]; then
    echo "- broad 20k x 4k vs 10k x 2k: a run was killed (<= 2.5x: not measured)"
  else
    awk -v a="${REP[broad-10000-2000]}" -v b="${REP[broad-20000-4000]}" -v e="${REPC[broad-10000-2000]}" -v f="${REPC[broad-20000-4000]}" \
      'BEGIN { printf "- broad 20k x 4k: x%.2f the 10k x 2k report time (CPU x%.2f) (<= 2.5: %s)\n", b / a, f / e, (b / a <= 2.5 ? "met" : "NOT met") }'
  fi
fi
