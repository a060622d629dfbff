#!/bin/bash
# Golden tests of `ecraudit paths`: every tests/paths/<case>/ holds a tiny
# evidence bundle (bundle/) and the whole paths TSV for it (expected.tsv),
# derived BY HAND from AWS's documentation (see the case's README.md), never
# by running ecraudit. Also checks that the rows are sorted bytewise.
#
# Environment: ECRAUDIT = the binary (required); ECR_SRC = source tree
# (default: two levels above this script). Optional: PATHS_CASES = a
# space-separated list of case names to run instead of all of them.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${ECR_SRC:-$(cd "$here/../.." && pwd)}
cases_dir="$src/tests/paths"

if [ -z "${ECRAUDIT:-}" ]; then
  echo "test_paths: ECRAUDIT is not set (path to the ecraudit binary)" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "${PATHS_CASES:-}" ]; then
  cases=$PATHS_CASES
else
  cases=$(cd "$cases_dir" && for d in */; do
            [ -d "$d/bundle" ] && printf '%s\n' "${d%/}"
          done | LC_ALL=C sort)
fi

pass=0
fail=0
failed=()

# compare NAME EXPECTED ACTUAL LABEL WHAT: one check, diff shown on failure
compare() {
  if diff -u --label "$2" --label "$4" "$2" "$3" >"$tmp/diff.txt"; then
    echo "ok   $1"
    pass=$((pass + 1))
  else
    echo "FAIL $1: $5 ('-' expected only, '+' tool only)"
    cat "$tmp/diff.txt"
    fail=$((fail + 1)); failed+=("$1")
  fi
}

for c in $cases; do
  dir="$cases_dir/$c"
  if [ ! -f "$dir/expected.tsv" ] || [ ! -d "$dir/bundle" ]; then
    echo "FAIL $c: no expected.tsv or bundle/ in $dir"
    fail=$((fail + 1)); failed+=("$c"); continue
  fi
  "$ECRAUDIT" paths --evidence "$dir/bundle" >"$tmp/out.tsv" 2>"$tmp/err.txt"
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL $c: ecraudit paths exited with status $rc"
    sed 's/^/    stderr: /' "$tmp/err.txt" | head -20
    fail=$((fail + 1)); failed+=("$c"); continue
  fi
  if ! tail -n +2 "$tmp/out.tsv" | LC_ALL=C sort -c 2>/dev/null; then
    echo "FAIL $c: rows are not sorted bytewise"
    fail=$((fail + 1)); failed+=("$c"); continue
  fi
  compare "$c" "$dir/expected.tsv" "$tmp/out.tsv" "ecraudit paths --evidence $c/bundle" \
    "paths differ from expected.tsv"
  # the findings with a chain (expected_findings.tsv, derived by hand: README.md)
  if [ -f "$dir/expected_findings.tsv" ]; then
    rm -rf "$tmp/rep"
    "$ECRAUDIT" report --evidence "$dir/bundle" --out "$tmp/rep" --format json \
      --as-of 2026-11-27 >/dev/null 2>"$tmp/err.txt"
    rc=$?
    if [ $rc -gt 1 ]; then
      echo "FAIL $c findings: ecraudit report exited with status $rc"
      fail=$((fail + 1)); failed+=("$c-findings"); continue
    fi
    /usr/bin/python3 "$here/findings_tsv.py" "$tmp/rep/findings.json" >"$tmp/chains.tsv"
    compare "$c-findings" "$dir/expected_findings.tsv" "$tmp/chains.tsv" "findings with via_chain" \
      "findings with a chain differ from expected_findings.tsv"
  fi
done

# usage errors: as matrix
"$ECRAUDIT" paths >/dev/null 2>"$tmp/err.txt"
rc=$?
if [ $rc -ne 2 ] || ! grep -q "paths needs --evidence DIR" "$tmp/err.txt"; then
  echo "FAIL usage: paths without --evidence exited $rc"; fail=$((fail + 1)); failed+=(usage)
else
  pass=$((pass + 1))
fi
"$ECRAUDIT" paths --help >"$tmp/help.txt" 2>&1
if [ $? -ne 0 ] || ! grep -q "usage: ecraudit paths --evidence DIR" "$tmp/help.txt"; then
  echo "FAIL help: ecraudit paths --help"; fail=$((fail + 1)); failed+=(help)
else
  pass=$((pass + 1))
fi
"$ECRAUDIT" paths --evidence "$tmp/nonexistent" >"$tmp/out.tsv" 2>"$tmp/err.txt"
if [ $? -ne 2 ] || [ -s "$tmp/out.tsv" ]; then
  echo "FAIL input error: a missing bundle must exit 2 with nothing on stdout"
  fail=$((fail + 1)); failed+=(input)
else
  pass=$((pass + 1))
fi

# samples/acme: findings with a chain, spot checks (tests/paths/acme_chain_spot.tsv)
cspot="$src/tests/paths/acme_chain_spot.tsv"
if [ -f "$cspot" ]; then
  rm -rf "$tmp/acme-rep"
  "$ECRAUDIT" report --evidence "$src/samples/acme" --out "$tmp/acme-rep" --format json \
    --as-of 2026-11-27 >/dev/null 2>&1
  /usr/bin/python3 "$here/findings_tsv.py" "$tmp/acme-rep/findings.json" | cut -f1-5 >"$tmp/acme-chains.tsv"
  cfail=0
  while IFS= read -r line; do
    case $line in ''|'#'*) continue ;; esac
    if [ "${line#!}" != "$line" ]; then
      if grep -qxF -- "${line#!}" "$tmp/acme-chains.tsv"; then echo "FAIL acme chains: unexpected: ${line#!}"; cfail=1; fi
    elif ! grep -qxF -- "$line" "$tmp/acme-chains.tsv"; then
      echo "FAIL acme chains: missing: $line"; cfail=1
    fi
  done <"$cspot"
  if [ $cfail = 0 ]; then echo "ok   acme chain findings"; pass=$((pass + 1)); else fail=$((fail + 1)); failed+=(acme-chains); fi
fi

# samples/acme: spot checks (tests/paths/acme_spot.tsv)
spot="$src/tests/paths/acme_spot.tsv"
if [ -f "$spot" ]; then
  "$ECRAUDIT" paths --evidence "$src/samples/acme" >"$tmp/acme.tsv" 2>"$tmp/err.txt"
  rc=$?
  sfail=0
  [ $rc -eq 0 ] || { echo "FAIL acme: ecraudit paths exited with status $rc"; sfail=1; }
  while IFS= read -r line; do
    case $line in ''|'#'*) continue ;; esac
    if [ "${line#!}" != "$line" ]; then
      want=${line#!}
      if cut -f1-4 "$tmp/acme.tsv" | grep -qxF -- "$want"; then echo "FAIL acme: unexpected: $want"; sfail=1; fi
    elif ! grep -qxF -- "$line" "$tmp/acme.tsv"; then
      echo "FAIL acme: missing: $line"; sfail=1
    fi
  done <"$spot"
  if [ $sfail -eq 0 ]; then echo "ok   acme spot checks"; pass=$((pass + 1)); else fail=$((fail + 1)); failed+=(acme); fi
fi

if [ $((pass + fail)) -eq 0 ]; then
  echo "test_paths: no cases found under $cases_dir" >&2
  exit 1
fi
echo "test_paths: $pass passed, $fail failed${failed:+ (${failed[*]})}"
[ $fail -eq 0 ]
