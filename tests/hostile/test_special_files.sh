#!/usr/bin/env bash
# Special files as inputs (issue 17, item 4): a FIFO (or a directory) where a
# bundle file, a file the manifest lists, or the ledger should be must not
# block: exit 2 within seconds, one stderr line naming the file, nothing
# written. Env: ECRAUDIT, ECR_SRC.
set -uo pipefail
: "${ECRAUDIT:?}" "${ECR_SRC:?}"
work=$(mktemp -d "${TMPDIR:-/tmp}/ecraudit-special.XXXXXX")
trap 'rm -rf "$work"' EXIT
sample="$ECR_SRC/samples/acme"
failures=0 total=0
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }

# run NAME FILE-TO-NAME [ledger]: expects exit 2 naming FILE within 20 s
run() {
  local name=$1 want=$2 ledger=${3:-$sample/ledger.json}
  local out="$work/$name.out"
  total=$((total + 1))
  timeout 20 "$ECRAUDIT" report --evidence "$work/$name" --exceptions "$ledger" --out "$out" \
    --as-of 2026-01-15 >/dev/null 2>"$work/$name.err"
  local rc=$?
  if [ "$rc" -eq 124 ]; then fail "$name" "blocked (killed after 20 s)"; return; fi
  if [ "$rc" -ne 2 ]; then fail "$name" "exit $rc, expected 2: $(head -c 300 "$work/$name.err")"; return; fi
  if [ "$(wc -l <"$work/$name.err")" -ne 1 ] || ! grep -qF -- "$want" "$work/$name.err"; then
    fail "$name" "expected one line naming $want: $(head -c 300 "$work/$name.err")"; return
  fi
  if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then fail "$name" "wrote $(ls "$out")"; fi
}

bundle() {
  cp -r "$sample" "$work/$1"
  rm -f "$work/$1/README.md" "$work/$1/ledger.json"
}

IAM=iam/account-authorization-details.json
bundle fifo_iam
rm "$work/fifo_iam/$IAM" && mkfifo "$work/fifo_iam/$IAM"
run fifo_iam "$IAM"

bundle dir_iam
rm "$work/dir_iam/$IAM" && mkdir "$work/dir_iam/$IAM"
run dir_iam "$IAM"

# an optional file that is a FIFO is not "absent"
bundle fifo_optional
rm -f "$work/fifo_optional/organizations/scps.json"
mkfifo "$work/fifo_optional/organizations/scps.json"
run fifo_optional organizations/scps.json

# a file only the manifest lists
bundle fifo_manifest
mkfifo "$work/fifo_manifest/notes.txt"
python3 - "$work/fifo_manifest/manifest.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
m["files"].append({"path": "notes.txt", "sha256": "0" * 64, "size": 0})
json.dump(m, open(sys.argv[1], "w"), indent=1)
EOF
run fifo_manifest notes.txt

bundle fifo_ledger
mkfifo "$work/ledger.fifo"
run fifo_ledger "$work/ledger.fifo" "$work/ledger.fifo"

echo "special files: $total cases, $failures failures"
[ "$failures" -eq 0 ]
