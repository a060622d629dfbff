#!/bin/bash
# Golden tests of `ecraudit matrix`: every tests/golden/<case>/ holds a tiny
# evidence bundle (bundle/) and the full access matrix for it (expected.tsv),
# derived BY HAND (see the case's README.md), never by running ecraudit.
#
# Environment: ECRAUDIT = the binary (required); ECR_SRC = source tree
# (default: two levels above this script). Optional: GOLDEN_CASES = a
# space-separated list of case names to run instead of all of them.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${ECR_SRC:-$(cd "$here/../.." && pwd)}
golden="$src/tests/golden"

if [ -z "${ECRAUDIT:-}" ]; then
  echo "test_golden: ECRAUDIT is not set (path to the ecraudit binary)" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "${GOLDEN_CASES:-}" ]; then
  cases=$GOLDEN_CASES
else
  cases=$(cd "$golden" && for d in */; do
            [ -d "$d/bundle" ] && printf '%s\n' "${d%/}"
          done | LC_ALL=C sort)
fi

pass=0
fail=0
failed=()
for c in $cases; do
  dir="$golden/$c"
  if [ ! -f "$dir/expected.tsv" ] || [ ! -d "$dir/bundle" ]; then
    echo "FAIL $c: no expected.tsv or bundle/ in $dir"
    fail=$((fail + 1)); failed+=("$c"); continue
  fi
  "$ECRAUDIT" matrix --evidence "$dir/bundle" >"$tmp/out.tsv" 2>"$tmp/err.txt"
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL $c: ecraudit matrix exited with status $rc"
    sed 's/^/    stderr: /' "$tmp/err.txt" | head -20
    fail=$((fail + 1)); failed+=("$c"); continue
  fi
  if diff -u --label "$c/expected.tsv" --label "ecraudit matrix --evidence $c/bundle" \
       "$dir/expected.tsv" "$tmp/out.tsv" >"$tmp/diff.txt"; then
    echo "ok   $c"
    pass=$((pass + 1))
  else
    echo "FAIL $c: matrix differs from expected.tsv ('-' expected only, '+' tool only)"
    cat "$tmp/diff.txt"
    fail=$((fail + 1)); failed+=("$c")
  fi
done

if [ $((pass + fail)) -eq 0 ]; then
  echo "test_golden: no golden cases found under $golden" >&2
  exit 1
fi
echo "$pass passed, $fail failed"
if [ $fail -ne 0 ]; then
  echo "failed cases: ${failed[*]}"
  exit 1
fi
exit 0
