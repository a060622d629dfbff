#!/usr/bin/env bash
# valgrind over the samples (issue 8): `ecraudit matrix` and `ecraudit report`
# (every format, with the sample ledger) on samples/acme must be free of
# memory errors and leaks. Skipped, with a message, when ECRAUDIT is an
# ASan build (valgrind cannot run it) or valgrind is not installed.
# Env: ECRAUDIT, ECR_SRC.
set -uo pipefail
: "${ECRAUDIT:?}" "${ECR_SRC:?}"
if ! command -v valgrind >/dev/null; then
  echo "test_valgrind: SKIPPED: valgrind is not installed (Debian package valgrind)"; exit 0
fi
# (grep -c reads all its input: grep -q would stop early, nm would then die of
# SIGPIPE and, under pipefail, an ASan build would go undetected now and then)
if { nm -D "$ECRAUDIT"; nm "$ECRAUDIT"; } 2>/dev/null | grep -c '__asan_init' >/dev/null ||
   ldd "$ECRAUDIT" 2>/dev/null | grep -c 'libasan' >/dev/null; then
  echo "test_valgrind: SKIPPED: $ECRAUDIT is an AddressSanitizer build (the plain CI pass runs this)"
  exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ecraudit-valgrind.XXXXXX")
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1767225600
vg=(valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes --quiet)
failures=0
run() {
  local name=$1; shift
  "${vg[@]}" --log-file="$work/$name.vg" "$@" >"$work/$name.out" 2>"$work/$name.err"
  local rc=$?
  if [ "$rc" -eq 99 ] || [ -s "$work/$name.vg" ]; then
    echo "FAIL $name: valgrind reports errors (exit $rc):"; head -n 60 "$work/$name.vg"
    failures=$((failures + 1))
  elif [ "$rc" -gt 1 ]; then
    echo "FAIL $name: exit $rc: $(head -c 400 "$work/$name.err")"; failures=$((failures + 1))
  else
    echo "ok $name (exit $rc)"
  fi
}
run matrix "$ECRAUDIT" matrix --evidence "$ECR_SRC/samples/acme"
[ "$(head -n 1 "$work/matrix.out")" = "$(printf 'principal\trepository\taction\tdecision')" ] ||
  { echo "FAIL matrix: no TSV header"; failures=$((failures + 1)); }
run report "$ECRAUDIT" report --evidence "$ECR_SRC/samples/acme" \
  --exceptions "$ECR_SRC/samples/acme/ledger.json" --out "$work/out" --as-of 2026-01-15
for f in findings.json report.junit.xml report.html report.pdf; do
  [ -s "$work/out/$f" ] || { echo "FAIL report: $f not written"; failures=$((failures + 1)); }
done
[ "$failures" -eq 0 ]
