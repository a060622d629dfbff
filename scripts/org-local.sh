#!/bin/sh
# The organisation fan-out on one machine, exactly as Kubernetes runs it
# (deploy/kubernetes/org/): list the accounts once, then one
#   ecraudit scan --org --out OUT --role-name NAME --account-index N
# per account, JOBS at a time (xargs -P, as the Indexed Job's pods with
# JOB_COMPLETION_INDEX = N), then `ecraudit merge` of the per-account
# findings.json when the binary has that command.
#
# usage: scripts/org-local.sh --out OUT --role-name NAME [--jobs N] [--reuse-list]
#                             [-- COLLECT OPTIONS (--region, --profile, --endpoint-url, ...)]
#   --reuse-list   OUT/organization/ exists already (an earlier `collect --org`, or the
#                  Kubernetes list Job's volume): do not list the organization again
# Env: ECRAUDIT (default: ecraudit on PATH).
# Writes OUT/organization/, OUT/accounts/<id>/, OUT/findings/<id>/, OUT/report/ (merge).
# Exit: 0 done (failed accounts are gaps: OUT/organization/gaps/<id>.json); 2 usage;
# 3 the organization could not be listed or no account was collected; otherwise the
# status of a scan that failed for another reason, or merge's status.
set -u
ECRAUDIT=${ECRAUDIT:-ecraudit}
out= role= jobs=4 reuse=0
usage() { echo "usage: $0 --out OUT --role-name NAME [--jobs N] [--reuse-list] [-- COLLECT OPTIONS]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
    --role-name) [ $# -ge 2 ] || usage; role=$2; shift 2 ;;
    --jobs) [ $# -ge 2 ] || usage; jobs=$2; shift 2 ;;
    --reuse-list) reuse=1; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "org-local.sh: unknown option $1" >&2; usage ;;
  esac
done
[ -n "$out" ] && [ -n "$role" ] || usage
case $jobs in ''|*[!0-9]*) echo "org-local.sh: --jobs needs a number, not \"$jobs\"" >&2; exit 2 ;; esac
[ "$jobs" -ge 1 ] || { echo "org-local.sh: --jobs needs a number from 1" >&2; exit 2; }

# 1. the organisation evidence and the account list (the Kubernetes list Job)
if [ "$reuse" = 0 ]; then
  "$ECRAUDIT" collect --org --out "$out" "$@" || exit $?
fi
list="$out/organization/account-ids.txt"
[ -r "$list" ] || { echo "org-local.sh: $list: no account list (run without --reuse-list)" >&2; exit 2; }
count=$(wc -l <"$list" | tr -d ' ')

# 2. one scan per account index (the Indexed Job's pods); 0, 1 (non-compliant) and
#    3 (collection failed: a gap of the organisation) are results, anything else an error
i=0
while [ "$i" -lt "$count" ]; do echo "$i"; i=$((i + 1)); done |
  xargs -P "$jobs" -I{} sh -c '
    n=$1 out=$2 role=$3; shift 3
    "$0" scan --org --out "$out" --role-name "$role" --account-index "$n" --format json "$@" 2>&1 |
      sed "s/^/[$n] /"
    ' "$ECRAUDIT" {} "$out" "$role" "$@" >&2
# (the scan's own status is read back below from what it wrote: findings or a gap)
n_findings=0 n_gaps=0 missing=
while read -r id; do
  if [ -f "$out/findings/$id/findings.json" ] && [ ! -f "$out/organization/gaps/$id.json" ]; then
    n_findings=$((n_findings + 1))
  elif [ -f "$out/organization/gaps/$id.json" ]; then
    n_gaps=$((n_gaps + 1))
  else
    missing="$missing $id"
  fi
done <"$list"
echo "org-local.sh: $count accounts: $n_findings scanned, $n_gaps gaps (OUT/organization/gaps/)" >&2
if [ -n "$missing" ]; then
  echo "org-local.sh: neither findings nor a gap for:$missing (see the messages above)" >&2
  exit 4
fi
[ "$n_findings" -gt 0 ] || { echo "org-local.sh: no account could be scanned" >&2; exit 3; }

# 3. the reduce step, where the binary has it
if "$ECRAUDIT" merge --help >/dev/null 2>&1; then
  set --
  # an account with a gap enters the organisation report as unknown (merge
  # takes its gap file), never silently left out
  while read -r id; do
    if [ -f "$out/organization/gaps/$id.json" ]; then
      set -- "$@" "$out/organization/gaps/$id.json"
    elif [ -f "$out/findings/$id/findings.json" ]; then
      set -- "$@" "$out/findings/$id/findings.json"
    fi
  done <"$list"
  "$ECRAUDIT" merge --out "$out/report" "$@"
  exit $?
fi
echo "org-local.sh: this ecraudit has no merge command: per-account reports are in $out/findings/" >&2
exit 0
