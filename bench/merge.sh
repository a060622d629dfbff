#!/usr/bin/env bash
# bench/merge.sh — `ecraudit merge` at organisation scale (issue 18 target: 1,000 per-account
# findings.json of 1,000 principals x 200 repositories each in <= 60 s and <= 2 GiB on 2 cores).
#
#   bench/merge.sh [--accounts N] [--distinct K] [--format LIST] [--keep]
#
# Makes K distinct accounts with ecraudit-gen (the run.sh rare shape: 1,000 principals = 400
# users + 600 roles, 25 groups, 500 policies, 200 repositories, 3 regions, share 0.25, 3 SCP
# levels; seeds 1..K), writes each one's findings.json with `ecraudit report --format json`,
# copies them to N files with the account id rewritten (and the first four hex digits of every
# finding id, so ids stay distinct across accounts, as real accounts' ids are), then runs
# `/usr/bin/time -v ecraudit merge --out OUT FILES...` and prints wall time, CPU, peak RSS and
# the sizes. --format goes to merge (default: merge's, all four: findings.json,
# report.junit.xml, report.html and report.pdf).
# Everything is deleted afterwards (--keep: not).
#
# Disk: one findings.json of this shape is about 4 MB (its JUnit 1.4 MB), so N accounts need about 3 x 5.5 MB x N
# (the copies, merge's part files, the merged files): 3.3 GB for the default N=200,
# 14 GB for N=1000. The default is 200 because the merged findings.json of 1,000 such accounts is
# 4 GB (every finding and set of every account, as the contract says), more than this
# project's machines may write as one file; merge streams, so its memory does not depend on N and
# its time is linear in the bytes read: the script also prints the time scaled to 1,000 accounts.
# Environment: ECRAUDIT (default build-rel/ecraudit), ECR_GEN (default
# build-rel/bench/ecraudit-gen), ECR_BENCH_WORK (default /tmp/ecraudit-merge-bench).
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ECRAUDIT=${ECRAUDIT:-$SRC/build-rel/ecraudit}
GEN=${ECR_GEN:-$SRC/build-rel/bench/ecraudit-gen}
WORK=${ECR_BENCH_WORK:-/tmp/ecraudit-merge-bench}
N=200
K=4
KEEP=0
FORMAT=()
while [ $# -gt 0 ]; do
  case "$1" in
    --accounts) N=$2; shift 2 ;;
    --distinct) K=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --format) FORMAT=(--format "$2"); shift 2 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "merge.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for t in "$ECRAUDIT" "$GEN" /usr/bin/time; do
  [ -x "$t" ] || { echo "merge.sh: $t is missing (build with cmake -DCMAKE_BUILD_TYPE=Release -B build-rel)" >&2; exit 2; }
done
[ "$N" -ge 1 ] && [ "$K" -ge 1 ] && [ "$N" -le 9999 ] || { echo "merge.sh: 1 <= N <= 9999" >&2; exit 2; }
rm -rf "$WORK"
mkdir -p "$WORK/src" "$WORK/in"
[ "$KEEP" = 1 ] || trap 'rm -rf "$WORK"' EXIT

echo "## $K distinct accounts: 1000 principals x 200 repositories each" >&2
for k in $(seq 1 "$K"); do
  acct=$(printf "1000000%05d" "$k")
  "$GEN" --force --out "$WORK/src/b$k" --users 400 --roles 600 --groups 25 --policies 500 \
    --repos 200 --regions 3 --repo-policy-share 0.25 --scp-levels 3 --seed "$k" --account "$acct" >/dev/null
  "$ECRAUDIT" report --quiet --evidence "$WORK/src/b$k" --out "$WORK/src/r$k" --format json || [ $? = 1 ]
  rm -rf "$WORK/src/b$k"
done

echo "## $N per-account findings.json (copies with the account rewritten)" >&2
for i in $(seq 1 "$N"); do
  k=$(( (i - 1) % K + 1 ))
  from=$(printf "1000000%05d" "$k")
  to=$(printf "2%011d" "$i")
  sed -e "s/$from/$to/g" -e "s/\"C0222-..../\"C0222-$(printf '%04x' "$i")/g" \
    "$WORK/src/r$k/findings.json" >"$WORK/in/$to.json"
done
in_bytes=$(du -cb "$WORK"/in/*.json | tail -1 | cut -f1)

echo "## ecraudit merge of $N files" >&2
rc=0
/usr/bin/time -v "$ECRAUDIT" merge "${FORMAT[@]}" --out "$WORK/out" "$WORK"/in/*.json 2>"$WORK/time.txt" || rc=$?
[ "$rc" -le 1 ] || { cat "$WORK/time.txt" >&2; echo "merge.sh: merge failed ($rc)" >&2; exit 1; }
field() { grep -F "$1" "$WORK/time.txt" | sed 's/.*: //'; }
wall=$(field "Elapsed (wall clock)")
secs=$(awk -v t="$wall" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }')
user=$(field "User time"); sys=$(field "System time"); rss=$(field "Maximum resident set size")
out_bytes=$(du -cb "$WORK"/out/* | tail -1 | cut -f1)
grep -F "ecraudit: organisation" "$WORK/time.txt" >&2 || true
outs=$(cd "$WORK/out" && ls | paste -sd, | sed 's/,/, /g')
awk -v outs="$outs" -v n="$N" -v s="$secs" -v u="$user" -v y="$sys" -v r="$rss" -v ib="$in_bytes" -v ob="$out_bytes" 'BEGIN {
  printf "| accounts | input | output (%s) | wall | user | sys | peak RSS | wall per account | wall scaled to 1,000 |\n", outs
  printf "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
  printf "| %d | %.2f GB | %.2f GB | %.1f s | %.1f s | %.1f s | %.0f MiB | %.1f ms | %.0f s |\n",
    n, ib / 1e9, ob / 1e9, s, u, y, r / 1024, s * 1000 / n, s * 1000 / n
}'
