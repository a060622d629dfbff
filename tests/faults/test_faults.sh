#!/usr/bin/env bash
# Atomic output under faults (issue 8), through the real CLI: an LD_PRELOAD
# shim (faultshim.c, compiled here with ${CC:-cc}) fails fwrite / fflush /
# fsync / rename / open on one report file with ENOSPC (EACCES for open).
# Each run must exit 4 with ONE stderr line naming that file, leave the
# earlier version of that file byte-for-byte intact, and leave no *.tmp.*.
# Env: ECRAUDIT, ECR_SRC.
set -uo pipefail
: "${ECRAUDIT:?}" "${ECR_SRC:?}"
work=$(mktemp -d "${TMPDIR:-/tmp}/ecraudit-faults.XXXXXX")
trap 'rm -rf "$work"' EXIT
cc=${CC:-cc}
command -v "$cc" >/dev/null || cc=gcc
if ! "$cc" -shared -fPIC -O1 -o "$work/faultshim.so" "$ECR_SRC/tests/faults/faultshim.c" -ldl \
    2>"$work/cc.err"; then
  echo "test_faults: cannot build the shim: $(cat "$work/cc.err")"; exit 1
fi
# a dynamically linked ASan runtime (gcc) wants to come first; the shim only wraps libc
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export SOURCE_DATE_EPOCH=1767225600
ev="$ECR_SRC/samples/acme"
led="$ECR_SRC/samples/acme/ledger.json"
out="$work/out"
failures=0
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }

"$ECRAUDIT" report --evidence "$ev" --exceptions "$led" --out "$out" --as-of 2026-01-15 2>/dev/null
rc=$?
[ "$rc" -le 1 ] || { echo "test_faults: baseline report failed ($rc)"; exit 1; }
mkdir "$work/before"
cp "$out"/* "$work/before/"
files=(findings.json report.junit.xml report.html report.pdf)
for f in "${files[@]}"; do
  [ -s "$work/before/$f" ] || { echo "test_faults: baseline lacks $f"; exit 1; }
done

runs=0
for op in fwrite fflush fsync rename open; do
  for f in "${files[@]}"; do
    runs=$((runs + 1))
    # a different as-of date: every report that is written changes
    ECR_FAULT="$op:$f" LD_PRELOAD="$work/faultshim.so" "$ECRAUDIT" report --evidence "$ev" \
      --exceptions "$led" --out "$out" --as-of 2026-03-01 >/dev/null 2>"$work/err"
    rc=$?
    name="$op:$f"
    if [ "$rc" -ne 4 ]; then fail "$name" "exit $rc, expected 4: $(head -c 300 "$work/err")"; continue; fi
    if [ "$(wc -l <"$work/err")" -ne 1 ] || ! grep -qF "$out/$f" "$work/err"; then
      fail "$name" "expected one stderr line naming $out/$f: $(head -c 300 "$work/err")"; continue
    fi
    cmp -s "$out/$f" "$work/before/$f" || fail "$name" "$f was changed by the failed write"
    ls "$out" | grep -q '\.tmp\.' && fail "$name" "temporary file left: $(ls "$out")"
    # reports that come before the failing one in the run are complete, new files
    for g in "${files[@]}"; do
      [ -s "$out/$g" ] || fail "$name" "$g is missing or empty"
    done
    cp "$work/before"/* "$out/"   # reset for the next fault
  done
done

# an --out that cannot be a directory (root ignores chmod, so use a file)
echo x >"$work/plainfile"
"$ECRAUDIT" report --evidence "$ev" --out "$work/plainfile/sub" --as-of 2026-01-15 >/dev/null 2>"$work/err"
rc=$?
if [ "$rc" -ne 4 ] || [ "$(wc -l <"$work/err")" -ne 1 ] || ! grep -qF "$work/plainfile" "$work/err"; then
  fail "unwritable-out" "exit $rc: $(head -c 300 "$work/err")"
fi
[ "$(cat "$work/plainfile")" = x ] || fail "unwritable-out" "the file in the way was changed"

echo "faults: $runs injected faults + unwritable --out, $failures failures"
[ "$failures" -eq 0 ]
