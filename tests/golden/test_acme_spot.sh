#!/bin/bash
# Spot checks of the access matrix of samples/acme against hand-derived lines
# (tests/golden/acme_spot.tsv: lines that must appear, "!"-lines whose
# principal/repository/action triple must not appear with any decision), plus
# the TSV contract of DESIGN.md (header, bytewise order, one line per triple,
# allow|conditional, no ecr-public actions, the account itself never a principal).
#
# Environment: ECRAUDIT = the binary (required); ECR_SRC = source tree.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${ECR_SRC:-$(cd "$here/../.." && pwd)}
spot="$src/tests/golden/acme_spot.tsv"
bundle="$src/samples/acme"

if [ -z "${ECRAUDIT:-}" ]; then
  echo "test_acme_spot: ECRAUDIT is not set (path to the ecraudit binary)" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! "$ECRAUDIT" matrix --evidence "$bundle" >"$tmp/matrix.tsv" 2>"$tmp/err.txt"; then
  echo "FAIL: ecraudit matrix --evidence $bundle exited with status $?"
  sed 's/^/    stderr: /' "$tmp/err.txt" | head -20
  echo "0 passed, 1 failed"
  exit 1
fi

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); printf 'FAIL %s\n' "$*"; }

# ---- the TSV contract ---------------------------------------------------
header=$(head -n 1 "$tmp/matrix.tsv")
if [ "$header" = "$(printf 'principal\trepository\taction\tdecision')" ]; then ok
else bad "header is '$header'"; fi
tail -n +2 "$tmp/matrix.tsv" >"$tmp/body.tsv"
if [ -s "$tmp/body.tsv" ]; then ok; else bad "the matrix has no lines"; fi
if LC_ALL=C sort -c "$tmp/body.tsv" 2>"$tmp/sort.txt"; then ok
else bad "lines not in bytewise order: $(cat "$tmp/sort.txt")"; fi
malformed=$(awk -F'\t' 'NF != 4 || ($4 != "allow" && $4 != "conditional") || $3 !~ /^ecr:[A-Za-z]+$/' "$tmp/body.tsv" | head -5)
if [ -z "$malformed" ]; then ok; else bad "malformed lines (fields, decision or action): $malformed"; fi
dups=$(cut -f1-3 "$tmp/body.tsv" | LC_ALL=C sort | uniq -d | head -5)
if [ -z "$dups" ]; then ok; else bad "triples printed more than once: $dups"; fi
if grep -q 'ecr-public:' "$tmp/body.tsv"; then bad "ecr-public actions in the matrix"; else ok; fi
if grep -q '^arn:aws:iam::111122223333:root	' "$tmp/body.tsv"; then
  bad "the account itself (arn:aws:iam::111122223333:root) appears as a principal"
else ok; fi

# ---- the hand-derived spot lines ----------------------------------------
n=0
reason=""
while IFS= read -r line || [ -n "$line" ]; do
  n=$((n + 1))
  case "$line" in
    '') reason=""; continue ;;
    '#'*) reason="$reason${line#\#}"$'\n'; continue ;;
  esac
  if [ "${line:0:1}" = "!" ]; then
    triple=${line:1}
    if grep -Fxq -e "$triple	allow" -e "$triple	conditional" "$tmp/body.tsv"; then
      bad "acme_spot.tsv:$n must NOT appear: $triple"
      grep -F -e "$triple	" "$tmp/body.tsv" | sed 's/^/    printed: /'
      [ -n "$reason" ] && printf '%s' "$reason" | sed 's/^/    why:/'
    else ok; fi
  else
    if grep -Fxq -e "$line" "$tmp/body.tsv"; then ok
    else
      bad "acme_spot.tsv:$n missing: $line"
      other=$(grep -F -e "$(printf '%s' "$line" | cut -f1-3)	" "$tmp/body.tsv")
      [ -n "$other" ] && printf '%s\n' "$other" | sed 's/^/    printed instead: /'
      [ -n "$reason" ] && printf '%s' "$reason" | sed 's/^/    why:/'
    fi
  fi
done <"$spot"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
