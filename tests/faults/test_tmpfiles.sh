#!/usr/bin/env bash
# Temporary report files (issue 17, item 1), through the real CLI:
#  - a symlink planted at the old predictable name OUT/<report>.tmp.<pid> is
#    never followed: its target stays intact;
#  - SIGTERM / SIGINT while the temporaries exist removes them all;
#  - a second run into the same OUT waits for the first (directory lock), so
#    the two sets never interleave.
# faultshim.c's "stall:" op holds a run in fsync of report.pdf, after the
# other three temporaries are written. Env: ECRAUDIT, ECR_SRC.
set -uo pipefail
# job control: background runs get SIGINT like a foreground one (a plain
# script starts them with SIGINT ignored, which ecraudit then respects)
set -m
: "${ECRAUDIT:?}" "${ECR_SRC:?}"
work=$(mktemp -d "${TMPDIR:-/tmp}/ecraudit-tmpfiles.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
cc=${CC:-cc}
command -v "$cc" >/dev/null || cc=gcc
if ! "$cc" -shared -fPIC -O1 -o "$work/faultshim.so" "$ECR_SRC/tests/faults/faultshim.c" -ldl \
    2>"$work/cc.err"; then
  echo "test_tmpfiles: cannot build the shim: $(cat "$work/cc.err")"; exit 1
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export SOURCE_DATE_EPOCH=1767225600
ev="$ECR_SRC/samples/acme"
led="$ECR_SRC/samples/acme/ledger.json"
files=(findings.json report.junit.xml report.html report.pdf)
failures=0
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }

# wait (up to 60 s) until OUT holds n temporary files
wait_tmps() {
  local out=$1 n=$2 i
  for i in $(seq 600); do
    [ "$(ls "$out" 2>/dev/null | grep -c '\.tmp\.')" -ge "$n" ] && return 0
    sleep 0.1
  done
  return 1
}

# 1. planted symlinks at OUT/<report>.tmp.<pid> (the pid of the exec'd run)
out="$work/out1"
mkdir -p "$out"
echo "precious" >"$work/victim"
(
  for f in "${files[@]}"; do ln -s "$work/victim" "$out/$f.tmp.$BASHPID"; done
  exec "$ECRAUDIT" report --evidence "$ev" --exceptions "$led" --out "$out" --as-of 2026-01-15
) >/dev/null 2>"$work/err1"
rc=$?
[ "$rc" -le 1 ] || fail symlink "exit $rc: $(head -c 300 "$work/err1")"
[ "$(head -c 8 "$work/victim" | tr -d '\0')" = precious ] || fail symlink "the link target was overwritten"
for f in "${files[@]}"; do
  [ -f "$out/$f" ] && [ ! -L "$out/$f" ] || fail symlink "$f is not a regular file"
done

# 2. a signal while all four temporaries exist removes them
for sig in TERM INT; do
  out="$work/out-$sig"
  ECR_FAULT="stall:report.pdf" ECR_STALL=60 LD_PRELOAD="$work/faultshim.so" \
    "$ECRAUDIT" report --evidence "$ev" --exceptions "$led" --out "$out" --as-of 2026-01-15 \
    >/dev/null 2>"$work/err-$sig" &
  pid=$!
  pids+=("$pid")
  if ! wait_tmps "$out" 4; then
    fail "SIG$sig" "the run never had its four temporary files: $(ls "$out" 2>&1)"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    continue
  fi
  kill -"$sig" "$pid"
  wait "$pid"
  rc=$?
  [ "$rc" -gt 128 ] || fail "SIG$sig" "exit $rc, expected death by signal"
  left=$(ls "$out" | grep '\.tmp\.' | tr '\n' ' ')
  [ -z "$left" ] || fail "SIG$sig" "temporary files left: $left"
  for f in "${files[@]}"; do
    [ ! -e "$out/$f" ] || fail "SIG$sig" "$f was published by a killed run"
  done
done

# 3. two runs into one OUT: the second waits for the first
out="$work/out3"
mkdir -p "$out"
ECR_FAULT="stall:report.pdf" ECR_STALL=4 LD_PRELOAD="$work/faultshim.so" \
  "$ECRAUDIT" report --evidence "$ev" --exceptions "$led" --out "$out" --as-of 2026-01-15 \
  >/dev/null 2>"$work/errA" &
a=$!
pids+=("$a")
if wait_tmps "$out" 4; then
  "$ECRAUDIT" report --evidence "$ev" --exceptions "$led" --out "$out" --as-of 2026-03-01 \
    >/dev/null 2>"$work/errB" &
  b=$!
  pids+=("$b")
  sleep 1.5
  if ! kill -0 "$a" 2>/dev/null; then
    fail lock "the first run ended too early for the test"
  elif ! kill -0 "$b" 2>/dev/null; then
    fail lock "the second run finished while the first was writing into the same directory"
  fi
  wait "$a"; ra=$?
  wait "$b"; rb=$?
  [ "$ra" -le 1 ] && [ "$rb" -le 1 ] || fail lock "exit $ra / $rb: $(head -c 300 "$work/errA" "$work/errB")"
  # the last set written is the second run's, whole
  grep -q '"as_of": *"2026-03-01"' "$out/findings.json" || fail lock "findings.json is not the second run's"
  grep -q '2026-03-01' "$out/report.html" || fail lock "report.html is not the second run's"
  [ -z "$(ls "$out" | grep '\.tmp\.')" ] || fail lock "temporary files left: $(ls "$out")"
else
  fail lock "the first run never had its four temporary files"
fi

echo "tmpfiles: symlink, SIGTERM, SIGINT, lock: $failures failures"
[ "$failures" -eq 0 ]
